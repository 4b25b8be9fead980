//! What a script job's visual stages need of the media: a frame's picture
//! as shown, a clip provider, the narration spoken, and the film. One port,
//! because the adapter (`coursegen-media`) shares fonts, ffmpeg and the
//! voice among them.

use std::sync::Arc;

use async_trait::async_trait;
use tokio::sync::watch;

use super::clips::Clips;
use super::media::{FrameSize, ImageRequest, MediaError};
use crate::storyboard::VideoBoard;
use crate::videos::VideoOptions;
use crate::visuals::{ClipSource, ImageSource};

/// A video's narration as spoken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpokenVideo {
    pub wav: Vec<u8>,
    pub duration_ms: u64,
    pub vtt: String,
    pub srt: String,
    /// How long each frame shows, in the storyboard's order.
    pub frame_ms: Vec<u64>,
}

/// A video made of its clips, and its shots on their own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilmedMedia {
    pub mp4: Vec<u8>,
    /// A clip per shot, in order.
    pub shots: Vec<Vec<u8>>,
}

#[async_trait]
pub trait Visuals: Send + Sync + std::fmt::Debug {
    /// The frame's picture as a viewer sees it: drawn by `source`, fitted
    /// to the frame size, its on-screen text laid over it (a PNG).
    async fn picture(
        &self,
        source: ImageSource,
        request: ImageRequest<'_>,
    ) -> Result<Vec<u8>, MediaError>;

    /// The clip provider `source` names; `Invalid` when this build has
    /// none configured (saying what to set).
    fn clips(&self, source: ClipSource) -> Result<Arc<dyn Clips>, MediaError>;

    /// `video`'s narration in its language, with `options`' voice and pace.
    async fn narrate(
        &self,
        video: &VideoBoard,
        options: &VideoOptions,
        cancel: watch::Receiver<bool>,
    ) -> Result<SpokenVideo, MediaError>;

    /// `frame_clips` (one MP4 per frame, in order) joined into shots, and
    /// the shots put together under the narration and its subtitles.
    async fn film(
        &self,
        video: &VideoBoard,
        frame_clips: &[Vec<u8>],
        narration: &SpokenVideo,
        size: FrameSize,
        cancel: watch::Receiver<bool>,
    ) -> Result<FilmedMedia, MediaError>;
}
