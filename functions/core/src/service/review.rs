//! Review decisions at a gate: approve a run, rerun with parameters, or
//! replace the output with a human edit. A decision changes the job first
//! (so of two racing reviewers one wins and the other gets a conflict),
//! then completes the waiting workflow task through its callback handle.

use serde_json::{Value, json};

use super::{Service, ServiceError};
use crate::access::Action;
use crate::artifact::ArtifactKey;
use crate::auth::Principal;
use crate::checks::{self, Timeline};
use crate::ids::JobId;
use crate::image_prompt::PromptSet;
use crate::job::Job;
use crate::lifecycle::Command;
use crate::outputs::{Outline, Segment};
use crate::pipeline::Ingested;
use crate::stage::Stage;
use crate::storyboard::Storyboard;
use crate::validation::ValidationError;

/// A reviewer's answer that lets the workflow go on.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// Approve this run (default: the latest).
    Approve { run: Option<u32> },
    /// Run the stage again with these parameters.
    Rerun { parameters: Value },
}

/// An edit must still be the stage's kind of output, and keep the rules
/// that output obeys ([`checks`]) against what the stages before it made.
pub fn check_edit(stage: Stage, text: &str, before: &EditContext) -> Result<(), ValidationError> {
    let unreadable = |e: serde_json::Error| {
        ValidationError::new("output", format!("not a valid {stage} output: {e}"))
    };
    let checked = match (stage, before) {
        (Stage::Segment, EditContext::Material { timeline, made }) => {
            let segments: Vec<Segment> = serde_json::from_str(text).map_err(unreadable)?;
            checks::segments(&segments, timeline, checks::MAX_SEGMENTS.max(*made))
        }
        (Stage::Outline, EditContext::Segments { count }) => {
            checks::outline(&serde_json::from_str(text).map_err(unreadable)?, *count)
        }
        (Stage::Questions, EditContext::Outline(outline)) => {
            checks::questions(&serde_json::from_str(text).map_err(unreadable)?, outline)
        }
        (Stage::Videos, EditContext::Outline(outline)) => {
            checks::narrations(&serde_json::from_str(text).map_err(unreadable)?, outline)
        }
        (Stage::Storyboard, _) => serde_json::from_str::<Storyboard>(text)
            .map_err(unreadable)?
            .validate(),
        (Stage::Prompts, EditContext::Storyboard(board)) => serde_json::from_str::<PromptSet>(text)
            .map_err(unreadable)?
            .validate(board),
        (Stage::Images | Stage::Clips, _) => {
            return Err(ValidationError::new(
                "stage",
                format!(
                    "{stage} are media, not a document to edit: rerun the frames to change (parameters.frames)"
                ),
            ));
        }
        (other, _) => {
            return Err(ValidationError::new(
                "stage",
                format!("{other} has no review, so it cannot be edited"),
            ));
        }
    };
    checked.map_err(|e| e.within("output"))
}

/// What an edited stage's output is checked against: the output of the
/// stage it is made from.
#[derive(Debug, Clone, PartialEq)]
pub enum EditContext {
    /// Segments lie on the material's timeline; an edit may have as many
    /// as the stage's output it replaces (`made`), or up to the cap.
    Material { timeline: Timeline, made: usize },
    /// An outline's lessons are made of these segments.
    Segments { count: usize },
    /// Questions and narrations belong to this outline's lessons.
    Outline(Outline),
    /// Prompts are one per frame of this storyboard.
    Storyboard(Storyboard),
    /// A stage that has no review.
    None,
}

