//! The offline engine makes a real course from the sample lecture: every
//! objective answer is supported by its source span, options are clean,
//! requested type counts and Bloom mix hold, topics stay together in
//! modules, and the output is byte-for-byte deterministic.

use crate::common;
use std::collections::BTreeMap;

use common::{example_json, lecture};
use coursegen_core::course::{BloomLevel, Course, Question, QuestionBody, QuestionType};
use coursegen_core::material::Sentence;
use coursegen_core::options::Options;
use coursegen_core::outputs::{MaterialCategory, SegmentParams};
use coursegen_engines::offline::course::{Generated, generate};

fn options() -> Options {
    use QuestionType::*;
    Options {
        question_mix: [
            (SingleChoice, 2),
            (MultiChoice, 1),
            (TrueFalse, 2),
            (FillBlank, 1),
            (Numeric, 1),
            (Ordering, 1),
            (ShortAnswer, 1),
            (Descriptive, 1),
        ]
        .into_iter()
        .collect(),
        bloom: [
            (BloomLevel::Remember, 40),
            (BloomLevel::Understand, 30),
            (BloomLevel::Apply, 10),
            (BloomLevel::Analyze, 20),
        ]
        .into_iter()
        .collect(),
        ..Options::default()
    }
}

fn run(file: &str, options: &Options) -> Generated {
    generate(
        lecture(file).into(),
        None,
        Some("henIVlCPVIY"),
        &SegmentParams::default(),
        options,
    )
}

fn normal(s: &str) -> String {
    // "1,000" is the number 1000, not the words "1" and "000".
    let chars: Vec<char> = s.chars().collect();
    let s: String = chars
        .iter()
        .enumerate()
        .filter(|(i, c)| {
            !(**c == ','
                && *i > 0
                && chars[i - 1].is_ascii_digit()
                && chars.get(i + 1).is_some_and(char::is_ascii_digit))
        })
        .map(|(_, c)| *c)
        .collect();
    s.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The text of the sentences within a question's source span.
fn span_text(sentences: &[Sentence], q: &Question) -> String {
    let span = q
        .source
        .expect("every generated question has a source span");
    let text: Vec<&str> = sentences
        .iter()
        .filter(|s| s.start_ms >= span.start_ms && s.end_ms <= span.end_ms)
        .map(|s| s.text.as_str())
        .collect();
    normal(&text.join(" "))
}

/// Checks that the answer of an objective question is stated in its span.
fn answer_supported(sentences: &[Sentence], q: &Question) -> Result<(), String> {
    let span = span_text(sentences, q);
    let has = |s: &str| span.contains(&normal(s));
    let ok = match &q.body {
        QuestionBody::SingleChoice { options } | QuestionBody::MultiChoice { options } => {
            options.iter().filter(|o| o.correct).all(|o| {
                has(&o.text)
                    || o.text
                        .split(", while ")
                        .all(|part| statement_supported(&span, part))
            })
        }
        QuestionBody::TrueFalse { answer: true } => statement_supported(&span, &q.prompt),
        // A false statement pairs a term from the span with words the span
        // does not say about it.
        QuestionBody::TrueFalse { answer: false } => !span.contains(&normal(&q.prompt)),
        QuestionBody::FillBlank { accepted, .. } | QuestionBody::ShortAnswer { accepted, .. } => {
            has(&accepted[0])
        }
        QuestionBody::Numeric { value: Some(v), .. } => span.contains(&normal(&format_number(*v))),
        QuestionBody::Ordering { items } => items.iter().all(|i| has(i.trim_end_matches(" …"))),
        _ => true,
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{}: answer not in its span: {}",
            q.id,
            serde_json::to_string(q).unwrap()
        ))
    }
}

/// "X is Y." (or "X: Y.") is supported when the span says X and says Y.
fn statement_supported(span: &str, statement: &str) -> bool {
    let parts = statement
        .split_once(": ")
        .or_else(|| statement.split_once(" is "))
        .or_else(|| statement.split_once(" means "))
        .or_else(|| statement.split_once(" refers to "));
    match parts {
        Some((subject, rest)) => {
            // Articles come and go between sentence and statement.
            let subject = normal(subject);
            let subject = subject
                .trim_start_matches("an ")
                .trim_start_matches("a ")
                .trim_start_matches("the ");
            span.contains(subject) && span.contains(&normal(rest))
        }
        None => span.contains(&normal(statement)),
    }
}

