//! Single choice, multiple choice and true/false questions from the terms
//! the material defines. Wrong options are other defined terms (or their
//! descriptions): the same kind of thing as the answer, never the answer.

use coursegen_core::course::{BloomLevel, ChoiceOption, QuestionBody};

use std::collections::HashMap;

use super::{Candidate, Scope, capitalise, claim, draft, excluding, named, position, statement};
use crate::offline::facts::Definition;

/// Wrong options per choice question.
const DISTRACTORS: usize = 3;

pub(super) fn option(text: String, correct: bool, explanation: Option<String>) -> ChoiceOption {
    ChoiceOption {
        text,
        correct,
        explanation,
    }
}

/// `right` placed among `wrong` at a position fixed by `seed`.
pub(super) fn arrange(
    seed: &str,
    right: ChoiceOption,
    mut wrong: Vec<ChoiceOption>,
) -> Vec<ChoiceOption> {
    let at = position(seed, wrong.len() + 1);
    wrong.insert(at, right);
    wrong
}

/// A definition stated as a noun phrase ("X is a …"), which reads well
/// when swapped onto another term.
pub(super) fn is_swappable(d: &Definition) -> bool {
    d.verb == "is"
}

/// The definitions of `defs` stated as noun phrases.
fn swappable<'a>(defs: impl IntoIterator<Item = &'a Definition>) -> Vec<&'a Definition> {
    defs.into_iter().filter(|d| is_swappable(d)).collect()
}

pub(super) fn single_choice(scope: &Scope<'_>) -> Vec<Candidate> {
    let here: Vec<&Definition> = scope.definitions().collect();
    // The first two noun-phrase terms of the lesson: one of them differs
    // from the term asked about, to tell it apart from.
    let partners: Vec<&Definition> = here
        .iter()
        .copied()
        .filter(|d| is_swappable(d))
        .take(2)
        .collect();
    let mut out = Vec::new();
    for d in &here {
        let sentence = &scope.knowledge.sentences[d.sentence].text;
        let source = scope.span(d.sentence..d.until);
        let others = scope.other_definitions(d.sentence, false, excluding(&[d.term.as_str()]));
        let mut variants = Vec::new();
        // Remember: which term fits the description?
        let terms: Vec<&Definition> = others.iter().copied().take(DISTRACTORS).collect();
        if terms.len() >= 2 {
            let wrong = terms
                .iter()
                .map(|o| option(o.term.clone(), false, Some(statement(o))))
                .collect();
            let mut q = draft(
                format!("Which term matches this description: {}?", d.description),
                BloomLevel::Remember,
                source,
                QuestionBody::SingleChoice {
                    options: arrange(&d.term, option(d.term.clone(), true, None), wrong),
                },
            );
            q.explanation = Some(format!("The lesson says: \"{sentence}\""));
            variants.push(q);
        }
        // Understand: which statement about the term is right?
        let descriptions: Vec<&Definition> = swappable(others.iter().copied())
            .into_iter()
            .take(DISTRACTORS)
            .collect();
        if d.verb == "is" && descriptions.len() >= 2 {
            let wrong = descriptions
                .iter()
                .map(|o| {
                    option(
                        claim(&d.subject, "is", &o.description),
                        false,
                        Some(format!("That describes {}.", o.term)),
                    )
                })
                .collect();
            let mut q = draft(
                format!("Which statement about {} is correct?", named(d)),
                BloomLevel::Understand,
                source,
                QuestionBody::SingleChoice {
                    options: arrange(&d.description, option(statement(d), true, None), wrong),
                },
            );
            q.explanation = Some(format!("The lesson says: \"{sentence}\""));
            variants.push(q);
        }
        // Analyze: tell two terms of this lesson apart.
        let partner = partners.iter().copied().find(|b| b.term != d.term);
        let third = swappable(others.iter().copied())
            .into_iter()
            .find(|c| partner.is_none_or(|b| b.term != c.term));
        if d.verb == "is"
            && let (Some(b), Some(c)) = (partner, third)
        {
            let pair = |x: &str, y: &str| {
                format!(
                    "{} is {}, while {} is {}.",
                    capitalise(&d.subject),
                    x,
                    named(b),
                    y
                )
            };
            let right = option(pair(&d.description, &b.description), true, None);
            let wrong = vec![
                option(
                    pair(&b.description, &d.description),
                    false,
                    Some("The two descriptions are swapped.".into()),
                ),
                option(
                    pair(&c.description, &d.description),
                    false,
                    Some(format!("The first description is of {}.", c.term)),
                ),
                option(
                    pair(&d.description, &c.description),
                    false,
                    Some(format!("The second description is of {}.", c.term)),
                ),
            ];
            let first = d.sentence.min(b.sentence);
            let last = d.until.max(b.until) - 1;
            let mut q = draft(
                format!("How does {} differ from {}?", named(d), named(b)),
                BloomLevel::Analyze,
                scope.span(first..last + 1),
                QuestionBody::SingleChoice {
                    options: arrange(&b.term, right, wrong),
                },
            );
            q.explanation = Some(format!(
                "The lesson says: \"{}\" and \"{}\"",
                scope.knowledge.sentences[d.sentence].text,
                scope.knowledge.sentences[b.sentence].text
            ));
            variants.push(q);
        }
        if !variants.is_empty() {
            out.push(Candidate {
                fact: format!("def:{}", d.term.to_lowercase()),
                variants,
            });
        }
    }
    out
}

