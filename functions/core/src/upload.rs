//! Uploads: a caller asks to upload a file of a declared kind, format and
//! size, gets a URL to PUT it to (a pre-signed S3 URL on AWS, our own server
//! locally), then names the upload as a job's source. Each caller's uploads
//! live under a prefix of their own, so a job reads only its owner's files.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::artifact::{ArtifactKey, MAX_ARTIFACT_BYTES};
use crate::ids::UserId;
use crate::source::{DocumentFormat, Source, TranscriptFormat};

/// The largest transcript accepted, as an upload and by ingest: 16 MiB is
/// far more than a day of speech.
pub const MAX_TRANSCRIPT_BYTES: u64 = 16 << 20;
/// The largest document accepted, as an upload and by ingest (a .docx may
/// carry images ingest skips).
pub const MAX_DOCUMENT_BYTES: u64 = 64 << 20;
/// The largest audio file: what the artifact store takes. Audio is never
/// parsed here; the AI server transcribes it.
pub const MAX_AUDIO_BYTES: u64 = MAX_ARTIFACT_BYTES;

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
    /// The upload a file is, by its name's extension: a transcript (.vtt,
    /// .srt, .json, .txt), a course script (.docx, .md) or a recording;
    /// `None` for anything else.
    pub fn for_file(name: &str, size: u64) -> Option<UploadRequest> {
        let extension = name.rsplit_once('.')?.1.to_ascii_lowercase();
        let transcript = |format| Some(UploadRequest::Transcript { format, size });
        let document = |format| Some(UploadRequest::Document { format, size });
        let audio = |format| Some(UploadRequest::Audio { format, size });
        match extension.as_str() {
            "vtt" => transcript(TranscriptFormat::Vtt),
            "srt" => transcript(TranscriptFormat::Srt),
            "json" => transcript(TranscriptFormat::Json),
            "txt" => transcript(TranscriptFormat::Txt),
            "docx" => document(DocumentFormat::Docx),
            "md" | "markdown" => document(DocumentFormat::Md),
            "mp3" => audio(AudioFormat::Mp3),
            "wav" => audio(AudioFormat::Wav),
            "m4a" | "aac" | "mp4" => audio(AudioFormat::M4a),
            "ogg" => audio(AudioFormat::Ogg),
            "flac" => audio(AudioFormat::Flac),
            "webm" => audio(AudioFormat::Webm),
            _ => None,
        }
    }

    /// The job source that reads this upload, once stored at `key`.
    pub fn source_at(&self, key: ArtifactKey) -> Source {
        match *self {
            UploadRequest::Transcript { format, .. } => Source::Transcript {
                upload_key: key,
                format,
            },
            UploadRequest::Document { format, .. } => Source::Document {
                upload_key: key,
                format,
            },
            UploadRequest::Audio { .. } => Source::Audio { upload_key: key },
        }
    }

    pub fn size(&self) -> u64 {
        match self {
            UploadRequest::Transcript { size, .. }
            | UploadRequest::Document { size, .. }
            | UploadRequest::Audio { size, .. } => *size,
        }
    }

    /// The largest file of this kind an upload may be: what ingest reads.
    pub fn max_size(&self) -> u64 {
        match self {
            UploadRequest::Transcript { .. } => MAX_TRANSCRIPT_BYTES,
            UploadRequest::Document { .. } => MAX_DOCUMENT_BYTES,
            UploadRequest::Audio { .. } => MAX_AUDIO_BYTES,
        }
    }

    /// What the kind is called in messages.
    pub fn kind(&self) -> &'static str {
        match self {
            UploadRequest::Transcript { .. } => "transcript",
            UploadRequest::Document { .. } => "document",
            UploadRequest::Audio { .. } => "audio file",
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
    /// Whether the owner's [`UploadQuota`] applies (not to admins). Checked
    /// again when the bytes come: grants are not counted until used.
    #[serde(default = "metered_by_default")]
    pub metered: bool,
}

fn metered_by_default() -> bool {
    true
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

/// The prefix of the uploads `key` is one of (`uploads/u-…/`), if it is
/// an upload's key.
pub fn owner_prefix(key: &ArtifactKey) -> Option<String> {
    let mut segments = key.segments();
    let (first, owner) = (segments.next()?, segments.next()?);
    (format!("{first}/") == UPLOADS && owner.starts_with("u-") && segments.next().is_some())
        .then(|| format!("{UPLOADS}{owner}/"))
}

/// How much each user may keep uploaded at once: files not yet expired
/// (uploads expire after some days, DESIGN.md §4). Admins are not metered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadQuota {
    pub files: u64,
    pub bytes: u64,
}

