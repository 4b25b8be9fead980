//! Speech-to-text: a recording on disk → a timed transcript, with word
//! times where the engine has them, reporting how far it has got.

use std::fmt;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::material::Transcript;

use super::EngineError;

/// Turns speech into a timed transcript.
#[async_trait::async_trait]
pub trait Transcriber: Send + Sync + fmt::Debug {
    /// Transcribes the recording at `audio` (any format ffmpeg reads).
    /// `language` is a hint (BCP 47); without it the language is detected.
    async fn transcribe(
        &self,
        audio: &Path,
        language: Option<&str>,
        progress: &Progress,
    ) -> Result<Transcript, EngineError>;
}

/// How far a long piece of work is: `done` of `total` units.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Advance {
    pub done: u32,
    pub total: u32,
    pub message: String,
}

/// Where long work reports its advance, and learns that whoever asked for
/// it no longer wants it (cancel). Clones share both.
#[derive(Clone, Default)]
pub struct Progress {
    report: Option<Arc<dyn Fn(Advance) + Send + Sync>>,
    cancelled: Arc<AtomicBool>,
}

impl Progress {
    /// Reports to `report`; it must not block (the work waits for it).
    pub fn new(report: impl Fn(Advance) + Send + Sync + 'static) -> Self {
        Progress {
            report: Some(Arc::new(report)),
            cancelled: Arc::default(),
        }
    }

    pub fn report(&self, done: u32, total: u32, message: impl Into<String>) {
        if let Some(report) = &self.report {
            report(Advance {
                done: done.min(total),
                total,
                message: message.into(),
            });
        }
    }

    /// Asks the work to stop at its next chance.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }

    /// One that reports nothing but is cancelled with this one: for a
    /// part of the work whose own advance would confuse the whole's.
    pub fn silent(&self) -> Progress {
        Progress {
            report: None,
            cancelled: self.cancelled.clone(),
        }
    }
}

impl fmt::Debug for Progress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Progress")
            .field("reports", &self.report.is_some())
            .field("cancelled", &self.is_cancelled())
            .finish()
    }
}
