//! The orchestrator that runs each job's workflow: Step Functions on AWS,
//! coursegen-local's interpreter on one machine. Executions are named after
//! their job, which makes starting one idempotent.

use async_trait::async_trait;
use serde_json::{Map, Value, json};

use crate::ids::{JobId, TaskToken};
use crate::job::Job;
use crate::options::AI_SERVER_STAGES;
use crate::source::Source;
use crate::stage::Stage;
use crate::videos::VideoItem;

/// What became of a token call. Step Functions answers a token that is
/// unknown, used or timed out with InvalidToken, TaskTimedOut or
/// TaskDoesNotExist: all mean someone else already settled the task, which
/// is final, not a failure to retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenOutcome {
    Delivered,
    AlreadyHandled,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkflowError {
    /// Worth retrying: throttled, unreachable, or a 5xx.
    #[error("the workflow service is unavailable: {0}")]
    Unavailable(String),
    /// Refused for a reason retrying will not fix (a malformed request).
    #[error("the workflow service refused the request: {0}")]
    Rejected(String),
    /// The execution does not exist (never started, or long gone).
    #[error("no workflow execution for job {0}")]
    NoExecution(JobId),
}

#[async_trait]
pub trait Workflow: Send + Sync + std::fmt::Debug {
    /// Starts the job's execution; starting it again does nothing.
    async fn start(&self, job: &Job) -> Result<(), WorkflowError>;

    /// Starts an execution of the same definition that only renders
    /// `items` of a job whose course is made (its videos asked for later,
    /// retried or made again), named [`renders_name`].
    async fn start_renders(&self, job: &Job, items: &[VideoItem]) -> Result<(), WorkflowError>;

    /// Completes the task waiting on `token` with `output`.
    async fn send_task_success(
        &self,
        token: &TaskToken,
        output: Value,
    ) -> Result<TokenOutcome, WorkflowError>;

    /// Fails the task waiting on `token`; its Retry and Catch apply.
    async fn send_task_failure(
        &self,
        token: &TaskToken,
        error: &str,
        cause: &str,
    ) -> Result<TokenOutcome, WorkflowError>;

    /// Tells the task waiting on `token` that its worker is alive.
    async fn send_task_heartbeat(&self, token: &TaskToken) -> Result<TokenOutcome, WorkflowError>;

    /// Stops the job's execution (StopExecution); stopping an execution
    /// that has ended does nothing.
    async fn stop(&self, job: JobId, error: &str, cause: &str) -> Result<(), WorkflowError>;
}

/// What an execution for `job` starts with, on every orchestrator: the job
/// id and the switches the definition's Choice states read.
pub fn execution_input(job: &Job) -> Value {
    let gates: Map<String, Value> = Stage::GATEABLE
        .iter()
        .map(|s| (s.to_string(), json!(job.options.approvals.requires(*s))))
        .collect();
    // Which stages the AI server does; it transcribes only what needs
    // transcribing (a video or audio), so other sources ingest here.
    let transcribed = matches!(job.source, Source::Youtube { .. } | Source::Audio { .. });
    let workers: Map<String, Value> = AI_SERVER_STAGES
        .iter()
        .map(|s| {
            let sent = job.options.sends_to_ai_server(*s) && (*s != Stage::Ingest || transcribed);
            (s.to_string(), json!(sent))
        })
        .collect();
    json!({
        "job_id": job.id.to_string(),
        "gates": gates,
        "force": job.options.force,
        "render_videos": job.options.render_videos,
        "exports": !job.options.exports.is_empty(),
        "storyboard": job.options.storyboard.is_some(),
        "max_concurrency": job.options.max_concurrency,
        "video_concurrency": job.options.videos.concurrency,
        "workers": workers,
    })
}

/// The name of the execution that renders `job`'s videos as planned at
/// its version: unique per request, and the same if that start is retried.
pub fn renders_name(job: &Job) -> String {
    format!("{}{}", renders_prefix(job.id), job.version)
}

/// Whether execution `name` renders videos of job `id` (any request's).
pub fn renders_of(name: &str, id: JobId) -> bool {
    name.strip_prefix(&renders_prefix(id))
        .is_some_and(|version| !version.is_empty() && version.bytes().all(|b| b.is_ascii_digit()))
}

fn renders_prefix(id: JobId) -> String {
    format!("{id}-videos-")
}

/// What a renders-only execution starts with: the definition goes straight
/// to its videos Map with these items, and ends after it.
pub fn renders_input(job: &Job, items: &[VideoItem]) -> Value {
    json!({
        "job_id": job.id.to_string(),
        "renders_only": true,
        "video_concurrency": job.options.videos.concurrency,
        "steps": {"renders": {"output": {"videos": items}}},
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_jobs_renders_are_known_by_name() {
        let id: JobId = "01M92M5S2D1FWXM7HBDV1GWWT7".parse().unwrap();
        let other: JobId = "01M92M5S2D1FWXM7HBDV1GWWT8".parse().unwrap();
        assert!(renders_of(&format!("{id}-videos-12"), id));
        assert!(!renders_of(&format!("{other}-videos-12"), id));
        assert!(!renders_of(&id.to_string(), id));
        assert!(!renders_of(&format!("{id}-videos-"), id));
        assert!(!renders_of(&format!("{id}-videos-1x"), id));
    }
}
