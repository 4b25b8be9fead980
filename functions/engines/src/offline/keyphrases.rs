//! Keyphrases: the phrases that make one part of the material different from
//! the others. Candidates are runs of up to three content words; a phrase
//! scores by the tf-idf of its words in its part against all parts, with a
//! bonus for multi-word phrases that recur.

use std::collections::HashMap;

use super::text::{is_content, stem, words};

/// The longest phrase considered, in words.
const MAX_PHRASE_WORDS: usize = 3;

#[derive(Debug, Clone, PartialEq)]
pub struct Phrase {
    /// As most often written in the material.
    pub text: String,
    /// Stems, for comparing phrases.
    pub stems: Vec<String>,
    pub score: f64,
    pub count: usize,
}

/// Candidate phrases of a text: stems → (occurrences, surface forms with counts).
type Candidates = HashMap<Vec<String>, (usize, HashMap<String, usize>)>;

/// The best `limit` keyphrases of each part, best first. Each part's
/// candidates are built, scored and dropped in turn: every part's at once
/// took ~200 bytes per byte of material.
pub fn keyphrases(parts: &[String], limit: usize) -> Vec<Vec<Phrase>> {
    // Each part's single-stem counts, and their document frequency over parts.
    let term_counts: Vec<HashMap<String, usize>> = parts.iter().map(|p| stem_counts(p)).collect();
    let mut df: HashMap<&str, usize> = HashMap::new();
    for counts in &term_counts {
        for t in counts.keys() {
            *df.entry(t).or_insert(0) += 1;
        }
    }
    let n = parts.len().max(1) as f64;
    let idf = |t: &str| (1.0 + n / *df.get(t).unwrap_or(&1) as f64).ln();
    parts
        .iter()
        .zip(&term_counts)
        .map(|(part, counts)| best(&candidates(part), counts, &idf, limit))
        .collect()
}

/// The best `limit` keyphrases of one part of a larger text, best first:
/// `idf` weighs each stem by how rare it is across the whole (as
/// [`super::text::idf`] computes it over sentences).
pub fn keyphrases_within(part: &str, idf: &HashMap<String, f64>, limit: usize) -> Vec<Phrase> {
    let weight = |t: &str| idf.get(t).copied().unwrap_or(1.0);
    best(&candidates(part), &stem_counts(part), &weight, limit)
}

/// The best `limit` of one part's candidates, given its stem counts.
fn best(
    part: &Candidates,
    counts: &HashMap<String, usize>,
    idf: &impl Fn(&str) -> f64,
    limit: usize,
) -> Vec<Phrase> {
    let total: usize = counts.values().sum::<usize>().max(1);
    let tf = |t: &str| *counts.get(t).unwrap_or(&0) as f64 / total as f64;
    let mut scored: Vec<Phrase> = part
        .iter()
        .filter(|(stems, (count, _))| stems.len() == 1 || *count >= 2)
        .map(|(stems, (count, forms))| {
            let base: f64 = stems.iter().map(|s| tf(s) * idf(s)).sum::<f64>() / stems.len() as f64;
            let bonus = 1.0 + 0.6 * (stems.len() - 1) as f64 * (*count as f64).ln_1p();
            Phrase {
                text: most_common(forms),
                stems: stems.clone(),
                score: base * bonus,
                count: *count,
            }
        })
        .collect();
    // Highest score first; ties broken by text so output is deterministic.
    scored.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.text.cmp(&b.text))
    });
    let mut chosen: Vec<Phrase> = Vec::new();
    for p in scored {
        crate::work::add(1 + chosen.len());
        if chosen.len() >= limit {
            break;
        }
        // Skip phrases that repeat a chosen phrase's words.
        if chosen
            .iter()
            .any(|c| p.stems.iter().any(|s| c.stems.contains(s)))
        {
            continue;
        }
        chosen.push(p);
    }
    chosen
}

/// How often each content word's stem occurs in a text (as one-word
/// candidates would count it).
fn stem_counts(text: &str) -> HashMap<String, usize> {
    let mut counts: HashMap<String, usize> = HashMap::new();
    for_each_run(text, |_, stems| {
        for stem in stems {
            match counts.get_mut(stem) {
                Some(count) => *count += 1,
                None => {
                    counts.insert(stem.clone(), 1);
                }
            }
        }
    });
    counts
}

