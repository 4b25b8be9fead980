//! Titles a teacher would write: a lesson or module is named by one noun
//! phrase of its own ("Credit Card Accounts", not "Supports and Credit
//! Card"), no title nearly repeats another ("Layer Mode" beside "Layer
//! Modes"), and the course is named by its subject, the thing every part
//! talks about, rather than by a list of its modules.

use std::collections::{HashMap, HashSet};

use super::keyphrases::{Phrase, most_common, named_as_thing};
use super::text::{content_stems, stem};
use crate::ingest::punctuation::is_known_word;

/// A name is the subject if at least this share of the parts talk about
/// it; a common noun must be in every part and said more than any other
/// word (so not a word every talk uses, such as "time").
const NAME_SPREAD: f64 = 0.5;
/// Words that name the material or the talk about it, not a subject.
const NOT_SUBJECTS: &[&str] = &[
    "course", "lesson", "lecture", "video", "section", "chapter", "part", "example", "today",
    "thing", "way", "lot", "topic",
];

/// Titles given so far, to keep the next ones apart from them.
#[derive(Debug, Default)]
pub struct Titles {
    given: Vec<HashSet<String>>,
}

impl Titles {
    /// A title for a part whose keyphrases are `phrases` (best first) and
    /// whose words are `text_words`: the best phrase that the part names as
    /// a thing and that repeats no title given before; else the best that
    /// repeats none; else the best. None when there are no phrases.
    pub fn choose(&mut self, phrases: &[Phrase], text_words: &[String]) -> Option<String> {
        let fresh = |p: &&Phrase| !self.repeats(&p.text);
        let best = phrases
            .iter()
            .filter(fresh)
            .find(|p| named_as_thing(&p.text, text_words))
            .or_else(|| phrases.iter().find(fresh))
            .or(phrases.first())?;
        let title = title_case(&best.text);
        self.give(&title);
        Some(title)
    }

    /// Whether `title` nearly repeats one given before: the same content
    /// words (by stem), or the words of one within the other's.
    pub fn repeats(&self, title: &str) -> bool {
        let stems: HashSet<String> = content_stems(title).into_iter().collect();
        self.given
            .iter()
            .any(|g| !stems.is_empty() && (g.is_subset(&stems) || stems.is_subset(g)))
    }

    /// Records `title` as given.
    pub fn give(&mut self, title: &str) {
        self.given
            .push(content_stems(title).into_iter().collect::<HashSet<_>>());
    }
}

/// The course's subject: a name talked about as a thing in at least half
/// of its `parts` (each a list of sentences), or a common noun in all of
/// them and said most; a name first, then the one in the most parts, then
/// the most said; None when no word runs through the parts. A name is
/// written with a capital inside sentences ("GnuCash"), or, in captions
/// that have no capitals, is a word English documentation seldom uses
/// ("gnucash").
pub fn subject(parts: &[Vec<&str>]) -> Option<String> {
    #[derive(Default)]
    struct Seen {
        parts: usize,
        count: usize,
        as_thing: usize,
        capitalised: usize,
        forms: HashMap<String, usize>,
    }
    let mut seen: HashMap<String, Seen> = HashMap::new();
    for part in parts {
        let mut here: HashSet<String> = HashSet::new();
        for sentence in part {
            let tokens: Vec<&str> = sentence
                .split(|c: char| !(c.is_alphanumeric() || c == '\''))
                .map(|t| t.trim_matches('\''))
                .filter(|t| !t.is_empty())
                .collect();
            for (i, token) in tokens.iter().enumerate() {
                let lower = token.to_lowercase();
                let Some(stem) = content_stems(&lower).pop() else {
                    continue;
                };
                let entry = seen.entry(stem.clone()).or_default();
                entry.count += 1;
                if i > 0 {
                    let pair = [tokens[i - 1].to_lowercase(), lower];
                    entry.as_thing += usize::from(named_as_thing(&pair[1], &pair));
                    // A capital inside a sentence marks a name ("GnuCash").
                    entry.capitalised += usize::from(token.starts_with(char::is_uppercase));
                }
                *entry.forms.entry((*token).to_owned()).or_default() += 1;
                if here.insert(stem) {
                    entry.parts += 1;
                }
            }
        }
    }
    let half = ((NAME_SPREAD * parts.len() as f64).ceil() as usize).max(1);
    let name = |s: &Seen| {
        2 * s.capitalised > s.count
            || (s.capitalised == 0 && !is_known_word(&most_common(&s.forms).to_lowercase()))
    };
    let mut counts: Vec<usize> = seen.values().map(|s| s.count).collect();
    counts.sort_unstable_by(|a, b| b.cmp(a));
    let most_said = |s: &Seen| counts.first() == Some(&s.count) && counts.get(1) < Some(&s.count);
    seen.into_iter()
        .filter(|(key, s)| {
            (name(s) && s.parts >= half || s.parts == parts.len() && most_said(s))
                && s.as_thing > 0
                && s.count >= 3
                && !NOT_SUBJECTS.iter().any(|w| stem(w) == **key)
        })
        .map(|(_, s)| s)
        .max_by(|a, b| {
            (name(a), a.parts, a.count)
                .cmp(&(name(b), b.parts, b.count))
                .then_with(|| most_common(&b.forms).cmp(&most_common(&a.forms)))
        })
        .map(|s| title_case(&most_common(&s.forms)))
}

