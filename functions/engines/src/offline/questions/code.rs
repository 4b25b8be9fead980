//! Code questions from the code the material shows: complete a line taken
//! out of the lesson's listing, or write the listing from its description.
//! Doctest-style examples in the listing (`>>> call` then the result) become
//! the question's tests.

use coursegen_core::course::{BloomLevel, CodeTest, QuestionBody};
use coursegen_core::material::CodeSample;

use super::recall::BLANK;
use super::{Candidate, Scope, draft};

/// Listings shorter than this have no line worth taking out.
const MIN_LINES: usize = 2;

pub(super) fn code(scope: &Scope<'_>) -> Vec<Candidate> {
    let (start, end) = (scope.start_ms, scope.end_ms);
    scope
        .knowledge
        .code
        .iter()
        .enumerate()
        .filter(|(_, c)| c.start_ms >= start && c.start_ms < end)
        .filter_map(|(i, sample)| candidate(scope, i, sample))
        .collect()
}

fn candidate(scope: &Scope<'_>, index: usize, sample: &CodeSample) -> Option<Candidate> {
    let lines: Vec<&str> = sample.code.lines().collect();
    let body: Vec<usize> = (0..lines.len())
        .filter(|&i| is_significant(lines[i]))
        .collect();
    if body.len() < MIN_LINES {
        return None;
    }
    // The longest significant line after the first (which names the thing).
    let target = *body[1..]
        .iter()
        .max_by_key(|&&i| (lines[i].trim().len(), std::cmp::Reverse(i)))?;
    let indent: String = lines[target]
        .chars()
        .take_while(|c| c.is_whitespace())
        .collect();
    let template: Vec<String> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            if i == target {
                format!("{indent}{BLANK}")
            } else {
                (*l).to_owned()
            }
        })
        .collect();
    let language = sample.language.clone().unwrap_or_else(|| "text".to_owned());
    let tests = doctests(&lines);
    let source = coursegen_core::course::SourceSpan {
        start_ms: sample.start_ms,
        end_ms: sample.end_ms,
    };
    // What the lesson says just before showing the code describes it.
    let described = scope
        .range
        .clone()
        .rev()
        .map(|i| &scope.knowledge.sentences[i])
        .find(|s| s.end_ms <= sample.start_ms)
        .map(|s| s.text.clone());
    let mut complete = draft(
        format!(
            "Complete the missing line ({BLANK}) of the {language} code from \"{}\".",
            scope.title
        ),
        BloomLevel::Apply,
        source,
        QuestionBody::Code {
            language: language.clone(),
            template: template.join("\n"),
            tests: tests.clone(),
            solution: Some(sample.code.clone()),
        },
    );
    complete.hint = Some(format!(
        "The missing line is line {} of {}.",
        target + 1,
        lines.len()
    ));
    let mut variants = vec![complete];
    if let Some(description) = described {
        let first = lines[body[0]];
        variants.push(draft(
            format!("Write {language} code that does what the lesson describes: {description}"),
            BloomLevel::Create,
            source,
            QuestionBody::Code {
                language,
                template: format!("{first}\n{indent}{BLANK}"),
                tests,
                solution: Some(sample.code.clone()),
            },
        ));
    }
    Some(Candidate {
        fact: format!("code:{index}"),
        variants,
    })
}

/// Not blank, not a comment, not a doctest line.
fn is_significant(line: &str) -> bool {
    let t = line.trim();
    !(t.is_empty()
        || t.starts_with('#')
        || t.starts_with("//")
        || t.starts_with(">>>")
        || t.starts_with("--"))
}

/// `>>> expression` followed by its expected output line.
fn doctests(lines: &[&str]) -> Vec<CodeTest> {
    lines
        .windows(2)
        .filter_map(|w| {
            let input = w[0].trim().strip_prefix(">>> ")?;
            let output = w[1].trim();
            (!output.is_empty() && !output.starts_with(">>>")).then(|| CodeTest {
                input: input.to_owned(),
                expected_output: output.to_owned(),
                hidden: false,
            })
        })
        .collect()
}
