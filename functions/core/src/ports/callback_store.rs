//! Opaque callback handles for task tokens. Whoever must complete a waiting
//! task (a browser approving, the AI server calling back) only ever holds the
//! handle; the token stays here.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreError;
use crate::ids::{CallbackId, JobId, TaskToken};
use crate::stage::Stage;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackRecord {
    pub id: CallbackId,
    pub token: TaskToken,
    pub job_id: JobId,
    pub stage: Stage,
    /// After this the handle no longer resolves (the task has timed out).
    pub expires_at: DateTime<Utc>,
}

#[async_trait]
pub trait CallbackStore: Send + Sync + std::fmt::Debug {
    /// `AlreadyExists` if the id is taken.
    async fn put(&self, record: &CallbackRecord) -> Result<(), StoreError>;

    /// The record, or `None` if it is unknown, deleted or expired.
    async fn get(&self, id: &CallbackId) -> Result<Option<CallbackRecord>, StoreError>;

    /// Forgets the handle; forgetting an unknown one is not an error.
    async fn delete(&self, id: &CallbackId) -> Result<(), StoreError>;
}
