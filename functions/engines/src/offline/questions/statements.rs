//! Key statements: the sentences that carry a lesson, each with the lesson
//! term it turns on. Most material defines few terms in so many words, but
//! every lesson makes statements about its own terms; asking which term a
//! statement needs, or whether a statement with another term in its place
//! still holds, works on any of them. Wrong terms are the same kind of
//! thing as the answer (a plural for a plural, an acronym for an acronym),
//! taken from the lesson itself first, then from the material around it.

use std::ops::Range;

use super::Scope;
use crate::offline::facts::{same_key, term_key};
use crate::offline::find::find_word;
use crate::offline::keyphrases::{Phrase, keyphrases_within, named_as_thing};
use crate::offline::summary::central_sentences;
use crate::offline::text::words;

/// Sentences looked at per lesson, most central first.
const CENTRAL: usize = 10;
/// The lesson's terms considered as answers and wrong options.
const TERMS: usize = 24;
/// Wrong terms wanted per statement.
const WRONG_TERMS: usize = 3;
/// A statement with its term blanked keeps at least this many words, so it
/// still says something.
const MIN_CONTEXT_WORDS: usize = 5;
/// Statements longer than this make unreadable options.
const MAX_STATEMENT_WORDS: usize = 32;

#[derive(Debug, Clone)]
pub(super) struct KeyStatement {
    pub sentence: usize,
    /// The term as the sentence writes it.
    pub term: String,
    /// The sentence's text before the term, "a"/"an" just before it
    /// excluded, and after it.
    before: String,
    after: String,
    /// Whether "a" or "an" stood just before the term.
    article: bool,
    /// Other terms of the same kind, nearest first.
    pub wrong: Vec<String>,
}

impl KeyStatement {
    /// The statement with `blank` in the term's place ("a(n) ____" where the
    /// article would give the answer away).
    pub fn with_blank(&self, blank: &str) -> String {
        let article = if self.article { "a(n) " } else { "" };
        format!("{}{article}{blank}{}", self.before, self.after)
    }

    /// The statement with `term` in place of its own, the article agreeing.
    pub fn with_term(&self, term: &str) -> String {
        let starts = self.before.is_empty() && !self.article;
        let term = if starts {
            super::capitalise(term)
        } else {
            term.to_owned()
        };
        let article = match (self.article, self.before.is_empty()) {
            (false, _) => "",
            (true, first) => match (starts_with_vowel_sound(&term), first) {
                (true, true) => "An ",
                (true, false) => "an ",
                (false, true) => "A ",
                (false, false) => "a ",
            },
        };
        format!("{}{article}{term}{}", self.before, self.after)
    }

    /// The statement as the material says it.
    pub fn said(&self) -> String {
        self.with_term(&self.term)
    }
}

/// "an" before vowels, as written (an acronym read letter by letter is
/// left to the rule too: rare enough not to matter).
fn starts_with_vowel_sound(word: &str) -> bool {
    word.chars()
        .next()
        .is_some_and(|c| "aeiouAEIOU".contains(c))
}

