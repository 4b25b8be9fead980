//! Words, stop words and stems: the vocabulary every offline analysis shares.

use std::collections::HashMap;
use std::sync::OnceLock;

use rust_stemmers::{Algorithm, Stemmer};

/// Function words and fillers that carry no topic.
const STOPWORDS: &[&str] = &[
    "a",
    "about",
    "above",
    "after",
    "again",
    "against",
    "all",
    "almost",
    "also",
    "am",
    "an",
    "and",
    "any",
    "are",
    "around",
    "as",
    "at",
    "be",
    "because",
    "been",
    "before",
    "being",
    "below",
    "between",
    "both",
    "but",
    "by",
    "can",
    "cannot",
    "could",
    "did",
    "do",
    "does",
    "doing",
    "don't",
    "down",
    "during",
    "each",
    "even",
    "ever",
    "every",
    "few",
    "for",
    "from",
    "further",
    "get",
    "gets",
    "getting",
    "give",
    "gives",
    "go",
    "goes",
    "going",
    "gonna",
    "got",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "here's",
    "hers",
    "him",
    "his",
    "how",
    "i",
    "i'm",
    "i've",
    "if",
    "in",
    "into",
    "is",
    "isn't",
    "it",
    "it's",
    "its",
    "itself",
    "just",
    "kind",
    "know",
    "let",
    "let's",
    "like",
    "lot",
    "make",
    "makes",
    "many",
    "may",
    "me",
    "might",
    "more",
    "most",
    "much",
    "must",
    "my",
    "need",
    "never",
    "no",
    "nor",
    "not",
    "now",
    "of",
    "off",
    "often",
    "ok",
    "okay",
    "on",
    "once",
    "one",
    "only",
    "or",
    "other",
    "our",
    "ours",
    "out",
    "over",
    "own",
    "really",
    "right",
    "said",
    "same",
    "say",
    "see",
    "she",
    "should",
    "so",
    "some",
    "something",
    "still",
    "such",
    "sure",
    "take",
    "than",
    "that",
    "that's",
    "the",
    "their",
    "them",
    "then",
    "there",
    "there's",
    "these",
    "they",
    "they're",
    "thing",
    "things",
    "think",
    "this",
    "those",
    "through",
    "thus",
    "to",
    "today",
    "too",
    "two",
    "under",
    "until",
    "up",
    "us",
    "use",
    "used",
    "uses",
    "using",
    "usually",
    "very",
    "want",
    "was",
    "way",
    "we",
    "we'll",
    "we're",
    "we've",
    "well",
    "were",
    "what",
    "what's",
    "when",
    "where",
    "which",
    "while",
    "who",
    "whole",
    "why",
    "will",
    "with",
    "within",
    "without",
    "won't",
    "would",
    "yeah",
    "yes",
    "yet",
    "you",
    "you'll",
    "you're",
    "you've",
    "your",
    "yours",
    "actually",
    "basically",
    "um",
    "uh",
    "alright",
    "first",
    "second",
    "third",
    "finally",
    "next",
    "last",
    "another",
    "again",
    "maybe",
    "per",
    "back",
    "put",
    "come",
    "comes",
    "look",
    "means",
    "called",
    "call",
    "mean",
    "example",
    "together",
    "whether",
    "anything",
    "everything",
    "nothing",
    "enough",
    "quite",
    "rather",
    "instead",
    "along",
];

/// Arabic function words of three letters or more (shorter ones are never
/// content words): prepositions, pronouns, relatives, particles, and the
/// commonest of them with a conjunction or preposition attached.
const ARABIC_STOPWORDS: &str = "\
    على إلى الى عن مع هذا هذه هذان هاتان هؤلاء ذلك تلك أولئك الذي التي التى الذين \
    اللذان اللتان اللواتي ماذا لماذا ليس ليست كان كانت كانوا يكون تكون يكونون \
    بعض لقد إذا اذا لكن لكنّ حتى عند منذ بين بعد قبل فوق تحت حول دون غير مثل كما \
    لذلك لأن لان أيضا أيضًا ايضا فقط جدا جدًا هناك هنا حيث كيف متى هل يمكن يمكنك \
    عليه عليها عليهم فيه فيها فيهم منه منها منهم لها لهم لكم إليه إليها وهو وهي \
    وفي ومن وعلى وإلى وأن وقد ولا ولم ولن وما وهذا وهذه وذلك أكثر اكثر أقل اقل أحد \
    احد كل وكل نحن أنت انت أنتم انتم أنا هم هن إلا الا بها إليك إليكم عليك لنا أما";

