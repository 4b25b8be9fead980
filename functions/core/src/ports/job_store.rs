//! Where jobs and their events live (DynamoDB on AWS, SQLite locally).

use std::sync::Arc;

use async_trait::async_trait;

use super::{Page, PageRequest, StoreError};
use crate::event::Event;
use crate::ids::{CourseId, JobId, UserId};
use crate::job::Job;

/// Which jobs to list. Every listing is newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobQuery {
    Owner(UserId),
    Course(CourseId),
    /// Every job: for operators and admins.
    All,
}

/// The most events one `events_after` call returns.
pub const MAX_EVENTS_PER_READ: usize = 1000;

/// A write the store has committed: the job as it now is and the events
/// the write appended, in order. Announced to whoever follows the job, who
/// can use it instead of reading the store again.
#[derive(Debug, Clone)]
pub struct Committed {
    pub job: Arc<Job>,
    pub events: Arc<[Event]>,
}

/// What every store checks before an update: it writes the next version.
pub fn check_next_version(job: &Job, expected_version: u64) -> Result<(), StoreError> {
    if job.version == expected_version + 1 {
        return Ok(());
    }
    Err(StoreError::Corrupt(format!(
        "an update from version {expected_version} must write version {}, not {}",
        expected_version + 1,
        job.version
    )))
}

#[async_trait]
pub trait JobStore: Send + Sync + std::fmt::Debug {
    /// Stores a new job with the events of its creation.
    /// `AlreadyExists` if a job with that id exists.
    async fn create(&self, job: &Job, events: &[Event]) -> Result<(), StoreError>;

    /// `NotFound` if there is no such job.
    async fn get(&self, id: JobId) -> Result<Job, StoreError>;

    /// Replaces the stored job, which must still be at `expected_version`
    /// (`job.version` is the new version), and appends `events` in the same
    /// atomic write: either both are visible or neither is.
    /// `VersionConflict` if someone else changed the job first; `NotFound` if
    /// it does not exist.
    async fn update(
        &self,
        job: &Job,
        expected_version: u64,
        events: &[Event],
    ) -> Result<(), StoreError>;

    /// One page of jobs, newest first. `InvalidCursor` for a cursor this
    /// store did not hand out.
    async fn list(&self, query: &JobQuery, page: &PageRequest) -> Result<Page<Job>, StoreError>;

    /// The job's events with `seq > after`, in order, at most `limit`
    /// (capped at [`MAX_EVENTS_PER_READ`]). `NotFound` if there is no such job.
    async fn events_after(
        &self,
        id: JobId,
        after: u64,
        limit: usize,
    ) -> Result<Vec<Event>, StoreError>;
}
