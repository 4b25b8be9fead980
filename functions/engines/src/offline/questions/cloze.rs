//! Questions from the lesson's key statements ([`super::statements`]): which
//! term completes a statement, which statement the lesson makes, whether a
//! statement with another term in its place still holds, and explaining a
//! term as the lesson does. Wrong options are the same kind as the right
//! one: terms for a term, statements for a statement.

use coursegen_core::course::{BloomLevel, ChoiceOption, QuestionBody, RubricItem};

use super::choice::{arrange, option};
use super::recall::{BLANK, accepted_forms};
use super::statements::KeyStatement;
use super::{Candidate, Scope, draft, position};

/// A choice question needs at least this many wrong options.
const MIN_WRONG: usize = 2;
/// Sentences of the lesson a model answer quotes, at most.
const MODEL_SENTENCES: usize = 3;

fn candidate(s: &KeyStatement, variants: Vec<coursegen_core::course::Question>) -> Candidate {
    Candidate {
        fact: format!("said:{}", s.sentence),
        variants,
    }
}

fn said_by_lesson(s: &KeyStatement) -> String {
    format!("The lesson says: \"{}\"", s.said())
}

/// The statement with a wrong term in its place, as a false option.
fn altered(s: &KeyStatement, wrong: &str) -> ChoiceOption {
    option(
        s.with_term(wrong),
        false,
        Some(format!("The lesson says {} here, not {wrong}.", s.term)),
    )
}

pub(super) fn single_choice(scope: &Scope<'_>, statements: &[KeyStatement]) -> Vec<Candidate> {
    statements
        .iter()
        .filter(|s| s.wrong.len() >= MIN_WRONG)
        .map(|s| {
            let source = scope.span(s.sentence..s.sentence + 1);
            let terms = s
                .wrong
                .iter()
                .map(|w| option(w.clone(), false, None))
                .collect();
            let mut remember = draft(
                format!(
                    "Which term completes this statement from the lesson? \"{}\"",
                    s.with_blank(BLANK)
                ),
                BloomLevel::Remember,
                source,
                QuestionBody::SingleChoice {
                    options: arrange(&s.term, option(s.term.clone(), true, None), terms),
                },
            );
            remember.explanation = Some(said_by_lesson(s));
            let statements = s.wrong.iter().map(|w| altered(s, w)).collect();
            let mut understand = draft(
                format!("Which of these statements does \"{}\" make?", scope.title),
                BloomLevel::Understand,
                source,
                QuestionBody::SingleChoice {
                    options: arrange(&s.said(), option(s.said(), true, None), statements),
                },
            );
            understand.explanation = Some(said_by_lesson(s));
            candidate(s, vec![remember, understand])
        })
        .collect()
}

/// Two statements at a time: each as said, and each with a wrong term.
pub(super) fn multi_choice(scope: &Scope<'_>, statements: &[KeyStatement]) -> Vec<Candidate> {
    let usable: Vec<&KeyStatement> = statements.iter().filter(|s| !s.wrong.is_empty()).collect();
    usable
        .chunks(2)
        .filter(|pair| pair.len() == 2)
        .map(|pair| {
            let mut options: Vec<ChoiceOption> = pair
                .iter()
                .map(|s| option(s.said(), true, Some(said_by_lesson(s))))
                .collect();
            options.extend(pair.iter().map(|s| altered(s, &s.wrong[0])));
            let n = options.len();
            options.rotate_left(position(&pair[0].term, n));
            let (first, last) = (
                pair[0].sentence.min(pair[1].sentence),
                pair[0].sentence.max(pair[1].sentence),
            );
            let q = draft(
                format!(
                    "Which of these statements does \"{}\" make? Choose all that apply.",
                    scope.title
                ),
                BloomLevel::Understand,
                scope.span(first..last + 1),
                QuestionBody::MultiChoice { options },
            );
            candidate(pair[0], vec![q])
        })
        .collect()
}