fn stopwords() -> &'static std::collections::HashSet<&'static str> {
    static SET: OnceLock<std::collections::HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| {
        STOPWORDS
            .iter()
            .copied()
            .chain(ARABIC_STOPWORDS.split_whitespace())
            .collect()
    })
}

pub fn is_stopword(word: &str) -> bool {
    stopwords().contains(word)
}

/// The words of a text, lower-cased: letters, digits and inner apostrophes
/// (and a decimal point between digits), split at everything else.
pub fn words(text: &str) -> Vec<String> {
    crate::work::add(text.chars().count());
    let mut out = Vec::new();
    let mut current = String::new();
    let mut previous: Option<char> = None;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let next = chars.peek().copied();
        let between = |test: fn(&char) -> bool| {
            previous.as_ref().is_some_and(test) && next.as_ref().is_some_and(test)
        };
        let keep = c.is_alphanumeric()
            || (c == '\'' && between(|c| c.is_alphabetic()))
            || (c == '.' && between(char::is_ascii_digit));
        if keep {
            current.extend(c.to_lowercase());
        } else if !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        previous = Some(c);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// A content word carries topic: not a stop word, not a number, 3+ letters.
pub fn is_content(word: &str) -> bool {
    word.chars().count() >= 3 && word.chars().any(char::is_alphabetic) && !is_stopword(word)
}

/// The English (Snowball) stem of a lower-case word. Stems are memoised per
/// thread: a lecture repeats its vocabulary, and every analysis stems it.
pub fn stem(word: &str) -> String {
    static STEMMER: OnceLock<Stemmer> = OnceLock::new();
    /// Bounds the memo: past this many distinct words it starts over.
    const MAX_CACHED: usize = 50_000;
    thread_local! {
        static CACHE: std::cell::RefCell<HashMap<String, String>> = std::cell::RefCell::new(HashMap::new());
    }
    CACHE.with(|cache| {
        if let Some(stem) = cache.borrow().get(word) {
            return stem.clone();
        }
        let stem = STEMMER
            .get_or_init(|| Stemmer::create(Algorithm::English))
            .stem(word)
            .into_owned();
        let mut cache = cache.borrow_mut();
        if cache.len() >= MAX_CACHED {
            cache.clear();
        }
        cache.insert(word.to_owned(), stem.clone());
        stem
    })
}

/// Stems of the content words of `text`.
pub fn content_stems(text: &str) -> Vec<String> {
    words(text)
        .into_iter()
        .filter(|w| is_content(w))
        .map(|w| stem(&w))
        .collect()
}

/// Term counts.
pub type Bag = HashMap<String, f64>;

pub fn bag<'a>(terms: impl IntoIterator<Item = &'a String>) -> Bag {
    let mut bag = Bag::new();
    for t in terms {
        *bag.entry(t.clone()).or_insert(0.0) += 1.0;
    }
    bag
}

/// Cosine similarity of two weighted bags.
pub fn cosine(a: &Bag, b: &Bag, weight: impl Fn(&str) -> f64) -> f64 {
    let dot: f64 = a
        .iter()
        .filter_map(|(t, x)| b.get(t).map(|y| x * y * weight(t).powi(2)))
        .sum();
    let norm = |v: &Bag| {
        v.iter()
            .map(|(t, x)| (x * weight(t)).powi(2))
            .sum::<f64>()
            .sqrt()
    };
    let (na, nb) = (norm(a), norm(b));
    if na == 0.0 || nb == 0.0 {
        0.0
    } else {
        dot / (na * nb)
    }
}

/// Inverse document frequency over `docs` (each a list of terms).
pub fn idf(docs: &[Vec<String>]) -> HashMap<String, f64> {
    let mut df: HashMap<String, f64> = HashMap::new();
    for doc in docs {
        let unique: std::collections::HashSet<&String> = doc.iter().collect();
        for t in unique {
            *df.entry(t.clone()).or_insert(0.0) += 1.0;
        }
    }
    let n = docs.len().max(1) as f64;
    df.into_iter()
        .map(|(t, d)| (t, (1.0 + n / d).ln()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_keep_contractions_and_decimals() {
        assert_eq!(
            words("It's 3.5 B-cells, isn't it? 'Quoted'."),
            vec!["it's", "3.5", "b", "cells", "isn't", "it", "quoted"]
        );
        assert_eq!(
            content_stems("The antibodies bind antigens"),
            vec!["antibodi", "bind", "antigen"]
        );
    }
}
