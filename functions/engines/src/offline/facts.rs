//! Facts stated in the material, found by the shapes teachers say them in:
//! definitions ("An antigen is a molecule that…", "We call this X"),
//! quantities ("about 97 percent"), and ordered steps ("First… Second…
//! Finally…"). Questions and lesson notes are built from these, so every
//! one of them points back at the sentence it came from.

use coursegen_core::material::Sentence;

use super::find::{find_marker, strip_marker};
use super::text::{is_stopword, stem, words};

/// The longest term a definition may name, in words.
const MAX_TERM_WORDS: usize = 4;
/// A sequence needs at least this many steps.
const MIN_STEPS: usize = 3;

/// Words that cannot start a defined term: "It is a…" defines nothing.
const NOT_TERMS: &[&str] = &[
    "it", "this", "that", "there", "he", "she", "they", "we", "you", "i", "what", "which", "who",
    "here", "these", "those", "one", "each", "all", "some", "most", "many", "much", "such", "so",
    "and", "but", "or", "if", "when", "now", "today", "first", "second", "third", "next", "last",
    "finally", "another", "then", "also",
];

/// Sentence adverbs, which cannot start one either: "Perhaps the most
/// important is …" defines nothing.
const SENTENCE_ADVERBS: &str = "perhaps probably maybe however therefore thus hence still yet \
    indeed usually often sometimes generally typically basically essentially actually really \
    clearly obviously certainly only just even";

/// A description longer than this is cut at its first clause break.
const MAX_DESCRIPTION_WORDS: usize = 18;

