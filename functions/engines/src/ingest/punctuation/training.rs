//! Learning the punctuation model from punctuated prose, and measuring it
//! on prose it has not seen: what `scripts/train-punctuation` runs (through
//! the `train-punctuation` example), kept here so its tests run with the
//! crate's.

use std::collections::{BTreeMap, HashMap};

use super::features::{Gap, Mark, Vocabulary, features};
use super::model::{Perceptron, Weights, best};

/// A word of a paragraph: as written (for casing), in lower case without
/// its punctuation (as captions give it), and the mark after it.
#[derive(Debug, Clone, PartialEq)]
pub struct Labelled {
    pub written: String,
    pub lower: String,
    pub mark: Mark,
}

const OPENERS: &[char] = &['"', '\'', '(', '[', '{', '\u{201c}', '\u{2018}', '«'];
const CLOSERS: &[char] = &['"', '\'', ')', ']', '}', '\u{201d}', '\u{2019}', '»'];

/// A paragraph's words and the marks after them. A full stop followed by a
/// lower-case word ("e.g. the") ends nothing; colons and semicolons count
/// as commas; the paragraph's last word ends a sentence.
pub fn labelled(paragraph: &str) -> Vec<Labelled> {
    let tokens: Vec<&str> = paragraph.split_whitespace().collect();
    let mut out: Vec<Labelled> = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        let core = token.trim_start_matches(OPENERS);
        let word =
            core.trim_end_matches(|c: char| c.is_ascii_punctuation() || CLOSERS.contains(&c));
        let tail = &core[word.len()..];
        if !word.chars().any(char::is_alphanumeric) {
            // A dash or a lone symbol: a pause where it stands.
            if let Some(last) = out.last_mut()
                && last.mark == Mark::None
                && !tail.is_empty()
            {
                last.mark = Mark::Comma;
            }
            continue;
        }
        let next_lower = tokens
            .get(i + 1)
            .and_then(|t| t.trim_start_matches(OPENERS).chars().next())
            .is_some_and(char::is_lowercase);
        let mark = if tail.contains('?') {
            Mark::Question
        } else if tail.contains(['.', '!']) && !next_lower {
            Mark::Period
        } else if tail.contains([',', ';', ':']) {
            Mark::Comma
        } else {
            Mark::None
        };
        out.push(Labelled {
            written: word.to_owned(),
            lower: word.to_lowercase(),
            mark,
        });
    }
    if let Some(last) = out.last_mut()
        && !last.mark.ends_sentence()
    {
        last.mark = Mark::Period;
    }
    out
}

/// Consecutive paragraphs joined into runs of at least `words` words, as
/// a lecture's captions run on from one paragraph to the next: the model
/// must find sentence ends without a paragraph's end to lean on.
pub fn runs(paragraphs: Vec<Vec<Labelled>>, words: usize) -> Vec<Vec<Labelled>> {
    let mut out: Vec<Vec<Labelled>> = Vec::new();
    for paragraph in paragraphs {
        match out.last_mut() {
            Some(run) if run.len() < words => run.extend(paragraph),
            _ => out.push(paragraph),
        }
    }
    out
}

/// `run` as the right-to-left model reads it: the words in reverse order,
/// each with the mark of the gap that follows it there; the last (the
/// run's first word) ends it.
pub fn reversed(run: &[Labelled]) -> Vec<Labelled> {
    let marks: Vec<Mark> = run.iter().map(|w| w.mark).collect();
    run.iter()
        .rev()
        .zip(super::backwards(&marks, Mark::Period))
        .map(|(word, mark)| Labelled {
            mark,
            ..word.clone()
        })
        .collect()
}

/// A small deterministic generator (xorshift), so training gives the same
/// weights on every machine and every version of every crate.
struct Xorshift(u64);

impl Xorshift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn shuffled(n: usize, epoch: u64) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    let mut random = Xorshift(0x9e37_79b9_7f4a_7c15 ^ epoch.wrapping_mul(0xbf58_476d_1ce4_e5b9));
    for i in (1..n).rev() {
        order.swap(i, (random.next() % (i as u64 + 1)) as usize);
    }
    order
}

/// How often speech pauses after a word, by the mark written after it:
/// an assumption about speaking (a pause at most sentence ends, at some
/// commas, seldom elsewhere), since written prose has no timing. Half the
/// runs are trained with these pauses, half without any timing, as
/// evenly timed captions come.
const PAUSE_AFTER: [(Mark, u64); 4] = [
    (Mark::None, 3),
    (Mark::Comma, 30),
    (Mark::Period, 70),
    (Mark::Question, 70),
];

/// Simulated silences after each word of `run`, in ms.
fn simulated_pauses(run: &[Labelled], random: &mut Xorshift) -> Vec<u64> {
    run.iter()
        .map(|w| {
            let percent = PAUSE_AFTER
                .iter()
                .find(|(m, _)| *m == w.mark)
                .map_or(0, |p| p.1);
            if random.next() % 100 < percent {
                150 + random.next() % 1200
            } else {
                random.next() % 150
            }
        })
        .collect()
}

