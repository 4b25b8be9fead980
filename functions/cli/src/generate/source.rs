//! What `coursegen generate` was given → a job source, with the upload put
//! where the ingest step reads it.

use std::path::Path;

use anyhow::{Context, bail};
use coursegen_core::auth::Principal;
use coursegen_core::service::Service;
use coursegen_core::source::{DocumentFormat, Source, YoutubeId};
use coursegen_core::upload::UploadRequest;

/// Reads `input` (a file, a YouTube URL or id) into a job source, storing
/// a file as the API stores an upload.
/// Recordings are taken when something `transcribes` them (else the
/// error says why not); YouTube videos when something `fetches` them
/// (yt-dlp here, or the AI server).
pub async fn resolve(
    input: &str,
    service: &Service,
    me: &Principal,
    transcribes: &Result<(), String>,
    fetches: bool,
) -> anyhow::Result<Source> {
    let path = Path::new(input);
    if !path.exists() {
        if let (Ok(video_id), true) = (input.parse::<YoutubeId>(), fetches) {
            return Ok(Source::Youtube { video_id });
        }
        if input.parse::<YoutubeId>().is_ok() {
            bail!(
                "{input} is a YouTube video, and there is no yt-dlp here to fetch it: run scripts/setup-speech \
                 (or set COURSEGEN_YTDLP), use the AI server (--engine ai-server), or download its \
                 captions and pass the .vtt file"
            );
        }
        bail!("{input}: no such file");
    }
    let size = std::fs::metadata(path)
        .with_context(|| format!("cannot read {input}"))?
        .len();
    // The format is known before anything is read.
    let request = UploadRequest::for_file(input, size).with_context(|| {
        format!("{input} is not a format coursegen reads (vtt, srt, json, txt, docx, md, or a recording)")
    })?;
    if let (UploadRequest::Audio { .. }, Err(why)) = (&request, transcribes) {
        bail!(
            "{input} is audio and cannot be transcribed: {why}; or use the AI server \
             (set COURSEGEN_AI_SERVER_URL and use --engine ai-server)"
        );
    }
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {input}"))?;
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
    service
        .store_upload(me, request, bytes)
        .await
        .context("cannot store the upload")
}
