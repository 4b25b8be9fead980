//! The pipeline's step handlers: one function per Task of the workflow,
//! taking and returning the small JSON the state machine passes (job id in,
//! artifact keys out). They use only ports, so the same code runs in a
//! Lambda and in the local interpreter, and they are idempotent: a step run
//! again after a crash finishes the run it had started instead of adding one.

mod ai_results;
mod clips;
mod dispatch;
mod exports;
mod film;
mod frames;
mod parsed;
pub mod playlist;
mod review;
mod stages;
mod storyboard;
mod videos;
mod writing;

pub use crate::videos::VideoItem;
pub use dispatch::WORKER_TIMEOUT;
pub use parsed::ParsedOutputs;
pub use review::REVIEW_DAYS;
pub use storyboard::VisualOutputs;
pub use writing::{LessonIndex, LessonProgress, LessonQuestions, LessonRef, QuestionSet};

use std::future::Future;
use std::sync::Arc;

use chrono::Utc;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::artifact::ArtifactKey;
use crate::ids::JobId;
use crate::job::Job;
use crate::lifecycle::{self, Command, TransitionError};
use crate::material::Material;
use crate::ports::{
    AiWorker, ArtifactError, ArtifactStore, AssessmentWriter, CallbackStore, EngineError,
    FileLinks, JobStore, LessonWriter, NarrationWriter, NotesWriter, Outliner, PromptWriter,
    Segmenter, StoreError, StoryboardWriter, Validator, VideoRenderer, Visuals,
};
use crate::source::Source;
use crate::stage::{RunStatus, Stage, StageState, StageStatus};

/// Why a step failed. The name is what the workflow's Retry and Catch see:
/// `Transient` is retried; everything else is caught and recorded.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{name}: {message}")]
pub struct StepError {
    pub name: &'static str,
    pub message: String,
}

impl StepError {
    fn new(name: &'static str, message: impl Into<String>) -> Self {
        StepError {
            name,
            message: message.into(),
        }
    }
}

impl From<StoreError> for StepError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Unavailable(_) | StoreError::VersionConflict { .. } => {
                StepError::new("Transient", e.to_string())
            }
            StoreError::NotFound(_) => StepError::new("NotFound", e.to_string()),
            other => StepError::new("StoreError", other.to_string()),
        }
    }
}

impl From<ArtifactError> for StepError {
    fn from(e: ArtifactError) -> Self {
        match e {
            ArtifactError::Unavailable(_) => StepError::new("Transient", e.to_string()),
            other => StepError::new("ArtifactError", other.to_string()),
        }
    }
}

impl From<EngineError> for StepError {
    fn from(e: EngineError) -> Self {
        match e {
            EngineError::Unavailable(_) => StepError::new("Transient", e.to_string()),
            EngineError::Unsupported(_) => StepError::new("Unsupported", e.to_string()),
            EngineError::Invalid(_) => StepError::new("InvalidMaterial", e.to_string()),
        }
    }
}

impl From<TransitionError> for StepError {
    fn from(e: TransitionError) -> Self {
        StepError::new("Conflict", e.to_string())
    }
}

/// What ingestion makes of a source.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Ingested {
    pub material: Material,
    /// The material's own title (a script's), if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The YouTube video lessons link back into, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video: Option<String>,
    /// Boundaries the material itself fixes (a script's sections), in ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment_ends_ms: Option<Vec<u64>>,
    /// A script's videos, as its headers split them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sections: Vec<crate::material::ScriptSection>,
    /// The transcript the material was read from, cue by cue, when the
    /// source was a recording or a video: what `coursegen generate` writes
    /// as transcript.vtt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transcript: Option<crate::material::Transcript>,
    /// What is known of the source video (a YouTube video's page).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_video: Option<SourceVideo>,
    /// A playlist's videos in order, each with its part of the material.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<VideoPart>,
    /// Videos of a playlist left out, each with why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<String>,
}

/// One video of a playlist made into one course: where its part of the
/// material lies (its times there are the video's own plus `start_ms`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VideoPart {
    pub video_id: String,
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    pub start_ms: u64,
    pub end_ms: u64,
    /// Where its chapters end (in the material's time), but the last.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub chapter_ends_ms: Vec<u64>,
}

/// The video a course is made from, as its site describes it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SourceVideo {
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<u64>,
    /// Its chapters (start in ms, title), which the segmentation keeps as
    /// boundaries.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub chapters: Vec<(u64, String)>,
    /// Where the transcript came from: "uploaded captions (en-US)",
    /// "automatic captions (en-orig)" or "speech-to-text".
    pub transcript_from: String,
}

