//! What an AI server's webhook delivery does to a job, exactly once per
//! run: the caller (the HTTP route) has authenticated the delivery and
//! deduplicated it; here its `jobId` — the opaque callback handle the
//! dispatch gave the server — finds the job and the waiting task.
//!
//! Ordering: only the run the handle was issued for may change anything.
//! A report for another run (superseded by a rerun, aborted, or already
//! finished) is kept as a `report_ignored` event and changes nothing; a
//! repeated terminal report re-sends its outcome to the waiting task,
//! which the workflow answers "already handled".

use serde_json::{Value, json};

use super::{Service, ServiceError};
use crate::ai_protocol::webhook::{Delivery, Report, TaskOutput};
use crate::ids::CallbackId;
use crate::job::Job;
use crate::lifecycle::Command;
use crate::pipeline::output_key;
use crate::ports::{CallbackRecord, RemoteFiles};
use crate::stage::{Stage, StageStatus};
use crate::validation::ValidationError;

/// The error name a failed worker's task fails with (for the workflow's Catch).
pub const WORKER_FAILED: &str = "AiServerFailed";

impl Service {
    /// Applies one authenticated, first-seen delivery; the answer's body.
    pub async fn ai_delivery(
        &self,
        delivery: &Delivery,
        files: &dyn RemoteFiles,
    ) -> Result<Value, ServiceError> {
        let unknown = || ServiceError::NotFound(format!("no job {:?}", delivery.job_id));
        let handle: CallbackId = delivery.job_id.parse().map_err(|_| unknown())?;
        let record = self
            .steps
            .callbacks
            .get(&handle)
            .await?
            .ok_or_else(unknown)?;
        let stage = record.stage;
        if delivery.task.stage() != stage {
            return Err(ServiceError::Invalid(ValidationError::new(
                "task",
                format!(
                    "{} does not belong to this job's waiting stage ({stage})",
                    delivery.task.as_str()
                ),
            )));
        }
        let job = self.steps.jobs.get(record.job_id).await?;
        let report = describe(delivery);
        match (&delivery.report, run_state(&job, stage, &handle)) {
            (_, RunState::Other(reason)) => self.ignore(&record, report, reason).await,
            (Report::Running, RunState::Waiting) => {
                self.workflow.send_task_heartbeat(&record.token).await?;
                self.steps
                    .update_as::<ServiceError>(record.job_id, |_| {
                        Ok(vec![Command::Progress {
                            stage,
                            done: 0,
                            total: 1,
                            message: Some(format!(
                                "the AI server is working on {}",
                                delivery.task.as_str()
                            )),
                        }])
                    })
                    .await?;
                Ok(json!({"status": "heartbeat"}))
            }
            (Report::Running, RunState::Finished(_)) => {
                self.ignore(&record, report, "the run has already ended".into())
                    .await
            }
            (Report::Other(_), _) => {
                self.ignore(&record, report, "not a status workers report".into())
                    .await
            }
            (Report::Completed(TaskOutput::Audio { file_url, .. }), RunState::Waiting) => {
                // Extraction is half of ingesting a video: transcription
                // follows under the same waiting task.
                let chained = match self
                    .steps
                    .keep_worker_audio(record.job_id, file_url, files)
                    .await
                {
                    Ok(audio) => self.steps.chain_transcription(&record, &audio).await,
                    Err(e) => Err(e),
                };
                match chained {
                    Ok(_) => Ok(json!({"status": "transcribing"})),
                    Err(e) if e.name == "Transient" => Err(ServiceError::Unavailable(e.message)),
                    Err(e) => self.fail(&record, e.to_string()).await,
                }
            }
            (Report::Completed(output), RunState::Waiting) => {
                let key = self
                    .steps
                    .record_worker_output(record.job_id, stage, output, files)
                    .await;
                let key = match key {
                    Ok(key) => key,
                    Err(e) if e.name == "Transient" => {
                        return Err(ServiceError::Unavailable(e.message));
                    }
                    // A result we cannot use fails the run, as a failure would.
                    Err(e) => return self.fail(&record, e.to_string()).await,
                };
                self.workflow
                    .send_task_success(&record.token, json!({"key": key}))
                    .await?;
                Ok(json!({"status": "completed", "key": key}))
            }
            (Report::Completed(_), RunState::Finished(StageStatus::Completed)) => {
                // Our answer to the first report may have been lost after
                // the run completed: tell the task again.
                let key = output_key(job.stage(stage));
                self.workflow
                    .send_task_success(&record.token, json!({"key": key}))
                    .await?;
                Ok(json!({"status": "completed", "key": key}))
            }
            (Report::Failed { error }, RunState::Waiting) => {
                self.fail(&record, error.clone()).await
            }
            (Report::Failed { error }, RunState::Finished(StageStatus::Failed)) => {
                self.workflow
                    .send_task_failure(&record.token, WORKER_FAILED, error)
                    .await?;
                Ok(json!({"status": "failed"}))
            }
            (_, RunState::Finished(status)) => {
                self.ignore(&record, report, format!("the run has already {status}"))
                    .await
            }
        }
    }

    async fn fail(&self, record: &CallbackRecord, error: String) -> Result<Value, ServiceError> {
        let stage = record.stage;
        let handle = record.id.clone();
        let message = format!("AI server: {error}");
        let failed = self
            .steps
            .update_as::<ServiceError>(record.job_id, |job| {
                Ok(match run_state(job, stage, &handle) {
                    RunState::Waiting => vec![Command::FailRun {
                        stage,
                        error: message.clone(),
                    }],
                    _ => Vec::new(),
                })
            })
            .await?;
        if failed.stage(stage).status == StageStatus::Failed {
            self.workflow
                .send_task_failure(&record.token, WORKER_FAILED, &message)
                .await?;
        }
        Ok(json!({"status": "failed"}))
    }

    async fn ignore(
        &self,
        record: &CallbackRecord,
        report: String,
        reason: String,
    ) -> Result<Value, ServiceError> {
        let stage = record.stage;
        let why = reason.clone();
        self.steps
            .update_as::<ServiceError>(record.job_id, |_| {
                Ok(vec![Command::NoteIgnoredReport {
                    stage,
                    report: report.clone(),
                    reason: why.clone(),
                }])
            })
            .await?;
        Ok(json!({"status": "ignored", "reason": reason}))
    }
}

/// Where the run a handle was issued for stands.
enum RunState {
    /// Running, and this handle is the one it waits on.
    Waiting,
    /// This handle's run has ended with this stage status.
    Finished(StageStatus),
    /// The job or stage has moved on: superseded, aborted, or ended.
    Other(String),
}

fn run_state(job: &Job, stage: Stage, handle: &CallbackId) -> RunState {
    let state = job.stage(stage);
    if job.status.is_terminal() {
        return RunState::Other(format!("the job has {}", job.status));
    }
    if state.callback.as_ref() != Some(handle) {
        return RunState::Other("the run it reports on is no longer the one awaited".into());
    }
    match state.status {
        StageStatus::Running => RunState::Waiting,
        status => RunState::Finished(status),
    }
}

fn describe(delivery: &Delivery) -> String {
    let status = match &delivery.report {
        Report::Running => "RUNNING",
        Report::Completed(_) => "COMPLETED",
        Report::Failed { .. } => "FAILED",
        Report::Other(s) => s.as_str(),
    };
    format!("{} {status}", delivery.task.as_str())
}