impl Service {
    /// Applies `decision` at the stage's gate and lets the workflow go on.
    pub async fn decide(
        &self,
        who: &Principal,
        id: JobId,
        stage: Stage,
        decision: Decision,
    ) -> Result<Job, ServiceError> {
        let job = self.job_for(who, id, Action::Review).await?;
        let state = job.stage(stage);
        let callback = state.callback.clone().ok_or_else(|| {
            ServiceError::Conflict(format!(
                "stage {stage} is {}, not awaiting review",
                state.status
            ))
        })?;
        let record = self.steps.callbacks.get(&callback).await?.ok_or_else(|| {
            ServiceError::Conflict(format!("the review of stage {stage} has expired"))
        })?;
        let (command, action) = match decision {
            Decision::Approve { run } => (Command::Approve { stage, run }, "approve"),
            Decision::Rerun { parameters } => (Command::Rerun { stage, parameters }, "rerun"),
        };
        let job = self
            .steps
            .update_as::<ServiceError>(id, |current| {
                // Someone else decided first: their decision stands.
                if current.stage(stage).callback.as_ref() != Some(&callback) {
                    return Err(ServiceError::Conflict(format!(
                        "stage {stage} was reviewed by someone else"
                    )));
                }
                Ok(vec![command.clone()])
            })
            .await?;
        // "Already handled" means the wait had ended (it timed out); the
        // workflow has moved on and records that itself.
        self.workflow
            .send_task_success(&record.token, json!({"action": action}))
            .await?;
        self.steps.callbacks.delete(&callback).await?;
        Ok(job)
    }

    /// Replaces the stage's output with `text` as a new run, if the job is
    /// still at `expected_version` (the caller's If-Match). The gate keeps
    /// waiting: an edit is reviewed like any other run.
    pub async fn edit(
        &self,
        who: &Principal,
        id: JobId,
        stage: Stage,
        expected_version: u64,
        text: &str,
    ) -> Result<Job, ServiceError> {
        let job = self.job_for(who, id, Action::Review).await?;
        let mismatch = |actual| ServiceError::VersionMismatch {
            expected: expected_version,
            actual,
        };
        if job.version != expected_version {
            return Err(mismatch(job.version));
        }
        check_edit(stage, text, &self.edit_context(&job, stage).await?)?;
        let n = job.stage(stage).next_run_number();
        let key = ArtifactKey::for_job(&id, &format!("{stage}/edit-{n:04}.json"))
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        self.steps
            .artifacts
            .put(&key, text.as_bytes().to_vec(), "application/json")
            .await?;
        self.steps
            .update_as::<ServiceError>(id, |current| {
                if current.version != expected_version {
                    return Err(mismatch(current.version));
                }
                Ok(vec![Command::Edit {
                    stage,
                    base_run: None,
                    output_key: key.clone(),
                }])
            })
            .await
    }

    /// What an edit of `stage` is checked against.
    async fn edit_context(&self, job: &Job, stage: Stage) -> Result<EditContext, ServiceError> {
        let made_from = |e: crate::pipeline::StepError| {
            ServiceError::Conflict(format!("the {stage} stage has nothing to edit yet: {e}"))
        };
        Ok(match stage {
            Stage::Segment => {
                let ingested: Ingested = self
                    .steps
                    .stage_output(job, Stage::Ingest)
                    .await
                    .map_err(made_from)?;
                let made: Vec<Segment> = self
                    .steps
                    .stage_output(job, Stage::Segment)
                    .await
                    .map_err(made_from)?;
                EditContext::Material {
                    timeline: Timeline::of(&ingested.material),
                    made: made.len(),
                }
            }
            Stage::Outline => {
                let segments: Vec<Segment> = self
                    .steps
                    .stage_output(job, Stage::Segment)
                    .await
                    .map_err(made_from)?;
                EditContext::Segments {
                    count: segments.len(),
                }
            }
            Stage::Questions | Stage::Videos => EditContext::Outline(
                self.steps
                    .stage_output(job, Stage::Outline)
                    .await
                    .map_err(made_from)?,
            ),
            Stage::Prompts => EditContext::Storyboard(
                self.steps
                    .stage_output(job, Stage::Storyboard)
                    .await
                    .map_err(made_from)?,
            ),
            _ => EditContext::None,
        })
    }
}
