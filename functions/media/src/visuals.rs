//! The visual stages' media (core's `Visuals` port): frames drawn here or
//! by an OpenAI-compatible images endpoint and captioned here; clips by
//! Runway, Luma or ffmpeg here; the narration spoken by the configured
//! voice; the film made by ffmpeg.
//!
//! | Variable | Meaning |
//! |---|---|
//! | `COURSEGEN_IMAGES_BASE_URL` | images endpoint's base URL (default `https://api.openai.com/v1`) |
//! | `COURSEGEN_IMAGES_API_KEY` | its bearer key, else `OPENAI_API_KEY` |
//! | `COURSEGEN_IMAGES_MODEL` | its model (default the adapter's) |
//! | `COURSEGEN_RUNWAY_BASE_URL`, `_API_KEY`, `_MODEL` | Runway's API |
//! | `COURSEGEN_LUMA_BASE_URL`, `_API_KEY`, `_MODEL` | Luma's API |
//!
//! A provider counts as configured when its base URL or key is set, so a
//! job that asks for one that is not is told what to set.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use coursegen_core::ports::{
    Clips, FilmedMedia, FrameSize, ImageRequest, Images, MediaError, Speaker, SpokenVideo, Visuals,
};
use coursegen_core::storyboard::VideoBoard;
use coursegen_core::videos::VideoOptions;
use coursegen_core::visuals::{ClipSource, ImageSource};
use tokio::sync::watch;

use crate::clips::{LumaClips, OfflineClips, RunwayClips};
use crate::encoder::Ffmpeg;
use crate::film::{self, Narrated};
use crate::images::{FrameComposer, IllustratedImages, OpenAiImages};

/// What the visual stages draw, animate, speak and film with.
#[derive(Debug)]
pub struct StoryboardMedia {
    pub speaker: Arc<dyn Speaker>,
    pub drawn: IllustratedImages,
    pub openai: Option<OpenAiImages>,
    pub composer: FrameComposer,
    pub ffmpeg: Ffmpeg,
    pub offline_clips: Arc<OfflineClips>,
    pub runway: Option<Arc<dyn Clips>>,
    pub luma: Option<Arc<dyn Clips>>,
    /// Where films are put together (each in a directory of its own).
    pub work: PathBuf,
}

impl StoryboardMedia {
    /// The providers `get` (an environment) configures, ffmpeg, DejaVu
    /// fonts and `speaker`; clips made here and films are worked on in
    /// `work`.
    pub fn from(
        get: impl Fn(&str) -> Option<String>,
        speaker: Arc<dyn Speaker>,
        work: &Path,
    ) -> Result<Self, MediaError> {
        let set = |name: &str| get(name).filter(|v| !v.trim().is_empty());
        let configured = |p: &str| {
            set(&format!("COURSEGEN_{p}_BASE_URL")).is_some()
                || set(&format!("COURSEGEN_{p}_API_KEY")).is_some()
        };
        let key = |p: &str| set(&format!("COURSEGEN_{p}_API_KEY"));
        let base = |p: &str, default: &str| {
            set(&format!("COURSEGEN_{p}_BASE_URL")).unwrap_or_else(|| default.into())
        };
        let model = |p: &str| set(&format!("COURSEGEN_{p}_MODEL"));
        let openai = if configured("IMAGES") || set("OPENAI_API_KEY").is_some() {
            let images = OpenAiImages::new(
                base("IMAGES", "https://api.openai.com/v1"),
                key("IMAGES").or_else(|| set("OPENAI_API_KEY")),
            )?;
            Some(match model("IMAGES") {
                Some(m) => images.with_model(m),
                None => images,
            })
        } else {
            None
        };
        let runway: Option<Arc<dyn Clips>> = if configured("RUNWAY") {
            let clips =
                RunwayClips::new(base("RUNWAY", RunwayClips::DEFAULT_BASE_URL), key("RUNWAY"))?;
            Some(Arc::new(match model("RUNWAY") {
                Some(m) => clips.with_model(m),
                None => clips,
            }))
        } else {
            None
        };
        let luma: Option<Arc<dyn Clips>> = if configured("LUMA") {
            let clips = LumaClips::new(base("LUMA", LumaClips::DEFAULT_BASE_URL), key("LUMA"))?;
            Some(Arc::new(match model("LUMA") {
                Some(m) => clips.with_model(m),
                None => clips,
            }))
        } else {
            None
        };
        Ok(StoryboardMedia {
            speaker,
            drawn: IllustratedImages::new()?,
            openai,
            composer: FrameComposer::new()?,
            ffmpeg: Ffmpeg::default(),
            offline_clips: Arc::new(OfflineClips::new(Ffmpeg::default(), work.join("clips"))),
            runway,
            luma,
            work: work.join("films"),
        })
    }
}

