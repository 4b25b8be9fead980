//! The questions gate's editor: one form per question, by type — prompt,
//! options and which are correct, the answer, explanation, points, Bloom
//! level and difficulty — with the engine's own rules checked for every
//! question and shown beside it, a learner's preview, and a link to the
//! passage the question comes from.
//!
//! Fields are named `q.{block}.{n}.{attribute}`, where the block is `l{i}`
//! (the i-th lesson's exercises) or `a` (the final assessment); a posted
//! form is applied over the run it was made from, so whatever it does not
//! show (ids, sources, parameters, rubrics) is kept.

use std::collections::BTreeMap;

use coursegen_core::course::{BloomLevel, Difficulty, Question, QuestionBody};
use coursegen_core::pipeline::QuestionSet;

use super::page::{Fields, field};
use crate::error::ApiError;

/// One block of questions as the editor lists it.
pub(super) struct Block {
    /// `l{i}` or `a`.
    pub key: String,
    pub title: String,
    pub questions: Vec<Question>,
}

pub(super) struct QuestionsEditor {
    pub blocks: Vec<Block>,
    /// What the engine's rules say of a question, by `{block}.{n}`.
    pub problems: BTreeMap<String, String>,
    pub blooms: Vec<&'static str>,
    pub difficulties: Vec<&'static str>,
}

impl QuestionsEditor {
    pub fn of(set: &QuestionSet) -> Self {
        let mut blocks: Vec<Block> = set
            .lessons
            .iter()
            .enumerate()
            .map(|(i, lesson)| Block {
                key: format!("l{i}"),
                title: format!(
                    "Module {}, lesson {}: {}",
                    lesson.module + 1,
                    lesson.lesson + 1,
                    lesson.title
                ),
                questions: lesson.exercises.clone(),
            })
            .collect();
        if let Some(assessment) = &set.assessment {
            blocks.push(Block {
                key: "a".into(),
                title: "Final assessment".into(),
                questions: assessment.questions.clone(),
            });
        }
        let problems = blocks
            .iter()
            .flat_map(|b| {
                b.questions.iter().enumerate().filter_map(|(n, q)| {
                    q.validate().err().map(|e| {
                        (
                            format!("{}.{n}", b.key),
                            format!("{}: {}", e.field, e.message),
                        )
                    })
                })
            })
            .collect();
        QuestionsEditor {
            blocks,
            problems,
            blooms: BloomLevel::ALL.iter().map(|b| b.as_str()).collect(),
            difficulties: Difficulty::ALL.iter().map(|d| d.as_str()).collect(),
        }
    }

    /// The start of a question's field names.
    pub fn prefix(&self, block: &str, n: &usize) -> String {
        format!("q.{block}.{n}.")
    }

    pub fn problem(&self, block: &str, n: &usize) -> Option<&String> {
        self.problems.get(&format!("{block}.{n}"))
    }
}

/// `set` with the posted fields applied.
pub(super) fn apply(mut set: QuestionSet, fields: &Fields) -> Result<QuestionSet, ApiError> {
    for (i, lesson) in set.lessons.iter_mut().enumerate() {
        for (n, q) in lesson.exercises.iter_mut().enumerate() {
            edit(q, &format!("q.l{i}.{n}."), fields)?;
        }
    }
    if let Some(assessment) = &mut set.assessment {
        for (n, q) in assessment.questions.iter_mut().enumerate() {
            edit(q, &format!("q.a.{n}."), fields)?;
        }
    }
    Ok(set)
}

