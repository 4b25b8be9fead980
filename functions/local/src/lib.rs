//! coursegen's embedded stack: everything the pipeline needs on one machine
//! with no cloud account. SQLite for jobs, callback handles and webhook
//! deliveries; a directory for artifacts; HS256 dev tokens.

pub mod asl;
pub mod changes;
pub mod data_dir;
pub mod dev_auth;
pub mod file_links;
pub mod fs_artifacts;
mod lock;
mod private;
mod signed;
pub mod sqlite;
pub mod upload_sweep;
pub mod uploads;
pub mod workflow;

pub use data_dir::DataDir;
pub use fs_artifacts::FsArtifactStore;
pub use lock::{DirLock, LockError};
pub use sqlite::SqliteStore;
