//! Wakes whoever follows a job when it changes: a `JobStore` wrapper that,
//! after each committed write, says which job changed on a broadcast
//! channel. Followers then read the store, which stays the one source of
//! truth, so none of them sees an event that is not committed.

use std::sync::Arc;

use async_trait::async_trait;
use coursegen_core::event::Event;
use coursegen_core::ids::JobId;
use coursegen_core::job::Job;
use coursegen_core::ports::{JobQuery, JobStore, Page, PageRequest, StoreError};
use tokio::sync::broadcast;

/// How many changes a slow follower may fall behind before it is told it
/// lagged (it then simply reads the store again).
const BACKLOG: usize = 1024;

#[derive(Debug, Clone)]
pub struct Broadcasting {
    inner: Arc<dyn JobStore>,
    changes: broadcast::Sender<JobId>,
}

impl Broadcasting {
    pub fn new(inner: Arc<dyn JobStore>) -> Self {
        Broadcasting {
            inner,
            changes: broadcast::channel(BACKLOG).0,
        }
    }

    /// The channel each committed change of a job is announced on.
    pub fn changes(&self) -> broadcast::Sender<JobId> {
        self.changes.clone()
    }
}

#[async_trait]
impl JobStore for Broadcasting {
    async fn create(&self, job: &Job, events: &[Event]) -> Result<(), StoreError> {
        self.inner.create(job, events).await?;
        // No follower listening is not an error.
        let _ = self.changes.send(job.id);
        Ok(())
    }

    async fn get(&self, id: JobId) -> Result<Job, StoreError> {
        self.inner.get(id).await
    }

    async fn update(
        &self,
        job: &Job,
        expected_version: u64,
        events: &[Event],
    ) -> Result<(), StoreError> {
        self.inner.update(job, expected_version, events).await?;
        let _ = self.changes.send(job.id);
        Ok(())
    }

    async fn list(&self, query: &JobQuery, page: &PageRequest) -> Result<Page<Job>, StoreError> {
        self.inner.list(query, page).await
    }

    async fn events_after(
        &self,
        id: JobId,
        after: u64,
        limit: usize,
    ) -> Result<Vec<Event>, StoreError> {
        self.inner.events_after(id, after, limit).await
    }
}