/// One question with the fields under `prefix` applied.
fn edit(q: &mut Question, prefix: &str, fields: &Fields) -> Result<(), ApiError> {
    let get = |name: &str| field(fields, &format!("{prefix}{name}"));
    let present = get("prompt").is_some();
    if !present {
        return Ok(());
    }
    let lines = |text: &str| -> Vec<String> {
        text.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let optional = |text: Option<&str>| {
        text.map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
    };
    q.prompt = get("prompt").unwrap_or_default().trim().to_owned();
    q.explanation = optional(get("explanation"));
    if let Some(points) = get("points") {
        q.points = points
            .trim()
            .parse()
            .map_err(|_| ApiError::invalid(&format!("{prefix}points"), "must be a whole number"))?;
    }
    if let Some(bloom) = get("bloom") {
        q.bloom = bloom
            .parse()
            .map_err(|e: String| ApiError::invalid("bloom", e))?;
    }
    if let Some(difficulty) = get("difficulty") {
        q.difficulty = difficulty
            .parse()
            .map_err(|e: String| ApiError::invalid("difficulty", e))?;
    }
    let correct_one = get("correct");
    match &mut q.body {
        QuestionBody::SingleChoice { options } | QuestionBody::MultiChoice { options } => {
            let single = correct_one.is_some() || get("single").is_some();
            for (k, option) in options.iter_mut().enumerate() {
                if let Some(text) = get(&format!("opt.{k}.text")) {
                    option.text = text.trim().to_owned();
                }
                option.explanation = optional(get(&format!("opt.{k}.explanation")));
                option.correct = if single {
                    correct_one == Some(k.to_string().as_str())
                } else {
                    get(&format!("opt.{k}.correct")).is_some()
                };
            }
        }
        QuestionBody::TrueFalse { answer } => {
            if let Some(value) = get("answer") {
                *answer = value == "true";
            }
        }
        QuestionBody::FillBlank { accepted, .. } | QuestionBody::ShortAnswer { accepted, .. } => {
            if let Some(text) = get("accepted") {
                *accepted = lines(text);
            }
        }
        QuestionBody::Ordering { items } => {
            if let Some(text) = get("items") {
                *items = lines(text);
            }
        }
        QuestionBody::Descriptive { model_answer, .. } => {
            if let Some(text) = get("model_answer") {
                *model_answer = text.trim().to_owned();
            }
        }
        QuestionBody::Numeric {
            value, tolerance, ..
        } => {
            let number = |name: &str| -> Result<Option<f64>, ApiError> {
                optional(get(name))
                    .map(|t| {
                        t.parse::<f64>().map_err(|_| {
                            ApiError::invalid(&format!("{prefix}{name}"), "must be a number")
                        })
                    })
                    .transpose()
            };
            if get("value").is_some() {
                *value = number("value")?;
                *tolerance = number("tolerance")?;
            }
        }
        QuestionBody::Code { .. } => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use coursegen_core::course::ChoiceOption;
    use coursegen_core::pipeline::LessonQuestions;

    fn choice() -> Question {
        serde_json::from_value(serde_json::json!({
            "id": "q1", "prompt": "Which?", "bloom": "remember", "difficulty": "easy", "points": 1,
            "type": "single_choice",
            "options": [
                {"text": "a", "correct": true},
                {"text": "b", "correct": false},
            ],
            "source": {"start_ms": 1000, "end_ms": 2000},
        }))
        .unwrap()
    }

    fn set() -> QuestionSet {
        QuestionSet {
            lessons: vec![LessonQuestions {
                module: 0,
                lesson: 0,
                title: "L".into(),
                exercises: vec![choice()],
            }],
            assessment: None,
        }
    }

    fn fields(pairs: &[(&str, &str)]) -> Fields {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn the_correct_option_moves_and_the_rest_is_kept() {
        let form = fields(&[
            ("q.l0.0.prompt", "Which one?"),
            ("q.l0.0.correct", "1"),
            ("q.l0.0.opt.0.text", "a"),
            ("q.l0.0.opt.1.text", "b"),
            ("q.l0.0.opt.1.explanation", "because"),
            ("q.l0.0.points", "3"),
        ]);
        let edited = apply(set(), &form).unwrap();
        let q = &edited.lessons[0].exercises[0];
        assert_eq!(q.prompt, "Which one?");
        assert_eq!(q.points, 3);
        let QuestionBody::SingleChoice { options } = &q.body else {
            panic!("still single choice")
        };
        assert_eq!(
            options.iter().map(|o| o.correct).collect::<Vec<_>>(),
            [false, true]
        );
        assert_eq!(options[1].explanation.as_deref(), Some("because"));
        assert_eq!(
            q.source,
            choice().source,
            "what the form does not show is kept"
        );
    }

    #[test]
    fn an_untouched_form_changes_nothing_and_rule_breaks_are_shown_per_question() {
        assert_eq!(apply(set(), &fields(&[])).unwrap(), set());
        let mut broken = set();
        if let QuestionBody::SingleChoice { options } = &mut broken.lessons[0].exercises[0].body {
            options.push(ChoiceOption {
                text: "c".into(),
                correct: true,
                explanation: None,
            });
        }
        let editor = QuestionsEditor::of(&broken);
        assert!(editor.problem("l0", &0).is_some(), "{:?}", editor.problems);
        assert!(editor.problem("l0", &1).is_none());
    }

    #[test]
    fn points_that_are_not_a_number_are_refused_naming_the_field() {
        let form = fields(&[("q.l0.0.prompt", "p"), ("q.l0.0.points", "many")]);
        let error = apply(set(), &form).unwrap_err();
        assert_eq!(error.details["field"], "q.l0.0.points");
    }
}
