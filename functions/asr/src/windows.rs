//! Where a long recording is cut into windows, and which windows hold no
//! speech at all. Pure functions over 16 kHz samples.

use crate::audio::RATE;

/// Samples in one loudness frame (30 ms).
const FRAME: usize = RATE * 30 / 1000;

/// Below this frame loudness (dBFS) a frame is quiet: room noise, not speech.
const QUIET_DB: f32 = -45.0;

/// Root-mean-square level of `samples` in dBFS.
fn level_db(samples: &[f32]) -> f32 {
    if samples.is_empty() {
        return f32::NEG_INFINITY;
    }
    let power = samples.iter().map(|s| s * s).sum::<f32>() / samples.len() as f32;
    10.0 * power.max(1e-12).log10()
}

/// Whether no 30 ms frame of `samples` is loud enough to be speech.
pub fn is_silent(samples: &[f32]) -> bool {
    samples.chunks(FRAME).all(|f| level_db(f) < QUIET_DB)
}

/// Where to end a window over `samples` so that a word is not cut: the
/// middle of the quietest 30 ms frame among the last `search` samples.
/// Returns `samples.len()` when there is nowhere to search.
pub fn quiet_cut(samples: &[f32], search: usize) -> usize {
    let from = samples.len().saturating_sub(search);
    if samples.len() - from < FRAME * 2 {
        return samples.len();
    }
    let mut best = (f32::INFINITY, samples.len());
    let mut at = from;
    while at + FRAME <= samples.len() {
        let level = level_db(&samples[at..at + FRAME]);
        // `<=` prefers the later of equally quiet frames: a longer window.
        if level <= best.0 {
            best = (level, at + FRAME / 2);
        }
        at += FRAME;
    }
    best.1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(seconds: f32, amplitude: f32) -> Vec<f32> {
        let n = (seconds * RATE as f32) as usize;
        (0..n)
            .map(|i| amplitude * (i as f32 * 440.0 * std::f32::consts::TAU / RATE as f32).sin())
            .collect()
    }

    #[test]
    fn silence_and_hum_are_silent_and_a_voice_level_tone_is_not() {
        assert!(is_silent(&vec![0.0; RATE]));
        assert!(is_silent(&tone(1.0, 0.001)));
        assert!(!is_silent(&tone(1.0, 0.1)));
        let mut mostly_quiet = vec![0.0; RATE * 5];
        mostly_quiet.extend(tone(0.1, 0.2));
        assert!(!is_silent(&mostly_quiet));
    }

    #[test]
    fn the_cut_falls_in_the_pause_before_the_last_word() {
        let mut s = tone(8.0, 0.2);
        let pause_start = s.len();
        s.extend(vec![0.0; RATE / 2]);
        let pause_end = s.len();
        s.extend(tone(1.0, 0.2));
        let cut = quiet_cut(&s, RATE * 3);
        assert!((pause_start..pause_end).contains(&cut), "{cut}");
    }

    #[test]
    fn short_or_empty_input_is_not_cut() {
        assert_eq!(quiet_cut(&[], RATE), 0);
        assert_eq!(quiet_cut(&[0.1; 100], RATE), 100);
    }
}
