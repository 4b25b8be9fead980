//! The checked-in JSON Schema of the course document is what the Rust types
//! generate, and a course with every question type validates against it and
//! round-trips. Run with `UPDATE_SCHEMA=1` to rewrite the file after a
//! deliberate change of the types.

use coursegen_core::course::*;
use serde_json::json;

const SCHEMA_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/schema/course.v1.schema.json");

fn generated() -> String {
    serde_json::to_string_pretty(&course_schema()).unwrap() + "\n"
}

#[test]
fn checked_in_schema_is_up_to_date() {
    let fresh = generated();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(SCHEMA_PATH, &fresh).unwrap();
    }
    let on_disk = std::fs::read_to_string(SCHEMA_PATH).unwrap_or_default();
    assert!(
        on_disk == fresh,
        "{SCHEMA_PATH} is out of date with the Rust types: run `UPDATE_SCHEMA=1 cargo test -p coursegen-core --test course_schema` and commit it"
    );
}

fn q(id: &str, body: QuestionBody) -> Question {
    Question {
        id: id.into(),
        prompt: format!("Prompt of {id} ____"),
        source: Some(SourceSpan {
            start_ms: 1_000,
            end_ms: 9_000,
        }),
        bloom: BloomLevel::Understand,
        difficulty: Difficulty::Medium,
        points: 2,
        time_limit_s: Some(60),
        hint: Some("Think about ownership.".into()),
        explanation: Some("Because the value moved.".into()),
        parameters: Vec::new(),
        body,
    }
}

fn option(text: &str, correct: bool) -> ChoiceOption {
    ChoiceOption {
        text: text.into(),
        correct,
        explanation: Some(format!("{text} is {correct}")),
    }
}

fn every_question_type() -> Vec<Question> {
    vec![
        q(
            "q1",
            QuestionBody::SingleChoice {
                options: vec![option("move", true), option("copy", false)],
            },
        ),
        q(
            "q2",
            QuestionBody::MultiChoice {
                options: vec![option("a", true), option("b", true), option("c", false)],
            },
        ),
        q("q3", QuestionBody::TrueFalse { answer: true }),
        q(
            "q4",
            QuestionBody::Numeric {
                value: Some(2.75),
                tolerance: Some(0.05),
                range: None,
                decimal_precision: 2,
                expression: None,
            },
        ),
        q(
            "q5",
            QuestionBody::Numeric {
                value: None,
                tolerance: None,
                range: Some(NumericRange { min: 1.0, max: 2.0 }),
                decimal_precision: 1,
                expression: Some("a / b".into()),
            },
        ),
        q(
            "q6",
            QuestionBody::Descriptive {
                model_answer: "Ownership moves.".into(),
                rubric: vec![RubricItem {
                    criterion: "mentions move".into(),
                    points: 2,
                }],
            },
        ),
        q(
            "q7",
            QuestionBody::Ordering {
                items: vec!["parse".into(), "check".into(), "run".into()],
            },
        ),
        q(
            "q8",
            QuestionBody::FillBlank {
                accepted: vec!["borrow".into()],
                case_sensitive: false,
            },
        ),
        q(
            "q9",
            QuestionBody::ShortAnswer {
                accepted: vec!["the stack".into()],
                model_answer: None,
            },
        ),
        q(
            "q10",
            QuestionBody::Code {
                language: "python".into(),
                template: "def add(a, b):\n    pass\n".into(),
                tests: vec![CodeTest {
                    input: "1 2".into(),
                    expected_output: "3".into(),
                    hidden: false,
                }],
                solution: Some("def add(a, b):\n    return a + b\n".into()),
            },
        ),
    ]
}

fn sample_course() -> Course {
    let questions = every_question_type();
    Course {
        schema_version: COURSE_SCHEMA_VERSION,
        title: "Rust ownership".into(),
        description: "Moves, borrows and lifetimes.".into(),
        language: "en".into(),
        modules: vec![Module {
            title: "Ownership".into(),
            summary: "Who owns a value.".into(),
            lessons: vec![Lesson {
                title: "Moves".into(),
                objectives: vec!["Explain a move".into()],
                content_md: "# Moves\n\nA value has one owner.".into(),
                key_concepts: vec!["ownership".into(), "move".into()],
                source_video: Some("henIVlCPVIY".into()),
                start_ms: 0,
                end_ms: 60_000,
                exercises: questions[..5].to_vec(),
            }],
        }],
        assessment: Some(Assessment {
            questions: questions[5..].to_vec(),
            passing_score: 70,
            time_limit_s: Some(1800),
        }),
        glossary: vec![GlossaryEntry {
            term: "move".into(),
            definition: "transfer of ownership".into(),
            source: None,
        }],
        flashcards: vec![Flashcard {
            front: "What is a move?".into(),
            back: "A transfer of ownership.".into(),
            source: None,
        }],
    }
}

