//! Uploads: a caller asks to upload a file of a declared kind, format and
//! size, gets a URL to PUT it to (a pre-signed S3 URL on AWS, our own server
//! locally), then names the upload as a job's source. Each caller's uploads
//! live under a prefix of their own, so a job reads only its owner's files.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::artifact::ArtifactKey;
use crate::ids::UserId;
use crate::source::{DocumentFormat, TranscriptFormat};

/// Audio the AI server can transcribe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AudioFormat {
    Mp3,
    Wav,
    M4a,
    Ogg,
    Flac,
    Webm,
}

/// What the caller says it will upload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum UploadRequest {
    Transcript {
        format: TranscriptFormat,
        #[schemars(range(min = 1))]
        size: u64,
    },
    Document {
        format: DocumentFormat,
        #[schemars(range(min = 1))]
        size: u64,
    },
    Audio {
        format: AudioFormat,
        #[schemars(range(min = 1))]
        size: u64,
    },
}

impl UploadRequest {
    pub fn size(&self) -> u64 {
        match self {
            UploadRequest::Transcript { size, .. }
            | UploadRequest::Document { size, .. }
            | UploadRequest::Audio { size, .. } => *size,
        }
    }

    /// The file extension the stored upload gets.
    pub fn extension(&self) -> &'static str {
        match self {
            UploadRequest::Transcript { format, .. } => match format {
                TranscriptFormat::Vtt => "vtt",
                TranscriptFormat::Srt => "srt",
                TranscriptFormat::Json => "json",
                TranscriptFormat::Txt => "txt",
            },
            UploadRequest::Document { format, .. } => match format {
                DocumentFormat::Docx => "docx",
                DocumentFormat::Md => "md",
                DocumentFormat::Txt => "txt",
            },
            UploadRequest::Audio { format, .. } => match format {
                AudioFormat::Mp3 => "mp3",
                AudioFormat::Wav => "wav",
                AudioFormat::M4a => "m4a",
                AudioFormat::Ogg => "ogg",
                AudioFormat::Flac => "flac",
                AudioFormat::Webm => "webm",
            },
        }
    }

    /// The Content-Type the PUT must carry.
    pub fn content_type(&self) -> &'static str {
        match self.extension() {
            "vtt" => "text/vtt",
            "srt" => "application/x-subrip",
            "json" => "application/json",
            "txt" => "text/plain",
            "md" => "text/markdown",
            "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "mp3" => "audio/mpeg",
            "wav" => "audio/wav",
            "m4a" => "audio/mp4",
            "ogg" => "audio/ogg",
            "flac" => "audio/flac",
            _ => "audio/webm",
        }
    }
}

/// The right to PUT one file: where it goes and what it must be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadGrant {
    pub key: ArtifactKey,
    pub request: UploadRequest,
}

/// Where and how to send the bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct UploadTarget {
    /// Name this as the job source's `upload_key`.
    pub upload_key: ArtifactKey,
    pub url: String,
    pub method: String,
    /// Headers the PUT must send (its Content-Type).
    pub headers: std::collections::BTreeMap<String, String>,
    pub expires_at: DateTime<Utc>,
}

/// Where uploads are stored; a job's source must name one of them.
pub const UPLOADS: &str = "uploads/";

/// The prefix of `user`'s uploads. User ids may hold characters keys may
/// not (`|`, `@`, `:`), so the id is written in hex.
pub fn uploads_of(user: &UserId) -> String {
    let mut hex = String::with_capacity(user.as_str().len() * 2);
    for b in user.as_str().bytes() {
        let _ = write!(hex, "{b:02x}");
    }
    format!("{UPLOADS}u-{hex}/")
}