/// Turns a job's source into material: parsing uploads, or fetching and
/// transcribing where an engine can.
#[async_trait::async_trait]
pub trait Ingestor: Send + Sync + std::fmt::Debug {
    /// `options` carry the source language; long work (transcription)
    /// reports to `progress` and stops when it is cancelled.
    async fn ingest(
        &self,
        source: &Source,
        options: &crate::options::Options,
        artifacts: &dyn ArtifactStore,
        progress: &crate::ports::Progress,
    ) -> Result<Ingested, EngineError>;
}

/// The adapters and engines the steps use.
#[derive(Debug, Clone)]
pub struct Steps {
    pub jobs: Arc<dyn JobStore>,
    pub artifacts: Arc<dyn ArtifactStore>,
    pub ingestor: Arc<dyn Ingestor>,
    pub validator: Arc<dyn Validator>,
    pub segmenter: Arc<dyn Segmenter>,
    pub outliner: Arc<dyn Outliner>,
    pub lesson_writer: Arc<dyn LessonWriter>,
    pub assessment_writer: Arc<dyn AssessmentWriter>,
    pub notes_writer: Arc<dyn NotesWriter>,
    pub narration_writer: Arc<dyn NarrationWriter>,
    /// What renders lesson videos, where this build can (ffmpeg and a
    /// voice are at hand).
    pub renderer: Option<Arc<dyn VideoRenderer>>,
    pub storyboard_writer: Arc<dyn StoryboardWriter>,
    pub prompt_writer: Arc<dyn PromptWriter>,
    /// What draws, animates and films a script job's frames, where this
    /// build can.
    pub visuals: Option<Arc<dyn Visuals>>,
    /// How providers' clip tasks are polled, and for how long.
    pub clip_polling: crate::generation::PollPolicy,
    pub callbacks: Arc<dyn CallbackStore>,
    /// What writes the packages a job asks for when it finishes, where
    /// this build links functions/exports.
    pub exporter: Option<Arc<dyn crate::exports::Exporter>>,
    /// The external AI server, when one is configured.
    pub ai_server: Option<AiServer>,
    /// Whether an LLM engine is configured, so jobs may choose `openai`.
    pub llm: bool,
    /// Outputs read lately, parsed (see [`ParsedOutputs`]).
    pub parsed: Arc<ParsedOutputs>,
}

/// Where AI-server work goes, and how the server reads our inputs.
#[derive(Debug, Clone)]
pub struct AiServer {
    pub worker: Arc<dyn AiWorker>,
    pub links: Arc<dyn FileLinks>,
}

/// How many times a change is re-read and re-applied when another writer
/// got there first (lesson steps run side by side on one job).
const MAX_CONFLICT_RETRIES: usize = 20;

impl Steps {
    /// Runs the step the payload names: `{"job_id": …, "step": …}`.
    pub async fn handle(&self, payload: &Value) -> Result<Value, StepError> {
        let job_id: JobId = payload
            .get("job_id")
            .and_then(Value::as_str)
            .ok_or_else(|| StepError::new("InvalidPayload", "job_id is missing"))?
            .parse()
            .map_err(|e| StepError::new("InvalidPayload", format!("job_id: {e}")))?;
        let step = payload
            .get("step")
            .and_then(Value::as_str)
            .unwrap_or_default();
        match step {
            "ingest" => self.ingest(job_id).await,
            "validate" => self.validate(job_id).await,
            "segment" => self.segment(job_id).await,
            "outline" => self.outline(job_id).await,
            "plan_lessons" => self.plan_lessons(job_id).await,
            "lesson" => self.lesson(job_id, payload).await,
            "assessment" => self.assessment(job_id).await,
            "questions" => self.questions(job_id).await,
            "assemble" => self.assemble(job_id).await,
            "export" => self.export(job_id).await,
            "plan_videos" => self.plan_videos(job_id).await,
            "plan_renders" => self.plan_renders(job_id).await,
            "video" => self.video(job_id, payload).await,
            "storyboard" => self.storyboard(job_id).await,
            "prompts" => self.prompts(job_id).await,
            "images" => self.images(job_id).await,
            "clips" => self.clips(job_id).await,
            "film" => self.film(job_id).await,
            "finish" => self.finish(job_id).await,
            "record_failure" => self.record_failure(job_id, payload).await,
            "dispatch" => self.dispatch(job_id, payload).await,
            // Review gates carry the stage and the task token.
            _ if payload.get("token").is_some() => self.gate(job_id, payload).await,
            other => Err(StepError::new(
                "UnknownStep",
                format!("no step handler named {other:?}"),
            )),
        }
    }