pub(super) fn multi_choice(scope: &Scope<'_>) -> Vec<Candidate> {
    let here: Vec<&Definition> = scope.definitions().collect();
    if here.len() < 2 {
        return Vec::new();
    }
    let mut out = Vec::new();
    let names: Vec<&str> = here.iter().map(|d| d.term.as_str()).collect();
    // Whether a term names one of the lesson's, asked once per term.
    let names_a_lesson_term = excluding(&names);
    let mut named_here: HashMap<usize, bool> = HashMap::new();
    // Take the lesson's terms two at a time, so a lesson can have several.
    for (k, pair) in here.chunks(2).filter(|p| p.len() == 2).enumerate() {
        let others = scope.other_definitions(pair[0].sentence, true, |at, o| {
            *named_here
                .entry(at)
                .or_insert_with(|| names_a_lesson_term(at, o))
        });
        let first = pair[0].sentence.min(pair[1].sentence);
        let last = pair[0].until.max(pair[1].until) - 1;
        let source = scope.span(first..last + 1);
        let mut variants = Vec::new();
        if others.len() >= 2 {
            // Remember: which terms belong to this lesson?
            let mut options: Vec<_> = pair
                .iter()
                .map(|d| option(d.term.clone(), true, Some(statement(d))))
                .collect();
            options.extend(others.iter().take(2).map(|o| {
                option(
                    o.term.clone(),
                    false,
                    Some(format!(
                        "{} belongs to another part of the material.",
                        capitalise(&o.term)
                    )),
                )
            }));
            rotate(&mut options, &pair[0].term);
            variants.push(draft(
                format!(
                    "Which of these terms does the lesson \"{}\" explain?",
                    scope.title
                ),
                BloomLevel::Remember,
                source,
                QuestionBody::MultiChoice { options },
            ));
        }
        // Understand: which statements are true? False ones swap descriptions.
        let swaps = swappable(others.iter().copied());
        if pair.iter().all(|d| d.verb == "is") && swaps.len() >= 2 {
            let mut options: Vec<_> = pair
                .iter()
                .map(|d| option(statement(d), true, None))
                .collect();
            for (d, o) in pair.iter().zip(&swaps) {
                options.push(option(
                    claim(&d.subject, "is", &o.description),
                    false,
                    Some(format!("That describes {}.", o.term)),
                ));
            }
            rotate(&mut options, &pair[1].term);
            variants.push(draft(
                "Which of these statements are true, according to the lesson?".to_owned(),
                BloomLevel::Understand,
                source,
                QuestionBody::MultiChoice { options },
            ));
        }
        if !variants.is_empty() {
            out.push(Candidate {
                fact: format!("pair:{k}:{}", pair[0].term.to_lowercase()),
                variants,
            });
        }
    }
    out
}

/// Rotates options by a seed-fixed amount so right answers are not grouped first.
fn rotate(options: &mut [ChoiceOption], seed: &str) {
    let n = options.len();
    options.rotate_left(position(seed, n));
}

pub(super) fn true_false(scope: &Scope<'_>) -> Vec<Candidate> {
    let mut out = Vec::new();
    for d in scope.definitions() {
        let sentence = &scope.knowledge.sentences[d.sentence].text;
        let source = scope.span(d.sentence..d.until);
        let mut variants = Vec::new();
        let mut truth = draft(
            statement(d),
            BloomLevel::Remember,
            source,
            QuestionBody::TrueFalse { answer: true },
        );
        truth.explanation = Some(format!("True: the lesson says \"{sentence}\""));
        variants.push(truth);
        if d.verb == "is"
            && let Some(other) =
                swappable(scope.other_definitions(d.sentence, false, excluding(&[d.term.as_str()])))
                    .first()
        {
            let mut lie = draft(
                claim(&d.subject, "is", &other.description),
                BloomLevel::Understand,
                source,
                QuestionBody::TrueFalse { answer: false },
            );
            lie.explanation = Some(format!(
                "False: that describes {}. The lesson says \"{sentence}\"",
                other.term
            ));
            variants.push(lie);
        }
        out.push(Candidate {
            fact: format!("def:{}", d.term.to_lowercase()),
            variants,
        });
    }
    out
}
