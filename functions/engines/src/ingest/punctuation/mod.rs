//! Punctuation and casing restored to speech captions that have neither
//! (YouTube's automatic captions): a mark after every word — nothing, a
//! comma, a full stop or a question mark — chosen left to right by an
//! averaged perceptron over the words around it ([`features`], [`model`]),
//! each sentence end checked by a second model that reads the words right
//! to left, and each word's usual casing from a lexicon. All are learned by
//! `scripts/train-punctuation` from prose that Debian packages ship (see
//! README) into `forward.bin`, `backward.bin`, `vocabulary.txt` and
//! `truecase.txt` ([`files`]).

mod features;
mod files;
mod model;
pub mod training;

use coursegen_core::material::EndTrust;
use features::{Gap, features};
pub use features::{Mark, Vocabulary};
use files::model;
pub use files::{BadModel, present};
use model::{Weights, best};

/// A sentence is never cut before this many words unless the model is
/// sure; run-on speech is cut at its likeliest end by this many.
pub const MAX_RUN: usize = 30;
const MIN_RUN: usize = 4;
/// A sentence end both models give at least this margin (see [`Marks`]) is
/// likely: in the held-out manuals, 96.3 % of such ends fall at a written
/// sentence or clause end, against 77 % of all ends…
const LIKELY_MARGIN: f32 = 12.0;
/// …and 98.5 % of those with at least this margin, which they are sure of
/// (`scripts/train-punctuation` reports all three).
const SURE_MARGIN: f32 = 24.0;
/// A restored sentence longer than this is often two the model ran
/// together, so its end is not trusted either (in lectures made from the
/// held-out manuals, one in four of those over 24 words ends mid-clause).
const MAX_SURE_WORDS: usize = 24;
/// Words that open a subordinate clause. A restored sentence that begins
/// with one and has no comma is often the clause the sentence before it
/// goes on with ("… edit them later | if you want more detail."): in the
/// held-out manuals, 70 % of the likely ends before such a clause are
/// written sentence ends, against 87 % of all likely ends.
const SUBORDINATORS: &[&str] = &[
    "after", "although", "as", "because", "before", "if", "once", "since", "than", "though",
    "unless", "until", "when", "whenever", "where", "whereas", "wherever", "whether", "which",
    "while",
];

/// Whether `word` (lower case) is one the model learned by name: common
/// in written English documentation. A word said often in a lecture yet
/// unknown here is likely a name ("gnucash") or a term of its own.
pub fn is_known_word(word: &str) -> bool {
    model().vocabulary.contains(word)
}

/// The mark after each word of speech, and how sure the models are of a
/// sentence ending there.
#[derive(Debug, Clone, Default)]
pub struct Marks {
    pub marks: Vec<Mark>,
    /// After each word: the score of ending a sentence there less the
    /// best score of not ending it, by the model that chose the marks.
    /// Positive where it chose an end; negative where a run-on was cut;
    /// infinite at the last word.
    pub margins: Vec<f32>,
    /// The same after each word by the model reading right to left, which
    /// has seen what follows the gap as a whole: a clause that goes on
    /// past a guessed end ("… is the | value of …") shows there.
    pub checks: Vec<f32>,
    /// After each word: whether the sentence that follows reads as a
    /// trailing clause of this one (see [`SUBORDINATORS`]).
    pub trailing: Vec<bool>,
}

impl Marks {
    /// How sure both models are that a sentence ends after word `at`; not
    /// at all where a trailing clause follows.
    pub fn confidence(&self, at: usize) -> f32 {
        let margin = self.margins[at].min(self.checks[at]);
        if self.trailing[at] {
            margin.min(0.0)
        } else {
            margin
        }
    }

    /// How far to trust that the sentence of words `first..=last` ends
    /// where the speaker's did: by both models' margins, unless it ran
    /// long.
    pub fn end_trust(&self, first: usize, last: usize) -> EndTrust {
        let margin = self.confidence(last);
        if margin < LIKELY_MARGIN || last - first >= MAX_SURE_WORDS {
            EndTrust::Guess
        } else if margin < SURE_MARGIN {
            EndTrust::Likely
        } else {
            EndTrust::Sure
        }
    }
}

