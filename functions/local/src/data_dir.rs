//! The layout of a local data directory (`--data DIR`, `COURSEGEN_DATA`,
//! default `./.coursegen`).

use std::io;
use std::path::{Path, PathBuf};

use coursegen_core::artifact::MAX_ARTIFACT_BYTES;
use coursegen_core::ports::StoreError;

use crate::dev_auth::{JwtSecret, SecretError};
use crate::{FsArtifactStore, SqliteStore};

#[derive(Debug, Clone)]
pub struct DataDir {
    root: PathBuf,
}

impl DataDir {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        DataDir { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The SQLite database, created with its schema when missing.
    pub fn open_store(&self) -> Result<SqliteStore, StoreError> {
        std::fs::create_dir_all(&self.root).map_err(|e| {
            StoreError::Unavailable(format!("cannot create {}: {e}", self.root.display()))
        })?;
        SqliteStore::open(&self.root.join("coursegen.sqlite3"))
    }

    /// The database, only if this directory already has one: read-only
    /// commands must not create data directories by accident.
    pub fn open_existing_store(&self) -> Result<Option<SqliteStore>, StoreError> {
        let path = self.root.join("coursegen.sqlite3");
        if path.exists() {
            SqliteStore::open(&path).map(Some)
        } else {
            Ok(None)
        }
    }

    pub fn open_artifacts(&self) -> io::Result<FsArtifactStore> {
        FsArtifactStore::open(self.root.join("artifacts"), MAX_ARTIFACT_BYTES)
    }

    /// The token secret: `env_value` (from `COURSEGEN_JWT_SECRET`) or this
    /// directory's generated one.
    pub fn jwt_secret(&self, env_value: Option<&str>) -> Result<JwtSecret, SecretError> {
        JwtSecret::load_or_create(&self.root, env_value)
    }
}
