//! What `coursegen generate` was given → a job source, with the upload put
//! where the ingest step reads it.

use std::path::Path;

use anyhow::{Context, bail};
use coursegen_core::auth::Principal;
use coursegen_core::service::Service;
use coursegen_core::source::{DocumentFormat, Source, TranscriptFormat, YoutubeId};
use coursegen_core::upload::{AudioFormat, UploadRequest};

const AUDIO: &[&str] = &["mp3", "wav", "m4a", "ogg", "flac", "aac", "webm", "mp4"];

/// Reads `input` (a file, a YouTube URL or id) into a job source, storing
/// a file as the API stores an upload.
/// With `transcribes` (the AI server is the engine), YouTube videos and
/// audio files are taken too.
pub async fn resolve(
    input: &str,
    service: &Service,
    me: &Principal,
    transcribes: bool,
) -> anyhow::Result<Source> {
    let path = Path::new(input);
    if !path.exists() {
        if let (Ok(video_id), true) = (input.parse::<YoutubeId>(), transcribes) {
            return Ok(Source::Youtube { video_id });
        }
        if input.parse::<YoutubeId>().is_ok() {
            bail!(
                "{input} is a YouTube video: its audio needs transcription by the AI server (set COURSEGEN_AI_SERVER_URL \
                 and use --engine ai-server), or download its captions and pass the .vtt file"
            );
        }
        bail!("{input}: no such file");
    }
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    if let (Some(format), true) = (audio_format(&extension), transcribes) {
        let bytes = std::fs::read(path).with_context(|| format!("cannot read {input}"))?;
        let request = UploadRequest::Audio {
            format,
            size: bytes.len() as u64,
        };
        return store(service, me, request, bytes).await;
    }
    if AUDIO.contains(&extension.as_str()) {
        bail!(
            "{input} is audio: it needs transcription by the AI server (set COURSEGEN_AI_SERVER_URL and use --engine ai-server)"
        );
    }
    // The format is known before anything is read.
    let kind = match extension.as_str() {
        "vtt" => Ok(TranscriptFormat::Vtt),
        "srt" => Ok(TranscriptFormat::Srt),
        "json" => Ok(TranscriptFormat::Json),
        "txt" => Ok(TranscriptFormat::Txt),
        "docx" => Err(DocumentFormat::Docx),
        "md" | "markdown" => Err(DocumentFormat::Md),
        other => bail!(
            "{input}: .{other} is not a format coursegen reads (vtt, srt, json, txt, docx, md)"
        ),
    };
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {input}"))?;
    let size = bytes.len() as u64;
    let request = match kind {
        Ok(format) => UploadRequest::Transcript { format, size },
        Err(format) => UploadRequest::Document { format, size },
    };
    store(service, me, request, bytes).await
}

/// Reads `path` as a course script (.docx, .md, .txt: a plain-text script,
/// never a transcript here) into a document source.
pub async fn script(path: &Path, service: &Service, me: &Principal) -> anyhow::Result<Source> {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let format = match extension.as_str() {
        "docx" => DocumentFormat::Docx,
        "md" | "markdown" => DocumentFormat::Md,
        "txt" => DocumentFormat::Txt,
        other => bail!(
            "{}: .{other} is not a course script (docx, md, txt)",
            path.display()
        ),
    };
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let request = UploadRequest::Document {
        format,
        size: bytes.len() as u64,
    };
    store(service, me, request, bytes).await
}

/// Stores `bytes` as the API stores an upload; the source that reads it.
async fn store(
    service: &Service,
    me: &Principal,
    request: UploadRequest,
    bytes: Vec<u8>,
) -> anyhow::Result<Source> {
    let grant = service.grant_upload(me, request.clone()).await?;
    service
        .steps
        .artifacts
        .put(&grant.key, bytes, request.content_type())
        .await
        .context("cannot store the upload")?;
    Ok(match request {
        UploadRequest::Transcript { format, .. } => Source::Transcript {
            upload_key: grant.key,
            format,
        },
        UploadRequest::Document { format, .. } => Source::Document {
            upload_key: grant.key,
            format,
        },
        UploadRequest::Audio { .. } => Source::Audio {
            upload_key: grant.key,
        },
    })
}

fn audio_format(extension: &str) -> Option<AudioFormat> {
    Some(match extension {
        "mp3" => AudioFormat::Mp3,
        "wav" => AudioFormat::Wav,
        "m4a" | "aac" | "mp4" => AudioFormat::M4a,
        "ogg" => AudioFormat::Ogg,
        "flac" => AudioFormat::Flac,
        "webm" => AudioFormat::Webm,
        _ => return None,
    })
}