/// The lesson's key statements, most central first: each one's sentence,
/// the best lesson term it holds, and wrong terms to set against it.
/// Sentences that define a term are left to the definition questions.
pub(super) fn key_statements(scope: &Scope<'_>) -> Vec<KeyStatement> {
    let knowledge = scope.knowledge;
    let range = scope.range.clone();
    let sentences = &knowledge.sentences[range.clone()];
    if sentences.is_empty() {
        return Vec::new();
    }
    let terms = lesson_terms(&knowledge.text(range.clone()), &knowledge.idf);
    // How often each term is already an answer: the next statement turns on
    // another where it can, so a lesson's questions ask about several.
    let mut asked = vec![0usize; terms.len()];
    let defined: Vec<usize> = scope.definitions().map(|d| d.sentence).collect();
    let central = central_sentences(
        sentences,
        &knowledge.stems[range.clone()],
        &knowledge.idf,
        CENTRAL,
    );
    // Terms of the material around the lesson, found only when the lesson's
    // own are too few.
    let mut around: Option<Vec<Phrase>> = None;
    let mut out = Vec::new();
    for i in central {
        let sentence = range.start + i;
        let text = &knowledge.sentences[sentence].text;
        let count = words(text).len();
        if defined.contains(&sentence) || !text.ends_with('.') || count > MAX_STATEMENT_WORDS {
            continue;
        }
        let Some((k, term, at)) = terms
            .iter()
            .enumerate()
            .filter_map(|(k, p)| {
                let at = find_word(text, &p.text)?;
                (count - words(&p.text).len() >= MIN_CONTEXT_WORDS).then_some((k, p, at))
            })
            .min_by_key(|(k, _, _)| (asked[*k], *k))
        else {
            continue;
        };
        asked[k] += 1;
        let mut wrong = same_kind(&term.text, text, &terms);
        if wrong.len() < WRONG_TERMS {
            let wider = around.get_or_insert_with(|| terms_around(scope));
            for w in same_kind(&term.text, text, wider) {
                if wrong.len() < WRONG_TERMS && wrong.iter().all(|o| !super::same_term(o, &w)) {
                    wrong.push(w);
                }
            }
        }
        let before = &text[..at.start];
        let article = ["a ", "an "]
            .iter()
            .find(|a| {
                let Some(k) = before.len().checked_sub(a.len()) else {
                    return false;
                };
                before.get(k..).is_some_and(|w| w.eq_ignore_ascii_case(a))
                    && before[..k]
                        .chars()
                        .next_back()
                        .is_none_or(|c| !c.is_alphanumeric())
            })
            .map(|a| a.len());
        out.push(KeyStatement {
            sentence,
            term: text[at.clone()].to_owned(),
            before: before[..before.len() - article.unwrap_or(0)].to_owned(),
            after: text[at.end..].to_owned(),
            article: article.is_some(),
            wrong,
        });
    }
    out
}

/// The terms of the material around the scope: as much again on each side.
fn terms_around(scope: &Scope<'_>) -> Vec<Phrase> {
    let knowledge = scope.knowledge;
    let len = scope.range.len();
    let wider: Range<usize> = scope.range.start.saturating_sub(len)
        ..(scope.range.end + len).min(knowledge.sentences.len());
    lesson_terms(&knowledge.text(wider), &knowledge.idf)
}

/// The text's most characteristic terms: keyphrases that the text names as
/// things at least once ("the undo history"), which leaves out verb runs
/// such as "choosing edit".
fn lesson_terms(text: &str, idf: &std::collections::HashMap<String, f64>) -> Vec<Phrase> {
    let mut terms = keyphrases_within(text, idf, TERMS);
    let all = words(text);
    terms.retain(|p| named_as_thing(&p.text, &all));
    terms
}

/// Up to [`WRONG_TERMS`] of `terms` that could stand where `answer` stands
/// in `sentence` yet are not it: none naming the same thing, none the
/// sentence already says; the most alike in form first (number, capitals,
/// length), then the most characteristic.
fn same_kind(answer: &str, sentence: &str, terms: &[Phrase]) -> Vec<String> {
    let key = term_key(answer);
    let mut fitting: Vec<(usize, usize, &Phrase)> = terms
        .iter()
        .enumerate()
        .filter(|(_, p)| {
            !same_key(&key, &term_key(&p.text)) && find_word(sentence, &p.text).is_none()
        })
        .map(|(rank, p)| (unlike(answer, &p.text), rank, p))
        .collect();
    fitting.sort_by_key(|(unlike, rank, _)| (*unlike, *rank));
    let mut out: Vec<String> = Vec::new();
    for (_, _, p) in fitting {
        if out.len() == WRONG_TERMS {
            break;
        }
        if out.iter().all(|o| !super::same_term(o, &p.text)) {
            out.push(p.text.clone());
        }
    }
    out
}

