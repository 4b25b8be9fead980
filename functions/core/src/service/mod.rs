//! What callers do to jobs, with the access rules applied: the HTTP API (on
//! AWS and locally) and the terminal's reviews all come through here, so a
//! decision means the same wherever it is made.

mod error;
mod exports;
mod review;
mod videos;
mod visuals;
mod webhook;

use std::sync::Arc;

use chrono::Utc;

pub use error::ServiceError;
pub use review::{Decision, EditContext, check_edit};
pub use videos::{CANCELLED, VideoFile};
pub use visuals::{ClipTask, ClipTasks, VisualFile};
pub use webhook::WORKER_FAILED;

use crate::access::{self, Action};
use crate::artifact::ArtifactKey;
use crate::auth::{Principal, Role};
use crate::course::Course;
use crate::ids::{CourseId, JobId};
use crate::job::JobStatus;
use crate::job::{CourseRef, Job};
use crate::lifecycle::{self, NewJob};
use crate::options::{EngineKind, Options};
use crate::pipeline::Steps;
use crate::ports::{Page, PageRequest, Workflow};
use crate::source::{Source, TOPIC_STAGES};
use crate::stage::{Stage, StageStatus};
use crate::upload::{UPLOADS, UploadGrant, UploadQuota, UploadRequest, owner_prefix, uploads_of};
use crate::validation::ValidationError;

#[derive(Debug, Clone)]
pub struct Service {
    pub steps: Arc<Steps>,
    pub workflow: Arc<dyn Workflow>,
    /// How much each (non-admin) user may keep uploaded.
    pub quota: UploadQuota,
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
        if let Some(key) = request.source.upload_key() {
            // Admins may start a job from anyone's upload; others from their own.
            let mine = uploads_of(&who.user);
            let allowed = match who.role {
                Role::Admin => key.as_str().starts_with(UPLOADS),
                _ => key.as_str().starts_with(&mine),
            };
            if !allowed {
                return Err(ServiceError::Invalid(ValidationError::new(
                    "source.upload_key",
                    format!("must name one of your uploads ({mine}…)"),
                )));
            }
        }
        self.check_engines(&request)?;
        if request.options.render_videos {
            self.check_voice(
                "options.videos.voice",
                request.options.videos.voice.as_deref(),
            )?;
        }
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

    /// Refuses lesson videos in a voice the renderer here does not have,
    /// naming the voices it has; without a renderer each lesson fails with
    /// the reason instead.
    fn check_voice(&self, field: &str, voice: Option<&str>) -> Result<(), ServiceError> {
        let (Some(renderer), Some(voice)) = (&self.steps.renderer, voice) else {
            return Ok(());
        };
        let voices = renderer.voices();
        if voices.iter().any(|v| v.eq_ignore_ascii_case(voice.trim())) {
            return Ok(());
        }
        let shown: Vec<&str> = voices.iter().take(30).map(String::as_str).collect();
        let more = voices.len().saturating_sub(shown.len());
        let more = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        Err(ServiceError::Invalid(ValidationError::new(
            field,
            format!(
                "there is no voice {voice:?} here; there are {}{more}",
                shown.join(", ")
            ),
        )))
    }

    /// Refuses a job whose engines are not here: an LLM or AI server that
    /// is not configured, or a topic-only course without an LLM (there is
    /// no material for any other engine to work from).
    fn check_engines(&self, request: &JobRequest) -> Result<(), ServiceError> {
        let refuse = |field: String, message: &str| {
            Err(ServiceError::Invalid(ValidationError::new(field, message)))
        };
        let options = &request.options;
        if let Source::Topic { .. } = request.source
            && let Some(stage) = TOPIC_STAGES
                .into_iter()
                .find(|s| options.engine_for(*s) != EngineKind::Openai)
        {
            return refuse(
                format!("options.engines.{stage}"),
                "a topic-only course needs an LLM engine: set options.default_engine to \"openai\" (the offline engine and the AI server work from material)",
            );
        }
        if !self.steps.llm
            && let Some(stage) = Stage::ALL
                .into_iter()
                .find(|s| options.engine_for(*s) == EngineKind::Openai)
        {
            return refuse(
                format!("options.engines.{stage}"),
                "no LLM is configured here (OPENAI_BASE_URL, OPENAI_API_KEY, COURSEGEN_LLM_MODEL)",
            );
        }
        if self.steps.ai_server.is_none()
            && let Some(stage) = crate::options::AI_SERVER_STAGES
                .into_iter()
                .find(|s| options.sends_to_ai_server(*s))
        {
            return refuse(
                format!("options.engines.{stage}"),
                "no AI server is configured here (COURSEGEN_AI_SERVER_URL)",
            );
        }
        Ok(())
    }

    /// Grants `who` the upload it asks for: a key under its own prefix, if
    /// `who` may make jobs at all, the size is one ingest reads, and the
    /// caller's uploads leave room for it.
    pub async fn grant_upload(
        &self,
        who: &Principal,
        request: UploadRequest,
    ) -> Result<UploadGrant, ServiceError> {
        access::check_upload(who).map_err(|_| {
            ServiceError::Forbidden(
                "only those who may create jobs may upload (admins, and instructors and TAs of a course)"
                    .into(),
            )
        })?;
        let size = request.size();
        if size == 0 {
            return Err(ServiceError::Invalid(ValidationError::new(
                "size",
                "must be the file's size in bytes",
            )));
        }
        let limit = request.max_size().min(self.steps.artifacts.max_size());
        if size > limit {
            return Err(ServiceError::TooLarge { size, limit });
        }
        let metered = who.role != Role::Admin;
        if metered {
            self.check_quota(&uploads_of(&who.user), None, size).await?;
        }
        let key = format!(
            "{}{}/source.{}",
            uploads_of(&who.user),
            ulid::Ulid::generate(),
            request.extension()
        )
        .parse()
        .map_err(|e: crate::artifact::InvalidKey| ServiceError::Internal(e.to_string()))?;
        Ok(UploadGrant {
            key,
            request,
            metered,
        })
    }

