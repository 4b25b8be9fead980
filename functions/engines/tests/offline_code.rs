//! Material that shows code gets code questions built from that code.

use coursegen_core::course::{QuestionBody, QuestionType};
use coursegen_core::material::Block;
use coursegen_core::options::Options;
use coursegen_core::outputs::SegmentParams;
use coursegen_core::source::DocumentFormat;
use coursegen_engines::ingest::{document, narrate};
use coursegen_engines::offline::course::generate;

const SCRIPT: &str = r#"# Python Basics

## Lesson 1: Functions

A function is a named block of code that runs only when it is called. You define a function with the
keyword def, then its name, then its parameters in brackets. The body of the function is indented
under that first line, and the return statement hands a value back to whoever called it.

Here is a function that computes the area of a rectangle from its width and its height.

```python
def area(width, height):
    result = width * height
    return result
>>> area(2, 3)
6
```

A parameter is a name that receives a value when the function is called. When we call area with 2
and 3, width becomes 2 and height becomes 3, so the function returns 6. Calling a function twice
with the same arguments gives the same result, which makes functions easy to test.

## Lesson 2: Loops

A loop is a statement that repeats a block of code. The for loop runs its body once for every item
in a sequence, such as a list of numbers. This loop adds up the numbers from 1 to 4.

```python
total = 0
for n in [1, 2, 3, 4]:
    total = total + n
print(total)
```

After the loop finishes, total holds 10, because 1 plus 2 plus 3 plus 4 is 10. An accumulator is a
variable that collects a running result across the iterations of a loop.
"#;

#[test]
fn code_questions_come_from_the_code_the_material_shows() {
    let doc = document(SCRIPT.as_bytes(), DocumentFormat::Md).unwrap();
    assert!(
        doc.blocks
            .iter()
            .any(|b| matches!(b, Block::Code { language: Some(l), .. } if l == "python"))
    );
    let narration = narrate(&doc);
    assert_eq!(narration.code.len(), 2);
    let ends: Vec<u64> = narration.sections.iter().map(|(_, e)| *e).collect();
    let params = SegmentParams {
        segment_ends_ms: Some(ends[..ends.len() - 1].to_vec()),
        min_duration_s: 0,
        ..SegmentParams::default()
    };
    let options = Options {
        question_mix: [(QuestionType::Code, 1), (QuestionType::FillBlank, 1)]
            .into_iter()
            .collect(),
        ..Options::default()
    };
    let g = generate(
        narration.material(),
        doc.title.as_deref(),
        None,
        &params,
        &options,
    );
    assert_eq!(g.course.title, "Python Basics");
    let lessons: Vec<_> = g.course.modules.iter().flat_map(|m| &m.lessons).collect();
    assert_eq!(lessons.len(), 2);
    assert!(
        lessons[0]
            .content_md
            .contains("```python\ndef area(width, height):")
    );
    for (lesson, listing) in lessons.iter().zip(&narration.code) {
        let code = lesson
            .exercises
            .iter()
            .find(|q| q.question_type() == QuestionType::Code)
            .expect("a code question");
        let QuestionBody::Code {
            language,
            template,
            solution,
            tests,
        } = &code.body
        else {
            unreachable!()
        };
        assert_eq!(language, "python");
        assert_eq!(
            solution.as_deref(),
            Some(listing.code.as_str()),
            "the solution is the lesson's own code"
        );
        assert!(
            template.contains("____") && Some(template.as_str()) != solution.as_deref(),
            "{template}"
        );
        let kept: Vec<&str> = template.lines().filter(|l| !l.contains("____")).collect();
        assert!(
            kept.iter().all(|l| listing.code.lines().any(|c| c == *l)),
            "the template keeps the listing's other lines"
        );
        if lesson.title.contains("Functions") {
            assert_eq!(tests.len(), 1);
            assert_eq!(
                (tests[0].input.as_str(), tests[0].expected_output.as_str()),
                ("area(2, 3)", "6")
            );
        }
    }
}
