//! Files an external worker points at by URL. The AI server's `fileUrl`s
//! expire, so what it reports is copied into our artifact store at once.

use async_trait::async_trait;

use super::EngineError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    pub bytes: Vec<u8>,
    pub content_type: Option<String>,
}

#[async_trait]
pub trait RemoteFiles: Send + Sync + std::fmt::Debug {
    /// The file at `url`, refused past `limit` bytes. `Unavailable` for a
    /// failure worth retrying (timeouts, 5xx), `Invalid` for one that is
    /// not (a 404, a URL that is not http(s)).
    async fn fetch(&self, url: &str, limit: u64) -> Result<Fetched, EngineError>;
}
