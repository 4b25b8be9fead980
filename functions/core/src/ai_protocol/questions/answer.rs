//! A question's answer (its body, and for BIN its explanation) to and from
//! an item's `questionType` and `solution`, and the metadata remainder that
//! makes the trip lossless.

use super::FormatError;
use super::wire::{
    ChoiceRemainder, CoursegenMetadata, DesSolution, LotItem, LotOrder, NatSolution, OtlSolution,
    Remainder, SmlSolution, SolSolution, Solution,
};
use crate::course::{ChoiceOption, ExportCode, NumericRange, QuestionBody};

/// What the solution object describes. The question's explanation belongs
/// here because a BIN item carries it as the correct lot item's
/// explanation; other types' lots explain options, not the question.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Answer {
    pub body: QuestionBody,
    pub explanation: Option<String>,
}

/// Joins accepted answers into a DES `solutionText` people can read.
const ACCEPTED_SEPARATOR: &str = "; ";

pub(super) fn encode(answer: &Answer) -> (ExportCode, Solution) {
    let code = answer.body.question_type().export_code();
    let solution = match &answer.body {
        QuestionBody::SingleChoice { options } => {
            let (correct, incorrect) = lots(options);
            Solution::Sol(SolSolution {
                // Exactly one for a valid question; export validates first.
                correct_lot_item: correct
                    .into_iter()
                    .next()
                    .unwrap_or_else(|| lot_item("", None)),
                incorrect_lot_items: incorrect,
            })
        }
        QuestionBody::MultiChoice { options } => {
            let (correct, incorrect) = lots(options);
            Solution::Sml(SmlSolution {
                correct_lot_items: correct,
                incorrect_lot_items: incorrect,
            })
        }
        QuestionBody::TrueFalse { answer: truth } => {
            let lot = |value: bool, explaination: &str| LotItem {
                text: if value { "True" } else { "False" }.into(),
                explaination: explaination.into(),
            };
            Solution::Sol(SolSolution {
                correct_lot_item: lot(*truth, answer.explanation.as_deref().unwrap_or("")),
                incorrect_lot_items: vec![lot(!truth, "")],
            })
        }
        QuestionBody::Numeric {
            value,
            tolerance,
            range,
            decimal_precision,
            expression,
        } => {
            let (lower_limit, upper_limit) = match (range, value) {
                (Some(r), _) => (r.min, r.max),
                (None, Some(v)) => (v - tolerance.unwrap_or(0.0), v + tolerance.unwrap_or(0.0)),
                // Invalid; export refuses it before encoding.
                (None, None) => (f64::NAN, f64::NAN),
            };
            Solution::Nat(NatSolution {
                decimal_precision: *decimal_precision,
                upper_limit,
                lower_limit,
                value: *value,
                expression: expression.clone(),
            })
        }
        QuestionBody::Ordering { items } => Solution::Otl(OtlSolution {
            ordering: (1..)
                .zip(items)
                .map(|(order, text)| LotOrder {
                    lot_item: lot_item(text, None),
                    order,
                })
                .collect(),
        }),
        QuestionBody::Descriptive { model_answer, .. } => des(model_answer.clone()),
        QuestionBody::FillBlank { accepted, .. } | QuestionBody::ShortAnswer { accepted, .. } => {
            des(accepted.join(ACCEPTED_SEPARATOR))
        }
        // A DES item needs a solution text, so a note stands in for a missing solution.
        QuestionBody::Code {
            solution, language, ..
        } => des(solution
            .clone()
            .unwrap_or_else(|| format!("(no reference {language} solution)"))),
    };
    (code, solution)
}

