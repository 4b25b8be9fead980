//! YouTube videos on the embedded default, through yt-dlp: the video's own
//! captions when it has them in the language spoken (uploaded first, then
//! automatic), else its audio through speech-to-text. The video's title,
//! channel, length and chapters come along; chapters become boundaries the
//! segmentation keeps.

mod info;
mod ytdlp;

use std::sync::Arc;

use async_trait::async_trait;
use coursegen_core::material::Material;
use coursegen_core::options::Options;
use coursegen_core::pipeline::{Ingested, Ingestor, SourceVideo};
use coursegen_core::ports::{ArtifactStore, EngineError, Progress, Transcriber};
use coursegen_core::source::{Source, TranscriptFormat};

pub use info::{Chapter, Info, Pick, Track};
pub use ytdlp::{SET_UP_YTDLP, URL_ENV, YTDLP_ENV, YtDlp};

use super::{UploadIngestor, sentences, transcript};

/// Fetches YouTube videos with yt-dlp; every other source goes to the
/// upload ingestor it wraps.
#[derive(Debug, Clone)]
pub struct YoutubeIngestor {
    uploads: UploadIngestor,
    ytdlp: Option<YtDlp>,
    transcriber: Option<Arc<dyn Transcriber>>,
}

impl YoutubeIngestor {
    /// `ytdlp` fetches (none: videos are refused, saying how to get it);
    /// `transcriber` hears videos without captions, and recordings.
    pub fn new(ytdlp: Option<YtDlp>, transcriber: Option<Arc<dyn Transcriber>>) -> Self {
        let uploads = match &transcriber {
            Some(t) => UploadIngestor::transcribing(t.clone()),
            None => UploadIngestor::default(),
        };
        YoutubeIngestor {
            uploads,
            ytdlp,
            transcriber,
        }
    }

    async fn video(
        &self,
        ytdlp: &YtDlp,
        id: &str,
        options: &Options,
        progress: &Progress,
    ) -> Result<Ingested, EngineError> {
        let dir = tempfile::Builder::new()
            .prefix("coursegen-video-")
            .tempdir()
            .map_err(|e| {
                EngineError::Unavailable(format!("cannot make a working directory: {e}"))
            })?;
        progress.report(0, 1, format!("reading video {id}"));
        let (info, info_path) = ytdlp.info(id, dir.path()).await?;
        let language = options.source_language.as_deref();
        let (transcript, transcript_from) = match info.captions(language) {
            Some(pick) => {
                progress.report(0, 1, format!("fetching the captions of video {id}"));
                let file = ytdlp.captions(id, &info_path, &pick, dir.path()).await?;
                let bytes = tokio::fs::read(&file).await.map_err(|e| {
                    EngineError::Unavailable(format!("cannot read video {id}'s captions: {e}"))
                })?;
                let format = match pick.ext {
                    "srt" => TranscriptFormat::Srt,
                    _ => TranscriptFormat::Vtt,
                };
                let mut captions = transcript(&bytes, format).map_err(|e| {
                    EngineError::Invalid(format!("video {id}'s captions cannot be read: {e}"))
                })?;
                captions.language.get_or_insert_with(|| pick.language());
                let kind = if pick.automatic {
                    "automatic"
                } else {
                    "uploaded"
                };
                (captions, format!("{kind} captions ({})", pick.key))
            }
            None => {
                let Some(transcriber) = &self.transcriber else {
                    return Err(EngineError::Unsupported(format!(
                        "video {id} has no captions in the language spoken: its audio needs \
                         speech-to-text (a coursegen built with it, or the AI server)"
                    )));
                };
                progress.report(0, 1, format!("downloading the audio of video {id}"));
                let audio = ytdlp.audio(id, &info_path, dir.path()).await?;
                let heard = transcriber.transcribe(&audio, language, progress).await?;
                (heard, "speech-to-text".to_owned())
            }
        };
        let url = info.webpage_url.clone().unwrap_or_else(|| ytdlp.url(id));
        let source_video = SourceVideo {
            url: url.clone(),
            title: info.title.clone(),
            channel: info.channel().map(str::to_owned),
            duration_ms: info
                .duration
                .filter(|d| *d > 0.0)
                .map(|d| (d * 1000.0).round() as u64),
            chapters: info
                .chapters
                .iter()
                .flatten()
                .map(|c| {
                    let start = (c.start_time.max(0.0) * 1000.0).round() as u64;
                    (start, c.title.clone().unwrap_or_default())
                })
                .collect(),
            transcript_from,
        };
        Ok(Ingested {
            material: Material {
                language: transcript.language.clone(),
                ..sentences(&transcript).into()
            },
            title: info.title.clone(),
            video: Some(url),
            segment_ends_ms: info.chapter_ends_ms(),
            transcript: Some(transcript),
            source_video: Some(source_video),
            ..Ingested::default()
        })
    }
}

#[async_trait]
impl Ingestor for YoutubeIngestor {
    async fn ingest(
        &self,
        source: &Source,
        options: &Options,
        artifacts: &dyn ArtifactStore,
        progress: &Progress,
    ) -> Result<Ingested, EngineError> {
        match (source, &self.ytdlp) {
            (Source::Youtube { video_id }, Some(ytdlp)) => {
                self.video(ytdlp, video_id.as_str(), options, progress)
                    .await
            }
            (Source::Youtube { video_id }, None) => Err(EngineError::Unsupported(format!(
                "video {video_id} needs yt-dlp (scripts/setup-speech installs it; or set {YTDLP_ENV}), \
                 or the AI server"
            ))),
            _ => {
                self.uploads
                    .ingest(source, options, artifacts, progress)
                    .await
            }
        }
    }
}