/// A phrase as a title: first letters capitalised, all-capital words kept.
pub fn title_case(phrase: &str) -> String {
    phrase
        .split_whitespace()
        .map(|w| {
            if w.chars()
                .filter(|c| c.is_alphabetic())
                .all(char::is_uppercase)
            {
                w.to_owned()
            } else {
                let mut c = w.chars();
                c.next()
                    .map(|f| f.to_uppercase().chain(c).collect())
                    .unwrap_or_default()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::offline::keyphrases::keyphrases;
    use crate::offline::text::words;

    #[test]
    fn a_title_is_a_noun_phrase_of_the_part_and_repeats_no_other() {
        let parts = [
            "Choosing edit opens the menu. The layer mode decides how a layer mixes with the layer mode below. Choosing edit again.".to_owned(),
            "Layer modes change colours. Each layer mode has a formula. The formula of layer modes is old.".to_owned(),
        ];
        let phrases = keyphrases(&parts, 5);
        let mut titles = Titles::default();
        let first = titles.choose(&phrases[0], &words(&parts[0])).unwrap();
        assert_eq!(
            first, "Layer Mode",
            "named as a thing, unlike 'choosing edit'"
        );
        let second = titles.choose(&phrases[1], &words(&parts[1])).unwrap();
        assert!(!second.contains("Layer"), "not nearly the first: {second}");
        assert!(titles.repeats("Layer Modes") && titles.repeats("layer"));
        assert!(!titles.repeats("Colour Wheel"));
        assert_eq!(title_case("TCP handshake"), "TCP Handshake");
    }

    #[test]
    fn the_course_is_named_by_its_subject() {
        let cased = [
            vec![
                "GnuCash keeps accounts.",
                "An account holds money in GnuCash.",
            ],
            vec!["Reports in GnuCash show the account totals."],
            vec!["Budgets are plans for each account of the household."],
        ];
        assert_eq!(subject(&cased).as_deref(), Some("GnuCash"));
        // Captions with no capitals: a word documentation seldom uses.
        let lower = [
            vec![
                "gnucash keeps accounts",
                "an account holds money in gnucash",
            ],
            vec!["reports in gnucash show the account totals"],
            vec!["budgets are plans for each account of the household"],
        ];
        assert_eq!(subject(&lower).as_deref(), Some("Gnucash"));
        // No name: the most said common noun, said in every part.
        let plain = [
            vec!["A cell has a membrane.", "The cell divides."],
            vec!["Each cell makes proteins in the ribosome."],
            vec!["The nucleus of a cell holds its genes."],
        ];
        assert_eq!(subject(&plain).as_deref(), Some("Cell"));
        // Unrelated topics have none: a word every talk uses is no subject.
        let miscellany = [
            vec![
                "The plates move all the time.",
                "A plate is rock.",
                "Plates collide.",
            ],
            vec![
                "Interest grows with the time.",
                "The interest rate is high.",
            ],
            vec![
                "Light feeds the plant in the time of day.",
                "The plant grows.",
            ],
        ];
        assert_eq!(subject(&miscellany), None);
    }
}
