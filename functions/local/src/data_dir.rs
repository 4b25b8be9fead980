//! The layout of a local data directory (`--data DIR`, `COURSEGEN_DATA`,
//! default `./.coursegen`).

use std::io;
use std::path::{Path, PathBuf};

use coursegen_core::artifact::MAX_ARTIFACT_BYTES;
use coursegen_core::ports::StoreError;

use crate::dev_auth::{JwtSecret, SecretError};
use crate::lock::{self, DirLock, LockError};
use crate::{FsArtifactStore, SqliteStore, private};

const DATABASE: &str = "coursegen.sqlite3";

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

    /// The directory's lock, for a process that runs jobs in it
    /// (`holder` says who, for the message a second process gets).
    pub fn lock(&self, holder: &str) -> Result<DirLock, LockError> {
        lock::acquire(&self.root, holder)
    }

    /// The SQLite database, created with its schema when missing; the
    /// directory and the database are this user's alone.
    pub fn open_store(&self) -> Result<SqliteStore, StoreError> {
        let unavailable = |e: io::Error| {
            StoreError::Unavailable(format!("cannot prepare {}: {e}", self.root.display()))
        };
        private::create_root(&self.root).map_err(unavailable)?;
        private::restrict(&self.root).map_err(unavailable)?;
        let db = self.root.join(DATABASE);
        // SQLite gives its -wal and -shm files the database file's mode.
        private::file_options()
            .write(true)
            .create(true)
            .truncate(false)
            .open(&db)
            .map_err(unavailable)?;
        for file in [DATABASE, "coursegen.sqlite3-wal", "coursegen.sqlite3-shm"] {
            private::restrict(&self.root.join(file)).map_err(unavailable)?;
        }
        SqliteStore::open(&db)
    }

    /// The database, only if this directory already has one: read-only
    /// commands must not create data directories by accident.
    pub fn open_existing_store(&self) -> Result<Option<SqliteStore>, StoreError> {
        let path = self.root.join(DATABASE);
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
