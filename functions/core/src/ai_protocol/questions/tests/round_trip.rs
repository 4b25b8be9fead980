//! Export then import gives the same questions, for every type with every
//! optional field set and with none set.

use serde_json::{Value, json};

use super::SEGMENTS;
use crate::ai_protocol::questions::{Solution, export, import};
use crate::course::{
    BloomLevel, ChoiceOption, CodeTest, Difficulty, NumericRange, ParameterKind, Question,
    QuestionBody, QuestionParameter, RubricItem, SourceSpan,
};

fn option(text: &str, correct: bool, explanation: Option<&str>) -> ChoiceOption {
    ChoiceOption {
        text: text.into(),
        correct,
        explanation: explanation.map(Into::into),
    }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

/// One body of each type, every optional field set; options out of lot
/// order and with an empty explanation.
fn full_bodies() -> Vec<QuestionBody> {
    let numeric = |value, tolerance, range| QuestionBody::Numeric {
        value,
        tolerance,
        range,
        decimal_precision: 3,
        expression: Some("g * t".into()),
    };
    vec![
        QuestionBody::SingleChoice {
            options: vec![
                option("stack", false, Some("")),
                option("queue", true, Some("FIFO")),
                option("heap", false, Some("a priority queue")),
            ],
        },
        QuestionBody::MultiChoice {
            options: vec![
                option("quicksort", false, Some("sorts")),
                option("bfs", true, Some("breadth")),
                option("dfs", true, None),
            ],
        },
        QuestionBody::TrueFalse { answer: false },
        numeric(Some(9.81), Some(0.05), None),
        numeric(None, None, Some(NumericRange { min: 1.5, max: 2.5 })),
        numeric(
            Some(2.0),
            Some(0.0),
            Some(NumericRange { min: 1.5, max: 2.5 }),
        ),
        QuestionBody::Descriptive {
            model_answer: "Cycles would loop forever.".into(),
            rubric: vec![RubricItem {
                criterion: "mentions cycles".into(),
                points: 2,
            }],
        },
        QuestionBody::Ordering {
            items: strings(&["parse", "plan", "execute"]),
        },
        QuestionBody::FillBlank {
            accepted: strings(&["queue", "FIFO queue; a queue"]),
            case_sensitive: true,
        },
        QuestionBody::ShortAnswer {
            accepted: strings(&["O(n)", "linear"]),
            model_answer: Some("Linear in the number of nodes.".into()),
        },
        QuestionBody::Code {
            language: "python".into(),
            template: "def bfs(graph, start):\n    pass\n".into(),
            tests: vec![CodeTest {
                input: "{1: [2]}, 1".into(),
                expected_output: "[1, 2]".into(),
                hidden: true,
            }],
            solution: Some("def bfs(graph, start):\n    return [start]\n".into()),
        },
    ]
}

/// One body of each type with no optional field set.
fn bare_bodies() -> Vec<QuestionBody> {
    vec![
        QuestionBody::SingleChoice {
            options: vec![option("queue", true, None), option("stack", false, None)],
        },
        QuestionBody::MultiChoice {
            options: vec![option("bfs", true, None), option("sort", false, None)],
        },
        QuestionBody::TrueFalse { answer: true },
        QuestionBody::Numeric {
            value: Some(42.0),
            tolerance: None,
            range: None,
            decimal_precision: 0,
            expression: None,
        },
        QuestionBody::Descriptive {
            model_answer: "Because.".into(),
            rubric: Vec::new(),
        },
        QuestionBody::Ordering {
            items: strings(&["a", "b"]),
        },
        QuestionBody::FillBlank {
            accepted: strings(&["queue"]),
            case_sensitive: false,
        },
        QuestionBody::ShortAnswer {
            accepted: strings(&["linear"]),
            model_answer: None,
        },
        QuestionBody::Code {
            language: "rust".into(),
            template: String::new(),
            tests: Vec::new(),
            solution: None,
        },
    ]
}

fn full(i: usize, body: QuestionBody) -> Question {
    Question {
        id: format!("full-{i}"),
        prompt: format!("Question {i}: the ____ of {{n}} nodes?"),
        source: Some(SourceSpan {
            start_ms: 150_000 + i as u64 * 1000,
            end_ms: 160_000 + i as u64 * 1000,
        }),
        bloom: BloomLevel::Evaluate,
        difficulty: Difficulty::Hard,
        points: 3,
        time_limit_s: Some(90),
        hint: Some("Think FIFO.".into()),
        explanation: Some("Because of the order nodes are found in.".into()),
        parameters: vec![QuestionParameter {
            name: "n".into(),
            possible_values: strings(&["3", "7"]),
            kind: ParameterKind::Number,
        }],
        body,
    }
}

fn bare(i: usize, body: QuestionBody) -> Question {
    Question {
        id: format!("bare-{i}"),
        prompt: format!("Question {i}?"),
        source: None,
        bloom: BloomLevel::Remember,
        difficulty: Difficulty::Medium,
        points: 1,
        time_limit_s: None,
        hint: None,
        explanation: None,
        parameters: Vec::new(),
        body,
    }
}

fn all_questions() -> Vec<Question> {
    let full = full_bodies()
        .into_iter()
        .enumerate()
        .map(|(i, b)| full(i, b));
    let bare = bare_bodies()
        .into_iter()
        .enumerate()
        .map(|(i, b)| bare(i, b));
    full.chain(bare).collect()
}

fn exported(questions: &[Question]) -> Value {
    serde_json::to_value(export(questions, &SEGMENTS).unwrap()).unwrap()
}

#[test]
fn every_type_round_trips_with_all_optionals_and_with_none() {
    let questions = all_questions();
    let file = exported(&questions);
    assert_eq!(import(&file, &SEGMENTS).unwrap(), questions);
    let text = serde_json::to_string_pretty(&file).unwrap();
    let reparsed: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(import(&reparsed, &SEGMENTS).unwrap(), questions);
}

#[test]
fn edge_values_the_lms_fields_cannot_tell_apart_round_trip() {
    let mut question = bare(0, bare_bodies().remove(2));
    question.time_limit_s = Some(0);
    question.explanation = Some(String::new());
    question.hint = Some(String::new());
    let questions = vec![question];
    assert_eq!(import(&exported(&questions), &SEGMENTS).unwrap(), questions);
}

#[test]
fn true_false_exports_as_a_true_and_a_false_lot() {
    for answer in [true, false] {
        let mut question = bare(0, QuestionBody::TrueFalse { answer });
        question.explanation = Some("why".into());
        let item = &exported(&[question])[0];
        assert_eq!(item["questionType"], "BIN");
        assert_eq!(item["question"]["type"], "SELECT_ONE_IN_LOT");
        let (right, wrong) = if answer {
            ("True", "False")
        } else {
            ("False", "True")
        };
        assert_eq!(
            item["solution"],
            json!({
                "correctLotItem": {"text": right, "explaination": "why"},
                "incorrectLotItems": [{"text": wrong, "explaination": ""}]
            })
        );
    }
}

#[test]
fn lot_items_are_written_with_the_formats_spelling() {
    let item = &exported(&[full(0, full_bodies().remove(0))])[0];
    let lot = item["solution"]["correctLotItem"].as_object().unwrap();
    let mut keys: Vec<&str> = lot.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["explaination", "text"]);
    assert_eq!(item["solution"]["incorrectLotItems"][0]["explaination"], "");
}

