//! Where blobs live: uploads, stage outputs, exports (S3 on AWS, a directory
//! locally).

use std::io::{self, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use async_trait::async_trait;

use crate::artifact::{ArtifactKey, KeyPrefix};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArtifactMeta {
    pub key: ArtifactKey,
    pub size: u64,
    pub content_type: String,
}

/// An artifact as a listing shows it: object stores list keys and sizes,
/// not content types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArtifactEntry {
    pub key: ArtifactKey,
    pub size: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artifact {
    pub meta: ArtifactMeta,
    pub bytes: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArtifactError {
    #[error("artifact {0} not found")]
    NotFound(ArtifactKey),
    #[error("artifact is {size} bytes; the limit is {limit}")]
    TooLarge { size: u64, limit: u64 },
    #[error("{0:?} is not a content type like \"text/vtt\"")]
    InvalidContentType(String),
    /// A transient failure: retry later (HTTP 503).
    #[error("artifact storage is unavailable: {0}")]
    Unavailable(String),
}

#[async_trait]
pub trait ArtifactStore: Send + Sync + std::fmt::Debug {
    /// The largest artifact `put` accepts, in bytes.
    fn max_size(&self) -> u64;

    /// Stores `bytes` under `key`, replacing what was there. Readers see the
    /// old or the new artifact, never a partial one.
    async fn put(
        &self,
        key: &ArtifactKey,
        bytes: Vec<u8>,
        content_type: &str,
    ) -> Result<ArtifactMeta, ArtifactError>;

    /// A new, empty temporary file for an artifact of `content_type`, for
    /// a body too large to hold in memory: the caller appends the bytes
    /// ([`Staged::append`]), may read them back ([`Staged::body`]), then
    /// stores them with [`ArtifactStore::put_staged`] or drops the file.
    /// Refuses a content type `put` would refuse.
    async fn stage(&self, content_type: &str) -> Result<Staged, ArtifactError>;

    /// Stores what was written to `staged` under `key` as `put` would (the
    /// same size limit; readers see the old or the new artifact, never a
    /// partial one), streaming it from disk: memory stays flat whatever the
    /// size. `staged` must come from this store's `stage`.
    async fn put_staged(
        &self,
        key: &ArtifactKey,
        staged: Staged,
    ) -> Result<ArtifactMeta, ArtifactError>;

    /// `NotFound` if there is nothing under `key`.
    async fn get(&self, key: &ArtifactKey) -> Result<Artifact, ArtifactError>;

    async fn head(&self, key: &ArtifactKey) -> Result<Option<ArtifactMeta>, ArtifactError>;

    /// Removes the artifact; removing a missing one is not an error.
    async fn delete(&self, key: &ArtifactKey) -> Result<(), ArtifactError>;

    /// Every artifact whose key starts with `prefix`, sorted by key.
    async fn list(&self, prefix: &KeyPrefix) -> Result<Vec<ArtifactEntry>, ArtifactError>;
}

/// A temporary file holding an artifact's bytes before they are stored.
/// Stores may keep a header of their own before the bytes (`body_offset`).
/// Dropped without being stored, the file is deleted.
#[derive(Debug)]
pub struct Staged {
    /// `None` once a store has taken the file.
    path: Option<PathBuf>,
    body_offset: u64,
    content_type: String,
}

impl Staged {
    /// For stores: `path` exists and starts with `body_offset` bytes of
    /// the store's own.
    pub fn new(path: PathBuf, body_offset: u64, content_type: impl Into<String>) -> Self {
        Staged {
            path: Some(path),
            body_offset,
            content_type: content_type.into(),
        }
    }

    pub fn path(&self) -> &Path {
        self.path
            .as_deref()
            .expect("a staged file keeps its path until taken")
    }

    pub fn body_offset(&self) -> u64 {
        self.body_offset
    }

    pub fn content_type(&self) -> &str {
        &self.content_type
    }

    /// The file, opened to append the body to.
    pub fn append(&self) -> io::Result<std::fs::File> {
        std::fs::OpenOptions::new().append(true).open(self.path())
    }

    /// The body written so far, opened and positioned at its start.
    pub fn body(&self) -> io::Result<std::fs::File> {
        let mut file = std::fs::File::open(self.path())?;
        file.seek(SeekFrom::Start(self.body_offset))?;
        Ok(file)
    }

    /// How many body bytes were written.
    pub fn body_len(&self) -> io::Result<u64> {
        Ok(std::fs::metadata(self.path())?
            .len()
            .saturating_sub(self.body_offset))
    }

    /// For stores: the file, now the caller's to move or delete.
    pub fn into_path(mut self) -> PathBuf {
        self.path
            .take()
            .expect("a staged file keeps its path until taken")
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if let Some(path) = self.path.take() {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// What every store checks before it writes: the content type, then the
/// size against its limit. Returns the size.
pub fn check_put(bytes: &[u8], content_type: &str, limit: u64) -> Result<u64, ArtifactError> {
    validate_content_type(content_type)?;
    let size = bytes.len() as u64;
    if size > limit {
        return Err(ArtifactError::TooLarge { size, limit });
    }
    Ok(size)
}

/// Accepts `type/subtype` with optional `; param=value` parameters, in the
/// token characters of RFC 9110.
pub fn validate_content_type(ct: &str) -> Result<(), ArtifactError> {
    let is_token = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
    };
    let mut parts = ct.split(';');
    let essence = parts.next().unwrap_or("");
    let ok = ct.len() <= 200
        && essence
            .split_once('/')
            .is_some_and(|(t, s)| is_token(t) && is_token(s))
        && parts.all(|p| {
            p.trim()
                .split_once('=')
                .is_some_and(|(k, v)| is_token(k) && !v.is_empty() && !v.contains(['\r', '\n']))
        });
    if ok {
        Ok(())
    } else {
        Err(ArtifactError::InvalidContentType(ct.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types() {
        for ok in [
            "text/vtt",
            "application/json",
            "text/plain; charset=utf-8",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ] {
            assert!(validate_content_type(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "text",
            "text/",
            "/x",
            "te xt/plain",
            "text/plain\r\nX: y",
            "text/plain; charset",
        ] {
            assert!(validate_content_type(bad).is_err(), "{bad:?}");
        }
    }
}