impl Default for UploadQuota {
    /// 50 files and 2 GiB: a course's worth of lectures, four of them
    /// audio files of the largest size.
    fn default() -> Self {
        UploadQuota {
            files: 50,
            bytes: 2 << 30,
        }
    }
}

/// The variables that set the quota.
pub const QUOTA_FILES_VAR: &str = "COURSEGEN_UPLOAD_QUOTA_FILES";
pub const QUOTA_MB_VAR: &str = "COURSEGEN_UPLOAD_QUOTA_MB";

impl UploadQuota {
    /// From `COURSEGEN_UPLOAD_QUOTA_FILES` and `COURSEGEN_UPLOAD_QUOTA_MB`
    /// as `var` reads them; the default for what is unset.
    pub fn from_lookup(var: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let mut quota = UploadQuota::default();
        let number = |name: &str| -> Result<Option<u64>, String> {
            var(name)
                .filter(|v| !v.trim().is_empty())
                .map(|v| {
                    v.trim()
                        .parse::<u64>()
                        .map_err(|_| format!("{name}={v:?} is not a whole number"))
                })
                .transpose()
        };
        if let Some(files) = number(QUOTA_FILES_VAR)? {
            quota.files = files;
        }
        if let Some(mb) = number(QUOTA_MB_VAR)? {
            quota.bytes = mb.saturating_mul(1 << 20);
        }
        Ok(quota)
    }

    /// `Ok` if one more file of `size` bytes fits beside `files` files of
    /// `bytes` bytes already kept; else why not, plainly.
    pub fn admits(&self, files: u64, bytes: u64, size: u64) -> Result<(), String> {
        if files >= self.files {
            return Err(format!(
                "you have {files} uploads, the most one may keep ({}); start jobs from them or wait until they expire",
                self.files
            ));
        }
        if bytes.saturating_add(size) > self.bytes {
            return Err(format!(
                "your uploads take {bytes} bytes; {size} more would pass your quota of {} bytes",
                self.bytes
            ));
        }
        Ok(())
    }
}

/// The prefix of `user`'s uploads. User ids may hold characters keys may
/// not (`|`, `@`, `:`), so the id is written in hex.
pub fn uploads_of(user: &UserId) -> String {
    let mut hex = String::with_capacity(user.as_str().len() * 2);
    for b in user.as_str().bytes() {
        let _ = write!(hex, "{b:02x}");
    }
    format!("{UPLOADS}u-{hex}/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotas_count_files_and_bytes() {
        let quota = UploadQuota {
            files: 2,
            bytes: 100,
        };
        assert_eq!(quota.admits(0, 0, 100), Ok(()));
        assert_eq!(quota.admits(1, 60, 40), Ok(()));
        assert!(quota.admits(2, 0, 1).unwrap_err().contains("2 uploads"));
        assert!(
            quota
                .admits(1, 60, 41)
                .unwrap_err()
                .contains("quota of 100 bytes")
        );
        let read = |files: &str, mb: &str| {
            UploadQuota::from_lookup(|name| match name {
                QUOTA_FILES_VAR => Some(files.to_owned()),
                QUOTA_MB_VAR => Some(mb.to_owned()),
                _ => None,
            })
        };
        assert_eq!(read("", ""), Ok(UploadQuota::default()));
        assert_eq!(
            read("3", "1"),
            Ok(UploadQuota {
                files: 3,
                bytes: 1 << 20
            })
        );
        assert!(read("many", "").unwrap_err().contains(QUOTA_FILES_VAR));
    }

    #[test]
    fn an_upload_key_names_its_owner_prefix() {
        let key: ArtifactKey = "uploads/u-6d65/01J0/source.vtt".parse().unwrap();
        assert_eq!(owner_prefix(&key).as_deref(), Some("uploads/u-6d65/"));
        for other in ["jobs/01J/segment.json", "uploads/u-6d65", "uploads/x/y/z"] {
            assert_eq!(owner_prefix(&other.parse().unwrap()), None, "{other}");
        }
    }

    #[test]
    fn each_kind_has_the_limit_ingest_reads() {
        let transcript = UploadRequest::Transcript {
            format: TranscriptFormat::Vtt,
            size: 1,
        };
        assert_eq!(transcript.max_size(), MAX_TRANSCRIPT_BYTES);
        let audio = UploadRequest::Audio {
            format: AudioFormat::Mp3,
            size: 1,
        };
        assert_eq!(audio.max_size(), MAX_ARTIFACT_BYTES);
    }
}
