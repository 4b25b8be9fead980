//! What the punctuation model looks at to decide the mark after a word:
//! the words either side and pairs of them, the word's ending and shape,
//! how long the sentence has run, and the mark before. One function, used
//! alike when training and when restoring, so the two cannot drift.

/// The mark after a word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mark {
    None = 0,
    Comma = 1,
    Period = 2,
    Question = 3,
}

pub const MARKS: [Mark; 4] = [Mark::None, Mark::Comma, Mark::Period, Mark::Question];

impl Mark {
    pub fn ends_sentence(self) -> bool {
        matches!(self, Mark::Period | Mark::Question)
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

/// Where the decision is: after `words[at]` (tokens of [`Vocabulary`]),
/// `run` words into the sentence, after `previous`; `pauses[at]` is the
/// silence after the word in ms, when the captions time their words.
#[derive(Debug, Clone, Copy)]
pub struct Gap<'a> {
    pub words: &'a [String],
    pub pauses: Option<&'a [u64]>,
    pub at: usize,
    pub run: usize,
    pub previous: Mark,
}

/// A silence, in a few bands.
fn pause_band(ms: u64) -> &'static str {
    match ms {
        0..150 => "p0",
        150..400 => "p1",
        400..1000 => "p2",
        _ => "p3",
    }
}

/// The words the model knows by name: those seen often enough in
/// training. Any other word is known only by its shape and ending, so the
/// model has learned how rare words behave rather than guessing from a
/// weight it never trained.
#[derive(Debug, Clone, Default)]
pub struct Vocabulary(std::collections::HashSet<String>);

impl Vocabulary {
    /// `words` seen at least `min_count` times.
    pub fn learn<'a>(words: impl IntoIterator<Item = &'a str>, min_count: usize) -> Vocabulary {
        let mut counts: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        for w in words {
            *counts.entry(w).or_default() += 1;
        }
        Vocabulary(
            counts
                .into_iter()
                .filter(|&(_, n)| n >= min_count)
                .map(|(w, _)| w.to_owned())
                .collect(),
        )
    }

    /// A word a line.
    pub fn from_text(text: &str) -> Vocabulary {
        Vocabulary(
            text.lines()
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect(),
        )
    }

    /// A word a line, sorted.
    pub fn to_text(&self) -> String {
        let mut words: Vec<&str> = self.0.iter().map(String::as_str).collect();
        words.sort_unstable();
        words.join("\n") + "\n"
    }

    pub fn contains(&self, word: &str) -> bool {
        self.0.contains(word)
    }

    /// What the model sees of `word` (lower case).
    pub fn token(&self, word: &str) -> String {
        if self.contains(word) {
            word.to_owned()
        } else {
            let ending: String = suffix(word)
                .chars()
                .rev()
                .take(2)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            format!("<{}:{ending}>", shape(word))
        }
    }
}

/// FNV-1a over a template number and its parts; each model keeps as many
/// of its low bits as it has buckets.
fn bucket(template: u8, parts: &[&str]) -> u32 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |byte: u8| {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    };
    eat(template);
    for part in parts {
        eat(0xff);
        part.bytes().for_each(&mut eat);
    }
    hash as u32
}

fn shape(word: &str) -> &'static str {
    let digits = word.chars().filter(char::is_ascii_digit).count();
    match (digits, word.chars().count()) {
        (0, _) => "a",
        (d, n) if d == n => "9",
        _ => "a9",
    }
}

fn suffix(word: &str) -> &str {
    let start = word.char_indices().rev().nth(2).map_or(0, |(i, _)| i);
    &word[start..]
}

/// How long a sentence has run, in a few bands.
fn band(run: usize) -> &'static str {
    match run {
        0 => "0",
        1 => "1",
        2 => "2",
        3..=4 => "3",
        5..=7 => "5",
        8..=11 => "8",
        12..=17 => "12",
        18..=25 => "18",
        _ => "26",
    }
}

const START: &str = "<s>";
const END: &str = "</s>";

/// The gap's features, as bucket numbers, into `out` (cleared first).
pub fn features(gap: Gap<'_>, out: &mut Vec<u32>) {
    out.clear();
    let word = |offset: isize| -> &str {
        let i = gap.at as isize + offset;
        if i < 0 {
            START
        } else {
            gap.words.get(i as usize).map_or(END, String::as_str)
        }
    };
    let (w_1, w0, w1, w2) = (word(-1), word(0), word(1), word(2));
    let run = band(gap.run);
    let previous = ["n", "c", "p", "q"][gap.previous.index()];
    out.extend([
        bucket(0, &[]),
        bucket(1, &[w0]),
        bucket(2, &[w1]),
        bucket(3, &[w_1]),
        bucket(4, &[w2]),
        bucket(5, &[w0, w1]),
        bucket(6, &[w_1, w0]),
        bucket(7, &[w1, w2]),
        bucket(11, &[suffix(w0)]),
        bucket(12, &[shape(w0), shape(w1)]),
        bucket(13, &[run]),
        bucket(14, &[run, w1]),
        bucket(16, &[previous, w0]),
    ]);
    // The words three to six ahead, alone and with the next word: whether
    // a clause goes on ("… no overhead | if a query does not use it.") or
    // a new sentence starts ("… | if you do, then …") shows further on.
    for k in 3..=6 {
        out.push(bucket(20, &[w1, word(k)]));
        out.push(bucket(21, &[word(k)]));
    }
    if let Some(pause) = gap.pauses.and_then(|p| p.get(gap.at)) {
        let band = pause_band(*pause);
        out.extend([
            bucket(17, &[band]),
            bucket(18, &[band, w1]),
            bucket(19, &[band, run]),
        ]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn features_are_the_same_for_the_same_gap() {
        let words: Vec<String> = "so the heap is ready"
            .split(' ')
            .map(String::from)
            .collect();
        let gap = Gap {
            words: &words,
            pauses: None,
            at: 1,
            run: 2,
            previous: Mark::None,
        };
        let (mut a, mut b) = (Vec::new(), Vec::new());
        features(gap, &mut a);
        features(gap, &mut b);
        assert_eq!(a, b);
        let at_end = Gap { at: 4, ..gap };
        features(at_end, &mut b);
        assert_ne!(a, b);
        let pauses = [0, 900, 0, 0, 0];
        features(
            Gap {
                pauses: Some(&pauses),
                ..gap
            },
            &mut b,
        );
        assert_eq!(b.len(), a.len() + 3);
        assert_eq!(suffix("ready"), "ady");
        assert_eq!(suffix("é"), "é");
        assert_eq!(
            (shape("2024"), shape("h2o"), shape("heap")),
            ("9", "a9", "a")
        );
    }
}
