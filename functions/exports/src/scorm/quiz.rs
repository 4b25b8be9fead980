//! Questions in the form the SCO's player grades them (assets/scorm/
//! player.js): every answer a numeric question accepts as one interval,
//! ordering items with the order they start in, and an interaction id
//! both SCORM versions accept.

use coursegen_core::course::{Question, QuestionBody};
use serde::Serialize;

use crate::bank::{Report, note_calculated};

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Item {
    /// The `cmi.interactions.n.id`: unique in its SCO, and an identifier
    /// in both versions' sense (no spaces, at most 250 characters).
    pub iid: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub prompt: String,
    pub points: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<Choice>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answer: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub accepted: Vec<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub case_sensitive: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<String>,
    /// The order ordering items are shown in: never already the right one.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub start: Vec<usize>,
    /// What a person grading the answer compares it with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// A code question's template, which its answer box starts from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Choice {
    pub text: String,
    pub correct: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feedback: Option<String>,
}

/// Question `q`, the `n`th of its SCO (from 1), for the player; what it
/// cannot grade goes in `report`.
pub fn item(n: usize, q: &Question, report: &mut Report) -> Item {
    let mut item = Item {
        iid: interaction_id(n, &q.id),
        kind: "essay",
        prompt: q.prompt.clone(),
        points: q.points.max(1),
        hint: q.hint.clone(),
        explanation: q.explanation.clone(),
        options: Vec::new(),
        answer: None,
        min: None,
        max: None,
        accepted: Vec::new(),
        case_sensitive: false,
        items: Vec::new(),
        start: Vec::new(),
        model: None,
        code: None,
    };
    match &q.body {
        QuestionBody::SingleChoice { options } | QuestionBody::MultiChoice { options } => {
            item.kind = if matches!(q.body, QuestionBody::SingleChoice { .. }) {
                "single"
            } else {
                "multi"
            };
            item.options = options
                .iter()
                .map(|o| Choice {
                    text: o.text.clone(),
                    correct: o.correct,
                    feedback: o.explanation.clone(),
                })
                .collect();
        }
        QuestionBody::TrueFalse { answer } => {
            item.kind = "tf";
            item.answer = Some(*answer);
        }
        QuestionBody::Numeric {
            value,
            tolerance,
            range,
            decimal_precision,
            expression,
        } => {
            note_calculated(q, expression, report);
            let interval = match (value, range) {
                (Some(v), _) => {
                    // Without a tolerance, any answer that rounds to the value.
                    let half_step = 0.5 * 10f64.powi(-i32::from(*decimal_precision));
                    let t = tolerance.unwrap_or(half_step).abs();
                    Some((v - t, v + t))
                }
                (None, Some(r)) => Some((r.min, r.max)),
                (None, None) => None,
            };
            match interval {
                Some((min, max)) => {
                    item.kind = "numeric";
                    (item.min, item.max) = (Some(min), Some(max));
                }
                None => ungraded(q, report),
            }
        }
        QuestionBody::ShortAnswer { accepted, .. } => {
            item.kind = "text";
            item.accepted = accepted.clone();
        }
        QuestionBody::FillBlank {
            accepted,
            case_sensitive,
        } => {
            item.kind = "text";
            item.accepted = accepted.clone();
            item.case_sensitive = *case_sensitive;
        }
        QuestionBody::Ordering { items } => {
            item.kind = "order";
            item.items = items.clone();
            item.start = start_order(items.len());
        }
        QuestionBody::Descriptive { model_answer, .. } => {
            item.model = Some(model_answer.clone());
            ungraded(q, report);
        }
        QuestionBody::Code {
            template, solution, ..
        } => {
            item.code = Some(template.clone());
            item.model = solution.clone();
            ungraded(q, report);
        }
    }
    item
}

fn ungraded(q: &Question, report: &mut Report) {
    report.note(
        q,
        "not scored in the package: the learner's answer is recorded (interaction result neutral) for a person to grade",
    );
}

/// `q{n}-` and the question's id in the characters SCORM identifiers
/// allow everywhere.
fn interaction_id(n: usize, id: &str) -> String {
    let safe: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .take(200)
        .collect();
    format!("q{n}-{safe}")
}

/// A fixed order of `n` items that is never the right one: the right
/// order's second, fourth … items first, then its first, third ….
fn start_order(n: usize) -> Vec<usize> {
    (1..n).step_by(2).chain((0..n).step_by(2)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordering_never_starts_right() {
        for n in 2..12 {
            let order = start_order(n);
            let mut sorted = order.clone();
            sorted.sort();
            assert_eq!(sorted, (0..n).collect::<Vec<_>>());
            assert_ne!(order, sorted, "{n}");
        }
    }

    #[test]
    fn interaction_ids_are_identifiers() {
        assert_eq!(interaction_id(3, "m1 l2/q#4"), "q3-m1-l2-q-4");
        assert!(interaction_id(1, &"x".repeat(400)).len() <= 250);
    }
}
