//! Artifacts on S3, and upload URLs pre-signed for it. Objects are written
//! whole by one PutObject, so readers see the old or the new artifact,
//! never part of one; every object asks for server-side encryption.

use std::collections::BTreeMap;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_s3::Client;
use aws_sdk_s3::error::{DisplayErrorContext, SdkError};
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::ServerSideEncryption;
use chrono::Utc;
use coursegen_core::artifact::{ArtifactKey, KeyPrefix};
use coursegen_core::ports::{
    Artifact, ArtifactEntry, ArtifactError, ArtifactMeta, ArtifactStore, FileLinks, Staged,
    Uploads, check_put, validate_content_type,
};
use coursegen_core::upload::{UploadGrant, UploadTarget};
use rand::RngExt;

/// When no content type was stored (objects put by other tools).
const UNKNOWN_TYPE: &str = "application/octet-stream";

#[derive(Debug, Clone)]
pub struct S3ArtifactStore {
    client: Client,
    bucket: String,
    max_size: u64,
}

impl S3ArtifactStore {
    pub fn new(client: Client, bucket: impl Into<String>, max_size: u64) -> Self {
        S3ArtifactStore {
            client,
            bucket: bucket.into(),
            max_size,
        }
    }
}

fn unavailable<E, R>(e: SdkError<E, R>) -> ArtifactError
where
    E: std::error::Error + 'static,
    R: std::fmt::Debug,
{
    ArtifactError::Unavailable(format!("S3: {}", DisplayErrorContext(&e)))
}

fn size_of(length: Option<i64>) -> u64 {
    length.and_then(|n| u64::try_from(n).ok()).unwrap_or(0)
}

#[async_trait]
impl ArtifactStore for S3ArtifactStore {
    fn max_size(&self) -> u64 {
        self.max_size
    }

    async fn put(
        &self,
        key: &ArtifactKey,
        bytes: Vec<u8>,
        content_type: &str,
    ) -> Result<ArtifactMeta, ArtifactError> {
        let size = check_put(&bytes, content_type, self.max_size)?;
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(key.as_str())
            .content_type(content_type)
            .server_side_encryption(ServerSideEncryption::Aes256)
            .body(ByteStream::from(bytes))
            .send()
            .await
            .map_err(unavailable)?;
        Ok(ArtifactMeta {
            key: key.clone(),
            size,
            content_type: content_type.to_owned(),
        })
    }

    /// Staged in the machine's temporary directory (a Lambda's `/tmp`),
    /// with no header: S3 keeps the content type itself.
    async fn stage(&self, content_type: &str) -> Result<Staged, ArtifactError> {
        validate_content_type(content_type)?;
        let nonce: u128 = rand::rng().random();
        let path = std::env::temp_dir().join(format!("coursegen-staged-{nonce:032x}"));
        // Only this user may read it: the shared temporary directory.
        tokio::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
            .await
            .map_err(|e| ArtifactError::Unavailable(format!("cannot stage a file: {e}")))?;
        Ok(Staged::new(path, 0, content_type))
    }

    async fn put_staged(
        &self,
        key: &ArtifactKey,
        staged: Staged,
    ) -> Result<ArtifactMeta, ArtifactError> {
        let unreadable = |e: &dyn std::fmt::Display| {
            ArtifactError::Unavailable(format!("cannot read the staged file: {e}"))
        };
        let size = staged.body_len().map_err(|e| unreadable(&e))?;
        if size > self.max_size {
            return Err(ArtifactError::TooLarge {
                size,
                limit: self.max_size,
            });
        }
        // Read from disk as it is sent; one PutObject takes up to 5 GB.
        let body = ByteStream::read_from()
            .path(staged.path())
            .offset(staged.body_offset())
            .length(aws_sdk_s3::primitives::Length::Exact(size))
            .build()
            .await
            .map_err(|e| unreadable(&e))?;
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(key.as_str())
            .content_type(staged.content_type())
            .content_length(i64::try_from(size).unwrap_or(i64::MAX))
            .server_side_encryption(ServerSideEncryption::Aes256)
            .body(body)
            .send()
            .await
            .map_err(unavailable)?;
        Ok(ArtifactMeta {
            key: key.clone(),
            size,
            content_type: staged.content_type().to_owned(),
        })
    }

