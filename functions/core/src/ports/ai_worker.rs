//! The external AI server as the pipeline sees it: tasks go out by
//! `approve/start` or `rerun` under an opaque handle (the protocol's
//! `jobId`), results come back through the webhook, and a running task can
//! be aborted.

use std::time::Duration;

use async_trait::async_trait;

use crate::ai_protocol::job_state::JobState;
use crate::artifact::ArtifactKey;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DispatchError {
    /// A 4xx: the request itself is wrong; retrying will not help.
    #[error("the AI server refused the task ({status}): {detail}")]
    Refused { status: u16, detail: String },
    /// `COURSEGEN_AI_SERVER_URL` is not a base URL.
    #[error("COURSEGEN_AI_SERVER_URL {0:?} is not an http(s) base URL")]
    BadBaseUrl(String),
    /// Still failing after every attempt: 5xx, timeout or unreachable.
    #[error("the AI server is unavailable: {0}")]
    Unavailable(String),
}

/// What became of an abort. All three are final: the abort is recorded
/// whatever the server says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AbortOutcome {
    Aborted,
    /// 404: nothing was running.
    NothingRunning,
    /// 400: the task had already finished.
    AlreadyFinished,
}

#[async_trait]
pub trait AiWorker: Send + Sync + std::fmt::Debug {
    /// Starts the task after `state.current_task`, under `handle`.
    async fn start(&self, handle: &str, state: &JobState) -> Result<(), DispatchError>;

    /// Runs `state.current_task` again, under `handle`.
    async fn rerun(&self, handle: &str, state: &JobState) -> Result<(), DispatchError>;

    /// Cancels the task running under `handle`.
    async fn abort(&self, handle: &str) -> Result<AbortOutcome, DispatchError>;
}

/// URLs through which someone outside may read one artifact for a while:
/// pre-signed S3 GETs on AWS, signed links to our own server locally.
#[async_trait]
pub trait FileLinks: Send + Sync + std::fmt::Debug {
    /// A GET URL of `key`, valid for `valid_for`.
    async fn link(&self, key: &ArtifactKey, valid_for: Duration) -> Result<String, String>;

    /// The artifact a token of this store's own links stands for; `None`
    /// when the token is not valid (or the links go elsewhere, as to S3).
    fn redeem(&self, token: &str) -> Option<ArtifactKey>;
}