#[derive(Debug, Clone, PartialEq)]
pub struct Definition {
    /// The term as written ("helper T cell").
    pub term: String,
    /// The term with its article, as the sentence says it ("A helper T cell").
    pub subject: String,
    /// The term's stems, for comparing terms ([`term_key`]).
    pub key: String,
    /// What the sentence says it is ("a cell that confirms the threat is real").
    pub description: String,
    /// How the sentence links term and description: "is", "means",
    /// "refers to", "is defined as"; empty when the term names the sentence
    /// before it ("We call this X").
    pub verb: &'static str,
    /// The sentence that states it.
    pub sentence: usize,
    /// One past the last sentence of the fact: the naming sentence of
    /// "We call this X" belongs to it too.
    pub until: usize,
    /// Whether the term is a name: its first word, capitalised at the head
    /// of the sentence, is written so inside sentences too ("Mutt is a
    /// mail client" beside "start Mutt").
    pub name: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Quantity {
    pub value: f64,
    /// The number as written ("1,629", "3.5").
    pub written: String,
    pub decimals: u8,
    pub sentence: usize,
    /// Byte range of the number in the sentence text.
    pub span: (usize, usize),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Sequence {
    /// One sentence per step, in order.
    pub sentences: Vec<usize>,
    /// Each step, its ordinal marker removed.
    pub steps: Vec<String>,
}

/// A term's stems, space-separated: "Memory cells" and "memory cell" share one.
pub fn term_key(term: &str) -> String {
    words(term)
        .iter()
        .map(|w| stem(w))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Two term keys name the same thing when equal or one contains the other
/// ("cell" and "memory cell" would make a confusing pair of options).
pub fn same_key(a: &str, b: &str) -> bool {
    crate::work::add(1);
    a == b || (!a.is_empty() && !b.is_empty() && (a.contains(b) || b.contains(a)))
}

/// The definitions stated in `sentences`.
pub fn definitions(sentences: &[Sentence]) -> Vec<Definition> {
    let mut out = Vec::new();
    for (i, s) in sentences.iter().enumerate() {
        if let Some((subject, term, verb, description)) = copular_definition(&s.text) {
            out.push(Definition {
                key: term_key(&term),
                term,
                subject,
                description,
                verb,
                sentence: i,
                until: i + 1,
                name: false,
            });
        } else if let Some(term) = naming(&s.text)
            && i > 0
        {
            // "We call this X": the previous sentence describes it.
            let description = strip_final_punctuation(&sentences[i - 1].text);
            out.push(Definition {
                key: term_key(&term),
                subject: term.clone(),
                term,
                description: lower_first(&description),
                verb: "",
                sentence: i - 1,
                until: i + 1,
                name: false,
            });
        }
    }
    // One definition per term: the first.
    let mut seen = std::collections::HashSet::new();
    out.retain(|d| seen.insert(d.term.to_lowercase()));
    let names = written_capitalised(sentences, out.iter().map(|d| first_word(&d.subject)));
    for d in &mut out {
        d.name = names.contains(&first_word(&d.subject).to_lowercase());
    }
    out
}

fn first_word(text: &str) -> &str {
    text.split_whitespace().next().unwrap_or("")
}

/// Those of `words` (as written at the head of a sentence) that the
/// sentences write with a capital inside them more often than without,
/// lower-cased.
fn written_capitalised<'a>(
    sentences: &[Sentence],
    words: impl Iterator<Item = &'a str>,
) -> std::collections::HashSet<String> {
    let mut counts: std::collections::HashMap<String, (usize, usize)> = words
        .filter(|w| w.starts_with(char::is_uppercase))
        .map(|w| (w.to_lowercase(), (0, 0)))
        .collect();
    if counts.is_empty() {
        return Default::default();
    }
    for s in sentences {
        for token in s.text.split_whitespace().skip(1) {
            let token = token.trim_matches(|c: char| !c.is_alphanumeric());
            if let Some((capital, lower)) = counts.get_mut(&token.to_lowercase()) {
                if token.starts_with(char::is_uppercase) {
                    *capital += 1;
                } else {
                    *lower += 1;
                }
            }
        }
    }
    counts
        .into_iter()
        .filter(|&(_, (capital, lower))| capital > lower)
        .map(|(word, _)| word)
        .collect()
}

/// "An X is a Y…", "X is the Y…", "X are Y…", "X means Y", "X refers to Y",
/// "X is defined as Y".
/// Returns (subject as written, term, verb, description).
fn copular_definition(text: &str) -> Option<(String, String, &'static str, String)> {
    // Plural "are" is left out: "Antibodies are made by B cells" is no definition.
    for verb in [
        " is defined as ",
        " refers to ",
        " means ",
        " is a ",
        " is an ",
        " is the ",
    ] {
        let Some(at) = find_marker(text, verb) else {
            continue;
        };
        let written = text[..at].trim();
        let subject = ["An ", "an ", "A ", "a ", "The ", "the "]
            .iter()
            .find_map(|article| written.strip_prefix(article))
            .unwrap_or(written);
        if !plausible_term(subject) {
            return None;
        }
        // "is a/an/the": the article stays with the description.
        let keep_article = matches!(verb, " is a " | " is an " | " is the ");
        let predicate_start = if keep_article {
            at + " is ".len()
        } else {
            at + verb.len()
        };
        let description = text.get(predicate_start..).unwrap_or("").trim();
        let description = main_clause(&strip_final_punctuation(description));
        if words(&description).len() < 3 {
            return None;
        }
        let verb = if keep_article { "is" } else { verb.trim() };
        return Some((written.to_owned(), subject.to_owned(), verb, description));
    }
    None
}

/// "We call this X." / "This is called X." / "…is known as X."
fn naming(text: &str) -> Option<String> {
    for marker in [
        "we call this ",
        "this is called ",
        "is known as ",
        "this is known as ",
    ] {
        if let Some(at) = find_marker(text, marker) {
            let rest = strip_final_punctuation(&text[at + marker.len()..]);
            let rest = ["the ", "an ", "a "]
                .iter()
                .find_map(|a| rest.strip_prefix(a))
                .unwrap_or(&rest)
                .to_owned();
            if plausible_term(&rest) {
                return Some(rest);
            }
        }
    }
    None
}

fn plausible_term(term: &str) -> bool {
    let ws = words(term);
    let raw: Vec<&str> = term.split_whitespace().collect();
    !ws.is_empty()
        && ws.len() <= MAX_TERM_WORDS
        && raw.len() <= MAX_TERM_WORDS
        && !NOT_TERMS.contains(&ws[0].as_str())
        && !SENTENCE_ADVERBS.split_whitespace().any(|w| w == ws[0])
        && !is_stopword(&ws[ws.len() - 1])
        && !term.contains([',', ';', ':', '"', '(', ')'])
        && ws.iter().any(|w| w.chars().count() >= 3)
}

/// The description up to its first clause break (", and", ", so", ", which",
/// ", but", ", like", ", where"), when it is long.
fn main_clause(description: &str) -> String {
    if words(description).len() <= MAX_DESCRIPTION_WORDS {
        return description.to_owned();
    }
    [
        ", and ",
        ", so ",
        ", which ",
        ", but ",
        ", like ",
        ", where ",
        ", making ",
    ]
    .iter()
    .filter_map(|b| description.find(b))
    .filter(|at| words(&description[..*at]).len() >= 8)
    .min()
    .map_or_else(|| description.to_owned(), |at| description[..at].to_owned())
}

fn strip_final_punctuation(s: &str) -> String {
    s.trim()
        .trim_end_matches(['.', '!', '?', ';', ':', ','])
        .trim()
        .to_owned()
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        // Keep acronyms ("TCP …") as they are.
        Some(f) if c.clone().next().is_some_and(char::is_lowercase) => {
            f.to_lowercase().chain(c).collect()
        }
        Some(f) => std::iter::once(f).chain(c).collect(),
        None => String::new(),
    }
}

/// Numbers in the sentences: digits with optional thousands commas and a
/// decimal part, standing alone (not inside "CO2").
/// Words whose number is a label: "figure 3" points at a figure.
const LABELS: &[&str] = &[
    "figure", "fig", "table", "chapter", "section", "page", "pages", "step", "example", "version",
    "line", "item", "part", "appendix", "exercise", "listing", "equation", "lesson", "module",
    "no", "number", "chap", "sec",
];

/// A byte that continues a word or name ("remoteListenThread_1").
fn in_name(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'.'
}

/// Whether what follows a comma is a thousands group: exactly three digits
/// ("1,000,000"; "(1,5000001)" is two numbers).
fn thousands(rest: &[u8]) -> bool {
    rest.len() >= 3
        && rest[..3].iter().all(u8::is_ascii_digit)
        && !rest.get(3).is_some_and(u8::is_ascii_digit)
}

pub fn quantities(sentences: &[Sentence]) -> Vec<Quantity> {
    let mut out = Vec::new();
    for (i, s) in sentences.iter().enumerate() {
        let text = &s.text;
        let bytes = text.as_bytes();
        let mut k = 0;
        while k < bytes.len() {
            let starts_number = bytes[k].is_ascii_digit() && (k == 0 || !in_name(bytes[k - 1]));
            if !starts_number {
                k += 1;
                continue;
            }
            let mut end = k;
            while end < bytes.len()
                && (bytes[end].is_ascii_digit()
                    || (bytes[end] == b'.' && bytes.get(end + 1).is_some_and(u8::is_ascii_digit))
                    || (bytes[end] == b',' && thousands(&bytes[end + 1..])))
            {
                end += 1;
            }
            // "3rd", "file_1", "2.0.x": the number is part of a word or name.
            let followed_by_letter = match bytes.get(end..end + 2) {
                Some([b'.', next]) => in_name(*next),
                _ => bytes.get(end).is_some_and(|&b| b != b'.' && in_name(b)),
            };
            // "Figure 3", "section 2.1": a label names a place, it is no figure to learn.
            let label = text[..k]
                .split_whitespace()
                .next_back()
                .is_some_and(|w| LABELS.contains(&w.to_lowercase().trim_end_matches(['.', ','])));
            // "gimp-2.10", "Example 15-16", "mailx(1)": a number joined to
            // a word or another number is part of a name or a reference.
            let joined = k >= 2
                && in_name(bytes[k - 2])
                && (bytes[k - 1] == b'-'
                    || (bytes[k - 1] == b'(' && bytes.get(end) == Some(&b')')));
            let written = &text[k..end];
            let plain = written.replace(',', "");
            if !followed_by_letter
                && !label
                && !joined
                && let Ok(value) = plain.parse::<f64>()
            {
                let decimals = plain
                    .split_once('.')
                    .map_or(0, |(_, d)| d.len().min(6) as u8);
                out.push(Quantity {
                    value,
                    written: written.to_owned(),
                    decimals,
                    sentence: i,
                    span: (k, end),
                });
            }
            k = end.max(k + 1);
        }
    }
    out
}

const ORDINALS: &[&[&str]] = &[
    &["first", "firstly", "to begin", "step one"],
    &[
        "second",
        "secondly",
        "then",
        "next",
        "after that",
        "step two",
    ],
    &[
        "third",
        "thirdly",
        "then",
        "next",
        "after that",
        "step three",
    ],
    &["fourth", "then", "next", "after that", "step four"],
    &["fifth", "then", "next", "after that", "step five"],
    &["sixth", "then", "next", "after that"],
];

/// Runs of consecutive sentences that start "First…", continue "Second…" /
/// "Then…" / "Next…", and (optionally) end "Finally…".
pub fn sequences(sentences: &[Sentence]) -> Vec<Sequence> {
    let marker = |text: &str, options: &[&str]| -> Option<String> {
        options.iter().find_map(|m| {
            let rest = strip_marker(text, m)?;
            rest.starts_with([',', ' '])
                .then(|| strip_final_punctuation(rest.trim_start_matches([',', ' '])))
        })
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < sentences.len() {
        let Some(first) = marker(&sentences[i].text, ORDINALS[0]) else {
            i += 1;
            continue;
        };
        let mut seq = Sequence {
            sentences: vec![i],
            steps: vec![first],
        };
        let mut j = i + 1;
        while j < sentences.len() {
            let position = seq.steps.len();
            let options =
                ORDINALS
                    .get(position)
                    .copied()
                    .unwrap_or(&["then", "next", "after that"]);
            if let Some(step) = marker(&sentences[j].text, options) {
                seq.sentences.push(j);
                seq.steps.push(step);
                j += 1;
            } else if let Some(step) = marker(&sentences[j].text, &["finally", "lastly", "last"]) {
                seq.sentences.push(j);
                seq.steps.push(step);
                j += 1;
                break;
            } else {
                break;
            }
        }
        if seq.steps.len() >= MIN_STEPS && seq.steps.iter().all(|s| words(s).len() >= 2) {
            out.push(seq);
        }
        i = j;
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A sentence a second, for tests.
    pub(crate) fn sentences(texts: &[&str]) -> Vec<Sentence> {
        texts
            .iter()
            .enumerate()
            .map(|(i, t)| Sentence {
                start_ms: i as u64 * 1000,
                end_ms: i as u64 * 1000 + 900,
                text: (*t).into(),
                end_trust: coursegen_core::material::EndTrust::Sure,
            })
            .collect()
    }

    #[test]
    fn definitions_in_their_usual_shapes() {
        let s = sentences(&[
            "An antigen is a molecule that the immune system can recognize as foreign.",
            "A helper T cell is a cell that confirms the threat is real.",
            "It is a simple idea really.",
            "Perhaps the most important is the layer mode of the image.",
            "The body remembers a specific antigen for years.",
            "We call this immunological memory.",
            "Magnitude is a number that describes how much energy was released.",
            "Photosynthesis means turning light into sugar.",
        ]);
        let found: Vec<(String, String, usize)> = definitions(&s)
            .into_iter()
            .map(|d| (d.term, d.description, d.sentence))
            .collect();
        assert_eq!(
            found,
            vec![
                (
                    "antigen".into(),
                    "a molecule that the immune system can recognize as foreign".into(),
                    0
                ),
                (
                    "helper T cell".into(),
                    "a cell that confirms the threat is real".into(),
                    1
                ),
                (
                    "immunological memory".into(),
                    "the body remembers a specific antigen for years".into(),
                    4
                ),
                (
                    "Magnitude".into(),
                    "a number that describes how much energy was released".into(),
                    6
                ),
                (
                    "Photosynthesis".into(),
                    "turning light into sugar".into(),
                    7
                ),
            ]
        );
    }

    #[test]
    fn quantities_skip_formula_digits() {
        let s = sentences(&[
            "About 97 percent, 1,629 dollars and 3.5 hours, but not CO2 or H2O; magnitude 5.",
            "Figure 3.2 and section 4 show it, as table 2 does; type gimp-2.10 to start.",
            "Versions 2.0.x and 2.1.y, Example 15-16, sl_log_1 and event (1,5000001) hold 6 rows.",
            "See mailx(1) and figure, 11 (restored captions) for the 2 modes.",
        ]);
        let q: Vec<(f64, String, u8)> = quantities(&s)
            .into_iter()
            .map(|q| (q.value, q.written, q.decimals))
            .collect();
        assert_eq!(
            q,
            vec![
                (97.0, "97".into(), 0),
                (1629.0, "1,629".into(), 0),
                (3.5, "3.5".into(), 1),
                (5.0, "5".into(), 0),
                (1.0, "1".into(), 0),
                (5000001.0, "5000001".into(), 0),
                (6.0, "6".into(), 0),
                (2.0, "2".into(), 0)
            ]
        );
    }

    #[test]
    fn text_whose_lower_case_is_longer_is_cut_where_it_says() {
        // "İ" is two bytes and its lower case three: cut at offsets of the
        // lower-cased text, these sentences panicked.
        let s = sentences(&[
            "Tea grows on the hills above the sea.",
            "In İzmir we call this çay.",
            "İİ İzmir Port is a harbour that ships tea all over the world.",
            "First, İİİİİİİİİİ.",
            "First, İİ dries the leaves.",
            "Second, the İzmir sun warms them.",
            "Finally, we pack the çay.",
        ]);
        let found: Vec<(String, String)> = definitions(&s)
            .into_iter()
            .map(|d| (d.term, d.description))
            .collect();
        assert_eq!(
            found,
            vec![
                ("çay".into(), "tea grows on the hills above the sea".into()),
                (
                    "İİ İzmir Port".into(),
                    "a harbour that ships tea all over the world".into()
                ),
            ]
        );
        let seqs = sequences(&s);
        assert_eq!(seqs.len(), 1);
        assert_eq!(
            seqs[0].steps,
            vec![
                "İİ dries the leaves",
                "the İzmir sun warms them",
                "we pack the çay"
            ]
        );
    }

    #[test]
    fn ordered_steps() {
        let s = sentences(&[
            "Now let me walk you through it.",
            "First, the germ enters and multiplies.",
            "Second, scout cells show its antigens to helper T cells.",
            "Third, the matching B cells are activated.",
            "Finally, antibody levels peak.",
            "That is the whole story.",
        ]);
        let seqs = sequences(&s);
        assert_eq!(seqs.len(), 1);
        assert_eq!(seqs[0].sentences, vec![1, 2, 3, 4]);
        assert_eq!(seqs[0].steps[0], "the germ enters and multiplies");
        assert_eq!(seqs[0].steps[3], "antibody levels peak");
    }
}
