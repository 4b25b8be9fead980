//! YouTube videos on the embedded default, through yt-dlp: the video's own
//! captions when it has them in the language spoken (uploaded first, then
//! automatic), else its audio through speech-to-text. The video's title,
//! channel, length and chapters come along; chapters become boundaries the
//! segmentation keeps.

mod info;
mod ytdlp;

use std::sync::Arc;

use async_trait::async_trait;
use std::sync::atomic::{AtomicU32, Ordering};

use coursegen_core::material::{Material, Transcript};
use coursegen_core::options::Options;
use coursegen_core::pipeline::{Ingested, Ingestor, SourceVideo, VideoPart};
use coursegen_core::ports::{ArtifactStore, EngineError, Progress, Transcriber};
use coursegen_core::source::{Source, TranscriptFormat, YoutubeId};
use futures::StreamExt;

pub use info::{Chapter, Info, Pick, Track};
pub use ytdlp::{SET_UP_YTDLP, URL_ENV, YTDLP_ENV, YtDlp};

use super::{UploadIngestor, sentences, transcript};

/// Videos of a playlist fetched at once, at most: each may be transcribed,
/// and transcription takes every core.
const PLAYLIST_CONCURRENCY: usize = 2;
/// Silence put between two videos of a playlist in its material, so that
/// no sentence or segment spans two.
const GAP_MS: u64 = 1_000;

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

impl YoutubeIngestor {
    /// A playlist as one material: its videos fetched a few at a time, in
    /// order one after another with a second of silence between, each
    /// video's part (and its chapters) kept, so that the segmentation takes
    /// the videos one by one and the outline makes a module of each. A
    /// video that cannot be had is left out and said why; none at all is
    /// an error.
    async fn playlist(
        &self,
        ytdlp: &YtDlp,
        ids: &[YoutubeId],
        options: &Options,
        progress: &Progress,
    ) -> Result<Ingested, EngineError> {
        let total = u32::try_from(ids.len()).unwrap_or(u32::MAX);
        let done = AtomicU32::new(0);
        let done = &done;
        let fetched: Vec<Result<Ingested, EngineError>> = futures::stream::iter(ids.to_vec())
            .map(|id: YoutubeId| async move {
                let video = self
                    .video(ytdlp, id.as_str(), options, &progress.silent())
                    .await;
                let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                progress.report(n, total, format!("fetched {n} of {total} videos"));
                video
            })
            .buffered(PLAYLIST_CONCURRENCY)
            .collect()
            .await;
        let mut whole = Transcript::default();
        let mut sentences = Vec::new();
        let (mut parts, mut skipped) = (Vec::new(), Vec::new());
        let mut at = 0u64;
        for (id, video) in ids.iter().zip(fetched) {
            let video = match video {
                Ok(video) => video,
                Err(e) => {
                    skipped.push(format!("video {id}: {e}"));
                    continue;
                }
            };
            let transcript = video.transcript.unwrap_or_default();
            let facts = video.source_video.unwrap_or_default();
            let length = transcript.duration_ms().max(facts.duration_ms.unwrap_or(0));
            whole.language = whole.language.or(transcript.language);
            whole
                .cues
                .extend(transcript.cues.into_iter().map(|mut cue| {
                    cue.start_ms += at;
                    cue.end_ms += at;
                    cue
                }));
            sentences.extend(video.material.sentences.into_iter().map(|mut s| {
                s.start_ms += at;
                s.end_ms += at;
                s
            }));
            parts.push(VideoPart {
                video_id: id.to_string(),
                url: facts.url,
                title: facts.title,
                start_ms: at,
                end_ms: at + length,
                chapter_ends_ms: video
                    .segment_ends_ms
                    .iter()
                    .flatten()
                    .map(|ms| at + ms)
                    .collect(),
            });
            at += length + GAP_MS;
        }
        if parts.is_empty() {
            return Err(EngineError::Invalid(format!(
                "no video of the playlist could be used: {}",
                skipped.join("; ")
            )));
        }
        Ok(Ingested {
            material: Material {
                sentences,
                language: whole.language.clone(),
                ..Material::default()
            },
            transcript: Some(whole),
            parts,
            skipped,
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
            (Source::Playlist { video_ids }, Some(ytdlp)) => {
                self.playlist(ytdlp, video_ids, options, progress).await
            }
            (Source::Playlist { .. }, None) => Err(EngineError::Unsupported(format!(
                "a playlist needs yt-dlp (scripts/setup-speech installs it; or set {YTDLP_ENV}), \
                 or the AI server"
            ))),
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
