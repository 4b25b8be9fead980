//! Image-to-video providers: a frame's picture animated into a clip. Such
//! work takes minutes, so it is a task: submitted once, polled until it
//! ends, cancellable. The workflow keeps the provider's task id, so a
//! process that dies while polling polls the same task again when it
//! resumes, and never submits twice.

use async_trait::async_trait;

use super::media::{FrameSize, MediaError};
use crate::storyboard::Camera;

/// A picture a provider is given: its bytes (PNG), and a URL it can be
/// fetched from when the store can hand one out (some providers take
/// pictures only by URL).
#[derive(Debug, Clone, Copy)]
pub struct ClipImage<'a> {
    pub png: &'a [u8],
    pub url: Option<&'a str>,
}

/// One clip to make.
#[derive(Debug, Clone, Copy)]
pub struct ClipRequest<'a> {
    /// The picture the clip starts on.
    pub start: ClipImage<'a>,
    /// The picture it should end on, for providers that take one.
    pub end: Option<ClipImage<'a>>,
    /// What moves, and how (the frame's description and camera move).
    pub prompt: &'a str,
    pub camera: Camera,
    /// How long the clip should play; a provider rounds it to the lengths
    /// it makes, and the clip is fitted to the narration when assembled.
    pub duration_ms: u64,
    pub size: FrameSize,
}

/// A task as its provider last described it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClipState {
    /// Accepted, waiting its turn (a provider's queue or its throttle).
    Queued,
    /// Being made; percent done when the provider says.
    Running {
        percent: Option<u8>,
    },
    /// Made: where to fetch the clip from.
    Succeeded {
        url: String,
    },
    /// Ended without a clip. `code` is the provider's (e.g.
    /// `SAFETY.INPUT.TEXT`); a safety refusal is never worth retrying.
    Failed {
        code: String,
        message: String,
        safety: bool,
    },
    Cancelled,
}

impl ClipState {
    /// Whether the task has ended, one way or another.
    pub fn is_final(&self) -> bool {
        !matches!(self, ClipState::Queued | ClipState::Running { .. })
    }
}

/// An image-to-video provider.
#[async_trait]
pub trait Clips: Send + Sync + std::fmt::Debug {
    /// The provider's name as generation jobs record it ("runway", "luma",
    /// "offline").
    fn provider(&self) -> &'static str;

    /// Starts making a clip; the provider's task id. Transient failures
    /// (429, 5xx, the network) are retried inside with backoff before
    /// `Unavailable`; a refusal is `Invalid`.
    async fn submit(&self, request: ClipRequest<'_>) -> Result<String, MediaError>;

    /// The task's state now. `Unavailable` when the provider could not be
    /// asked (try again later); the task itself is unaffected.
    async fn poll(&self, task: &str) -> Result<ClipState, MediaError>;

    /// Asks the provider to stop the task (and forget it); a task that
    /// already ended is no error.
    async fn cancel(&self, task: &str) -> Result<(), MediaError>;

    /// The clip a succeeded task made, as MP4 bytes.
    async fn fetch(&self, url: &str) -> Result<Vec<u8>, MediaError>;
}
