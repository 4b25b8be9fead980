//! Wakes whoever follows a job when it changes: a `JobStore` wrapper that,
//! after each committed write, announces the job and the events it appended
//! on a broadcast channel. Announcing only after the commit keeps the store
//! the one source of truth: nobody sees an event that is not committed.
//! Followers take the events from the announcement, so a thousand of them
//! cost one store write, not a thousand reads; one that finds a gap (it
//! lagged, or two announcements crossed) reads the store instead.

use std::sync::Arc;

use async_trait::async_trait;
use coursegen_core::event::Event;
use coursegen_core::ids::JobId;
use coursegen_core::job::Job;
use coursegen_core::ports::{Committed, JobQuery, JobStore, Page, PageRequest, StoreError};
use tokio::sync::broadcast;

/// How many changes a slow follower may fall behind before it is told it
/// lagged (it then simply reads the store again).
const BACKLOG: usize = 1024;

#[derive(Debug, Clone)]
pub struct Broadcasting {
    inner: Arc<dyn JobStore>,
    changes: broadcast::Sender<Committed>,
}

impl Broadcasting {
    pub fn new(inner: Arc<dyn JobStore>) -> Self {
        Broadcasting {
            inner,
            changes: broadcast::channel(BACKLOG).0,
        }
    }

    /// The channel each committed change of a job is announced on.
    pub fn changes(&self) -> broadcast::Sender<Committed> {
        self.changes.clone()
    }

    fn announce(&self, job: &Job, events: &[Event]) {
        // Nobody listening: nothing to copy. A send with no receiver left
        // is not an error either.
        if self.changes.receiver_count() > 0 {
            let _ = self.changes.send(Committed {
                job: Arc::new(job.clone()),
                events: events.into(),
            });
        }
    }
}

#[async_trait]
impl JobStore for Broadcasting {
    async fn create(&self, job: &Job, events: &[Event]) -> Result<(), StoreError> {
        self.inner.create(job, events).await?;
        self.announce(job, events);
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
        self.announce(job, events);
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
