//! Work handed to the external AI server. The workflow's dispatch task
//! (`.waitForTaskToken`) lands here: the token goes into the callback store
//! behind a fresh opaque handle, the stage's run awaits that handle, and
//! the server is asked to start (or, for a human's rerun, to rerun) the
//! task. The webhook completes the token later.

use std::time::Duration;

use chrono::Utc;
use serde_json::{Map, Value, json};

use super::{Ingested, StepError, Steps, waiting_task};
use crate::ai_protocol::job_state::{DEFAULT_LAM, JobState, QUESTION_KINDS, TaskInput};
use crate::ai_protocol::transcript;
use crate::artifact::ArtifactKey;
use crate::ids::{CallbackId, JobId, TaskToken};
use crate::job::Job;
use crate::lifecycle::Command;
use crate::outputs::{Segment, SegmentParams};
use crate::ports::{CallbackRecord, DispatchError};
use crate::source::Source;
use crate::stage::{Stage, StageStatus};

/// How long a dispatched task may take: the dispatch states'
/// TimeoutSeconds, and how long the input links stay valid. The server's
/// own result URLs last as long.
pub const WORKER_TIMEOUT: Duration = Duration::from_secs(24 * 3600);

impl Steps {
    /// Hands the stage the payload names to the AI server:
    /// `{"job_id", "stage", "token"}`.
    pub(super) async fn dispatch(&self, id: JobId, payload: &Value) -> Result<Value, StepError> {
        let (stage, token) = waiting_task(payload)?;
        if self.ai_server.is_none() {
            return Err(StepError::new(
                "NotConfigured",
                "this job sends work to the AI server, but none is configured (COURSEGEN_AI_SERVER_URL)",
            ));
        }
        if stage == Stage::Questions {
            self.close_lessons(id).await?;
        }
        let job = self.jobs.get(id).await?;
        let state = job.stage(stage);
        match (state.status, &state.callback) {
            (StageStatus::Running, Some(existing)) => {
                // The same task invoked again: the server already has the
                // work; the handle now stands for the newest token.
                self.callbacks.delete(existing).await?;
                self.callbacks
                    .put(&record(existing, TaskToken::new(token), id, stage))
                    .await?;
                return Ok(json!({"callback": existing}));
            }
            (StageStatus::Running, None) => {}
            (StageStatus::Pending | StageStatus::Failed, _) => {
                self.update(id, |_| Ok(vec![Command::StartStage { stage }]))
                    .await?;
            }
            (status, _) => {
                return Err(StepError::new(
                    "Conflict",
                    format!("stage {stage} is {status}; there is nothing to dispatch"),
                ));
            }
        }
        let job = self.jobs.get(id).await?;
        let (input, parameters) = self.task_input(&job, stage).await?;
        // A run after an earlier one of this stage is a human's rerun: the
        // server runs the task itself again rather than the next one.
        let again = job.stage(stage).latest_run().is_some_and(|r| r.n > 1);
        let state = if again {
            JobState::rerun(input, parameters)
        } else {
            JobState::start(input, parameters)
        };
        let handle = self
            .hand_over(id, stage, TaskToken::new(token), &state, again)
            .await?;
        Ok(json!({"callback": handle}))
    }

    /// Starts transcription of the audio the server extracted, under the
    /// same waiting token: YouTube sources take two server tasks for one
    /// ingest run. The extraction's handle stops being the awaited one.
    pub async fn chain_transcription(
        &self,
        extraction: &CallbackRecord,
        audio: &ArtifactKey,
    ) -> Result<CallbackId, StepError> {
        let job = self.jobs.get(extraction.job_id).await?;
        let file = self.link(audio).await?;
        let state = JobState::start(TaskInput::Audio { file }, transcription_parameters(&job));
        self.hand_over(
            extraction.job_id,
            Stage::Ingest,
            extraction.token.clone(),
            &state,
            false,
        )
        .await
    }

    /// Stores a new handle for `token`, makes the running run await it,
    /// and sends the task. A refusal or an unreachable server fails the run.
    async fn hand_over(
        &self,
        id: JobId,
        stage: Stage,
        token: TaskToken,
        state: &JobState,
        again: bool,
    ) -> Result<CallbackId, StepError> {
        let server = self.ai_server.as_ref().ok_or_else(|| {
            StepError::new(
                "NotConfigured",
                "no AI server is configured (COURSEGEN_AI_SERVER_URL)",
            )
        })?;
        let handle = CallbackId::generate();
        self.callbacks
            .put(&record(&handle, token, id, stage))
            .await?;
        // Awaited before the call: the server may report before it answers.
        let awaited = handle.clone();
        self.update(id, move |_| {
            Ok(vec![Command::AwaitWorker {
                stage,
                callback: awaited.clone(),
            }])
        })
        .await?;
        let sent = if again {
            server.worker.rerun(handle.as_str(), state).await
        } else {
            server.worker.start(handle.as_str(), state).await
        };
        if let Err(e) = sent {
            let (name, message) = match &e {
                DispatchError::Refused { .. } => ("AiServerRefused", e.to_string()),
                DispatchError::BadBaseUrl(_) => ("NotConfigured", e.to_string()),
                DispatchError::Unavailable(_) => ("AiServerUnavailable", e.to_string()),
            };
            let error = message.clone();
            self.update(id, move |job| {
                Ok(if job.stage(stage).status == StageStatus::Running {
                    vec![Command::FailRun {
                        stage,
                        error: error.clone(),
                    }]
                } else {
                    Vec::new()
                })
            })
            .await?;
            return Err(StepError::new(name, message));
        }
        Ok(handle)
    }

