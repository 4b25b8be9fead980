//! A file as the AI server writes it imports to the expected questions, and
//! every kind of malformed item fails with its index and field.

mod malformed;
mod property;
mod round_trip;

use serde_json::{Value, json};

use super::*;
use crate::course::{ChoiceOption, NumericRange, QuestionBody};

const SEGMENTS: [f64; 3] = [142.6, 318.04, 505.9];

/// Six items as the server writes them, with a Bloom level at each of the
/// four places it may sit and in each form; keys the format does not know
/// are ignored.
fn server_file() -> Value {
    json!([
        {
            "question": {
                "text": "Which data structure does the lecture use for the BFS frontier?",
                "type": "SELECT_ONE_IN_LOT", "isParameterized": false,
                "hint": "Think first in, first out.", "timeLimitSeconds": 60, "points": 2
            },
            "solution": {
                "correctLotItem": {"text": "A queue", "explaination": "BFS expands nodes in FIFO order."},
                "incorrectLotItems": [
                    {"text": "A stack", "explaination": "A stack gives depth-first order."},
                    {"text": "A heap", "explaination": ""}
                ]
            },
            "segmentId": 142.6, "questionType": "SOL", "bloomLevel": "analysis", "model": "default"
        },
        {
            "question": {
                "text": "BFS finds shortest paths in weighted graphs.", "type": "SELECT_ONE_IN_LOT",
                "isParameterized": false, "hint": null, "timeLimitSeconds": 30, "points": 1,
                "bloomLevel": "L3"
            },
            "solution": {
                "correctLotItem": {"text": "False", "explaination": "Only when every edge has the same weight."},
                "incorrectLotItems": [{"text": "True", "explaination": ""}]
            },
            "segmentId": 318.04, "questionType": "BIN"
        },
        {
            "question": {
                "text": "Which of these are graph traversals?", "type": "SELECT_MANY_IN_LOT",
                "isParameterized": false, "timeLimitSeconds": 0, "points": 3
            },
            "solution": {
                "correctLotItems": [
                    {"text": "BFS", "explaination": "Breadth first."},
                    {"text": "DFS", "explaination": "Depth first."}
                ],
                "incorrectLotItems": [{"text": "Quicksort", "explaination": "A sorting algorithm."}]
            },
            "segmentId": 318.04, "questionType": "SML", "level": 5
        },
        {
            "question": {
                "text": "What acceleration does the lecture give for gravity, in m/s²?",
                "type": "NUMERIC_ANSWER_TYPE", "isParameterized": false, "timeLimitSeconds": 45, "points": 2
            },
            "solution": {"decimalPrecision": 2, "upperLimit": 9.9, "lowerLimit": 9.7, "value": 9.81},
            "segmentId": 505.9, "questionType": "NAT", "metadata": {"bloomLevel": "Apply", "source": "llm"}
        },
        {
            "question": {
                "text": "Give a year in which the lecture's method was in use.",
                "type": "NUMERIC_ANSWER_TYPE", "isParameterized": false, "timeLimitSeconds": 45, "points": 1
            },
            "solution": {"decimalPrecision": 0, "upperLimit": 1990, "lowerLimit": 1970},
            "segmentId": 505.9, "questionType": "NAT"
        },
        {
            "question": {
                "text": "Explain why BFS needs a visited set.", "type": "DESCRIPTIVE",
                "isParameterized": false, "timeLimitSeconds": 300, "points": 5
            },
            "solution": {"solutionText": "Without it, cycles make BFS enqueue nodes forever."},
            "segmentId": 142.6, "questionType": "DES"
        }
    ])
}

/// A question with the defaults import gives a file without metadata.
fn imported(id: &str, segment: (u64, u64), bloom: BloomLevel, body: QuestionBody) -> Question {
    Question {
        id: id.into(),
        prompt: String::new(),
        source: Some(SourceSpan {
            start_ms: segment.0,
            end_ms: segment.1,
        }),
        bloom,
        difficulty: Difficulty::Medium,
        points: 1,
        time_limit_s: None,
        hint: None,
        explanation: None,
        parameters: Vec::new(),
        body,
    }
}

fn option(text: &str, correct: bool, explanation: Option<&str>) -> ChoiceOption {
    ChoiceOption {
        text: text.into(),
        correct,
        explanation: explanation.map(Into::into),
    }
}

