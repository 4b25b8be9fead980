//! Any valid list of questions survives export and import unchanged.

use proptest::collection::{hash_set, vec};
use proptest::option;
use proptest::prelude::*;
use proptest::sample::select;

use crate::ai_protocol::questions::{export, import};
use crate::course::{
    BloomLevel, ChoiceOption, CodeTest, Difficulty, NumericRange, ParameterKind, Question,
    QuestionBody, QuestionParameter, RubricItem, SourceSpan,
};

fn word() -> impl Strategy<Value = String> {
    "[a-z][a-z ]{0,8}"
}

/// Any text, empty included.
fn text() -> impl Strategy<Value = String> {
    "[a-zA-Z ;|]{0,10}"
}

/// 2–4 options with distinct texts, `correct` deciding which are right.
fn options(correct: impl Strategy<Value = Vec<bool>>) -> impl Strategy<Value = Vec<ChoiceOption>> {
    (
        hash_set("[a-z]{1,6}", 4),
        correct,
        vec(option::of(text()), 4),
    )
        .prop_map(|(texts, correct, explanations)| {
            texts
                .into_iter()
                .zip(correct)
                .zip(explanations)
                .map(|((text, correct), explanation)| ChoiceOption {
                    text,
                    correct,
                    explanation,
                })
                .collect()
        })
}

fn numeric() -> impl Strategy<Value = QuestionBody> {
    let range = (-1e6..1e6f64, 0.0..1e3f64).prop_map(|(min, width)| NumericRange {
        min,
        max: min + width,
    });
    (
        option::of(-1e6..1e6f64),
        option::of(0.0..1e3f64),
        option::of(range),
        0u8..6,
        option::of(word()),
    )
        .prop_filter("a value or a range", |(v, _, r, _, _)| {
            v.is_some() || r.is_some()
        })
        .prop_map(|(value, tolerance, range, decimal_precision, expression)| {
            QuestionBody::Numeric {
                value,
                tolerance,
                range,
                decimal_precision,
                expression,
            }
        })
}

fn body() -> impl Strategy<Value = QuestionBody> {
    let single = (2usize..5, 0usize..4, options(Just(vec![false; 4]))).prop_map(
        |(len, right, mut options)| {
            options.truncate(len);
            options[right % len].correct = true;
            QuestionBody::SingleChoice { options }
        },
    );
    let multi = options(vec(any::<bool>(), 4)).prop_map(|mut options| {
        options[0].correct |= !options.iter().any(|o| o.correct);
        QuestionBody::MultiChoice { options }
    });
    let accepted = || vec(word(), 1..3);
    prop_oneof![
        single,
        multi,
        any::<bool>().prop_map(|answer| QuestionBody::TrueFalse { answer }),
        numeric(),
        (word(), vec((word(), 0u32..5), 0..3)).prop_map(|(model_answer, rubric)| {
            let rubric = rubric
                .into_iter()
                .map(|(criterion, points)| RubricItem { criterion, points })
                .collect();
            QuestionBody::Descriptive {
                model_answer,
                rubric,
            }
        }),
        hash_set("[a-z]{1,6}", 2..5).prop_map(|items| QuestionBody::Ordering {
            items: items.into_iter().collect()
        }),
        (accepted(), any::<bool>()).prop_map(|(accepted, case_sensitive)| {
            QuestionBody::FillBlank {
                accepted,
                case_sensitive,
            }
        }),
        (accepted(), option::of(text())).prop_map(|(accepted, model_answer)| {
            QuestionBody::ShortAnswer {
                accepted,
                model_answer,
            }
        }),
        (
            word(),
            text(),
            vec((text(), text(), any::<bool>()), 0..2),
            option::of(text())
        )
            .prop_map(|(language, template, tests, solution)| QuestionBody::Code {
                language,
                template,
                tests: tests
                    .into_iter()
                    .map(|(input, expected_output, hidden)| CodeTest {
                        input,
                        expected_output,
                        hidden,
                    })
                    .collect(),
                solution,
            }),
    ]
}

fn parameters() -> impl Strategy<Value = Vec<QuestionParameter>> {
    vec((vec("[0-9]{1,3}", 1..3), any::<bool>()), 0..3).prop_map(|params| {
        (0..)
            .zip(params)
            .map(|(i, (possible_values, number))| QuestionParameter {
                name: format!("p{i}"),
                possible_values,
                kind: if number {
                    ParameterKind::Number
                } else {
                    ParameterKind::String
                },
            })
            .collect()
    })
}

fn question() -> impl Strategy<Value = Question> {
    let span = (0u64..700_000, 0u64..60_000).prop_map(|(start_ms, length)| SourceSpan {
        start_ms,
        end_ms: start_ms + length,
    });
    let envelope = (
        word(),
        option::of(span),
        select(BloomLevel::ALL.to_vec()),
        select(Difficulty::ALL.to_vec()),
        0u32..10,
        option::of(0u32..600),
    );
    let extras = (option::of(text()), option::of(text()), parameters(), body());
    (envelope, extras).prop_map(
        |(
            (prompt, source, bloom, difficulty, points, time_limit_s),
            (hint, explanation, parameters, body),
        )| {
            Question {
                id: String::new(),
                prompt,
                source,
                bloom,
                difficulty,
                points,
                time_limit_s,
                hint,
                explanation,
                parameters,
                body,
            }
        },
    )
}

/// 1–5 increasing segment ends, in seconds.
fn segment_map() -> impl Strategy<Value = Vec<f64>> {
    vec(0.001..300.0f64, 1..6).prop_map(|lengths| {
        lengths
            .into_iter()
            .scan(0.0, |end, length| {
                *end += length;
                Some(*end)
            })
            .collect()
    })
}

proptest! {
    #[test]
    fn export_then_import_is_the_identity(
        questions in vec(question(), 0..5),
        segments in segment_map(),
    ) {
        let questions: Vec<Question> = questions
            .into_iter()
            .enumerate()
            .map(|(i, q)| Question { id: format!("q{i}"), ..q })
            .collect();
        let file = serde_json::to_value(export(&questions, &segments).unwrap()).unwrap();
        prop_assert_eq!(import(&file, &segments).unwrap(), questions);
    }
}
