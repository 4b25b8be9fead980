//! Seed 003's routes, as its clients call them, over a script job: upload a
//! script and get its storyboard (`POST /files/extract`), then ask for a
//! video's prompts (`POST /prompts/generate`), a frame's picture (`POST
//! /generation/images`) and its clip (`POST /generation/video`), and read a
//! generation's status (`GET /generation/{id}`). Each call approves the
//! review before what it asks for — the seed's client decides by calling —
//! and answers once that is made, or with 202 while it is being made.
//! Unlike the seed, the storyboard is kept (the file id is the job's), and
//! a clip is made only of a frame's own picture: the server fetches no
//! image from a URL it is handed.

use std::time::Duration;

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use coursegen_core::auth::Principal;
use coursegen_core::board_view::BoardView;
use coursegen_core::ids::JobId;
use coursegen_core::job::{CourseRef, Job, JobStatus};
use coursegen_core::options::Options;
use coursegen_core::service::{JobRequest, ServiceError};
use coursegen_core::source::DocumentFormat;
use coursegen_core::stage::{Stage, StageStatus};
use coursegen_core::upload::UploadRequest;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::jobs::ApiResult;
use crate::state::ApiState;

/// How long a call waits for what it asked for before answering 202: well
/// inside API Gateway's 29 seconds.
const WAIT: Duration = Duration::from_secs(20);
const LOOK_EVERY: Duration = Duration::from_millis(100);