fn format_number(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

fn all_questions(course: &Course) -> Vec<&Question> {
    course.questions().collect()
}

#[test]
fn the_lecture_is_judged_teachable() {
    let g = run("lecture/lecture.srt", &Options::default());
    assert!(g.validation.suitable, "{:?}", g.validation);
    assert_eq!(g.validation.category, MaterialCategory::Instructional);
}

#[test]
fn objective_answers_are_supported_by_their_source_spans() {
    for file in ["lecture/lecture.srt", "lecture/lecture.en.vtt"] {
        let sentences = lecture(file);
        let g = run(file, &options());
        g.course.validate().unwrap();
        let failures: Vec<String> = all_questions(&g.course)
            .iter()
            .filter_map(|q| answer_supported(&sentences, q).err())
            .collect();
        assert!(failures.is_empty(), "{file}: {failures:#?}");
    }
}

#[test]
fn options_are_clean() {
    let g = run("lecture/lecture.srt", &options());
    for q in all_questions(&g.course) {
        if let QuestionBody::SingleChoice { options } | QuestionBody::MultiChoice { options } =
            &q.body
        {
            let texts: Vec<String> = options.iter().map(|o| normal(&o.text)).collect();
            let unique: std::collections::HashSet<&String> = texts.iter().collect();
            assert_eq!(
                unique.len(),
                texts.len(),
                "{}: duplicate options {texts:?}",
                q.id
            );
            let answers: Vec<String> = options
                .iter()
                .filter(|o| o.correct)
                .map(|o| normal(&o.text))
                .collect();
            for o in options.iter().filter(|o| !o.correct) {
                assert!(
                    !answers.contains(&normal(&o.text)),
                    "{}: a wrong option equals an answer",
                    q.id
                );
            }
            assert!(
                options.len() >= 3,
                "{}: only {} options",
                q.id,
                options.len()
            );
        }
    }
}

#[test]
fn every_lesson_has_exercises_and_the_requested_mix() {
    let options = options();
    let g = run("lecture/lecture.srt", &options);
    let lessons: Vec<_> = g.course.modules.iter().flat_map(|m| &m.lessons).collect();
    assert!(lessons.len() >= 4);
    let mut by_type: BTreeMap<QuestionType, usize> = BTreeMap::new();
    let mut by_level: BTreeMap<BloomLevel, usize> = BTreeMap::new();
    for lesson in &lessons {
        assert!(
            !lesson.exercises.is_empty(),
            "{} has no exercises",
            lesson.title
        );
        for q in &lesson.exercises {
            *by_type.entry(q.question_type()).or_default() += 1;
            *by_level.entry(q.bloom).or_default() += 1;
        }
    }
    let total: usize = by_type.values().sum();
    eprintln!("types {by_type:?}\nbloom {by_level:?}");
    for (ty, per_lesson) in &options.question_mix {
        let want = usize::from(*per_lesson) * lessons.len();
        let got = by_type.get(ty).copied().unwrap_or(0);
        assert!(
            got.abs_diff(want) * 10 <= want,
            "{ty:?}: {got} questions, {want} requested"
        );
    }
    for (level, pct) in &options.bloom {
        let share = by_level.get(level).copied().unwrap_or(0) as f64 * 100.0 / total as f64;
        assert!(
            (share - f64::from(*pct)).abs() <= 10.0,
            "{level:?}: {share:.0}% of questions, {pct}% requested"
        );
    }
}

#[test]
fn the_default_options_make_a_complete_course() {
    let g = run("lecture/lecture.en.vtt", &Options::default());
    let course = &g.course;
    course.validate().unwrap();
    let assessment = course
        .assessment
        .as_ref()
        .expect("assessments are on by default");
    assert_eq!(
        assessment.questions.len(),
        usize::from(Options::default().assessment.questions)
    );
    assert_eq!(assessment.passing_score, 70);
    let exercise_prompts: Vec<&str> = course
        .modules
        .iter()
        .flat_map(|m| &m.lessons)
        .flat_map(|l| &l.exercises)
        .map(|q| q.prompt.as_str())
        .collect();
    assert!(
        assessment
            .questions
            .iter()
            .all(|q| !exercise_prompts.contains(&q.prompt.as_str())),
        "the assessment does not repeat exercises"
    );
    // Balanced across lessons: every lesson contributes.
    for lesson in course.modules.iter().flat_map(|m| &m.lessons) {
        assert!(
            assessment.questions.iter().any(|q| {
                q.source.is_some_and(|s| {
                    s.start_ms >= lesson.start_ms && s.end_ms <= lesson.end_ms + 1000
                })
            }),
            "no assessment question from {}",
            lesson.title
        );
    }
    assert!(
        course.glossary.len() >= 15,
        "{} glossary entries",
        course.glossary.len()
    );
    assert!(course.flashcards.len() >= course.glossary.len());
    let lesson = &course.modules[0].lessons[0];
    assert!(
        lesson.content_md.contains("### Key terms")
            && lesson
                .content_md
                .contains("https://www.youtube.com/watch?v=henIVlCPVIY&t=")
    );
    assert!(!lesson.key_concepts.is_empty());
}

#[test]
fn modules_keep_each_topic_together() {
    let topics = example_json("lecture/topics.json");
    let bounds: Vec<(u64, u64)> = topics["topics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["start_ms"].as_u64().unwrap(),
                t["end_ms"].as_u64().unwrap(),
            )
        })
        .collect();
    let topic_of = |start: u64, end: u64| {
        let mid = (start + end) / 2;
        bounds
            .iter()
            .position(|(a, b)| mid >= a.saturating_sub(3000) && mid <= b + 3000)
            .unwrap_or(usize::MAX)
    };
    // A low penalty cuts topics into several lessons; modules must regroup them.
    let params = SegmentParams {
        boundary_penalty: -0.5,
        min_duration_s: 60,
        ..SegmentParams::default()
    };
    let g = generate(
        lecture("lecture/lecture.srt").into(),
        None,
        None,
        &params,
        &Options::default(),
    );
    let lessons: usize = g.outline.modules.iter().map(|m| m.lessons.len()).sum();
    assert!(
        lessons > bounds.len(),
        "the test needs more lessons ({lessons}) than topics"
    );
    let mut module_of_topic: BTreeMap<usize, usize> = BTreeMap::new();
    let mut together = 0;
    for (m, module) in g.outline.modules.iter().enumerate() {
        let module_topics: std::collections::BTreeSet<usize> = module
            .lessons
            .iter()
            .map(|l| topic_of(l.start_ms, l.end_ms))
            .collect();
        eprintln!("module {m} {:?}: topics {module_topics:?}", module.title);
        assert_eq!(
            module_topics.len(),
            1,
            "module {} mixes topics {module_topics:?}",
            module.title
        );
        for t in module_topics {
            if module_of_topic.insert(t, m).is_none() {
                together += 1;
            }
        }
    }
    eprintln!(
        "{lessons} lessons in {} modules for {} topics",
        g.outline.modules.len(),
        bounds.len()
    );
    assert_eq!(together, bounds.len(), "each topic sits in one module");
    assert_eq!(
        g.outline.modules.len(),
        bounds.len(),
        "a split topic is regrouped into one module"
    );
}