    /// Applies commands to the job, re-reading it when another writer
    /// changed it first. `commands` sees the current job each time.
    pub async fn update(
        &self,
        id: JobId,
        commands: impl Fn(&Job) -> Result<Vec<Command>, StepError>,
    ) -> Result<Job, StepError> {
        self.update_as(id, commands).await
    }

    /// [`Steps::update`] for callers with an error type of their own.
    pub async fn update_as<E>(
        &self,
        id: JobId,
        commands: impl Fn(&Job) -> Result<Vec<Command>, E>,
    ) -> Result<Job, E>
    where
        E: From<StoreError> + From<TransitionError>,
    {
        for _ in 0..MAX_CONFLICT_RETRIES {
            let job = self.jobs.get(id).await?;
            let mut next = job.clone();
            let mut events = Vec::new();
            for command in commands(&job)? {
                let (changed, more) = lifecycle::apply(&next, command, Utc::now())?;
                // Several commands make one stored change: one version step.
                next = changed;
                events.extend(more);
            }
            if events.is_empty() && next == job {
                return Ok(job);
            }
            next.version = job.version + 1;
            match self.jobs.update(&next, job.version, &events).await {
                Ok(()) => return Ok(next),
                Err(StoreError::VersionConflict { .. }) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(StoreError::Unavailable(format!("job {id} kept changing under the update")).into())
    }

    async fn put_json(&self, key: &ArtifactKey, value: &impl Serialize) -> Result<(), StepError> {
        let bytes =
            serde_json::to_vec(value).map_err(|e| StepError::new("Serialize", e.to_string()))?;
        self.artifacts.put(key, bytes, "application/json").await?;
        Ok(())
    }

    async fn get_json<T: DeserializeOwned>(&self, key: &ArtifactKey) -> Result<T, StepError> {
        let artifact = self.artifacts.get(key).await?;
        serde_json::from_slice(&artifact.bytes)
            .map_err(|e| StepError::new("CorruptArtifact", format!("{key}: {e}")))
    }

    /// The output a later stage reads: the approved run's, else the latest
    /// completed run's.
    pub(crate) async fn stage_output<T: DeserializeOwned>(
        &self,
        job: &Job,
        stage: Stage,
    ) -> Result<T, StepError> {
        self.get_json(&completed_output(job, stage)?).await
    }

    /// [`Steps::stage_output`], parsed once while this process keeps it
    /// among the outputs it read last: for what every lesson reads.
    async fn shared_output<T: DeserializeOwned + Send + Sync + 'static>(
        &self,
        job: &Job,
        stage: Stage,
    ) -> Result<Arc<T>, StepError> {
        let key = completed_output(job, stage)?;
        if let Some(value) = self.parsed.get::<T>(&key) {
            return Ok(value);
        }
        let value = Arc::new(self.get_json::<T>(&key).await?);
        self.parsed.keep(key, value.clone());
        Ok(value)
    }

    /// Runs `work` as a run of `stage`, idempotently (and metered: what its
    /// model calls cost is stored on the run, even when it fails): a stage already done
    /// returns its output; a stage left running by a crash finishes that
    /// run; otherwise a new run starts. The output is stored under
    /// `jobs/{id}/{stage}/run-NNNN.json` and the run completed with it.
    async fn run_stage<T, F, Fut>(
        &self,
        id: JobId,
        stage: Stage,
        work: F,
    ) -> Result<(ArtifactKey, T), StepError>
    where
        T: Serialize + DeserializeOwned,
        F: FnOnce(Job) -> Fut,
        Fut: Future<Output = Result<T, StepError>>,
    {
        let stepped = self
            .run_stage_in_steps(id, stage, |job, _| async move {
                work(job).await.map(Stepped::Done)
            })
            .await?;
        match stepped {
            Stepped::Done(done) => Ok(done),
            Stepped::More { .. } => Err(StepError::new(
                "Conflict",
                format!("stage {stage} ended early"),
            )),
        }
    }

    /// [`Steps::run_stage`] for a stage whose work is done over several
    /// calls (so that no call outlasts a Lambda, and waits happen in the
    /// workflow, not in a call): `work` gets the job and the run's number,
    /// does a part of the work it keeps under the run's own keys, and says
    /// whether more is left. The run completes when it is all done.
    async fn run_stage_in_steps<T, F, Fut>(
        &self,
        id: JobId,
        stage: Stage,
        work: F,
    ) -> Result<Stepped<(ArtifactKey, T)>, StepError>
    where
        T: Serialize + DeserializeOwned,
        F: FnOnce(Job, u32) -> Fut,
        Fut: Future<Output = Result<Stepped<T>, StepError>>,
    {
        let job = self.jobs.get(id).await?;
        let state = job.stage(stage);
        match state.status {
            StageStatus::Completed | StageStatus::AwaitingApproval | StageStatus::Approved => {
                let key = output_key(state).ok_or_else(|| {
                    StepError::new("MissingInput", format!("stage {stage} has no output"))
                })?;
                let value = self.get_json(&key).await?;
                return Ok(Stepped::Done((key, value)));
            }
            StageStatus::Running => {}
            StageStatus::Pending | StageStatus::Failed => {
                self.update(id, |_| Ok(vec![Command::StartStage { stage }]))
                    .await?;
            }
            StageStatus::Skipped | StageStatus::Aborted => {
                return Err(StepError::new(
                    "Conflict",
                    format!("stage {stage} is {}", state.status),
                ));
            }
        }
        let job = self.jobs.get(id).await?;
        let n = job.stage(stage).latest_run().map_or(1, |r| r.n);
        let (value, usage) = match crate::metering::metered(work(job, n)).await {
            (Ok(Stepped::Done(value)), usage) => (value, usage),
            (Ok(Stepped::More { wait_s }), usage) => {
                if !usage.is_zero() {
                    self.update(id, |_| Ok(vec![Command::AddUsage { stage, usage }]))
                        .await?;
                }
                return Ok(Stepped::More { wait_s });
            }
            (Err(e), usage) => {
                let error = e.to_string();
                self.update(id, |_| {
                    Ok(vec![
                        Command::AddUsage { stage, usage },
                        Command::FailRun {
                            stage,
                            error: error.clone(),
                        },
                    ])
                })
                .await?;
                return Err(e);
            }
        };
        let key = run_key(id, stage, n, "json")?;
        self.put_json(&key, &value).await?;
        let output_key = key.clone();
        self.update(id, move |_| {
            Ok(vec![Command::CompleteRun {
                stage,
                output_key: output_key.clone(),
                usage,
            }])
        })
        .await?;
        Ok(Stepped::Done((key, value)))
    }
}

/// What one call of a stage that works in steps did: a part of the work
/// (the workflow calls again after `wait_s` seconds), or all of it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Stepped<T> {
    More { wait_s: u64 },
    Done(T),
}