#[test]
fn a_course_with_every_question_type_matches_the_schema_and_round_trips() {
    let course = sample_course();
    course.validate().unwrap();
    let value = serde_json::to_value(&course).unwrap();
    let validator = jsonschema::validator_for(&course_schema()).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&value)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(
        serde_json::from_value::<Course>(value.clone()).unwrap(),
        course
    );
    // The field names other tools rely on.
    let lesson = &value["modules"][0]["lessons"][0];
    for field in [
        "title",
        "start_ms",
        "end_ms",
        "content_md",
        "key_concepts",
        "exercises",
    ] {
        assert!(lesson.get(field).is_some(), "lesson.{field}");
    }
    let question = &lesson["exercises"][0];
    for field in [
        "id",
        "type",
        "prompt",
        "bloom",
        "difficulty",
        "points",
        "time_limit_s",
        "hint",
        "explanation",
    ] {
        assert!(question.get(field).is_some(), "question.{field}");
    }
    assert_eq!(
        question["source"],
        json!({"start_ms": 1000, "end_ms": 9000})
    );
    assert_eq!(question["type"], "single_choice");
    for field in ["questions", "passing_score", "time_limit_s"] {
        assert!(
            value["assessment"].get(field).is_some(),
            "assessment.{field}"
        );
    }
    assert!(value["glossary"].is_array() && value["flashcards"].is_array());
}

#[test]
fn the_schema_rejects_what_the_types_reject() {
    let validator = jsonschema::validator_for(&course_schema()).unwrap();
    let mut value = serde_json::to_value(sample_course()).unwrap();
    value["modules"][0]["lessons"][0]["exercises"][0]["type"] = json!("essay");
    assert!(!validator.is_valid(&value));
    let mut value = serde_json::to_value(sample_course()).unwrap();
    value["modules"][0]["lessons"][0]["exercises"][0]["bloom"] = json!("wisdom");
    assert!(!validator.is_valid(&value));
}

#[test]
fn every_type_maps_to_an_lms_code() {
    let codes: Vec<(&str, &str)> = every_question_type()
        .iter()
        .map(|q| (q.question_type().as_str(), q.export_code().as_str()))
        .collect();
    assert_eq!(
        codes,
        vec![
            ("single_choice", "SOL"),
            ("multi_choice", "SML"),
            ("true_false", "BIN"),
            ("numeric", "NAT"),
            ("numeric", "NAT"),
            ("descriptive", "DES"),
            ("ordering", "OTL"),
            ("fill_blank", "DES"),
            ("short_answer", "DES"),
            ("code", "DES"),
        ]
    );
    for code in [
        ExportCode::Sol,
        ExportCode::Sml,
        ExportCode::Bin,
        ExportCode::Nat,
        ExportCode::Des,
        ExportCode::Otl,
    ] {
        assert_eq!(
            code.import_type().export_code(),
            code,
            "{code:?} round-trips"
        );
    }
}

#[test]
fn course_validation_names_the_offending_question() {
    let mut course = sample_course();
    course.modules[0].lessons[0].exercises[0].body = QuestionBody::SingleChoice {
        options: vec![option("a", true), option("b", true)],
    };
    let err = course.validate().unwrap_err();
    assert_eq!(err.field, "modules[0].lessons[0].exercises[0].options");
    let mut course = sample_course();
    course.assessment.as_mut().unwrap().questions[0].id = "q1".into();
    assert_eq!(
        course.validate().unwrap_err().field,
        "assessment.questions[0].id"
    );
    let mut course = sample_course();
    course.modules[0].lessons[0].exercises[3].body = QuestionBody::Numeric {
        value: Some(f64::NAN),
        tolerance: None,
        range: None,
        decimal_precision: 0,
        expression: None,
    };
    assert_eq!(
        course.validate().unwrap_err().field,
        "modules[0].lessons[0].exercises[3].value"
    );
}