#[test]
fn output_is_byte_for_byte_deterministic() {
    let a = serde_json::to_string(&run("lecture/lecture.en.vtt", &options()).course).unwrap();
    let b = serde_json::to_string(&run("lecture/lecture.en.vtt", &options()).course).unwrap();
    assert_eq!(a, b);
}

#[test]
fn the_courses_questions_export_to_the_ai_server_format_and_back_unchanged() {
    let g = run("lecture/lecture.en.vtt", &options());
    let items = coursegen_exports::ai_questions::questions(&g.course).unwrap();
    let text = serde_json::to_string_pretty(&items).unwrap();
    let read: serde_json::Value = serde_json::from_str(&text).unwrap();
    let expected: Vec<Question> = g.course.questions().cloned().collect();
    assert_eq!(read.as_array().unwrap().len(), expected.len());
    // Each lesson is a segment: its exercises carry its end as segmentId.
    let lesson = &g.course.modules[0].lessons[0];
    let first = &read[0];
    assert_eq!(
        first["segmentId"].as_f64().unwrap(),
        lesson.end_ms as f64 / 1000.0
    );
    for item in read.as_array().unwrap() {
        assert!(
            item["question"]["text"]
                .as_str()
                .is_some_and(|t| !t.is_empty())
        );
        assert!(
            ["SOL", "SML", "NAT", "DES", "BIN", "OTL"]
                .contains(&item["questionType"].as_str().unwrap())
        );
    }
    let imported = coursegen_exports::ai_questions::import_questions(&g.course, &read).unwrap();
    assert_eq!(imported, expected);
}