/// The words of `paragraphs` as the model sees them.
fn tokens(vocabulary: &Vocabulary, run: &[Labelled]) -> Vec<String> {
    run.iter().map(|w| vocabulary.token(&w.lower)).collect()
}

/// The vocabulary of `paragraphs`: words seen `min_count` times or more.
pub fn vocabulary(paragraphs: &[Vec<Labelled>], min_count: usize) -> Vocabulary {
    Vocabulary::learn(
        paragraphs.iter().flatten().map(|w| w.lower.as_str()),
        min_count,
    )
}

/// Trains a model of `buckets` features on `paragraphs` for `epochs`
/// passes; the weights file's bytes.
pub fn train(
    paragraphs: &[Vec<Labelled>],
    vocabulary: &Vocabulary,
    buckets: usize,
    epochs: u64,
) -> Vec<u8> {
    let mut model = Perceptron::new(buckets);
    let mut scratch = Vec::new();
    let mut random = Xorshift(0x2545_f491_4f6c_dd1d);
    for epoch in 0..epochs {
        for &p in &shuffled(paragraphs.len(), epoch) {
            let run = &paragraphs[p];
            let words = tokens(vocabulary, run);
            let pauses = random
                .next()
                .is_multiple_of(2)
                .then(|| simulated_pauses(run, &mut random));
            // The history is the model's own, as it will be when used.
            let (mut start, mut previous) = (0, Mark::Period);
            for (at, word) in run.iter().enumerate() {
                let gap = Gap {
                    words: &words,
                    pauses: pauses.as_deref(),
                    at,
                    run: at - start,
                    previous,
                };
                features(gap, &mut scratch);
                let guess = best(&model.scores(&scratch));
                model.learn(&scratch, guess, word.mark);
                previous = guess;
                if guess.ends_sentence() {
                    start = at + 1;
                }
            }
        }
    }
    model.to_bytes()
}

/// Each word's usual written form where it is not all lower case: the form
/// most often seen away from the start of a sentence, if it is written so
/// at least `min_count` times and more than half the time. `lower<TAB>Form`
/// lines, sorted.
pub fn truecase(paragraphs: &[Vec<Labelled>], min_count: usize) -> String {
    let mut seen: HashMap<&str, BTreeMap<&str, usize>> = HashMap::new();
    for paragraph in paragraphs {
        for (i, word) in paragraph.iter().enumerate() {
            let initial = i == 0 || paragraph[i - 1].mark.ends_sentence();
            if !initial {
                *seen
                    .entry(&word.lower)
                    .or_default()
                    .entry(&word.written)
                    .or_default() += 1;
            }
        }
    }
    let mut lines: Vec<String> = seen
        .into_iter()
        .filter_map(|(lower, forms)| {
            let total: usize = forms.values().sum();
            let (form, count) = forms
                .into_iter()
                .max_by_key(|&(form, n)| (n, std::cmp::Reverse(form)))?;
            (form != lower && count >= min_count && count * 2 > total)
                .then(|| format!("{lower}\t{form}"))
        })
        .collect();
    lines.sort();
    lines.join("\n") + "\n"
}

/// Words a sentence does not end on: one cut there is a fragment
/// ("…is the.", "…because.").
pub const NEVER_LAST: &[&str] = &[
    "the", "a", "an", "and", "or", "but", "of", "because", "than", "its", "their", "our", "your",
    "my", "every", "each", "whose", "very", "into", "onto", "if", "although", "whether",
];

/// How restored marks compare with the written ones.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    pub words: usize,
    /// Sentence ends: right, restored, written.
    pub ends: (usize, usize, usize),
    /// Commas, likewise.
    pub commas: (usize, usize, usize),
    /// Restored sentences, and those ending on a [`NEVER_LAST`] word.
    pub sentences: usize,
    pub fragments: usize,
    /// Restored ends where the text has a sentence end or a comma; those
    /// both models give at least [`super::LIKELY_MARGIN`] and
    /// [`super::SURE_MARGIN`], each with how many of them fall where the
    /// text has one.
    pub ends_at_breaks: usize,
    pub likely_ends: (usize, usize),
    pub sure_ends: (usize, usize),
}

impl Report {
    fn f1((right, restored, written): (usize, usize, usize)) -> (f64, f64, f64) {
        let p = right as f64 / restored.max(1) as f64;
        let r = right as f64 / written.max(1) as f64;
        (
            p,
            r,
            if p + r > 0.0 {
                2.0 * p * r / (p + r)
            } else {
                0.0
            },
        )
    }

    pub fn summary(&self) -> String {
        let (ep, er, ef) = Report::f1(self.ends);
        let (cp, cr, cf) = Report::f1(self.commas);
        format!(
            "{} words; sentence ends P {ep:.3} R {er:.3} F1 {ef:.3}; commas P {cp:.3} R {cr:.3} F1 {cf:.3}; fragments {:.1} % of {} sentences; at a sentence or clause end: {:.1} % of all ends, {:.1} % of the {} likely ones, {:.1} % of the {} sure ones",
            self.words,
            100.0 * self.fragments as f64 / self.sentences.max(1) as f64,
            self.sentences,
            100.0 * self.ends_at_breaks as f64 / self.ends.1.max(1) as f64,
            100.0 * self.likely_ends.1 as f64 / self.likely_ends.0.max(1) as f64,
            self.likely_ends.0,
            100.0 * self.sure_ends.1 as f64 / self.sure_ends.0.max(1) as f64,
            self.sure_ends.0,
        )
    }
}

