//! Replies already paid for, by the content of their request: the same
//! model asked the same thing with the same schema answers from here, so a
//! rerun of unchanged input costs nothing. Kept in the artifact store (S3 or
//! the data directory), so every Lambda and every run shares it.

use std::sync::Arc;

use coursegen_core::artifact::ArtifactKey;
use coursegen_core::ports::ArtifactStore;
use serde::Serialize;
use sha2::{Digest, Sha256};

#[derive(Debug, Clone)]
pub struct Cache {
    store: Arc<dyn ArtifactStore>,
}

/// The address of some content: the SHA-256 of its JSON.
pub fn address(content: &impl Serialize) -> String {
    let bytes = serde_json::to_vec(content).expect("requests serialise");
    hex::encode(Sha256::digest(bytes))
}

impl Cache {
    pub fn new(store: Arc<dyn ArtifactStore>) -> Self {
        Cache { store }
    }

    fn key(kind: &str, address: &str) -> ArtifactKey {
        format!("cache/llm/{kind}/{address}.json")
            .parse()
            .expect("hex addresses make valid keys")
    }

    /// What is stored at `address`. A store that cannot be read is a miss
    /// (the call is made again), never a failure.
    pub async fn get(&self, kind: &str, address: &str) -> Option<Vec<u8>> {
        match self.store.get(&Self::key(kind, address)).await {
            Ok(artifact) => Some(artifact.bytes),
            Err(coursegen_core::ports::ArtifactError::NotFound(_)) => None,
            Err(e) => {
                tracing::warn!(error = %e, "the LLM cache cannot be read");
                None
            }
        }
    }

    /// Drops what is at `address`; a failure is only logged (the entry then
    /// keeps answering, as it did).
    pub async fn forget(&self, kind: &str, address: &str) {
        if let Err(e) = self.store.delete(&Self::key(kind, address)).await {
            tracing::warn!(error = %e, "the LLM cache cannot be cleared");
        }
    }

    /// Keeps `bytes` at `address`; a failure only costs a later call.
    pub async fn put(&self, kind: &str, address: &str, bytes: Vec<u8>) {
        if let Err(e) = self
            .store
            .put(&Self::key(kind, address), bytes, "application/json")
            .await
        {
            tracing::warn!(error = %e, "the LLM cache cannot be written");
        }
    }
}
