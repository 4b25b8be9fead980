//! What callers do to jobs, with the access rules applied: the HTTP API (on
//! AWS and locally) and the terminal's reviews all come through here, so a
//! decision means the same wherever it is made.

mod error;
mod review;

use std::sync::Arc;

use chrono::Utc;

pub use error::ServiceError;
pub use review::{Decision, check_edit};

use crate::access::{self, Action};
use crate::auth::Principal;
use crate::ids::{CourseId, JobId};
use crate::job::{CourseRef, Job};
use crate::lifecycle::{self, NewJob};
use crate::options::Options;
use crate::pipeline::Steps;
use crate::ports::{Page, PageRequest, Workflow};
use crate::source::Source;

#[derive(Debug, Clone)]
pub struct Service {
    pub steps: Arc<Steps>,
    pub workflow: Arc<dyn Workflow>,
}

/// What a caller asks a job to be made from.
#[derive(Debug, Clone, PartialEq)]
pub struct JobRequest {
    pub course: CourseRef,
    pub source: Source,
    pub options: Options,
}

impl Service {
    /// The job, if `who` may do `action` to it.
    async fn job_for(
        &self,
        who: &Principal,
        id: JobId,
        action: Action,
    ) -> Result<Job, ServiceError> {
        let job = self.steps.jobs.get(id).await?;
        access::check(who, &job, action)?;
        Ok(job)
    }

    /// Creates the job and starts its workflow.
    pub async fn create_job(
        &self,
        who: &Principal,
        request: JobRequest,
    ) -> Result<Job, ServiceError> {
        access::check_create(who, &request.course)?;
        let new = NewJob {
            id: JobId::new(),
            owner: who.user.clone(),
            course: request.course,
            source: request.source,
            options: request.options,
        };
        let (job, events) = lifecycle::create(new, Utc::now())?;
        self.steps.jobs.create(&job, &events).await?;
        // Starting is idempotent (the execution is named after the job), so
        // a caller whose start failed can be told to retry safely.
        self.workflow.start(&job).await?;
        Ok(job)
    }

    pub async fn job(&self, who: &Principal, id: JobId) -> Result<Job, ServiceError> {
        self.job_for(who, id, Action::Read).await
    }

    /// The caller's own jobs, or a course's when asked for one in scope.
    pub async fn list(
        &self,
        who: &Principal,
        course: Option<&CourseId>,
        page: &PageRequest,
    ) -> Result<Page<Job>, ServiceError> {
        let query = access::list_query(who, course)?;
        Ok(self.steps.jobs.list(&query, page).await?)
    }

    /// Aborts the job and stops its workflow.
    pub async fn abort(
        &self,
        who: &Principal,
        id: JobId,
        reason: Option<String>,
    ) -> Result<Job, ServiceError> {
        self.job_for(who, id, Action::Abort).await?;
        let job = self
            .steps
            .update_as::<ServiceError>(id, |_| {
                Ok(vec![lifecycle::Command::Abort {
                    reason: reason.clone(),
                }])
            })
            .await?;
        let cause = reason.as_deref().unwrap_or("aborted");
        match self.workflow.stop(id, "Aborted", cause).await {
            // Never started (or long gone): there is nothing to stop.
            Ok(()) | Err(crate::ports::WorkflowError::NoExecution(_)) => Ok(job),
            Err(e) => Err(e.into()),
        }
    }
}