/// Restores `paragraphs` joined as one run of speech (as a lecture's
/// captions are) with the `forward` and `backward` weights files' models,
/// against their written marks.
pub fn evaluate(
    (forward, backward): (&[u8], &[u8]),
    vocabulary: &Vocabulary,
    paragraphs: &[Vec<Labelled>],
) -> Result<Report, super::model::BadWeights> {
    let models = (
        Weights::from_bytes(forward)?,
        Weights::from_bytes(backward)?,
    );
    let all: Vec<&Labelled> = paragraphs.iter().flatten().collect();
    let words: Vec<String> = all.iter().map(|w| vocabulary.token(&w.lower)).collect();
    let restored = super::restored((&models.0, &models.1), &words, None);
    let mut report = Report {
        words: words.len(),
        ..Report::default()
    };
    let margins = (0..words.len()).map(|at| restored.confidence(at));
    for ((word, restored), margin) in all.iter().zip(&restored.marks).zip(margins) {
        report.ends_at_breaks += usize::from(restored.ends_sentence() && word.mark != Mark::None);
        for (tally, least) in [
            (&mut report.likely_ends, super::LIKELY_MARGIN),
            (&mut report.sure_ends, super::SURE_MARGIN),
        ] {
            if restored.ends_sentence() && margin >= least {
                tally.0 += 1;
                tally.1 += usize::from(word.mark != Mark::None);
            }
        }
        let count = |tally: &mut (usize, usize, usize), is: fn(Mark) -> bool| {
            tally.0 += usize::from(is(*restored) && is(word.mark));
            tally.1 += usize::from(is(*restored));
            tally.2 += usize::from(is(word.mark));
        };
        count(&mut report.ends, Mark::ends_sentence);
        count(&mut report.commas, |m| m == Mark::Comma);
        if restored.ends_sentence() {
            report.sentences += 1;
            report.fragments += usize::from(NEVER_LAST.contains(&word.lower.as_str()));
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_are_labelled_as_written() {
        let words =
            labelled("Hello, world. See e.g. the \"Python\" docs (v3)! Why? Because — it works");
        let marks: Vec<(&str, Mark)> = words.iter().map(|w| (w.lower.as_str(), w.mark)).collect();
        assert_eq!(
            marks,
            [
                ("hello", Mark::Comma),
                ("world", Mark::Period),
                ("see", Mark::None),
                ("e.g", Mark::None),
                ("the", Mark::None),
                ("python", Mark::None),
                ("docs", Mark::None),
                ("v3", Mark::Period),
                ("why", Mark::Question),
                ("because", Mark::None),
                ("it", Mark::None),
                ("works", Mark::Period),
            ]
        );
        assert_eq!(words[5].written, "Python");
    }

    #[test]
    fn a_run_reversed_keeps_each_mark_at_its_gap() {
        let run = labelled("Hello, world. See it");
        let back = reversed(&run);
        let back: Vec<(&str, Mark)> = back.iter().map(|w| (w.lower.as_str(), w.mark)).collect();
        // "it | see . world , hello": the full stop sits between "see" and "world".
        assert_eq!(
            back,
            [
                ("it", Mark::None),
                ("see", Mark::Period),
                ("world", Mark::Comma),
                ("hello", Mark::Period),
            ]
        );
    }

    #[test]
    fn a_model_trained_on_prose_learns_its_sentence_ends() {
        let text = [
            "The heap needs air. Turn it every week, and keep it damp.",
            "Water the roots in the morning. The leaves stay dry, and less water is lost.",
            "Is the heap too wet? Add dry leaves. Turn it again.",
        ];
        // One run of them, as the trainer joins paragraphs into runs.
        let paragraphs: Vec<Vec<Labelled>> = vec![text.iter().flat_map(|p| labelled(p)).collect()];
        let known = vocabulary(&paragraphs, 1);
        let bytes = train(&paragraphs, &known, 1 << 12, 10);
        assert_eq!(
            bytes,
            train(&paragraphs, &known, 1 << 12, 10),
            "training is deterministic"
        );
        let backward: Vec<Vec<Labelled>> = paragraphs.iter().map(|r| reversed(r)).collect();
        let backward = train(&backward, &known, 1 << 12, 10);
        let report = evaluate((&bytes, &backward), &known, &paragraphs).unwrap();
        let (right, restored, written) = report.ends;
        assert!(
            right + 1 >= written && restored <= written + 1,
            "{}",
            report.summary()
        );
        let lexicon = truecase(
            &[labelled(
                "We use Python. I like Python and python is fine. Python rocks.",
            )],
            2,
        );
        assert_eq!(lexicon, "python\tPython\n");
    }
}
