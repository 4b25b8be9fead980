//! Speech-to-text on the machine: a recording of any format ffmpeg reads
//! → a timed transcript with the language it detected. A Whisper model
//! (ggml, see README's set-up) runs in-process through whisper.cpp.
//!
//! Long recordings go through in windows of about a minute, each cut in
//! the quietest moment near its end so that no word is split; only one
//! window of samples is held at a time, so memory stays flat whatever the
//! length. Windows without a sound loud enough to be speech are skipped
//! (Whisper invents words in silence).

mod audio;
mod cues;
mod model;
mod whisper;
mod windows;

use std::path::Path;
use std::sync::Arc;

use coursegen_core::material::{Transcript, primary_language};
use coursegen_core::ports::{EngineError, Progress, Transcriber};

pub use cues::{Word, cues};
pub use model::{MODEL_ENV, SET_UP_MODEL, find as find_model};

use audio::RATE;

/// Samples per window (60 s), and how far back from its end a cut is sought.
const WINDOW: usize = 60 * RATE;
const CUT_SEARCH: usize = 8 * RATE;
/// How many of the last words carry into the next window as context.
const PROMPT_WORDS: usize = 32;

/// Why a recording could not be transcribed.
#[derive(Debug, thiserror::Error)]
pub enum AsrError {
    #[error("{0}")]
    Model(String),
    #[error("not a recording ffmpeg can read: {0}")]
    NotAudio(String),
    #[error("the recording could not be decoded: {0}")]
    Decode(String),
    #[error("the recording is damaged or cut short: {0}")]
    Damaged(String),
    #[error("no speech: the recording is silent")]
    Silent,
    #[error("no speech was recognised in the recording")]
    NoSpeech,
    #[error("{0}")]
    Tool(String),
    #[error("{0}")]
    Engine(String),
    #[error("the transcription was cancelled")]
    Cancelled,
}

impl From<AsrError> for EngineError {
    fn from(e: AsrError) -> Self {
        match e {
            AsrError::Model(_) | AsrError::Tool(_) => EngineError::Unsupported(e.to_string()),
            AsrError::Engine(_) => EngineError::Unavailable(e.to_string()),
            _ => EngineError::Invalid(e.to_string()),
        }
    }
}

/// A Whisper model ready to transcribe; clones share the loaded model.
#[derive(Debug, Clone)]
pub struct Whisper {
    model: Arc<whisper::Model>,
    threads: usize,
}

impl Whisper {
    /// Loads the ggml model at `path` (82 MB for 8-bit base, 148 MB in f16).
    pub fn load(path: &Path) -> Result<Whisper, AsrError> {
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        Ok(Whisper {
            model: Arc::new(whisper::Model::load(path)?),
            threads,
        })
    }

    /// Uses `threads` CPU threads (default: every core).
    pub fn with_threads(mut self, threads: usize) -> Whisper {
        self.threads = threads.max(1);
        self
    }

