//! The embedded adapters pass the shared contract suites of their ports.

use std::sync::Arc;

use coursegen_core::ports::{ArtifactStore, CallbackStore, DeliveryLog, JobStore};
use coursegen_local::{FsArtifactStore, SqliteStore};
use tempfile::TempDir;

/// A file-backed database (not in-memory), so WAL and locking are real.
async fn sqlite() -> (SqliteStore, TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("test.sqlite3")).unwrap();
    (store, dir)
}

async fn job_store() -> (Arc<dyn JobStore>, TempDir) {
    let (store, dir) = sqlite().await;
    (Arc::new(store), dir)
}

async fn callback_store() -> (Arc<dyn CallbackStore>, TempDir) {
    let (store, dir) = sqlite().await;
    (Arc::new(store), dir)
}

async fn delivery_log() -> (Arc<dyn DeliveryLog>, TempDir) {
    let (store, dir) = sqlite().await;
    (Arc::new(store), dir)
}

async fn artifact_store(limit: u64) -> (Arc<dyn ArtifactStore>, TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = FsArtifactStore::open(dir.path().join("artifacts"), limit).unwrap();
    (Arc::new(store), dir)
}

coursegen_core::job_store_contract!(job_store);
coursegen_core::callback_store_contract!(callback_store);
coursegen_core::delivery_log_contract!(delivery_log);
coursegen_core::artifact_store_contract!(artifact_store);

/// The broadcasting wrapper is a job store too, and obeys the same rules.
mod broadcasting {
    use super::*;
    use coursegen_local::changes::Broadcasting;

    async fn job_store() -> (Arc<dyn JobStore>, TempDir) {
        let (store, dir) = sqlite().await;
        (Arc::new(Broadcasting::new(Arc::new(store))), dir)
    }

    coursegen_core::job_store_contract!(job_store);
}