/// The answer the solution alone describes.
fn decode(code: ExportCode, solution: &Solution) -> Result<Answer, FormatError> {
    let body = match (code, solution) {
        (ExportCode::Sol, Solution::Sol(s)) => {
            require(
                !s.incorrect_lot_items.is_empty(),
                "solution.incorrectLotItems",
                || "a SOL question needs at least one incorrect lot item".into(),
            )?;
            QuestionBody::SingleChoice {
                options: options(
                    std::slice::from_ref(&s.correct_lot_item),
                    &s.incorrect_lot_items,
                ),
            }
        }
        (ExportCode::Bin, Solution::Sol(s)) => return true_false(s),
        (ExportCode::Sml, Solution::Sml(s)) => {
            require(
                !s.correct_lot_items.is_empty(),
                "solution.correctLotItems",
                || "an SML question needs at least one correct lot item".into(),
            )?;
            QuestionBody::MultiChoice {
                options: options(&s.correct_lot_items, &s.incorrect_lot_items),
            }
        }
        (ExportCode::Nat, Solution::Nat(n)) => numeric(n)?,
        (ExportCode::Des, Solution::Des(d)) => QuestionBody::Descriptive {
            model_answer: d.solution_text.clone(),
            rubric: Vec::new(),
        },
        (ExportCode::Otl, Solution::Otl(o)) => ordering(o)?,
        _ => {
            return Err(FormatError::new(
                "solution",
                format!("does not have the shape of a {} solution", code.as_str()),
            ));
        }
    };
    Ok(Answer {
        body,
        explanation: None,
    })
}

/// The answer of an item: the solution's, completed by coursegen's
/// metadata when re-encoding the completed answer gives the same solution
/// back (a person may have edited the item in the LMS since).
pub(super) fn import(
    code: ExportCode,
    solution: &Solution,
    metadata: Option<&CoursegenMetadata>,
) -> Result<Answer, FormatError> {
    let plain = decode(code, solution)?;
    let Some(metadata) = metadata else {
        return Ok(plain);
    };
    let restored = metadata
        .remainder
        .restore(plain.body.clone())
        .map(|body| Answer {
            body,
            explanation: metadata.explanation.clone(),
        });
    Ok(match restored {
        Some(answer) if same_wire(&encode(&answer), (code, solution)) => answer,
        _ => Answer {
            explanation: plain.explanation.or_else(|| metadata.explanation.clone()),
            ..plain
        },
    })
}

impl Remainder {
    pub(super) fn of(body: &QuestionBody) -> Remainder {
        match body.clone() {
            QuestionBody::SingleChoice { options } => {
                Remainder::SingleChoice(ChoiceRemainder::of(&options))
            }
            QuestionBody::MultiChoice { options } => {
                Remainder::MultiChoice(ChoiceRemainder::of(&options))
            }
            QuestionBody::TrueFalse { .. } => Remainder::TrueFalse,
            QuestionBody::Numeric {
                tolerance, range, ..
            } => Remainder::Numeric { tolerance, range },
            QuestionBody::Descriptive { rubric, .. } => Remainder::Descriptive { rubric },
            QuestionBody::Ordering { .. } => Remainder::Ordering,
            QuestionBody::FillBlank {
                accepted,
                case_sensitive,
            } => Remainder::FillBlank {
                accepted,
                case_sensitive,
            },
            QuestionBody::ShortAnswer {
                accepted,
                model_answer,
            } => Remainder::ShortAnswer {
                accepted,
                model_answer,
            },
            QuestionBody::Code {
                language,
                template,
                tests,
                solution,
            } => Remainder::Code {
                language,
                template,
                tests,
                solution,
            },
        }
    }

