//! Sentences with timestamps, rebuilt from cues. Punctuated captions are
//! split at sentence ends; unpunctuated lower-case auto-captions get their
//! punctuation and casing back from a model ([`punctuation`]) first.

use coursegen_core::material::{EndTrust, Sentence, Transcript};

use super::punctuation;
use super::timestamp::share;

/// Below this share of words ending a sentence (.?!), the text counts as
/// unpunctuated (auto-captions).
const MIN_PUNCTUATED_SHARE: f64 = 1.0 / 40.0;

/// Abbreviations whose full stop does not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "dr", "mr", "mrs", "ms", "prof", "e.g", "i.e", "etc", "vs", "fig", "no", "approx", "st",
];

#[derive(Debug, Clone)]
struct TimedWord<'a> {
    text: &'a str,
    start_ms: u64,
    end_ms: u64,
    /// Silence before this word, in ms.
    gap_before: u64,
}

/// The transcript's sentences, in order.
pub fn sentences(transcript: &Transcript) -> Vec<Sentence> {
    let words = timed_words(transcript);
    crate::work::add(words.len());
    if words.is_empty() {
        return Vec::new();
    }
    let enders = words.iter().filter(|w| ends_sentence(w.text)).count();
    if enders as f64 >= MIN_PUNCTUATED_SHARE * words.len() as f64 {
        split_punctuated(&words)
    } else {
        split_spoken(&words)
    }
}

/// Spreads each cue's words over its span, in proportion to their length.
fn timed_words(transcript: &Transcript) -> Vec<TimedWord<'_>> {
    let mut out = Vec::new();
    let mut previous_end = 0;
    for cue in &transcript.cues {
        let words: Vec<&str> = cue.text.split_whitespace().collect();
        let total: u64 = words
            .iter()
            .map(|w| w.chars().count() as u64 + 1)
            .sum::<u64>()
            .max(1);
        let span = cue.end_ms.saturating_sub(cue.start_ms);
        let mut elapsed = 0;
        for (i, w) in words.iter().enumerate() {
            let weight = w.chars().count() as u64 + 1;
            let start = cue.start_ms + share(span, elapsed, total);
            elapsed += weight;
            let end = cue.start_ms + share(span, elapsed, total);
            let gap_before = if i == 0 {
                cue.start_ms.saturating_sub(previous_end)
            } else {
                0
            };
            out.push(TimedWord {
                text: w,
                start_ms: start,
                end_ms: end,
                gap_before,
            });
        }
        previous_end = previous_end.max(cue.end_ms);
    }
    out
}

fn ends_sentence(word: &str) -> bool {
    let trimmed = word.trim_end_matches(['"', '\'', ')', '\u{201d}', '\u{2019}']);
    if !trimmed.ends_with(['.', '?', '!', '…']) {
        return false;
    }
    let stem = trimmed
        .trim_end_matches(['.', '?', '!', '…'])
        .to_lowercase();
    // "Dr." and "e.g." do not end sentences; neither does a single initial ("J.").
    let initial = stem.chars().count() == 1 && stem.chars().all(char::is_alphabetic);
    !(trimmed.ends_with('.') && (ABBREVIATIONS.contains(&stem.as_str()) || initial))
}

