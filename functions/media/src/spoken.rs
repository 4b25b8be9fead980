//! Narration spoken: groups of whole sentences (a lesson's beats, a
//! storyboard's frames), every sentence said a few at a time with a short
//! pause after it and a longer one after its group's last (where the
//! picture changes), and each sentence's length as spoken — which times the
//! subtitles and the pictures.

use coursegen_core::ports::{MediaError, Speaker, Voice};
use futures::{StreamExt, TryStreamExt};
use tokio::sync::watch;

use crate::{subtitles, wav};

/// Sentences spoken at a time: a provider's latency overlaps, and espeak
/// keeps a core busy each.
const SPOKEN_AT_ONCE: usize = 4;
/// Silence after a sentence, and after a group's last.
const SENTENCE_PAUSE_MS: u64 = 300;
const GROUP_PAUSE_MS: u64 = 700;

/// A narration as spoken.
#[derive(Debug, Clone)]
pub struct Spoken {
    /// Every sentence's WAV (its pause included), in order.
    pub wavs: Vec<Vec<u8>>,
    /// How long each plays.
    pub durations: Vec<u64>,
}

impl Spoken {
    /// The whole narration as one WAV, and how long it plays.
    pub fn audio(&self) -> Result<(Vec<u8>, u64), MediaError> {
        let audio = wav::join(&self.wavs)?;
        let duration = wav::duration_ms(&audio)?;
        Ok((audio, duration))
    }

    /// The subtitles: a cue per sentence, timed by the speech.
    pub fn cues<'a>(&self, sentences: impl IntoIterator<Item = &'a str>) -> Vec<subtitles::Cue> {
        subtitles::timed(sentences.into_iter().zip(self.durations.iter().copied()))
    }

    /// How long each group of `sizes` sentences plays.
    pub fn group_durations(&self, sizes: impl IntoIterator<Item = usize>) -> Vec<u64> {
        let mut said = self.durations.iter();
        sizes
            .into_iter()
            .map(|n| said.by_ref().take(n).sum())
            .collect()
    }
}

/// Speaks `groups` in `voice`, reporting sentences done of all to
/// `progress`; `Cancelled` once `cancel` is true.
pub async fn speak(
    speaker: &dyn Speaker,
    groups: &[Vec<String>],
    voice: &Voice,
    progress: &(dyn Fn(usize, usize) + Send + Sync),
    cancel: &watch::Receiver<bool>,
) -> Result<Spoken, MediaError> {
    // Owned, so the stream is Send for any borrow of `groups`.
    let lines: Vec<(String, u64)> = groups
        .iter()
        .flat_map(|group| {
            let last = group.len().saturating_sub(1);
            group.iter().enumerate().map(move |(i, text)| {
                let pause = if i == last {
                    GROUP_PAUSE_MS
                } else {
                    SENTENCE_PAUSE_MS
                };
                (text.clone(), pause)
            })
        })
        .collect();
    let total = lines.len();
    let mut done = 0;
    let wavs: Vec<Vec<u8>> = futures::stream::iter(lines)
        .map(|(text, pause_ms)| async move {
            if *cancel.borrow() {
                return Err(MediaError::Cancelled);
            }
            let speech = speaker.speak(&text, voice).await?;
            let pause = wav::silence_like(&speech.wav, pause_ms)?;
            wav::join(&[speech.wav, pause])
        })
        .buffered(SPOKEN_AT_ONCE)
        .inspect_ok(|_| {
            done += 1;
            progress(done, total);
        })
        .try_collect()
        .await?;
    let durations = wavs
        .iter()
        .map(|w| wav::duration_ms(w))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Spoken { wavs, durations })
}