    /// Completes the body the solution alone describes; `None` when the
    /// remainder is for another type or does not fit.
    fn restore(&self, plain: QuestionBody) -> Option<QuestionBody> {
        Some(match (self.clone(), plain) {
            (Remainder::SingleChoice(r), QuestionBody::SingleChoice { options }) => {
                QuestionBody::SingleChoice {
                    options: r.restore(options)?,
                }
            }
            (Remainder::MultiChoice(r), QuestionBody::MultiChoice { options }) => {
                QuestionBody::MultiChoice {
                    options: r.restore(options)?,
                }
            }
            (Remainder::TrueFalse, body @ QuestionBody::TrueFalse { .. })
            | (Remainder::Ordering, body @ QuestionBody::Ordering { .. }) => body,
            (
                Remainder::Numeric { tolerance, range },
                QuestionBody::Numeric {
                    value,
                    decimal_precision,
                    expression,
                    ..
                },
            ) => QuestionBody::Numeric {
                value,
                tolerance,
                range,
                decimal_precision,
                expression,
            },
            (Remainder::Descriptive { rubric }, QuestionBody::Descriptive { model_answer, .. }) => {
                QuestionBody::Descriptive {
                    model_answer,
                    rubric,
                }
            }
            // The solution text only renders these; the remainder has them whole.
            (remainder, QuestionBody::Descriptive { .. }) => remainder.foreign_body()?,
            _ => return None,
        })
    }

    /// The body of a type the format lacks.
    fn foreign_body(self) -> Option<QuestionBody> {
        Some(match self {
            Remainder::FillBlank {
                accepted,
                case_sensitive,
            } => QuestionBody::FillBlank {
                accepted,
                case_sensitive,
            },
            Remainder::ShortAnswer {
                accepted,
                model_answer,
            } => QuestionBody::ShortAnswer {
                accepted,
                model_answer,
            },
            Remainder::Code {
                language,
                template,
                tests,
                solution,
            } => QuestionBody::Code {
                language,
                template,
                tests,
                solution,
            },
            _ => return None,
        })
    }
}

impl ChoiceRemainder {
    fn of(options: &[ChoiceOption]) -> ChoiceRemainder {
        let lot_order = lot_order(options);
        let mut option_order = vec![0; options.len()];
        for (lot_index, &option) in lot_order.iter().enumerate() {
            option_order[option] = lot_index;
        }
        let in_lot_order = option_order.iter().enumerate().all(|(i, &l)| i == l);
        ChoiceRemainder {
            option_order: if in_lot_order {
                Vec::new()
            } else {
                option_order
            },
            blank_explanations: (0..options.len())
                .filter(|&i| options[i].explanation.as_deref() == Some(""))
                .collect(),
        }
    }

    /// The options in coursegen's order, from the options in lot order.
    fn restore(&self, lot: Vec<ChoiceOption>) -> Option<Vec<ChoiceOption>> {
        let mut options = if self.option_order.is_empty() {
            lot
        } else {
            let mut sorted = self.option_order.clone();
            sorted.sort_unstable();
            if !sorted.iter().copied().eq(0..lot.len()) {
                return None;
            }
            self.option_order.iter().map(|&i| lot[i].clone()).collect()
        };
        for &i in &self.blank_explanations {
            options
                .get_mut(i)?
                .explanation
                .get_or_insert_with(String::new);
        }
        Some(options)
    }
}

/// Option indices in lot order: the correct ones, then the others.
fn lot_order(options: &[ChoiceOption]) -> Vec<usize> {
    let (correct, incorrect): (Vec<usize>, Vec<usize>) =
        (0..options.len()).partition(|&i| options[i].correct);
    correct.into_iter().chain(incorrect).collect()
}

fn lots(options: &[ChoiceOption]) -> (Vec<LotItem>, Vec<LotItem>) {
    let (correct, incorrect): (Vec<&ChoiceOption>, Vec<&ChoiceOption>) =
        options.iter().partition(|o| o.correct);
    let to_lots = |options: Vec<&ChoiceOption>| {
        options
            .into_iter()
            .map(|o| lot_item(&o.text, o.explanation.as_deref()))
            .collect()
    };
    (to_lots(correct), to_lots(incorrect))
}

fn lot_item(text: &str, explanation: Option<&str>) -> LotItem {
    LotItem {
        text: text.to_owned(),
        explaination: explanation.unwrap_or_default().to_owned(),
    }
}

