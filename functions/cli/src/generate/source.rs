//! What `coursegen generate` was given → a job source, with the upload put
//! where the ingest step reads it.

use std::path::Path;

use anyhow::{Context, bail};
use coursegen_core::auth::Principal;
use coursegen_core::service::Service;
use coursegen_core::source::{DocumentFormat, Source, YoutubeId};
use coursegen_core::upload::UploadRequest;
use coursegen_engines::ingest::youtube::YtDlp;

/// Reads `input` (a file, a YouTube URL or id) into a job source, storing
/// a file as the API stores an upload.
/// Recordings are taken when something `transcribes` them (else the
/// error says why not); YouTube videos when `ytdlp` or the AI server
/// fetches them, and playlists (a playlist URL, or videos separated by
/// commas) when `ytdlp` does.
pub async fn resolve(
    input: &str,
    service: &Service,
    me: &Principal,
    transcribes: &Result<(), String>,
    ytdlp: Option<&YtDlp>,
    ai_server: bool,
) -> anyhow::Result<Source> {
    let path = Path::new(input);
    if !path.exists() {
        return videos(input, ytdlp, ai_server).await;
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

/// A YouTube video, several separated by commas, or a playlist's URL → the
/// job source.
async fn videos(input: &str, ytdlp: Option<&YtDlp>, ai_server: bool) -> anyhow::Result<Source> {
    let listed: Vec<&str> = input
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    let playlist_url = input.contains("list=") && input.parse::<YoutubeId>().is_err();
    let no_ytdlp =
        "there is no yt-dlp here to fetch it: run scripts/setup-speech (or set COURSEGEN_YTDLP)";
    if listed.len() <= 1 && !playlist_url {
        let Ok(video_id) = input.parse::<YoutubeId>() else {
            bail!("{input}: no such file");
        };
        if ytdlp.is_none() && !ai_server {
            bail!(
                "{input} is a YouTube video, and {no_ytdlp}, use the AI server (--engine ai-server), \
                 or download its captions and pass the .vtt file"
            );
        }
        return Ok(Source::Youtube { video_id });
    }
    let Some(ytdlp) = ytdlp else {
        bail!("{input} is a playlist, and {no_ytdlp}");
    };
    let ids = if playlist_url {
        ytdlp
            .playlist(input)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?
    } else {
        listed.iter().map(|s| (*s).to_owned()).collect()
    };
    let video_ids = ids
        .iter()
        .map(|id| id.parse::<YoutubeId>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| anyhow::anyhow!("{input}: no such file, nor YouTube videos ({e})"))?;
    let source = Source::Playlist { video_ids };
    source
        .validate()
        .map_err(|e| anyhow::anyhow!("{input}: {e}"))?;
    Ok(source)
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
