//! What `coursegen generate` was given → a job source, with the upload put
//! where the ingest step reads it.

use std::path::Path;

use anyhow::{Context, bail};
use coursegen_core::artifact::ArtifactKey;
use coursegen_core::ports::ArtifactStore;
use coursegen_core::source::{DocumentFormat, Source, TranscriptFormat, YoutubeId};

enum Kind {
    Transcript(TranscriptFormat),
    Document(DocumentFormat),
}

const AUDIO: &[&str] = &["mp3", "wav", "m4a", "ogg", "flac", "aac", "webm", "mp4"];

/// Reads `input` (a file, a YouTube URL or id) into a job source, storing
/// a file as an upload the way the API's uploads are stored.
pub async fn resolve(input: &str, artifacts: &dyn ArtifactStore) -> anyhow::Result<Source> {
    let path = Path::new(input);
    if !path.exists() {
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
    if AUDIO.contains(&extension.as_str()) {
        bail!(
            "{input} is audio: it needs transcription by the AI server (set COURSEGEN_AI_SERVER_URL and use --engine ai-server)"
        );
    }
    // The format is known before anything is copied.
    let kind = match extension.as_str() {
        "vtt" => Kind::Transcript(TranscriptFormat::Vtt),
        "srt" => Kind::Transcript(TranscriptFormat::Srt),
        "json" => Kind::Transcript(TranscriptFormat::Json),
        "txt" => Kind::Transcript(TranscriptFormat::Txt),
        "docx" => Kind::Document(DocumentFormat::Docx),
        "md" | "markdown" => Kind::Document(DocumentFormat::Md),
        other => bail!(
            "{input}: .{other} is not a format coursegen reads (vtt, srt, json, txt, docx, md)"
        ),
    };
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {input}"))?;
    let key: ArtifactKey = format!("uploads/{}/source.{extension}", ulid::Ulid::generate())
        .parse()
        .context("upload key")?;
    artifacts
        .put(&key, bytes, "application/octet-stream")
        .await
        .context("cannot store the upload")?;
    Ok(match kind {
        Kind::Transcript(format) => Source::Transcript {
            upload_key: key,
            format,
        },
        Kind::Document(format) => Source::Document {
            upload_key: key,
            format,
        },
    })
}