fn sentence(words: &[TimedWord<'_>], text: String, end_trust: EndTrust) -> Sentence {
    Sentence {
        start_ms: words[0].start_ms,
        end_ms: words[words.len() - 1].end_ms,
        text,
        end_trust,
    }
}

fn join(words: &[TimedWord<'_>]) -> String {
    words.iter().map(|w| w.text).collect::<Vec<_>>().join(" ")
}

fn split_punctuated(words: &[TimedWord<'_>]) -> Vec<Sentence> {
    let mut out = Vec::new();
    let mut begin = 0;
    for i in 0..words.len() {
        if ends_sentence(words[i].text) || i + 1 == words.len() {
            out.push(sentence(
                &words[begin..=i],
                join(&words[begin..=i]),
                EndTrust::Sure,
            ));
            begin = i + 1;
        }
    }
    out
}

/// Unpunctuated speech, punctuated and cased again by the model
/// ([`punctuation`]) and split where it ends sentences.
fn split_spoken(words: &[TimedWord<'_>]) -> Vec<Sentence> {
    // The few marks such captions have are the model's to place again.
    let texts: Vec<&str> = words
        .iter()
        .map(|w| {
            let bare = w.text.trim_end_matches(['.', ',', '?', '!', ';', ':']);
            if bare.is_empty() { w.text } else { bare }
        })
        .collect();
    let lower: Vec<String> = texts.iter().map(|w| w.to_lowercase()).collect();
    // The silence after each word: where cues leave gaps, or the captions
    // time their words. Evenly spread words (no gaps at all) tell nothing.
    let pauses: Vec<u64> = (0..words.len())
        .map(|i| words.get(i + 1).map_or(0, |w| w.gap_before))
        .collect();
    let timed = pauses.iter().any(|&p| p > 0);
    let restored = punctuation::marks(&lower, timed.then_some(pauses.as_slice()));
    let marks = &restored.marks;
    punctuation::spans(marks)
        .into_iter()
        .map(|(a, b)| {
            sentence(
                &words[a..=b],
                punctuation::written(&texts[a..=b], &marks[a..=b]),
                restored.end_trust(a, b),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use coursegen_core::material::Cue;

    use super::*;

    fn cue(start_ms: u64, end_ms: u64, text: &str) -> Cue {
        Cue {
            start_ms,
            end_ms,
            text: text.into(),
            speaker: None,
        }
    }

    #[test]
    fn punctuated_text_splits_at_sentence_ends_with_times() {
        let t = Transcript {
            language: None,
            cues: vec![
                cue(0, 4000, "Dr. Smith met us. It was 3.5 hours"),
                cue(4000, 6000, "long! Really? Yes."),
            ],
        };
        let s = sentences(&t);
        let texts: Vec<&str> = s.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(
            texts,
            vec![
                "Dr. Smith met us.",
                "It was 3.5 hours long!",
                "Really?",
                "Yes."
            ]
        );
        assert_eq!(s[0].start_ms, 0);
        assert!(
            s[1].start_ms > 1000 && s[1].end_ms > 4000 && s[1].end_ms < 5000,
            "{:?}",
            s[1]
        );
        assert_eq!(s[3].end_ms, 6000);
        assert!(
            s.iter().all(|s| s.end_trust == EndTrust::Sure),
            "written ends are sure"
        );
    }

    #[test]
    fn auto_captions_get_their_sentences_back() {
        let t = Transcript {
            language: None,
            cues: vec![
                cue(0, 3000, "today we are going to learn how vaccines work"),
                cue(
                    3600,
                    6000,
                    "i think the immune system is amazing because it remembers",
                ),
                cue(
                    6000,
                    9000,
                    "so the first thing to know is what an antigen is",
                ),
            ],
        };
        let s = sentences(&t);
        let texts: Vec<&str> = s.iter().map(|s| s.text.as_str()).collect();
        assert!(
            texts[0].starts_with("Today") && texts[0].ends_with("how vaccines work."),
            "the pause ends it: {texts:?}"
        );
        assert!(texts[1].starts_with("I think"), "{texts:?}");
        assert!(texts.iter().all(|t| t.ends_with(['.', '?'])));
        let words: usize = texts.iter().map(|t| t.split_whitespace().count()).sum();
        assert_eq!(words, 9 + 10 + 11, "no word lost");
        assert_eq!((s[0].start_ms, s.last().unwrap().end_ms), (0, 9000));
        assert!(s[1].start_ms >= 3600);
    }

    #[test]
    fn run_on_speech_is_cut() {
        let long = vec!["word"; 75].join(" ");
        let t = Transcript {
            language: None,
            cues: vec![cue(0, 30_000, &long)],
        };
        let s = sentences(&t);
        let lens: Vec<usize> = s
            .iter()
            .map(|s| s.text.split_whitespace().count())
            .collect();
        assert_eq!(lens.iter().sum::<usize>(), 75);
        let (_, cut) = s.split_last().unwrap();
        assert!(
            cut.iter().all(|s| s.end_trust == EndTrust::Guess),
            "a run-on cut is a guess"
        );
        let short = Transcript {
            language: None,
            cues: vec![cue(0, 3000, &["word"; 12].join(" "))],
        };
        assert!(
            sentences(&short)[0].end_trust == EndTrust::Sure,
            "the captions' end is an end"
        );
        assert!(lens.iter().all(|&n| n <= punctuation::MAX_RUN), "{lens:?}");
    }
}
