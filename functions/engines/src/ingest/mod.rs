//! Ingestion: uploaded bytes → a normalised [`Transcript`] or [`Document`].
//! Every parser takes arbitrary bytes and answers either a result or an
//! [`IngestError`] that names the problem and where it is; none panics.

mod cleanup;
mod decode;
mod docx;
mod json;
mod markdown;
mod narrate;
pub(crate) mod plain;
pub mod punctuation;
mod sentences;
mod source;
mod split;
mod srt;
mod timestamp;
mod upload_check;
mod vtt;
pub mod youtube;

use std::fmt;

use coursegen_core::material::{Document, Transcript};
use coursegen_core::source::{DocumentFormat, TranscriptFormat};
use coursegen_core::upload;

pub use narrate::{Narration, narrate};
pub use sentences::sentences;
pub use source::UploadIngestor;
pub use split::split_sections;
pub use youtube::YoutubeIngestor;

/// The largest transcript accepted; uploads are granted by the same limit
/// (`coursegen_core::upload`), so the two cannot drift.
pub const MAX_TRANSCRIPT_BYTES: usize = upload::MAX_TRANSCRIPT_BYTES as usize;
/// The largest document accepted, likewise.
pub const MAX_DOCUMENT_BYTES: usize = upload::MAX_DOCUMENT_BYTES as usize;

/// Why ingestion failed, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct IngestError {
    /// The format being read: "vtt", "srt", "json", "txt", "docx", "md".
    pub format: &'static str,
    /// Where: a line, a byte offset or a JSON path.
    pub position: Option<Position>,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Position {
    Line(usize),
    Byte(usize),
    Path(String),
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Position::Line(n) => write!(f, "line {n}"),
            Position::Byte(n) => write!(f, "byte {n}"),
            Position::Path(p) => write!(f, "at {p}"),
        }
    }
}

impl fmt::Display for IngestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.position {
            Some(p) => write!(f, "{} {p}: {}", self.format, self.message),
            None => write!(f, "{}: {}", self.format, self.message),
        }
    }
}

impl IngestError {
    pub(crate) fn new(format: &'static str, message: impl Into<String>) -> Self {
        IngestError {
            format,
            position: None,
            message: message.into(),
        }
    }

    pub(crate) fn at_line(format: &'static str, line: usize, message: impl Into<String>) -> Self {
        IngestError {
            format,
            position: Some(Position::Line(line)),
            message: message.into(),
        }
    }
}

/// Refuses input over `limit` bytes before reading any of it.
pub(crate) fn check_size(
    bytes: &[u8],
    format: &'static str,
    limit: usize,
) -> Result<(), IngestError> {
    if bytes.len() <= limit {
        return Ok(());
    }
    Err(IngestError::new(
        format,
        format!(
            "the file is {:.1} MB; at most {} MB is accepted",
            bytes.len() as f64 / 1e6,
            limit >> 20
        ),
    ))
}

fn format_name(format: TranscriptFormat) -> &'static str {
    match format {
        TranscriptFormat::Vtt => "vtt",
        TranscriptFormat::Srt => "srt",
        TranscriptFormat::Json => "json",
        TranscriptFormat::Txt => "txt",
    }
}

pub use upload_check::{check_upload, check_upload_from};

/// Reads a transcript: parses, drops noise and markup, merges rolling
/// captions, and checks that some speech is left.
pub fn transcript(bytes: &[u8], format: TranscriptFormat) -> Result<Transcript, IngestError> {
    let name = format_name(format);
    let text = decode::text(bytes, name, MAX_TRANSCRIPT_BYTES)?;
    let raw = match format {
        TranscriptFormat::Vtt => vtt::parse(&text)?,
        TranscriptFormat::Srt => srt::parse(&text)?,
        TranscriptFormat::Json => json::parse(&text)?,
        TranscriptFormat::Txt => plain::parse(&text),
    };
    let transcript = cleanup::normalise(raw);
    if transcript.cues.is_empty() {
        return Err(IngestError::new(
            name,
            "no speech found: the file has no caption text",
        ));
    }
    Ok(transcript)
}

/// Reads a course script or other written material.
pub fn document(bytes: &[u8], format: DocumentFormat) -> Result<Document, IngestError> {
    let document = match format {
        DocumentFormat::Docx => docx::parse(bytes)?,
        DocumentFormat::Md => markdown::parse(&decode::text(bytes, "md", MAX_DOCUMENT_BYTES)?),
        DocumentFormat::Txt => plain::document(&decode::text(bytes, "txt", MAX_DOCUMENT_BYTES)?),
    };
    if document.blocks.is_empty() {
        let name = match format {
            DocumentFormat::Docx => "docx",
            DocumentFormat::Md => "md",
            DocumentFormat::Txt => "txt",
        };
        return Err(IngestError::new(name, "the document has no text"));
    }
    Ok(document)
}

/// A cue as a parser reads it, before clean-up.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct RawCue {
    pub start_ms: u64,
    pub end_ms: u64,
    pub segments: Vec<Segment>,
}

/// A piece of cue text. Lines are segments; a line with inline word
/// timestamps (YouTube's `<00:00:01.480><c> word</c>`) is split at them.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Segment {
    /// As written, markup included.
    pub text: String,
    /// When the segment's first word is spoken, if the captions say.
    pub at_ms: Option<u64>,
    /// Whether the segment begins a line (where speaker labels sit).
    pub line_start: bool,
}

impl Segment {
    pub fn line(text: &str) -> Self {
        Segment {
            text: text.to_owned(),
            at_ms: None,
            line_start: true,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct RawTranscript {
    pub language: Option<String>,
    pub cues: Vec<RawCue>,
}