    /// Transcribes the recording at `audio`, blocking; `language` (BCP 47)
    /// skips detection. Reports seconds done of seconds in all.
    pub fn transcribe_file(
        &self,
        audio: &Path,
        language: Option<&str>,
        progress: &Progress,
    ) -> Result<Transcript, AsrError> {
        let probe = audio::probe(audio)?;
        audio::check(audio)?;
        let total_s = probe.duration_ms.map_or(0, |ms| ms.div_ceil(1000)) as u32;
        let mut decoder = audio::Decoder::start(audio)?;
        let mut state = self.model.state()?;
        let mut language = match language {
            _ if !self.model.is_multilingual() => Some("en".to_owned()),
            // Whisper knows languages, not regions.
            Some(tag) => Some(primary_language(tag)),
            None => None,
        };
        let mut samples: Vec<f32> = Vec::with_capacity(WINDOW);
        let mut window_start_ms = 0u64;
        let mut words: Vec<Word> = Vec::new();
        let mut heard_sound = false;
        loop {
            if progress.is_cancelled() {
                decoder.stop();
                return Err(AsrError::Cancelled);
            }
            let want = WINDOW - samples.len();
            let at_end = decoder.read(&mut samples, want)? < want;
            let cut = if at_end {
                samples.len()
            } else {
                windows::quiet_cut(&samples, CUT_SEARCH)
            };
            let window = &samples[..cut];
            if !window.is_empty() && !windows::is_silent(window) {
                heard_sound = true;
                let prompt = words[words.len().saturating_sub(PROMPT_WORDS)..]
                    .iter()
                    .map(|w| w.text.as_str())
                    .collect::<Vec<_>>()
                    .join(" ");
                let asked = language.as_deref().unwrap_or("auto");
                let heard = self
                    .model
                    .hear(&mut state, window, asked, &prompt, self.threads)?;
                language = language.or(heard.language);
                words.extend(heard.words.into_iter().map(|w| Word {
                    start_ms: w.start_ms + window_start_ms,
                    end_ms: w.end_ms + window_start_ms,
                    text: w.text,
                }));
            }
            window_start_ms += (cut * 1000 / RATE) as u64;
            samples.drain(..cut);
            let finished = at_end && samples.is_empty();
            let done_s = (window_start_ms / 1000) as u32;
            let total = total_s.max(done_s).max(1);
            let done_s = if finished { total } else { done_s };
            progress.report(
                done_s,
                total,
                format!(
                    "transcribed {} of {}",
                    clock(window_start_ms),
                    clock(u64::from(total) * 1000)
                ),
            );
            if finished {
                break;
            }
        }
        let decoded_ms = decoder.decoded_ms();
        decoder.finish()?;
        if decoded_ms == 0 {
            return Err(AsrError::Decode("it holds no audio samples".into()));
        }
        if !heard_sound {
            return Err(AsrError::Silent);
        }
        if words.is_empty() {
            return Err(AsrError::NoSpeech);
        }
        Ok(Transcript {
            language,
            cues: cues(&words, decoded_ms),
        })
    }
}

#[async_trait::async_trait]
impl Transcriber for Whisper {
    async fn transcribe(
        &self,
        audio: &Path,
        language: Option<&str>,
        progress: &Progress,
    ) -> Result<Transcript, EngineError> {
        let (me, audio, progress) = (self.clone(), audio.to_owned(), progress.clone());
        let language = language.map(str::to_owned);
        tokio::task::spawn_blocking(move || {
            me.transcribe_file(&audio, language.as_deref(), &progress)
        })
        .await
        .map_err(|e| EngineError::Unavailable(format!("the transcription stopped: {e}")))?
        .map_err(EngineError::from)
    }
}

/// m:ss, or h:mm:ss past an hour.
fn clock(ms: u64) -> String {
    let s = ms / 1000;
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

/// A [`Whisper`] loaded when the first recording comes, so that commands
/// which never meet one never pay for the model (82 MB or more).
#[derive(Debug)]
pub struct OnDemand {
    path: std::path::PathBuf,
    loaded: std::sync::Mutex<Option<Whisper>>,
}

impl OnDemand {
    pub fn new(path: std::path::PathBuf) -> OnDemand {
        OnDemand {
            path,
            loaded: std::sync::Mutex::default(),
        }
    }

    fn whisper(&self) -> Result<Whisper, AsrError> {
        let mut loaded = self.loaded.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(whisper) = loaded.as_ref() {
            return Ok(whisper.clone());
        }
        let whisper = Whisper::load(&self.path)?;
        *loaded = Some(whisper.clone());
        Ok(whisper)
    }
}

#[async_trait::async_trait]
impl Transcriber for OnDemand {
    async fn transcribe(
        &self,
        audio: &Path,
        language: Option<&str>,
        progress: &Progress,
    ) -> Result<Transcript, EngineError> {
        self.whisper()?.transcribe(audio, language, progress).await
    }
}
