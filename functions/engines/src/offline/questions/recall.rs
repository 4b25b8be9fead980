//! Fill-in-the-blank, short answer and numeric questions: the learner
//! supplies a term or a number the material states.

use coursegen_core::course::{BloomLevel, QuestionBody};

use super::{Candidate, Scope, draft};
use crate::offline::find::find_word;

/// The blank learners fill in.
pub(super) const BLANK: &str = "____";

/// `sentence` with the first whole-word, case-insensitive occurrence of
/// `term` replaced by the blank.
fn blank_out(sentence: &str, term: &str) -> Option<String> {
    let at = find_word(sentence, term)?;
    Some(format!(
        "{}{BLANK}{}",
        &sentence[..at.start],
        &sentence[at.end..]
    ))
}

pub(super) fn fill_blank(scope: &Scope<'_>) -> Vec<Candidate> {
    scope
        .definitions()
        .filter_map(|d| {
            let sentence = &scope.knowledge.sentences[d.sentence].text;
            let prompt = blank_out(sentence, &d.term)?;
            let mut q = draft(
                format!("Fill in the blank: {prompt}"),
                BloomLevel::Remember,
                scope.span(d.sentence..d.until),
                QuestionBody::FillBlank {
                    accepted: accepted(d),
                    case_sensitive: false,
                },
            );
            q.hint = Some(format!(
                "{} letters, starting with \"{}\".",
                d.term.chars().count(),
                d.term.chars().next()?
            ));
            q.explanation = Some(format!("The lesson says: \"{sentence}\""));
            Some(Candidate {
                fact: format!("def:{}", d.term.to_lowercase()),
                variants: vec![q],
            })
        })
        .collect()
}

/// A defined term's accepted answers: a name as written, any other term
/// with its plural or singular too (not "Mutts" for "Mutt").
fn accepted(d: &crate::offline::facts::Definition) -> Vec<String> {
    if d.name {
        vec![d.term.clone()]
    } else {
        accepted_forms(&d.term)
    }
}

/// The term, and its plural or singular, as accepted answers.
pub(super) fn accepted_forms(term: &str) -> Vec<String> {
    let mut forms = vec![term.to_owned()];
    let bytes = term.as_bytes();
    let consonant_y = bytes.len() > 2
        && bytes[bytes.len() - 1] == b'y'
        && !b"aeiou".contains(&bytes[bytes.len() - 2]);
    // "boxes", "branches", "classes": the plural of a word ending in a hiss.
    let hissing = |word: &str| {
        ["x", "ch", "sh", "ss", "z"]
            .iter()
            .any(|e| word.ends_with(e))
    };
    let other = if let Some(stem) = term.strip_suffix("ies") {
        format!("{stem}y")
    } else if let Some(singular) = term.strip_suffix("es").filter(|s| hissing(s)) {
        singular.to_owned()
    } else if let Some(singular) = term.strip_suffix('s').filter(|_| !term.ends_with("ss")) {
        singular.to_owned()
    } else if consonant_y {
        format!("{}ies", &term[..term.len() - 1])
    } else if hissing(term) {
        format!("{term}es")
    } else {
        format!("{term}s")
    };
    forms.push(other);
    forms
}

pub(super) fn short_answer(scope: &Scope<'_>) -> Vec<Candidate> {
    scope
        .definitions()
        .map(|d| {
            let sentence = &scope.knowledge.sentences[d.sentence].text;
            let mut q = draft(
                format!("What term does the lesson use for {}?", d.description),
                BloomLevel::Remember,
                scope.span(d.sentence..d.until),
                QuestionBody::ShortAnswer {
                    accepted: accepted(d),
                    model_answer: Some(d.term.clone()),
                },
            );
            q.explanation = Some(format!("The lesson says: \"{sentence}\""));
            Candidate {
                fact: format!("def:{}", d.term.to_lowercase()),
                variants: vec![q],
            }
        })
        .collect()
}

pub(super) fn numeric(scope: &Scope<'_>) -> Vec<Candidate> {
    scope
        .knowledge
        .quantities_in(&scope.range)
        .iter()
        .map(|quantity| {
            let sentence = &scope.knowledge.sentences[quantity.sentence].text;
            let (a, b) = quantity.span;
            let prompt = format!("{}{BLANK}{}", &sentence[..a], &sentence[b..]);
            let mut q = draft(
                format!("What number belongs in the blank? {prompt}"),
                BloomLevel::Remember,
                scope.span(quantity.sentence..quantity.sentence + 1),
                QuestionBody::Numeric {
                    value: Some(quantity.value),
                    tolerance: Some(0.0),
                    range: None,
                    decimal_precision: quantity.decimals,
                    expression: None,
                },
            );
            q.explanation = Some(format!("The lesson says: \"{sentence}\""));
            Candidate {
                fact: format!("num:{}:{}", quantity.sentence, quantity.span.0),
                variants: vec![q],
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blanks_whole_words_only() {
        assert_eq!(
            blank_out("An antigen is a molecule.", "antigen").as_deref(),
            Some("An ____ is a molecule.")
        );
        assert_eq!(
            blank_out("Antigens and an antigen.", "antigen").as_deref(),
            Some("Antigens and an ____.")
        );
        assert_eq!(blank_out("nothing here", "antigen"), None);
        assert_eq!(
            blank_out("In İzmir we drink ÇAY.", "çay").as_deref(),
            Some("In İzmir we drink ____.")
        );
        assert_eq!(
            accepted_forms("memory cell"),
            vec!["memory cell", "memory cells"]
        );
        assert_eq!(accepted_forms("antibodies"), vec!["antibodies", "antibody"]);
        assert_eq!(accepted_forms("antibody"), vec!["antibody", "antibodies"]);
        assert_eq!(accepted_forms("key"), vec!["key", "keys"]);
        assert_eq!(accepted_forms("mailbox"), vec!["mailbox", "mailboxes"]);
        assert_eq!(accepted_forms("branches"), vec!["branches", "branch"]);
        assert_eq!(accepted_forms("class"), vec!["class", "classes"]);
        assert_eq!(accepted_forms("files"), vec!["files", "file"]);
    }

    #[test]
    fn a_name_is_accepted_as_written_and_a_term_in_either_number() {
        let sentences = crate::offline::facts::tests::sentences(&[
            "Mutt is a text-based mail client.",
            "You start Mutt from a shell.",
            "A mailbox is a file of messages.",
        ]);
        let defs = crate::offline::facts::definitions(&sentences);
        assert_eq!(accepted(&defs[0]), ["Mutt"]);
        assert_eq!(accepted(&defs[1]), ["mailbox", "mailboxes"]);
    }
}