    /// Whether `size` bytes for `grant` still fit its owner's quota, as its
    /// bytes arrive: several grants may be handed out before any is used.
    pub async fn admit_upload(&self, grant: &UploadGrant, size: u64) -> Result<(), ServiceError> {
        match owner_prefix(&grant.key) {
            Some(prefix) if grant.metered => {
                self.check_quota(&prefix, Some(&grant.key), size).await
            }
            _ => Ok(()),
        }
    }

    /// Stores a whole file `who` hands over in one piece (a form's upload,
    /// a file on the command line) as `PUT /v1/uploads/{token}` would: the
    /// grant's rules and quota, then the bytes; the source that reads it.
    /// Callers check the bytes read as `request` says before.
    pub async fn store_upload(
        &self,
        who: &Principal,
        request: UploadRequest,
        bytes: Vec<u8>,
    ) -> Result<Source, ServiceError> {
        let grant = self.grant_upload(who, request.clone()).await?;
        self.admit_upload(&grant, bytes.len() as u64).await?;
        self.steps
            .artifacts
            .put(&grant.key, bytes, request.content_type())
            .await?;
        Ok(request.source_at(grant.key))
    }

    /// Refuses one more upload of `size` under `prefix` past the quota;
    /// `replacing` (a second PUT of one grant) is not counted twice.
    async fn check_quota(
        &self,
        prefix: &str,
        replacing: Option<&ArtifactKey>,
        size: u64,
    ) -> Result<(), ServiceError> {
        let prefix = prefix
            .parse()
            .map_err(|e: crate::artifact::InvalidKey| ServiceError::Internal(e.to_string()))?;
        let kept = self.steps.artifacts.list(&prefix).await?;
        let (files, bytes) = kept
            .iter()
            .filter(|entry| Some(&entry.key) != replacing)
            .fold((0u64, 0u64), |(n, b), entry| (n + 1, b + entry.size));
        self.quota
            .admits(files, bytes, size)
            .map_err(ServiceError::QuotaExceeded)
    }

    pub async fn job(&self, who: &Principal, id: JobId) -> Result<Job, ServiceError> {
        self.job_for(who, id, Action::Read).await
    }

    /// The material a job was made from (what its ingest read).
    pub async fn material(
        &self,
        who: &Principal,
        id: JobId,
    ) -> Result<crate::material::Material, ServiceError> {
        let job = self.job_for(who, id, Action::Read).await?;
        let ingested: crate::pipeline::Ingested = self
            .steps
            .stage_output(&job, Stage::Ingest)
            .await
            .map_err(|e| ServiceError::Conflict(format!("the material is not read yet: {e}")))?;
        Ok(ingested.material)
    }

    /// The output of run `n` of a stage, as stored (JSON).
    pub async fn run_output(
        &self,
        who: &Principal,
        id: JobId,
        stage: Stage,
        n: u32,
    ) -> Result<Vec<u8>, ServiceError> {
        let job = self.job_for(who, id, Action::Read).await?;
        let run = job
            .stage(stage)
            .run(n)
            .ok_or_else(|| ServiceError::NotFound(format!("stage {stage} has no run {n}")))?;
        let key = run.output_key.as_ref().ok_or_else(|| {
            ServiceError::Conflict(format!(
                "run {n} of stage {stage} is {} and has no output",
                run.status
            ))
        })?;
        Ok(self.steps.artifacts.get(key).await?.bytes)
    }

    /// The assembled course, once the job has succeeded.
    pub async fn course(&self, who: &Principal, id: JobId) -> Result<Course, ServiceError> {
        let job = self.job_for(who, id, Action::Read).await?;
        if job.status != JobStatus::Succeeded {
            return Err(ServiceError::Conflict(format!(
                "the course is ready when the job has succeeded; it is {}",
                job.status
            )));
        }
        let key = ArtifactKey::for_job(&id, "course.json")
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        let bytes = self.steps.artifacts.get(&key).await?.bytes;
        serde_json::from_slice(&bytes).map_err(|e| ServiceError::Internal(format!("{key}: {e}")))
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
        let before = self.job_for(who, id, Action::Abort).await?;
        let job = self
            .steps
            .update_as::<ServiceError>(id, |_| {
                Ok(vec![lifecycle::Command::Abort {
                    reason: reason.clone(),
                }])
            })
            .await?;
        self.abort_workers(&before).await;
        self.steps.cancel_clips(&before).await;
        let cause = reason.as_deref().unwrap_or("aborted");
        match self.workflow.stop(id, "Aborted", cause).await {
            // Never started (or long gone): there is nothing to stop.
            Ok(()) | Err(crate::ports::WorkflowError::NoExecution(_)) => Ok(job),
            Err(e) => Err(e.into()),
        }
    }

    /// Asks the AI server to stop what it runs for the job. The abort is
    /// already recorded, whatever the server answers (404 and 400 mean
    /// there was nothing to stop, and a server that cannot be reached
    /// only sends reports that are ignored now).
    async fn abort_workers(&self, job: &Job) {
        let Some(server) = &self.steps.ai_server else {
            return;
        };
        for stage in Stage::ALL {
            let state = job.stage(stage);
            if let (StageStatus::Running, Some(handle)) = (state.status, &state.callback) {
                let _ = server.worker.abort(handle.as_str()).await;
            }
        }
    }
}
