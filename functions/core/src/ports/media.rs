//! Media ports: a voice that speaks a sentence, a renderer that draws a
//! slide, and an encoder that makes the video of a lesson from its slides,
//! its speech and its subtitles. Adapters live in `coursegen-media`: speech
//! by espeak-ng (offline), any OpenAI-compatible server, or Amazon Polly;
//! slides by resvg; video by ffmpeg.

use std::path::PathBuf;

use async_trait::async_trait;
use tokio::sync::watch;

use crate::image_prompt::{FramePrompt, StyleGuide};
use crate::narration::{Direction, Narration, Slide};
use crate::storyboard::Frame;
use crate::videos::VideoOptions;

/// Why a media operation failed. Only `Unavailable` is worth retrying.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MediaError {
    /// The request cannot succeed as it is (an unknown voice, text a
    /// provider refuses): the message says what to change.
    #[error("{0}")]
    Invalid(String),
    /// A program this machine lacks.
    #[error("{tool} is not installed (install the Debian package {package})")]
    Missing { tool: String, package: String },
    /// For now: rate-limited, a server error, the network.
    #[error("{0}")]
    Unavailable(String),
    /// The tool ran and failed on this input.
    #[error("{0}")]
    Failed(String),
    /// Stopped because it was asked to.
    #[error("cancelled")]
    Cancelled,
}

/// How to speak.
#[derive(Debug, Clone, PartialEq)]
pub struct Voice {
    /// BCP 47 tag of the language ("en", "ar-EG").
    pub language: String,
    /// One of the speaker's [`Speaker::voices`]; `None` for its default
    /// for the language.
    pub name: Option<String>,
    /// 1.0 is the voice's normal pace; 0.5–2.0.
    pub speed: f32,
}

/// A sentence spoken: WAV bytes (PCM) and how long they play.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Speech {
    pub wav: Vec<u8>,
    pub duration_ms: u64,
}

/// Text to speech, one sentence (one subtitle cue) at a time.
#[async_trait]
pub trait Speaker: Send + Sync + std::fmt::Debug {
    /// The voices a job may name (an unknown one is refused with this list).
    fn voices(&self) -> Vec<String>;

    /// `text` spoken by `voice`. Transient failures are retried inside,
    /// with backoff, before `Unavailable` is returned.
    async fn speak(&self, text: &str, voice: &Voice) -> Result<Speech, MediaError>;
}

/// A frame size. The presets are the sizes a job may ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameSize {
    pub width: u32,
    pub height: u32,
}

impl FrameSize {
    /// 16:9, the default.
    pub const HD: FrameSize = FrameSize {
        width: 1280,
        height: 720,
    };
    /// 16:9 at 1080p.
    pub const FULL_HD: FrameSize = FrameSize {
        width: 1920,
        height: 1080,
    };
    /// 9:16, for phones.
    pub const PORTRAIT: FrameSize = FrameSize {
        width: 1080,
        height: 1920,
    };
}

/// Draws slides as pictures.
pub trait SlideRenderer: Send + Sync + std::fmt::Debug {
    /// `slide` as a PNG of `size`, its text laid out `direction`, wrapped
    /// to fit and never clipped (shrunk when it must be).
    fn render(
        &self,
        slide: &Slide,
        size: FrameSize,
        direction: Direction,
    ) -> Result<Vec<u8>, MediaError>;
}

/// What one lesson's video is made of, as files in a working directory.
#[derive(Debug, Clone, PartialEq)]
pub struct VideoPlan {
    /// Each slide's picture and how long it shows, in order; the durations
    /// add up to `duration_ms`.
    pub stills: Vec<(PathBuf, u64)>,
    /// The narration, one WAV.
    pub audio: PathBuf,
    /// How long the narration plays: the video's length.
    pub duration_ms: u64,
    /// The subtitles, WebVTT: a soft track, or burned in.
    pub subtitles: PathBuf,
    /// ISO 639-2 code of the subtitles' language ("eng", "ara").
    pub subtitle_language: String,
    pub burn_subtitles: bool,
    pub size: FrameSize,
    /// Where the MP4 goes; nothing is left there unless the video is whole.
    pub output: PathBuf,
}

/// Encodes lesson videos.
#[async_trait]
pub trait Encoder: Send + Sync + std::fmt::Debug {
    /// Makes `plan.output`, reporting percent done to `progress`; stops,
    /// leaving no output, when `cancel` turns true.
    async fn encode(
        &self,
        plan: &VideoPlan,
        progress: &(dyn Fn(u8) + Send + Sync),
        cancel: watch::Receiver<bool>,
    ) -> Result<(), MediaError>;
}

/// A lesson's video, made.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderedVideo {
    /// The MP4 (H.264, AAC, a soft subtitle track unless burned in).
    pub mp4: Vec<u8>,
    /// The subtitles, one cue per spoken sentence.
    pub vtt: String,
    pub srt: String,
    /// How long the narration (and so the video) plays.
    pub duration_ms: u64,
}

/// Makes a lesson's video from its narration: speaks it, draws its
/// slides, encodes them.
#[async_trait]
pub trait VideoRenderer: Send + Sync + std::fmt::Debug {
    /// The voices a job may name.
    fn voices(&self) -> Vec<String>;

    /// The video of `narration`, reporting percent done to `progress`;
    /// `Cancelled` once `cancel` turns true.
    async fn render(
        &self,
        narration: &Narration,
        options: &VideoOptions,
        progress: &(dyn Fn(u8) + Send + Sync),
        cancel: watch::Receiver<bool>,
    ) -> Result<RenderedVideo, MediaError>;
}

/// A picture to make for one storyboard frame.
#[derive(Debug, Clone, Copy)]
pub struct ImageRequest<'a> {
    /// The frame's production prompt and its video's style guide: what an
    /// image model is sent.
    pub prompt: &'a FramePrompt,
    pub style: &'a StyleGuide,
    /// The frame as the storyboard has it: what a renderer with no model
    /// draws from.
    pub frame: &'a Frame,
    /// The frame size the picture is for; a provider may answer in a size
    /// of its own, which is fitted to this one when the frame is composed.
    pub size: FrameSize,
    /// The video's reading direction.
    pub direction: Direction,
}

/// Makes the picture of a storyboard frame, without its on-screen text:
/// that is laid over every picture the same way, legibly and in the right
/// script, whoever drew it.
#[async_trait]
pub trait Images: Send + Sync + std::fmt::Debug {
    /// A PNG (or, from a provider, any picture format it answers with).
    /// Transient failures are retried inside, with backoff, before
    /// `Unavailable` is returned; a refusal is `Invalid`, never retried.
    async fn image(&self, request: ImageRequest<'_>) -> Result<Vec<u8>, MediaError>;
}
