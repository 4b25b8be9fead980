//! A lesson's video from its narration ([`LessonRenderer`]): every sentence
//! spoken (a few at a time), each beat's slide drawn, the subtitles timed
//! by the speech, and ffmpeg putting them together — in a working
//! directory that goes when the render ends, however it ends.

use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use coursegen_core::narration::Narration;
use coursegen_core::ports::{
    Encoder, MediaError, RenderedVideo, SlideRenderer, Speaker, VideoPlan, VideoRenderer, Voice,
};
use coursegen_core::videos::{Subtitles, VideoOptions};
use tokio::sync::watch;

use crate::{language, spoken, subtitles};

/// Of a render's progress, the share speaking and drawing take; encoding
/// takes the rest.
const PREPARED_PERCENT: u8 = 40;

/// Renders lesson videos with a speaker, a slide renderer and an encoder.
#[derive(Debug, Clone)]
pub struct LessonRenderer {
    pub speaker: Arc<dyn Speaker>,
    pub slides: Arc<dyn SlideRenderer>,
    pub encoder: Arc<dyn Encoder>,
}

fn io(what: &str) -> impl Fn(std::io::Error) -> MediaError + '_ {
    move |e| MediaError::Failed(format!("{what}: {e}"))
}

impl LessonRenderer {
    /// Each beat's slide as a PNG in `dir`, shown while its sentences are
    /// said (`spoken`, in order, with their pauses).
    async fn stills(
        &self,
        narration: &Narration,
        options: &VideoOptions,
        spoken: &[u64],
        dir: &Path,
    ) -> Result<Vec<(std::path::PathBuf, u64)>, MediaError> {
        let slides = self.slides.clone();
        let beats: Vec<_> = narration.beats.iter().map(|b| b.slide.clone()).collect();
        let (size, direction) = (options.frame_size(), narration.direction());
        let pictures = tokio::task::spawn_blocking(move || {
            beats
                .iter()
                .map(|slide| slides.render(slide, size, direction))
                .collect::<Result<Vec<_>, _>>()
        })
        .await
        .map_err(|e| MediaError::Failed(format!("drawing the slides stopped: {e}")))??;
        let mut stills = Vec::new();
        let mut said = spoken.iter();
        for (i, (beat, png)) in narration.beats.iter().zip(pictures).enumerate() {
            let path = dir.join(format!("slide-{i:03}.png"));
            tokio::fs::write(&path, png)
                .await
                .map_err(io("writing a slide"))?;
            let shown: u64 = said.by_ref().take(beat.sentences.len()).sum();
            stills.push((path, shown));
        }
        Ok(stills)
    }
}

fn percent_of(done: usize, total: usize, of: u8) -> u8 {
    u8::try_from(done * usize::from(of) / total.max(1)).unwrap_or(of)
}

#[async_trait]
impl VideoRenderer for LessonRenderer {
    fn voices(&self) -> Vec<String> {
        self.speaker.voices()
    }

    async fn render(
        &self,
        narration: &Narration,
        options: &VideoOptions,
        progress: &(dyn Fn(u8) + Send + Sync),
        cancel: watch::Receiver<bool>,
    ) -> Result<RenderedVideo, MediaError> {
        narration
            .validate()
            .map_err(|e| MediaError::Invalid(format!("the narration cannot be spoken: {e}")))?;
        let voice = Voice {
            language: narration.language.clone(),
            name: options.voice.clone(),
            speed: options.speed,
        };
        let beats: Vec<Vec<String>> = narration
            .beats
            .iter()
            .map(|b| b.sentences.clone())
            .collect();
        let said =
            |done: usize, total: usize| progress(percent_of(done, total, PREPARED_PERCENT - 5));
        let spoken = spoken::speak(self.speaker.as_ref(), &beats, &voice, &said, &cancel).await?;
        let durations = spoken.durations.clone();
        let (audio, duration_ms) = spoken.audio()?;
        let cues = spoken.cues(narration.sentences());
        let (vtt, srt) = (subtitles::vtt(&cues), subtitles::srt(&cues));

        let dir = tempfile::Builder::new()
            .prefix("coursegen-render-")
            .tempdir()
            .map_err(io("making a working directory"))?;
        let stills = self
            .stills(narration, options, &durations, dir.path())
            .await?;
        progress(PREPARED_PERCENT);
        let audio_path = dir.path().join("narration.wav");
        let vtt_path = dir.path().join("subtitles.vtt");
        tokio::fs::write(&audio_path, audio)
            .await
            .map_err(io("writing the narration"))?;
        tokio::fs::write(&vtt_path, &vtt)
            .await
            .map_err(io("writing the subtitles"))?;
        let plan = VideoPlan {
            stills,
            audio: audio_path,
            duration_ms,
            subtitles: vtt_path,
            subtitle_language: language::iso639_2(&narration.language).to_owned(),
            burn_subtitles: options.subtitles == Subtitles::Burned,
            size: options.frame_size(),
            output: dir.path().join("lesson.mp4"),
        };
        let encoding = |p: u8| {
            progress(PREPARED_PERCENT + percent_of(p.into(), 100, 100 - PREPARED_PERCENT));
        };
        self.encoder.encode(&plan, &encoding, cancel).await?;
        let mp4 = tokio::fs::read(&plan.output)
            .await
            .map_err(io("reading the video"))?;
        Ok(RenderedVideo {
            mp4,
            vtt,
            srt,
            duration_ms,
        })
    }
}