#[derive(Debug, Serialize, JsonSchema)]
pub struct Extracted {
    /// The script job's id: the file's id in the calls that follow.
    pub file_id: JobId,
    pub filename: String,
    pub status: JobStatus,
    /// The storyboard, once written (absent with 202: read it later from
    /// `GET /v1/jobs/{file_id}/storyboard`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storyboard: Option<BoardView>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GeneratePrompts {
    pub file_id: JobId,
    #[schemars(range(min = 1))]
    pub video_number: u32,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct VideoPromptsView {
    pub file_id: JobId,
    pub video_number: u32,
    pub status: JobStatus,
    /// The video's prompts, once written (none with 202).
    pub prompts: Vec<PromptItem>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct PromptItem {
    /// `{file_id}.v01-s02-f03`: what `POST /generation/images` takes.
    pub prompt_id: String,
    pub shot: u32,
    pub frame: u32,
    /// The prompt an image model is sent, and what it must not show.
    pub prompt: String,
    pub negative: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GenerateImages {
    pub prompt_id: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GenerateVideo {
    /// A frame's picture, as the storyboard links it
    /// (`…/v1/jobs/{id}/visuals/v01-s02-f03.png`).
    pub start_image_url: String,
    /// Taken for the seed's shape, and checked to be a frame of the same
    /// script; a clip ends where its camera move takes it.
    #[serde(default)]
    pub end_image_url: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum GenerationKind {
    Image,
    Video,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum GenerationState {
    Pending,
    Running,
    Succeeded,
    Failed,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct GenerationView {
    /// `{file_id}.image.v01-s02-f03` or `{file_id}.video.v01-s02-f03`.
    pub id: String,
    pub kind: GenerationKind,
    pub status: GenerationState,
    /// Where the picture or the frame's clip downloads from, once made.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// A file name's script format.
fn format_of(name: &str) -> Result<DocumentFormat, ApiError> {
    let extension = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    match extension.as_deref() {
        Some("docx") => Ok(DocumentFormat::Docx),
        Some("md" | "markdown") => Ok(DocumentFormat::Md),
        Some("txt") => Ok(DocumentFormat::Txt),
        _ => Err(ApiError::invalid(
            "file",
            "a course script is a .docx, .md or .txt file",
        )),
    }
}

/// Waits until `stage` of job `id` has something to show (or has failed,
/// or the job has ended), at most [`WAIT`]: the job as it is then.
async fn wait_for(
    state: &ApiState,
    who: &Principal,
    id: JobId,
    stage: Stage,
) -> Result<Job, ApiError> {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let job = state.service.job(who, id).await?;
        let status = job.stage(stage).status;
        let shown = matches!(
            status,
            StageStatus::AwaitingApproval | StageStatus::Completed | StageStatus::Approved
        );
        if shown || status == StageStatus::Failed || job.status.is_terminal() {
            return Ok(job);
        }
        if tokio::time::Instant::now() >= deadline {
            return Ok(job);
        }
        tokio::time::sleep(LOOK_EVERY).await;
    }
}

/// A stage that failed, or a job that ended without it, as an answer.
fn not_made(job: &Job, stage: Stage) -> Option<ApiError> {
    let failed = job.stage(stage).status == StageStatus::Failed
        || (job.status.is_terminal() && !job.stage(stage).status.is_done());
    failed.then(|| {
        let why = job
            .error
            .clone()
            .unwrap_or_else(|| format!("the {stage} stage failed"));
        ApiError::from(ServiceError::Conflict(format!(
            "job {} is {}: {why}",
            job.id, job.status
        )))
    })
}

pub async fn extract(
    State(state): State<ApiState>,
    Caller(who): Caller,
    mut form: Multipart,
) -> ApiResult {
    let (mut file, mut course_id, mut version_id) = (None, None, None);
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| ApiError::invalid("body", format!("not a multipart form: {e}")))?
    {
        match field.name().unwrap_or_default() {
            "file" => {
                let name = field.file_name().unwrap_or_default().to_owned();
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|e| ApiError::invalid("file", format!("cannot be read: {e}")))?;
                file = Some((name, bytes));
            }
            "course_id" => course_id = Some(text(field, "course_id").await?),
            "version_id" => version_id = Some(text(field, "version_id").await?),
            other => {
                return Err(ApiError::invalid(
                    other,
                    "is not a field of this form (file, course_id, version_id)",
                ));
            }
        }
    }
    let (filename, bytes) =
        file.ok_or_else(|| ApiError::invalid("file", "the script is missing"))?;
    let format = format_of(&filename)?;
    let course = CourseRef {
        course_id: parse(course_id, "course_id")?,
        version_id: parse(version_id, "version_id")?,
        module_id: None,
        section_id: None,
    };
    let request = UploadRequest::Document {
        format,
        size: bytes.len() as u64,
    };
    coursegen_engines::ingest::check_upload(&request, &bytes).map_err(|why| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unreadable",
            format!("the file is not a readable script: {why}"),
        )
    })?;
    let source = state
        .service
        .store_upload(&who, request, bytes.to_vec())
        .await?;
    let options = Options {
        storyboard: Some(Default::default()),
        ..Options::default()
    };
    let request = JobRequest {
        course,
        source,
        options,
    };
    let id = state.service.create_job(&who, request).await?.id;
    let job = wait_for(&state, &who, id, Stage::Storyboard).await?;
    if let Some(e) = not_made(&job, Stage::Storyboard) {
        return Err(e);
    }
    let made = job.stage(Stage::Storyboard).status != StageStatus::Running
        && job.stage(Stage::Storyboard).status != StageStatus::Pending;
    let storyboard = if made {
        let base = format!("/v1/jobs/{id}/visuals");
        Some(state.service.storyboard_view(&who, id, &base).await?)
    } else {
        None
    };
    let code = if made {
        StatusCode::CREATED
    } else {
        StatusCode::ACCEPTED
    };
    let answer = Extracted {
        file_id: id,
        filename,
        status: job.status,
        storyboard,
    };
    Ok((code, Json(answer)).into_response())
}

async fn text(field: axum::extract::multipart::Field<'_>, name: &str) -> Result<String, ApiError> {
    field
        .text()
        .await
        .map(|t| t.trim().to_owned())
        .map_err(|e| ApiError::invalid(name, format!("cannot be read: {e}")))
}

fn parse<T: std::str::FromStr>(value: Option<String>, name: &str) -> Result<T, ApiError>
where
    T::Err: std::fmt::Display,
{
    let value = value.ok_or_else(|| ApiError::invalid(name, "is required"))?;
    value
        .parse()
        .map_err(|e: T::Err| ApiError::invalid(name, e.to_string()))
}

pub async fn prompts(
    State(state): State<ApiState>,
    Caller(who): Caller,
    body: Result<Json<GeneratePrompts>, JsonRejection>,
) -> ApiResult {
    let Json(body) = body?;
    let id = body.file_id;
    state.service.go_on_to(&who, id, Stage::Prompts).await?;
    let job = wait_for(&state, &who, id, Stage::Prompts).await?;
    if let Some(e) = not_made(&job, Stage::Prompts) {
        return Err(e);
    }
    let view = state.service.storyboard_view(&who, id, "").await?;
    let video = view
        .videos
        .iter()
        .find(|v| v.number == body.video_number)
        .ok_or_else(|| {
            ApiError::from(ServiceError::NotFound(format!(
                "the script has no video {} (it has {})",
                body.video_number,
                view.videos.len()
            )))
        })?;
    let prompts: Vec<PromptItem> = video
        .shots
        .iter()
        .flat_map(|s| s.frames.iter().map(move |f| (s.number, f)))
        .filter_map(|(shot, f)| {
            let p = f.prompt.as_ref()?;
            Some(PromptItem {
                prompt_id: format!("{id}.{}", f.name),
                shot,
                frame: f.frame.number,
                prompt: p.text.clone(),
                negative: p.negative.clone(),
            })
        })
        .collect();
    let code = if prompts.is_empty() {
        StatusCode::ACCEPTED
    } else {
        StatusCode::OK
    };
    let answer = VideoPromptsView {
        file_id: id,
        video_number: body.video_number,
        status: job.status,
        prompts,
    };
    Ok((code, Json(answer)).into_response())
}

/// `{job}.{frame}` → the job and the frame's name.
fn frame_of(id: &str, field: &str) -> Result<(JobId, String), ApiError> {
    let bad = || {
        ApiError::invalid(
            field,
            "is not one this server gave (`{file_id}.v01-s02-f03`)",
        )
    };
    let (job, frame) = id.split_once('.').ok_or_else(bad)?;
    let job: JobId = job.parse().map_err(|_| bad())?;
    let parts: Vec<&str> = frame.split('-').collect();
    let named = parts.len() == 3
        && ["v", "s", "f"].iter().zip(&parts).all(|(p, part)| {
            part.strip_prefix(p)
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        });
    if !named {
        return Err(bad());
    }
    Ok((job, frame.to_owned()))
}

pub async fn images(
    State(state): State<ApiState>,
    Caller(who): Caller,
    body: Result<Json<GenerateImages>, JsonRejection>,
) -> ApiResult {
    let Json(body) = body?;
    let (id, frame) = frame_of(&body.prompt_id, "prompt_id")?;
    state.service.go_on_to(&who, id, Stage::Images).await?;
    let view = generation(&state, &who, id, GenerationKind::Image, &frame).await?;
    Ok((StatusCode::ACCEPTED, Json(view)).into_response())
}

pub async fn video(
    State(state): State<ApiState>,
    Caller(who): Caller,
    body: Result<Json<GenerateVideo>, JsonRejection>,
) -> ApiResult {
    let Json(body) = body?;
    let (id, frame) = picture_of(&body.start_image_url, "start_image_url")?;
    if let Some(end) = &body.end_image_url {
        let (end_job, _) = picture_of(end, "end_image_url")?;
        if end_job != id {
            return Err(ApiError::invalid(
                "end_image_url",
                "must be a frame of the same script",
            ));
        }
    }
    state.service.go_on_to(&who, id, Stage::Clips).await?;
    let view = generation(&state, &who, id, GenerationKind::Video, &frame).await?;
    Ok((StatusCode::ACCEPTED, Json(view)).into_response())
}

/// A frame picture's URL (`…/v1/jobs/{id}/visuals/v01-s02-f03.png`) → the
/// job and the frame.
fn picture_of(url: &str, field: &str) -> Result<(JobId, String), ApiError> {
    let bad = || {
        ApiError::invalid(
            field,
            "must be a frame's picture as the storyboard links it (…/v1/jobs/{id}/visuals/v01-s02-f03.png)",
        )
    };
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let at = path.find("/v1/jobs/").ok_or_else(bad)?;
    let rest = &path[at + "/v1/jobs/".len()..];
    let (job, file) = rest.split_once("/visuals/").ok_or_else(bad)?;
    let frame = file.strip_suffix(".png").ok_or_else(bad)?;
    frame_of(&format!("{job}.{frame}"), field).map_err(|_| bad())
}

pub async fn status(
    State(state): State<ApiState>,
    Caller(who): Caller,
    path: Result<Path<String>, PathRejection>,
) -> ApiResult {
    let Path(id) = path?;
    let bad = || ApiError::from(ServiceError::NotFound(format!("no generation {id:?}")));
    let mut parts = id.splitn(3, '.');
    let (Some(job), Some(kind), Some(frame)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad());
    };
    let kind = match kind {
        "image" => GenerationKind::Image,
        "video" => GenerationKind::Video,
        _ => return Err(bad()),
    };
    let (job, frame) = frame_of(&format!("{job}.{frame}"), "id").map_err(|_| bad())?;
    Ok(Json(generation(&state, &who, job, kind, &frame).await?).into_response())
}

/// Where frame `frame`'s picture or clip stands.
async fn generation(
    state: &ApiState,
    who: &Principal,
    id: JobId,
    kind: GenerationKind,
    frame: &str,
) -> Result<GenerationView, ApiError> {
    let job = state.service.script_job(who, id).await?;
    let view_id = |k: &str| format!("{id}.{k}.{frame}");
    let (stage, id_kind) = match kind {
        GenerationKind::Image => (Stage::Images, "image"),
        GenerationKind::Video => (Stage::Clips, "video"),
    };
    let stage_status = job.stage(stage).status;
    let failed = stage_status == StageStatus::Failed
        || (job.status.is_terminal() && !stage_status.is_done());
    let mut view = GenerationView {
        id: view_id(id_kind),
        kind,
        status: match stage_status {
            StageStatus::Pending => GenerationState::Pending,
            StageStatus::Running => GenerationState::Running,
            _ if failed => GenerationState::Failed,
            _ => GenerationState::Running,
        },
        output_url: None,
        error: failed.then(|| {
            job.error
                .clone()
                .unwrap_or_else(|| format!("the {stage} stage failed"))
        }),
    };
    let ext = match kind {
        GenerationKind::Image => "png",
        GenerationKind::Video => "mp4",
    };
    if stage_status.is_done() || stage_status == StageStatus::AwaitingApproval {
        let name = format!("{frame}.{ext}");
        match state.service.visual_file(who, id, &name).await {
            Ok(_) => {
                view.status = GenerationState::Succeeded;
                view.output_url = Some(format!("/v1/jobs/{id}/visuals/{name}"));
            }
            Err(ServiceError::NotFound(_)) => return Err(not_a_frame(id, frame)),
            Err(e) => return Err(e.into()),
        }
    }
    if kind == GenerationKind::Video {
        // The provider's word on the frame's task, while it is made (or
        // why it was made here instead).
        let tasks = state.service.clip_tasks(who, id).await?;
        let task = tasks.frames.iter().find(|t| t.frame == frame);
        if let Some(e) = task.and_then(|t| t.error.as_ref()) {
            view.error = Some(format!("{}: {}", e.code, e.message));
        }
    }
    Ok(view)
}

fn not_a_frame(id: JobId, frame: &str) -> ApiError {
    ApiError::from(ServiceError::NotFound(format!(
        "job {id} has no frame {frame}"
    )))
}