/// The mark after each of `words` (lower case, unpunctuated), by `score`,
/// and each gap's margin (see [`Marks`]); `pauses` as in [`Gap`].
fn marks_by(
    words: &[String],
    pauses: Option<&[u64]>,
    mut score: impl FnMut(Gap<'_>) -> [f32; 4],
) -> (Vec<Mark>, Vec<f32>) {
    let mut marks = vec![Mark::None; words.len()];
    let mut margins = vec![f32::MIN; words.len()];
    let (mut at, mut start) = (0, 0);
    while at < words.len() {
        let previous = at.checked_sub(1).map_or(Mark::Period, |i| marks[i]);
        let scores = score(Gap {
            words,
            pauses,
            at,
            run: at - start,
            previous,
        });
        marks[at] = best(&scores);
        margins[at] = scores[Mark::Period.index()].max(scores[Mark::Question.index()])
            - scores[Mark::None.index()].max(scores[Mark::Comma.index()]);
        if marks[at].ends_sentence() {
            start = at + 1;
        } else if at + 1 - start >= MAX_RUN {
            // Run-on: end it where an end was likeliest, and go on from there.
            let cut = (start + MIN_RUN - 1..=at)
                .max_by(|&a, &b| margins[a].total_cmp(&margins[b]))
                .unwrap_or(at);
            marks[cut] = Mark::Period;
            start = cut + 1;
            at = cut;
        }
        at += 1;
    }
    if let Some(last) = marks.last_mut()
        && !last.ends_sentence()
    {
        *last = Mark::Period;
    }
    if let Some(last) = margins.last_mut() {
        *last = f32::INFINITY;
    }
    (marks, margins)
}

/// What is said of each gap between words (what follows each word) as the
/// right-to-left model reads them: the gaps before the last word in
/// reverse order, then `end` for the end of speech. Gap `i` of the words
/// is gap `n - 2 - i` of the reversed words, so this is its own inverse.
pub(crate) fn backwards<T: Copy>(gaps: &[T], end: T) -> Vec<T> {
    match gaps.split_last() {
        Some((_, before)) => before.iter().rev().copied().chain([end]).collect(),
        None => Vec::new(),
    }
}

/// The marks after `tokens` (see [`Vocabulary::token`]) by the `forward`
/// model, with the `backward` model's margins as checks.
fn restored(
    (forward, backward): (&Weights, &Weights),
    tokens: &[String],
    pauses: Option<&[u64]>,
) -> Marks {
    let mut scratch = Vec::new();
    let (marks, margins) = marks_by(tokens, pauses, |gap| {
        features(gap, &mut scratch);
        forward.scores(&scratch)
    });
    let reversed: Vec<String> = tokens.iter().rev().cloned().collect();
    let reversed_pauses = pauses.map(|p| backwards(p, 0));
    let (_, reversed_margins) = marks_by(&reversed, reversed_pauses.as_deref(), |gap| {
        features(gap, &mut scratch);
        backward.scores(&scratch)
    });
    Marks {
        trailing: trailing_clauses(tokens, &marks),
        marks,
        margins,
        checks: backwards(&reversed_margins, f32::INFINITY),
    }
}

/// After each word, whether the sentence `marks` begin after it opens with
/// a subordinating conjunction, has no comma and is no question.
fn trailing_clauses(tokens: &[String], marks: &[Mark]) -> Vec<bool> {
    let mut trailing = vec![false; marks.len()];
    for pair in spans(marks).windows(2) {
        let ((_, end), (first, last)) = (pair[0], pair[1]);
        trailing[end] = SUBORDINATORS.contains(&tokens[first].as_str())
            && marks[last] == Mark::Period
            && !marks[first..last].contains(&Mark::Comma);
    }
    trailing
}

/// The mark after each word of unpunctuated speech (lower case), given
/// the silence after each word where the captions time their words; the
/// last always ends a sentence.
pub fn marks(words: &[String], pauses: Option<&[u64]>) -> Marks {
    let model = model();
    let tokens: Vec<String> = words.iter().map(|w| model.vocabulary.token(w)).collect();
    restored((&model.forward, &model.backward), &tokens, pauses)
}

/// `word` as it is usually written: "python" → "Python", "i" → "I" (a
/// word the captions already give capitals keeps them); first in a
/// sentence, with a capital.
pub fn cased(word: &str, first: bool) -> String {
    let lower = word.to_lowercase();
    let usual = match model().truecase.get(&lower) {
        _ if lower != word => word.to_owned(),
        Some(form) => form.clone(),
        None if word == "i" || word.starts_with("i'") => format!("I{}", &word[1..]),
        None => word.to_owned(),
    };
    if !first {
        return usual;
    }
    let mut chars = usual.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => usual,
    }
}

/// One sentence's words written out with their casing and marks.
pub fn written(words: &[&str], marks: &[Mark]) -> String {
    let mut text = String::new();
    for (word, mark) in words.iter().zip(marks) {
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(&cased(word, text.is_empty()));
        match mark {
            Mark::None => {}
            Mark::Comma => text.push(','),
            Mark::Period => text.push('.'),
            Mark::Question => text.push('?'),
        }
    }
    text
}

/// The `(first, last)` word of each sentence, by `marks`.
pub fn spans(marks: &[Mark]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut first = 0;
    for (i, mark) in marks.iter().enumerate() {
        if mark.ends_sentence() {
            out.push((first, i));
            first = i + 1;
        }
    }
    out
}

