//! Timed words → caption cues: a cue ends at a pause, after a sentence,
//! or before it grows too long to read, so its times are the words' own.

use coursegen_core::material::Cue;

/// A recognised word and when it is spoken, in ms from the start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub start_ms: u64,
    pub end_ms: u64,
    pub text: String,
}

/// A silence this long between words ends a cue.
const PAUSE_MS: u64 = 700;
/// Longest cue, in time and in words (about two caption lines).
const MAX_CUE_MS: u64 = 7_000;
const MAX_WORDS: usize = 16;
/// A sentence end closes a cue once it holds this many words.
const MIN_SENTENCE_WORDS: usize = 3;

/// Groups `words` (in time order) into cues, with times that never go
/// back and never pass `duration_ms`.
pub fn cues(words: &[Word], duration_ms: u64) -> Vec<Cue> {
    let mut out: Vec<Cue> = Vec::new();
    let mut current: Vec<&Word> = Vec::new();
    let close = |current: &mut Vec<&Word>, out: &mut Vec<Cue>| {
        let (Some(first), Some(last)) = (current.first(), current.last()) else {
            return;
        };
        let floor = out.last().map_or(0, |c| c.end_ms);
        let start_ms = first.start_ms.max(floor).min(duration_ms);
        let end_ms = last.end_ms.clamp(start_ms, duration_ms);
        let text = current
            .iter()
            .map(|w| w.text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        out.push(Cue {
            start_ms,
            end_ms,
            text,
            speaker: None,
        });
        current.clear();
    };
    for word in words {
        if let Some(last) = current.last() {
            let first = current[0];
            let pause = word.start_ms.saturating_sub(last.end_ms) >= PAUSE_MS;
            let sentence = ends_sentence(&last.text) && current.len() >= MIN_SENTENCE_WORDS;
            let long = word.end_ms.saturating_sub(first.start_ms) > MAX_CUE_MS
                || current.len() >= MAX_WORDS;
            if pause || sentence || long {
                close(&mut current, &mut out);
            }
        }
        current.push(word);
    }
    close(&mut current, &mut out);
    out
}

fn ends_sentence(word: &str) -> bool {
    word.trim_end_matches(['"', '\'', ')', '»', '”'])
        .ends_with(['.', '?', '!', '。', '？', '！', '؟'])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(start_ms: u64, end_ms: u64, text: &str) -> Word {
        Word {
            start_ms,
            end_ms,
            text: text.into(),
        }
    }

    #[test]
    fn pauses_and_sentence_ends_close_cues() {
        let words = [
            w(0, 300, "Energy"),
            w(300, 600, "is"),
            w(600, 1000, "conserved."),
            w(1100, 1400, "It"),
            w(1400, 1800, "changes"),
            w(2800, 3200, "form"),
        ];
        let cues = cues(&words, 4000);
        let texts: Vec<_> = cues.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, ["Energy is conserved.", "It changes", "form"]);
        assert_eq!((cues[1].start_ms, cues[1].end_ms), (1100, 1800));
    }

    #[test]
    fn long_speech_is_split_and_times_stay_in_order_and_in_bounds() {
        let words: Vec<Word> = (0..60).map(|i| w(i * 250, i * 250 + 240, "word")).collect();
        let cues = cues(&words, 14_000);
        assert!(cues.len() >= 4);
        assert!(cues.iter().all(|c| c.text.split(' ').count() <= MAX_WORDS));
        for pair in cues.windows(2) {
            assert!(pair[0].end_ms <= pair[1].start_ms);
        }
        assert!(
            cues.iter()
                .all(|c| c.start_ms <= c.end_ms && c.end_ms <= 14_000)
        );
    }

    #[test]
    fn overlapping_word_times_are_kept_in_order() {
        let words = [
            w(0, 900, "one"),
            w(500, 800, "two."),
            w(2000, 2500, "three"),
        ];
        let cues = cues(&words, 2400);
        assert_eq!(cues.len(), 2);
        assert_eq!(cues[1].end_ms, 2400);
        assert!(cues[0].end_ms <= cues[1].start_ms);
    }
}