fn options(correct: &[LotItem], incorrect: &[LotItem]) -> Vec<ChoiceOption> {
    let option = |lot: &LotItem, correct: bool| ChoiceOption {
        text: lot.text.clone(),
        correct,
        explanation: non_empty(&lot.explaination),
    };
    let correct = correct.iter().map(|lot| option(lot, true));
    correct
        .chain(incorrect.iter().map(|lot| option(lot, false)))
        .collect()
}

fn true_false(s: &SolSolution) -> Result<Answer, FormatError> {
    let lot_text = "a BIN question's lot items are \"True\" and \"False\"";
    let answer = truth(&s.correct_lot_item.text).ok_or_else(|| {
        FormatError::new(
            "solution.correctLotItem.text",
            format!("{lot_text}, found {:?}", s.correct_lot_item.text),
        )
    })?;
    let other_is_opposite = matches!(
        s.incorrect_lot_items.as_slice(),
        [other] if truth(&other.text) == Some(!answer)
    );
    require(other_is_opposite, "solution.incorrectLotItems", || {
        let other = if answer { "False" } else { "True" };
        format!("{lot_text}: expected exactly one incorrect lot item, {other:?}")
    })?;
    Ok(Answer {
        body: QuestionBody::TrueFalse { answer },
        explanation: non_empty(&s.correct_lot_item.explaination),
    })
}

fn truth(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

/// With a value, the limits become a range unless they are the value
/// itself: the file's limits are kept as they are, not guessed into a
/// tolerance. Coursegen's own tolerance comes back from the metadata.
fn numeric(n: &NatSolution) -> Result<QuestionBody, FormatError> {
    require(
        n.lower_limit <= n.upper_limit,
        "solution.lowerLimit",
        || {
            format!(
                "{} is greater than upperLimit {}",
                n.lower_limit, n.upper_limit
            )
        },
    )?;
    let exact = n
        .value
        .is_some_and(|v| n.lower_limit == v && n.upper_limit == v);
    Ok(QuestionBody::Numeric {
        value: n.value,
        tolerance: None,
        range: (!exact).then_some(NumericRange {
            min: n.lower_limit,
            max: n.upper_limit,
        }),
        decimal_precision: n.decimal_precision,
        expression: n.expression.clone(),
    })
}

fn ordering(o: &OtlSolution) -> Result<QuestionBody, FormatError> {
    let mut ordering: Vec<(usize, &LotOrder)> = o.ordering.iter().enumerate().collect();
    ordering.sort_by_key(|(_, lot)| lot.order);
    for pair in ordering.windows(2) {
        let (i, lot) = pair[1];
        require(
            pair[0].1.order != lot.order,
            &format!("solution.ordering[{i}].order"),
            || format!("{} is given to two lot items", lot.order),
        )?;
    }
    Ok(QuestionBody::Ordering {
        items: ordering
            .into_iter()
            .map(|(_, lot)| lot.lot_item.text.clone())
            .collect(),
    })
}

fn des(solution_text: String) -> Solution {
    Solution::Des(DesSolution { solution_text })
}

fn non_empty(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_owned())
}

/// Whether two encodings agree, numbers up to the last digits a JSON text
/// round trip may change.
fn same_wire(a: &(ExportCode, Solution), b: (ExportCode, &Solution)) -> bool {
    let close = |x: f64, y: f64| (x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1.0);
    let same_option = |x: Option<f64>, y: Option<f64>| match (x, y) {
        (Some(x), Some(y)) => close(x, y),
        (x, y) => x.is_none() && y.is_none(),
    };
    a.0 == b.0
        && match (&a.1, b.1) {
            (Solution::Nat(x), Solution::Nat(y)) => {
                x.decimal_precision == y.decimal_precision
                    && close(x.lower_limit, y.lower_limit)
                    && close(x.upper_limit, y.upper_limit)
                    && same_option(x.value, y.value)
                    && x.expression == y.expression
            }
            (x, y) => x == y,
        }
}

fn require(ok: bool, path: &str, message: impl FnOnce() -> String) -> Result<(), FormatError> {
    if ok {
        Ok(())
    } else {
        Err(FormatError::new(path, message()))
    }
}