/// `jobs/{id}/{stage}/run-NNNN.{ext}`: a run's output.
fn run_key(id: JobId, stage: Stage, n: u32, ext: &str) -> Result<ArtifactKey, StepError> {
    job_key(id, &format!("{stage}/run-{n:04}.{ext}"))
}

/// `jobs/{id}/{stage}/run-NNNN/{name}`: a file a run makes on its way.
fn run_file(id: JobId, stage: Stage, n: u32, name: &str) -> Result<ArtifactKey, StepError> {
    job_key(id, &format!("{stage}/run-{n:04}/{name}"))
}

fn job_key(id: JobId, path: &str) -> Result<ArtifactKey, StepError> {
    ArtifactKey::for_job(&id, path).map_err(|e| StepError::new("InvalidKey", e.to_string()))
}

/// The stage and task token of a task that waits for its token (a review
/// gate or a dispatch): `{"stage", "token"}`.
fn waiting_task(payload: &Value) -> Result<(Stage, &str), StepError> {
    let stage: Stage = payload
        .get("stage")
        .and_then(Value::as_str)
        .ok_or_else(|| StepError::new("InvalidPayload", "stage is missing"))?
        .parse()
        .map_err(|e: String| StepError::new("InvalidPayload", e))?;
    let token = payload
        .get("token")
        .and_then(Value::as_str)
        .ok_or_else(|| StepError::new("InvalidPayload", "token is missing"))?;
    Ok((stage, token))
}

/// Where the output a later stage reads is, or why there is none.
fn completed_output(job: &Job, stage: Stage) -> Result<ArtifactKey, StepError> {
    output_key(job.stage(stage)).ok_or_else(|| {
        StepError::new(
            "MissingInput",
            format!("stage {stage} has no completed output"),
        )
    })
}

/// The approved run's output, else the latest completed run's.
pub fn output_key(state: &StageState) -> Option<ArtifactKey> {
    let run = match state.approved_run {
        Some(n) => state.run(n),
        None => state
            .runs
            .iter()
            .rev()
            .find(|r| r.status == RunStatus::Completed),
    };
    run.and_then(|r| r.output_key.clone())
}