#[test]
fn items_carry_the_lms_fields_and_the_segment_of_the_source_start() {
    let item = &exported(&[full(3, full_bodies().remove(3))])[0];
    assert_eq!(item["segmentId"], 318.04);
    assert_eq!(item["bloomLevel"], "evaluate");
    assert_eq!(
        item["question"],
        json!({
            "text": "Question 3: the ____ of {n} nodes?", "type": "NUMERIC_ANSWER_TYPE",
            "isParameterized": true,
            "parameters": [{"name": "n", "possibleValues": ["3", "7"], "type": "number"}],
            "hint": "Think FIFO.", "timeLimitSeconds": 90, "points": 3
        })
    );
    let solution = &item["solution"];
    assert_eq!(solution["value"], 9.81);
    assert_eq!(solution["lowerLimit"], 9.81 - 0.05);
    assert_eq!(solution["upperLimit"], 9.81 + 0.05);
    assert_eq!(
        item["metadata"]["coursegen"]["remainder"],
        json!({"type": "numeric", "tolerance": 0.05})
    );
    let des = &exported(&[full(8, full_bodies().remove(8))])[0];
    assert_eq!(des["questionType"], "DES");
    assert_eq!(
        des["solution"]["solutionText"],
        "queue; FIFO queue; a queue"
    );
}