/// What a job asks for that this build was not given.
fn not_configured(what: &str, variable: &str) -> MediaError {
    MediaError::Invalid(format!(
        "the job asks for {what}, which is not configured here: set {variable}"
    ))
}

#[async_trait]
impl Visuals for StoryboardMedia {
    async fn picture(
        &self,
        source: ImageSource,
        request: ImageRequest<'_>,
    ) -> Result<Vec<u8>, MediaError> {
        let picture = match source {
            ImageSource::Offline => self.drawn.image(request).await?,
            ImageSource::Openai => match &self.openai {
                Some(images) => images.image(request).await?,
                None => {
                    return Err(not_configured(
                        "OpenAI-compatible images",
                        "COURSEGEN_IMAGES_BASE_URL or COURSEGEN_IMAGES_API_KEY",
                    ));
                }
            },
        };
        let text = request.frame.on_screen_text.as_deref();
        self.composer
            .compose(&picture, text, request.size, request.direction)
    }

    fn clips(&self, source: ClipSource) -> Result<Arc<dyn Clips>, MediaError> {
        match source {
            ClipSource::Offline => Ok(self.offline_clips.clone()),
            ClipSource::Runway => self.runway.clone().ok_or_else(|| {
                not_configured(
                    "Runway clips",
                    "COURSEGEN_RUNWAY_BASE_URL or COURSEGEN_RUNWAY_API_KEY",
                )
            }),
            ClipSource::Luma => self.luma.clone().ok_or_else(|| {
                not_configured(
                    "Luma clips",
                    "COURSEGEN_LUMA_BASE_URL or COURSEGEN_LUMA_API_KEY",
                )
            }),
        }
    }

    async fn narrate(
        &self,
        video: &VideoBoard,
        options: &VideoOptions,
        cancel: watch::Receiver<bool>,
    ) -> Result<SpokenVideo, MediaError> {
        let said = film::narrate(
            self.speaker.as_ref(),
            video,
            options.voice.clone(),
            options.speed,
            &|_, _| {},
            &cancel,
        )
        .await?;
        Ok(SpokenVideo {
            wav: said.wav,
            duration_ms: said.duration_ms,
            vtt: said.vtt,
            srt: said.srt,
            frame_ms: said.frame_ms,
        })
    }

    async fn film(
        &self,
        video: &VideoBoard,
        frame_clips: &[Vec<u8>],
        narration: &SpokenVideo,
        size: FrameSize,
        cancel: watch::Receiver<bool>,
    ) -> Result<FilmedMedia, MediaError> {
        let io = |e: std::io::Error| MediaError::Failed(format!("the film's working files: {e}"));
        tokio::fs::create_dir_all(&self.work).await.map_err(io)?;
        let dir = tempfile::tempdir_in(&self.work).map_err(io)?;
        let mut paths = Vec::with_capacity(frame_clips.len());
        for (i, clip) in frame_clips.iter().enumerate() {
            let path = dir.path().join(format!("frame-{i:03}.mp4"));
            tokio::fs::write(&path, clip).await.map_err(io)?;
            paths.push(path);
        }
        let narrated = Narrated {
            wav: narration.wav.clone(),
            duration_ms: narration.duration_ms,
            vtt: narration.vtt.clone(),
            srt: narration.srt.clone(),
            frame_ms: narration.frame_ms.clone(),
        };
        let made = film::film(
            &self.ffmpeg,
            video,
            &paths,
            &narrated,
            dir.path(),
            size,
            &cancel,
        )
        .await?;
        let mut shots = Vec::with_capacity(made.shots.len());
        for shot in &made.shots {
            shots.push(tokio::fs::read(shot).await.map_err(io)?);
        }
        let mp4 = tokio::fs::read(&made.video).await.map_err(io)?;
        Ok(FilmedMedia { mp4, shots })
    }
}