    async fn get(&self, key: &ArtifactKey) -> Result<Artifact, ArtifactError> {
        let out = match self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key.as_str())
            .send()
            .await
        {
            Ok(out) => out,
            Err(SdkError::ServiceError(e)) if e.err().is_no_such_key() => {
                return Err(ArtifactError::NotFound(key.clone()));
            }
            Err(e) => return Err(unavailable(e)),
        };
        let content_type = out.content_type.unwrap_or_else(|| UNKNOWN_TYPE.to_owned());
        let bytes = out
            .body
            .collect()
            .await
            .map_err(|e| ArtifactError::Unavailable(format!("S3: reading {key}: {e}")))?
            .to_vec();
        Ok(Artifact {
            meta: ArtifactMeta {
                key: key.clone(),
                size: bytes.len() as u64,
                content_type,
            },
            bytes,
        })
    }

    async fn head(&self, key: &ArtifactKey) -> Result<Option<ArtifactMeta>, ArtifactError> {
        match self
            .client
            .head_object()
            .bucket(&self.bucket)
            .key(key.as_str())
            .send()
            .await
        {
            Ok(out) => Ok(Some(ArtifactMeta {
                key: key.clone(),
                size: size_of(out.content_length),
                content_type: out.content_type.unwrap_or_else(|| UNKNOWN_TYPE.to_owned()),
            })),
            Err(SdkError::ServiceError(e)) if e.err().is_not_found() => Ok(None),
            Err(e) => Err(unavailable(e)),
        }
    }

    async fn delete(&self, key: &ArtifactKey) -> Result<(), ArtifactError> {
        self.client
            .delete_object()
            .bucket(&self.bucket)
            .key(key.as_str())
            .send()
            .await
            .map(drop)
            .map_err(unavailable)
    }

    async fn list(&self, prefix: &KeyPrefix) -> Result<Vec<ArtifactEntry>, ArtifactError> {
        let mut pages = self
            .client
            .list_objects_v2()
            .bucket(&self.bucket)
            .prefix(prefix.as_str())
            .into_paginator()
            .send();
        let mut found = Vec::new();
        while let Some(page) = pages.next().await {
            for object in page.map_err(unavailable)?.contents.unwrap_or_default() {
                // Objects that are not ours (keys we would never write) are skipped.
                let Some(key) = object.key.and_then(|k| k.parse::<ArtifactKey>().ok()) else {
                    continue;
                };
                found.push(ArtifactEntry {
                    key,
                    size: size_of(object.size),
                });
            }
        }
        // S3 lists in UTF-8 byte order already; sorting keeps the promise
        // whatever an emulator does.
        found.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(found)
    }
}

/// Upload URLs on AWS: a PUT pre-signed for one key, content type and size,
/// so S3 itself refuses anything else.
#[derive(Debug, Clone)]
pub struct S3Uploads {
    client: Client,
    bucket: String,
    valid_for: Duration,
}

impl S3Uploads {
    pub fn new(client: Client, bucket: impl Into<String>) -> Self {
        S3Uploads {
            client,
            bucket: bucket.into(),
            valid_for: Duration::from_secs(3600),
        }
    }
}

#[async_trait]
impl Uploads for S3Uploads {
    async fn target(&self, grant: &UploadGrant) -> Result<UploadTarget, String> {
        let expires_at =
            Utc::now() + chrono::Duration::from_std(self.valid_for).map_err(|e| e.to_string())?;
        let presigning = PresigningConfig::expires_in(self.valid_for).map_err(|e| e.to_string())?;
        let request = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(grant.key.as_str())
            .content_type(grant.request.content_type())
            .content_length(i64::try_from(grant.request.size()).map_err(|e| e.to_string())?)
            .server_side_encryption(ServerSideEncryption::Aes256)
            .presigned(presigning)
            .await
            .map_err(|e| format!("cannot sign an upload URL: {}", DisplayErrorContext(&e)))?;
        // Every signed header must be sent as signed; clients send the
        // length themselves (browsers may not set it).
        let headers: BTreeMap<String, String> = request
            .headers()
            .filter(|(name, _)| !name.eq_ignore_ascii_case("content-length"))
            .map(|(name, value)| (canonical(name), value.to_owned()))
            .collect();
        Ok(UploadTarget {
            upload_key: grant.key.clone(),
            url: request.uri().to_owned(),
            method: "PUT".into(),
            headers,
            expires_at,
        })
    }

    /// The bytes go to S3, not to us: no token of ours to redeem.
    fn redeem(&self, _token: &str) -> Option<UploadGrant> {
        None
    }
}

/// Read links on AWS: GETs pre-signed for one key. S3 allows at most a
/// week; longer requests are cut to that.
#[derive(Debug, Clone)]
pub struct S3FileLinks {
    client: Client,
    bucket: String,
}

/// The longest a pre-signed S3 URL may last.
const MAX_PRESIGNED: Duration = Duration::from_secs(7 * 24 * 3600);

impl S3FileLinks {
    pub fn new(client: Client, bucket: impl Into<String>) -> Self {
        S3FileLinks {
            client,
            bucket: bucket.into(),
        }
    }
}

#[async_trait]
impl FileLinks for S3FileLinks {
    async fn link(&self, key: &ArtifactKey, valid_for: Duration) -> Result<String, String> {
        let presigning = PresigningConfig::expires_in(valid_for.min(MAX_PRESIGNED))
            .map_err(|e| e.to_string())?;
        let request = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key.as_str())
            .presigned(presigning)
            .await
            .map_err(|e| format!("cannot sign a file URL: {}", DisplayErrorContext(&e)))?;
        Ok(request.uri().to_owned())
    }

    /// Readers go to S3, not to us: no token of ours to redeem.
    fn redeem(&self, _token: &str) -> Option<ArtifactKey> {
        None
    }
}

/// `content-type` → `Content-Type`, as the local server names it too.
fn canonical(name: &str) -> String {
    name.split('-')
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + &chars.as_str().to_ascii_lowercase()
            })
        })
        .collect::<Vec<_>>()
        .join("-")
}