fn expected_from_server_file() -> Vec<Question> {
    let (first, second, third) = ((0, 142_600), (142_600, 318_040), (318_040, 505_900));
    let numeric = |value, range, decimal_precision| QuestionBody::Numeric {
        value,
        tolerance: None,
        range,
        decimal_precision,
        expression: None,
    };
    let with = |q: Question, prompt: &str, points: u32, time_limit_s: u32| Question {
        prompt: prompt.into(),
        points,
        time_limit_s: (time_limit_s > 0).then_some(time_limit_s),
        ..q
    };
    let file = server_file();
    let prompt = |i: usize| file[i]["question"]["text"].as_str().unwrap().to_owned();
    vec![
        Question {
            hint: Some("Think first in, first out.".into()),
            ..with(
                imported(
                    "q-0-0",
                    first,
                    BloomLevel::Analyze,
                    QuestionBody::SingleChoice {
                        options: vec![
                            option("A queue", true, Some("BFS expands nodes in FIFO order.")),
                            option("A stack", false, Some("A stack gives depth-first order.")),
                            option("A heap", false, None),
                        ],
                    },
                ),
                &prompt(0),
                2,
                60,
            )
        },
        Question {
            explanation: Some("Only when every edge has the same weight.".into()),
            ..with(
                imported(
                    "q-1-1",
                    second,
                    BloomLevel::Apply,
                    QuestionBody::TrueFalse { answer: false },
                ),
                &prompt(1),
                1,
                30,
            )
        },
        with(
            imported(
                "q-1-2",
                second,
                BloomLevel::Evaluate,
                QuestionBody::MultiChoice {
                    options: vec![
                        option("BFS", true, Some("Breadth first.")),
                        option("DFS", true, Some("Depth first.")),
                        option("Quicksort", false, Some("A sorting algorithm.")),
                    ],
                },
            ),
            &prompt(2),
            3,
            0,
        ),
        with(
            imported(
                "q-2-3",
                third,
                BloomLevel::Apply,
                numeric(Some(9.81), Some(NumericRange { min: 9.7, max: 9.9 }), 2),
            ),
            &prompt(3),
            2,
            45,
        ),
        with(
            imported(
                "q-2-4",
                third,
                BloomLevel::Understand,
                numeric(
                    None,
                    Some(NumericRange {
                        min: 1970.0,
                        max: 1990.0,
                    }),
                    0,
                ),
            ),
            &prompt(4),
            1,
            45,
        ),
        with(
            imported(
                "q-0-5",
                first,
                BloomLevel::Understand,
                QuestionBody::Descriptive {
                    model_answer: "Without it, cycles make BFS enqueue nodes forever.".into(),
                    rubric: Vec::new(),
                },
            ),
            &prompt(5),
            5,
            300,
        ),
    ]
}

#[test]
fn a_file_from_the_server_imports_to_the_expected_questions() {
    let questions = import(&server_file(), &SEGMENTS).unwrap();
    let expected = expected_from_server_file();
    for (got, want) in questions.iter().zip(&expected) {
        assert_eq!(got, want, "{}", want.id);
    }
    assert_eq!(questions.len(), expected.len());
}

#[test]
fn the_derived_deserializer_reads_the_server_file_as_the_importer_does() {
    let file = server_file();
    let typed: Vec<QuestionItem> = serde_json::from_value(file.clone()).unwrap();
    let read: Vec<QuestionItem> = file
        .as_array()
        .unwrap()
        .iter()
        .map(|item| read::item(item).unwrap())
        .collect();
    assert_eq!(typed, read);
}

#[test]
fn bloom_levels_are_read_from_every_place_by_precedence() {
    let mut item = server_file()[5].clone();
    item["level"] = json!("L6");
    item["metadata"] = json!({"bloomLevel": 1});
    let level = |item: &Value| import(&json!([item]), &SEGMENTS).unwrap()[0].bloom;
    assert_eq!(level(&item), BloomLevel::Create);
    item["question"]["bloomLevel"] = json!("knowledge");
    assert_eq!(level(&item), BloomLevel::Remember);
    item["bloomLevel"] = json!(4);
    assert_eq!(level(&item), BloomLevel::Analyze);
}