pub(super) fn true_false(scope: &Scope<'_>, statements: &[KeyStatement]) -> Vec<Candidate> {
    statements
        .iter()
        .map(|s| {
            let source = scope.span(s.sentence..s.sentence + 1);
            let mut truth = draft(
                s.said(),
                BloomLevel::Remember,
                source,
                QuestionBody::TrueFalse { answer: true },
            );
            truth.explanation = Some(format!("True: {}", said_by_lesson(s)));
            let mut variants = vec![truth];
            if let Some(wrong) = s.wrong.first() {
                let mut lie = draft(
                    s.with_term(wrong),
                    BloomLevel::Understand,
                    source,
                    QuestionBody::TrueFalse { answer: false },
                );
                lie.explanation = Some(format!(
                    "False: the lesson says this of {}, not {wrong}. {}",
                    s.term,
                    said_by_lesson(s)
                ));
                variants.push(lie);
            }
            candidate(s, variants)
        })
        .collect()
}

pub(super) fn fill_blank(scope: &Scope<'_>, statements: &[KeyStatement]) -> Vec<Candidate> {
    statements
        .iter()
        .map(|s| {
            let mut q = draft(
                format!("Fill in the blank: {}", s.with_blank(BLANK)),
                BloomLevel::Remember,
                scope.span(s.sentence..s.sentence + 1),
                QuestionBody::FillBlank {
                    accepted: accepted_forms(&s.term),
                    case_sensitive: false,
                },
            );
            q.hint = Some(format!(
                "{} words, {} letters.",
                s.term.split_whitespace().count(),
                s.term.chars().filter(|c| c.is_alphanumeric()).count()
            ));
            q.explanation = Some(said_by_lesson(s));
            candidate(s, vec![q])
        })
        .collect()
}

pub(super) fn short_answer(scope: &Scope<'_>, statements: &[KeyStatement]) -> Vec<Candidate> {
    statements
        .iter()
        .map(|s| {
            let mut q = draft(
                format!(
                    "The lesson \"{}\" says: \"{}\" What is missing?",
                    scope.title,
                    s.with_blank(BLANK)
                ),
                BloomLevel::Remember,
                scope.span(s.sentence..s.sentence + 1),
                QuestionBody::ShortAnswer {
                    accepted: accepted_forms(&s.term),
                    model_answer: Some(s.term.clone()),
                },
            );
            q.explanation = Some(said_by_lesson(s));
            candidate(s, vec![q])
        })
        .collect()
}

/// Explain a term as the lesson does: the model answer is what the lesson
/// says about it.
pub(super) fn descriptive(scope: &Scope<'_>, statements: &[KeyStatement]) -> Vec<Candidate> {
    let sentences = &scope.knowledge.sentences;
    statements
        .iter()
        .map(|s| {
            // The statement, and the lesson's first others on the term.
            let mut about: Vec<usize> = scope
                .range
                .clone()
                .filter(|&i| {
                    i != s.sentence
                        && crate::offline::find::find_word(&sentences[i].text, &s.term).is_some()
                })
                .take(MODEL_SENTENCES - 1)
                .collect();
            about.push(s.sentence);
            about.sort_unstable();
            let model: Vec<&str> = about.iter().map(|&i| sentences[i].text.as_str()).collect();
            let (first, last) = (
                about[0].min(s.sentence),
                about[about.len() - 1].max(s.sentence),
            );
            let rubric = vec![
                RubricItem {
                    criterion: format!("Says what the lesson says about {}: {}", s.term, s.said()),
                    points: 2,
                },
                RubricItem {
                    criterion: format!("Connects {} to the rest of \"{}\"", s.term, scope.title),
                    points: 1,
                },
                RubricItem {
                    criterion: "Adds a detail, example or consequence from the lesson".to_owned(),
                    points: 1,
                },
            ];
            let q = draft(
                format!(
                    "Explain, in your own words, what \"{}\" says about {} and why it matters.",
                    scope.title, s.term
                ),
                BloomLevel::Understand,
                scope.span(first..last + 1),
                QuestionBody::Descriptive {
                    model_answer: model.join(" "),
                    rubric,
                },
            );
            candidate(s, vec![q])
        })
        .collect()
}