#[test]
fn a_question_goes_to_the_segment_its_source_starts_in() {
    let at = |start_ms: Option<u64>| {
        let mut q = bare(0, bare_bodies().remove(0));
        q.source = start_ms.map(|start_ms| SourceSpan {
            start_ms,
            end_ms: start_ms,
        });
        exported(&[q])[0]["segmentId"].as_f64().unwrap()
    };
    assert_eq!(at(None), 142.6);
    assert_eq!(at(Some(0)), 142.6);
    assert_eq!(at(Some(142_599)), 142.6);
    // A start exactly at a segment's end: the material comes after it.
    assert_eq!(at(Some(142_600)), 318.04);
    assert_eq!(at(Some(600_000)), 505.9);
}

#[test]
fn without_metadata_the_lms_fields_alone_import() {
    let questions = all_questions();
    let mut file = exported(&questions);
    for item in file.as_array_mut().unwrap() {
        item.as_object_mut().unwrap().remove("metadata");
    }
    let plain = import(&file, &SEGMENTS).unwrap();
    // The single-choice question's lot puts the correct option first.
    let QuestionBody::SingleChoice { options } = &plain[0].body else {
        panic!()
    };
    assert_eq!(options[0].text, "queue");
    assert_eq!(options[1].explanation, None);
    // A BIN item carries its explanation; a fill-in question reads as descriptive.
    assert_eq!(plain[2].explanation, questions[2].explanation);
    assert_eq!(
        plain[8].question_type(),
        crate::course::QuestionType::Descriptive
    );
    assert_eq!(plain[0].id, "q-1-0");
    assert_eq!(
        plain[0].source,
        Some(SourceSpan {
            start_ms: 142_600,
            end_ms: 318_040
        })
    );
}

#[test]
fn metadata_is_ignored_where_the_lms_fields_were_edited() {
    let questions = vec![
        full(8, full_bodies().remove(8)),
        full(3, full_bodies().remove(3)),
    ];
    let mut items = export(&questions, &SEGMENTS).unwrap();
    let Solution::Des(des) = &mut items[0].solution else {
        panic!()
    };
    des.solution_text = "a queue".into();
    items[1].segment_id = SEGMENTS[0];
    let file = serde_json::to_value(&items).unwrap();
    let edited = import(&file, &SEGMENTS).unwrap();
    assert_eq!(
        edited[0].body,
        QuestionBody::Descriptive {
            model_answer: "a queue".into(),
            rubric: Vec::new()
        }
    );
    assert_eq!(
        (edited[0].id.as_str(), edited[0].difficulty),
        ("full-8", Difficulty::Hard)
    );
    assert_eq!(
        edited[1].source,
        Some(SourceSpan {
            start_ms: 0,
            end_ms: 142_600
        })
    );
    assert_eq!(edited[1].body, questions[1].body);
}

#[test]
fn export_refuses_what_it_cannot_write() {
    let questions = all_questions();
    let err = export(&questions, &[]).unwrap_err();
    assert_eq!(err.path, "segmentMap");
    assert!(err.to_string().contains("at least one"), "{err}");
    let mut invalid = questions;
    invalid[4].body = QuestionBody::SingleChoice {
        options: vec![option("a", true, None)],
    };
    assert_eq!(export(&invalid, &SEGMENTS).unwrap_err().path, "[4].options");
    invalid[4].body = QuestionBody::Numeric {
        value: Some(f64::MAX),
        tolerance: Some(f64::MAX),
        range: None,
        decimal_precision: 0,
        expression: None,
    };
    assert_eq!(
        export(&invalid, &SEGMENTS).unwrap_err().path,
        "[4].tolerance"
    );
    invalid[4] = Question {
        id: invalid[1].id.clone(),
        ..invalid[0].clone()
    };
    assert_eq!(export(&invalid, &SEGMENTS).unwrap_err().path, "[4].id");
}

#[test]
fn a_limit_off_in_its_last_digit_still_reads_as_value_and_tolerance() {
    // Without serde_json's `float_roundtrip` feature (this crate's tests get
    // it from a dev-dependency; production builds do not), JSON text may
    // come back a unit in the last place off.
    let question = bare(
        0,
        QuestionBody::Numeric {
            value: Some(9_007.179_132_654_697),
            tolerance: Some(0.25),
            range: None,
            decimal_precision: 4,
            expression: None,
        },
    );
    let mut file = exported(std::slice::from_ref(&question));
    let upper = &mut file[0]["solution"]["upperLimit"];
    *upper = json!(f64::from_bits(upper.as_f64().unwrap().to_bits() - 1));
    assert_eq!(import(&file, &SEGMENTS).unwrap(), [question]);
}