/// How unlike two terms are in form: a plural against a singular, an
/// acronym against a word, a name against a common noun, a number against
/// a word, or a different length each give an option away.
fn unlike(a: &str, b: &str) -> usize {
    let plural = |t: &str| {
        let last = t.split_whitespace().last().unwrap_or("").to_lowercase();
        last.ends_with('s') && !last.ends_with("ss") && !last.ends_with("us")
    };
    let acronym = |t: &str| {
        t.split_whitespace().any(|w| {
            w.len() > 1
                && w.chars()
                    .filter(|c| c.is_alphabetic())
                    .all(char::is_uppercase)
        })
    };
    let capital = |t: &str| t.chars().next().is_some_and(char::is_uppercase);
    let digits = |t: &str| t.chars().any(|c| c.is_ascii_digit());
    let length = |t: &str| t.split_whitespace().count();
    2 * usize::from(plural(a) != plural(b))
        + 2 * usize::from(acronym(a) != acronym(b))
        + 2 * usize::from(digits(a) != digits(b))
        + usize::from(capital(a) != capital(b))
        + length(a).abs_diff(length(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statement(text: &str, term: &str) -> KeyStatement {
        let at = find_word(text, term).unwrap();
        let before = &text[..at.start];
        let article =
            before.to_lowercase().ends_with(" an ") || before.to_lowercase().ends_with(" a ");
        let cut = if before.to_lowercase().ends_with(" an ") {
            3
        } else if article {
            2
        } else {
            0
        };
        KeyStatement {
            sentence: 0,
            term: term.to_owned(),
            before: before[..before.len() - cut].to_owned(),
            after: text[at.end..].to_owned(),
            article,
            wrong: Vec::new(),
        }
    }

    #[test]
    fn statements_with_any_characters_before_the_term_say_what_the_lesson_says() {
        use crate::offline::knowledge::Knowledge;
        use coursegen_core::material::{Material, Sentence};
        // Curly quotes and arrows before the term once cut text inside a character.
        let texts = [
            "Beginning users will find the “Concepts” an undo history of the whole guide.",
            "Choose Actions → an undo history to see every step you took in the image.",
            "The undo history keeps every step of the image, so you can go back later.",
            "Every layer of the image has its own mask, and the mask hides part of the layer.",
            "The layer mask decides which part of the layer shows through the image below.",
            "A channel holds one colour of the image, and the channel list shows each one.",
        ];
        let sentences = texts
            .iter()
            .enumerate()
            .map(|(i, t)| Sentence {
                start_ms: i as u64 * 5000,
                end_ms: i as u64 * 5000 + 4000,
                text: (*t).into(),
                end_trust: coursegen_core::material::EndTrust::Sure,
            })
            .collect();
        let knowledge = Knowledge::new(Material {
            sentences,
            ..Material::default()
        });
        let scope = Scope {
            knowledge: &knowledge,
            range: 0..texts.len(),
            start_ms: 0,
            end_ms: 30_000,
            title: "Undo",
            id_prefix: "m1-l1".into(),
        };
        let found = key_statements(&scope);
        assert!(!found.is_empty());
        for s in &found {
            assert_eq!(s.said(), texts[s.sentence], "{s:?}");
            assert!(s.with_blank("____").contains("____"));
            assert!(s.wrong.iter().all(|w| !super::super::same_term(w, &s.term)));
        }
    }

    #[test]
    fn articles_agree_with_the_term_put_in() {
        let s = statement(
            "Every change is stored in an undo history of the image.",
            "undo history",
        );
        assert_eq!(
            s.said(),
            "Every change is stored in an undo history of the image."
        );
        assert_eq!(
            s.with_term("layer mask"),
            "Every change is stored in a layer mask of the image."
        );
        assert_eq!(
            s.with_blank("____"),
            "Every change is stored in a(n) ____ of the image."
        );
        let first = statement("Layers stack from the bottom up.", "Layers");
        assert_eq!(
            first.with_term("channels"),
            "Channels stack from the bottom up."
        );
    }

    #[test]
    fn wrong_terms_are_alike_in_form_and_absent_from_the_sentence() {
        let phrase = |t: &str| Phrase {
            text: t.to_owned(),
            stems: Vec::new(),
            score: 1.0,
            count: 1,
        };
        let terms: Vec<Phrase> = [
            "accounts",
            "GnuCash",
            "ledger",
            "splits",
            "account tree",
            "budgets",
            "register",
        ]
        .into_iter()
        .map(phrase)
        .collect();
        let wrong = same_kind(
            "transactions",
            "Transactions move money between the register's accounts.",
            &terms,
        );
        // "accounts" and "register" are in the sentence; plurals lead.
        assert_eq!(wrong, vec!["splits", "budgets", "ledger"]);
        assert_eq!(
            same_kind(
                "SQL",
                "Save the file as SQL.",
                &[phrase("XML"), phrase("sql database"), phrase("file")]
            )[0],
            "XML"
        );
    }
}