/// Every candidate phrase of a text: stems → (count, surface forms).
/// Keys and forms are allocated once per distinct phrase, not per occurrence.
fn candidates(text: &str) -> Candidates {
    let mut out = Candidates::new();
    let mut form = String::new();
    for_each_run(text, |forms, stems| {
        for n in 1..=MAX_PHRASE_WORDS.min(stems.len()) {
            for (k, key) in stems.windows(n).enumerate() {
                // "Test test", "Wireshark Wireshark": a word said twice
                // in a row names nothing more than the word once.
                if key.iter().enumerate().any(|(i, s)| key[..i].contains(s)) {
                    continue;
                }
                form.clear();
                for (i, f) in forms[k..k + n].iter().enumerate() {
                    if i > 0 {
                        form.push(' ');
                    }
                    form.push_str(f);
                }
                let entry = match out.get_mut(key) {
                    Some(entry) => entry,
                    None => out.entry(key.to_vec()).or_default(),
                };
                entry.0 += 1;
                match entry.1.get_mut(form.as_str()) {
                    Some(count) => *count += 1,
                    None => {
                        entry.1.insert(form.clone(), 1);
                    }
                }
            }
        }
    });
    out
}

/// Calls `f` with each run of content words of a text, as the words as
/// written and their stems: runs end at punctuation and at other words.
fn for_each_run(text: &str, mut f: impl FnMut(&[String], &[String])) {
    let (mut forms, mut stems): (Vec<String>, Vec<String>) = (Vec::new(), Vec::new());
    for sentence in text.split(['.', '?', '!', ';', ':', ',', '\n']) {
        // Original-case tokens, so surface forms keep capitals ("TCP").
        let tokens = sentence
            .split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '-'))
            .filter(|t| !t.is_empty());
        for token in tokens {
            // Most tokens are one plain word: lower-cased as [`words`]
            // would, without splitting them into a list first.
            let lower = if token.chars().all(char::is_alphanumeric) {
                token.chars().flat_map(char::to_lowercase).collect()
            } else {
                words(token).join(" ")
            };
            if is_content(&lower) && !lower.contains(' ') {
                forms.push(token.to_owned());
                stems.push(stem(&lower));
            } else if !stems.is_empty() {
                f(&forms, &stems);
                forms.clear();
                stems.clear();
            }
        }
        if !stems.is_empty() {
            f(&forms, &stems);
            forms.clear();
            stems.clear();
        }
    }
}

/// The form written most often; the first in order among equals.
pub(super) fn most_common(forms: &HashMap<String, usize>) -> String {
    forms
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
        .map(|(f, _)| f.clone())
        .unwrap_or_default()
}

/// Words that come before a thing, not an action: "the", "an", "your"…
const DETERMINERS: &[&str] = &[
    "the", "a", "an", "this", "these", "those", "its", "your", "their", "our", "each", "every",
    "any", "of", "with", "in", "on", "for", "from", "into",
];

/// Whether `words` (a text's, as [`words`] splits them) name `phrase` as
/// a thing at least once ("the undo history"): true of noun phrases, not
/// of verb runs such as "choosing edit".
pub fn named_as_thing(phrase: &str, words_of_text: &[String]) -> bool {
    let phrase = words(phrase);
    !phrase.is_empty()
        && words_of_text
            .windows(phrase.len() + 1)
            .any(|w| w[1..] == phrase[..] && DETERMINERS.contains(&w[0].as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_phrase_never_repeats_a_word() {
        let parts = vec![
            "Test test runs. Test test passes. The test test fixture is slow.".to_owned(),
            "Packets arrive. Packets are captured.".to_owned(),
        ];
        let k = keyphrases(&parts, 5);
        assert!(!k[0].is_empty());
        for p in &k[0] {
            let mut stems = p.stems.clone();
            stems.dedup();
            assert_eq!(stems, p.stems, "{}", p.text);
        }
    }

    #[test]
    fn distinctive_phrases_rank_first() {
        let parts = vec![
            "Memory cells remember the antigen. Memory cells respond fast. The antigen is foreign. We learn today.".to_owned(),
            "The TCP handshake opens a connection. The TCP handshake uses SYN. We learn today.".to_owned(),
        ];
        let k = keyphrases(&parts, 3);
        assert_eq!(k[0][0].text, "Memory cells");
        assert_eq!(k[1][0].text, "TCP handshake");
        assert!(
            k.iter().flatten().all(|p| p.text != "learn"),
            "words shared by every part do not lead"
        );
    }
}
