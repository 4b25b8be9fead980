//! coursegen's media toolkit, behind core's media ports
//! (`coursegen_core::ports::{Speaker, SlideRenderer, Encoder}`): what turns
//! a lesson's narration into a video with a voice, slides and subtitles.
//!
//! - [`encoder`]: ffmpeg making the MP4 from stills, speech and subtitles.
//! - [`render`]: a lesson's video from its narration, with the three.
//! - [`speech`]: voices — espeak-ng, OpenAI-compatible servers, Polly.
//! - [`slides`]: each slide of a lesson drawn as a PNG, by resvg.
//! - [`subtitles`]: cues timed by the speech, written as WebVTT and SRT.
//! - [`wav`]: reading and joining the WAV speech comes as.

pub mod assembly;
pub mod clips;
pub mod encoder;
pub mod film;
mod http_retry;
pub mod images;
mod language;
pub mod motion;
pub mod render;
pub mod slides;
pub mod speech;
pub mod spoken;
pub mod subtitles;
pub mod visuals;
pub mod wav;
mod xml;

pub use render::LessonRenderer;
pub use slides::ResvgSlides;

use std::sync::Arc;

use coursegen_core::ports::MediaError;

/// The lesson renderer this machine's environment configures: the speaker
/// of `COURSEGEN_SPEECH` (see [`speech`]), DejaVu slides, ffmpeg.
pub fn renderer_from_env() -> Result<LessonRenderer, MediaError> {
    Ok(LessonRenderer {
        speaker: speech::speaker_from_env()?,
        slides: Arc::new(ResvgSlides::new()?),
        encoder: Arc::new(encoder::Ffmpeg::default()),
    })
}

/// Whether this machine has what rendering needs — ffmpeg, the fonts, and
/// espeak-ng when it is the voice — before any lesson is tried; the error
/// names the package to install.
pub async fn preflight() -> Result<(), MediaError> {
    encoder::Ffmpeg::default().check().await?;
    ResvgSlides::new()?;
    let speech = std::env::var("COURSEGEN_SPEECH").unwrap_or_default();
    if matches!(speech.trim(), "" | "espeak" | "espeak-ng") {
        speech::Espeak::new().catalogue().await?;
    }
    Ok(())
}