/// Speech with its punctuation and casing restored, a sentence per item.
pub fn restore(words: &[&str]) -> Vec<String> {
    let lower: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
    let Marks { marks, .. } = marks(&lower, None);
    spans(&marks)
        .into_iter()
        .map(|(a, b)| written(&words[a..=b], &marks[a..=b]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_compiled_model_loads_and_restores_a_passage() {
        let words: Vec<&str> = "today we will look at how a compost heap works what goes into it and how long it takes the heap needs air and water so turn it every week"
            .split(' ')
            .collect();
        let sentences = restore(&words);
        assert!(sentences[0].starts_with("Today"), "{sentences:?}");
        let joined: String = sentences.join(" ");
        assert_eq!(
            joined.split_whitespace().count(),
            words.len(),
            "no word lost: {joined}"
        );
        assert!(sentences.iter().all(|s| s.ends_with(['.', '?'])));
    }

    #[test]
    fn run_on_speech_is_cut_by_the_maximum() {
        let words: Vec<String> = vec!["word".to_owned(); 100];
        let (marks, margins) = marks_by(&words, None, |_| [1.0, 0.0, 0.0, 0.0]);
        assert!(margins[..99].iter().all(|&m| m < 0.0), "no end was chosen");
        let ends: Vec<usize> = marks
            .iter()
            .enumerate()
            .filter(|(_, m)| m.ends_sentence())
            .map(|(i, _)| i)
            .collect();
        assert_eq!(ends.last(), Some(&99));
        let mut start = 0;
        for end in ends {
            assert!(end + 1 - start <= MAX_RUN, "{start}..={end}");
            start = end + 1;
        }
    }

    #[test]
    fn the_backward_model_reads_each_gap_where_the_forward_one_does() {
        assert_eq!(backwards(&[0, 1, 2, 3], 9), [2, 1, 0, 9]);
        assert_eq!(backwards(&backwards(&[0, 1, 2, 3], 9), 3), [0, 1, 2, 3]);
        assert!(backwards::<u8>(&[], 9).is_empty());
        // The gap after "ready" (index 3) is seen after "is" reversed.
        let words: Vec<String> = "the heap is ready now"
            .split(' ')
            .map(String::from)
            .collect();
        let reversed: Vec<&String> = words.iter().rev().collect();
        let gap = backwards(&[0, 1, 2, 3, 4], 5)
            .iter()
            .position(|&g| g == 3)
            .unwrap();
        assert_eq!((reversed[gap], reversed[gap + 1]), (&words[4], &words[3]));
    }

    #[test]
    fn a_sentence_end_is_trusted_only_as_far_as_both_models_agree() {
        let at = |margin: f32, check: f32| Marks {
            marks: vec![Mark::None, Mark::Period],
            margins: vec![margin, f32::INFINITY],
            checks: vec![check, f32::INFINITY],
            trailing: vec![false; 2],
        };
        assert_eq!(at(30.0, 30.0).end_trust(0, 0), EndTrust::Sure);
        assert_eq!(at(30.0, 13.0).end_trust(0, 0), EndTrust::Likely);
        assert_eq!(at(13.0, 30.0).end_trust(0, 0), EndTrust::Likely);
        assert_eq!(at(30.0, -5.0).end_trust(0, 0), EndTrust::Guess);
        let marks = marks(
            &["the".into(), "heap".into(), "is".into(), "ready".into()],
            None,
        );
        assert_eq!(marks.checks.len(), 4);
        assert_eq!(marks.end_trust(0, 3), EndTrust::Sure, "the end of speech");
    }

    #[test]
    fn a_sentence_followed_by_what_reads_as_its_own_trailing_clause_is_not_trusted_to_end() {
        use Mark::{Comma, None as No, Period, Question};
        let tokens: Vec<String> = "edit it later if you want more if so fine which one"
            .split(' ')
            .map(String::from)
            .collect();
        let marks = [
            No, No, Period, No, No, No, Period, No, Comma, Period, No, Question,
        ];
        let trailing = trailing_clauses(&tokens, &marks);
        let at: Vec<usize> = (0..marks.len()).filter(|&i| trailing[i]).collect();
        assert_eq!(
            at,
            [2],
            "the clause with a comma and the question stand alone"
        );
        let sure = Marks {
            marks: marks.to_vec(),
            margins: vec![40.0; marks.len()],
            checks: vec![40.0; marks.len()],
            trailing,
        };
        assert_eq!(sure.end_trust(0, 2), EndTrust::Guess);
        assert_eq!(sure.end_trust(3, 6), EndTrust::Sure);
    }

    #[test]
    fn words_are_cased_as_usually_written() {
        let lexicon = files::lexicon("python\tPython\nhttp\tHTTP\n");
        assert_eq!(lexicon["http"], "HTTP");
        assert_eq!(cased("i", false), "I");
        assert_eq!(cased("i'm", false), "I'm");
        assert_eq!(cased("heap", true), "Heap");
        assert_eq!(cased("heap", false), "heap");
    }
}