    /// What the server works on for `stage`, and the task's parameters.
    async fn task_input(
        &self,
        job: &Job,
        stage: Stage,
    ) -> Result<(TaskInput, Map<String, Value>), StepError> {
        let n = job.stage(stage).latest_run().map_or(1, |r| r.n);
        match stage {
            Stage::Ingest => {
                let input = match &job.source {
                    Source::Youtube { video_id } => TaskInput::Video {
                        url: video_id.watch_url(),
                    },
                    Source::Audio { upload_key } => TaskInput::Audio {
                        file: self.link(upload_key).await?,
                    },
                    other => {
                        return Err(StepError::new(
                            "Unsupported",
                            format!(
                                "the AI server transcribes YouTube videos and audio; this job's source is {}",
                                other.kind()
                            ),
                        ));
                    }
                };
                Ok((input, transcription_parameters(job)))
            }
            Stage::Segment => {
                let file = self.transcript_link(job, stage, n).await?;
                let params: SegmentParams =
                    serde_json::from_value(job.stage(Stage::Segment).parameters.clone()).map_err(
                        |e| StepError::new("InvalidParameters", format!("segment parameters: {e}")),
                    )?;
                let mut parameters = Map::new();
                parameters.insert("lam".into(), json!(DEFAULT_LAM * params.boundary_penalty));
                Ok((TaskInput::Transcript { file }, parameters))
            }
            Stage::Questions => {
                let file = self.transcript_link(job, stage, n).await?;
                let segments: Vec<Segment> = self.stage_output(job, Stage::Segment).await?;
                let segment_ends_s = segments.iter().map(|s| s.end_ms as f64 / 1000.0).collect();
                let parameters = QUESTION_KINDS
                    .iter()
                    .map(|(kind, ty, _)| {
                        let count = job.options.question_mix.get(ty).copied().unwrap_or(0);
                        ((*kind).to_owned(), json!(count))
                    })
                    .collect();
                Ok((
                    TaskInput::Segmented {
                        file,
                        segment_ends_s,
                    },
                    parameters,
                ))
            }
            other => Err(StepError::new(
                "Unsupported",
                format!("the AI server does not do the {other} stage"),
            )),
        }
    }

    /// Our material in the server's transcript format, stored with the run
    /// it is the input of, as a link the server can read.
    async fn transcript_link(&self, job: &Job, stage: Stage, n: u32) -> Result<String, StepError> {
        let ingested: Ingested = self.stage_output(job, Stage::Ingest).await?;
        let key = ArtifactKey::for_job(&job.id, &format!("{stage}/run-{n:04}.input.json"))
            .map_err(|e| StepError::new("InvalidKey", e.to_string()))?;
        self.put_json(&key, &transcript::chunks(&ingested.material))
            .await?;
        self.link(&key).await
    }

    async fn link(&self, key: &ArtifactKey) -> Result<String, StepError> {
        let server = self.ai_server.as_ref().ok_or_else(|| {
            StepError::new(
                "NotConfigured",
                "no AI server is configured (COURSEGEN_AI_SERVER_URL)",
            )
        })?;
        server
            .links
            .link(key, WORKER_TIMEOUT)
            .await
            .map_err(|e| StepError::new("Transient", format!("a link to {key}: {e}")))
    }
}

/// Transcription's parameters: the language, when the job names one the
/// server knows.
fn transcription_parameters(job: &Job) -> Map<String, Value> {
    let mut parameters = Map::new();
    let language = job.options.source_language.as_deref().unwrap_or("");
    let primary = language.split('-').next().unwrap_or("");
    if matches!(primary, "en" | "hi") {
        parameters.insert("language".into(), json!(primary));
    }
    parameters
}

fn record(handle: &CallbackId, token: TaskToken, job_id: JobId, stage: Stage) -> CallbackRecord {
    CallbackRecord {
        id: handle.clone(),
        token,
        job_id,
        stage,
        expires_at: Utc::now()
            + chrono::Duration::from_std(WORKER_TIMEOUT).unwrap_or(chrono::Duration::days(1)),
    }
}
