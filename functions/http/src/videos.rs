//! A made course's lesson videos (DESIGN.md §5): ask for them (every lesson
//! or some, in other options), read their status, cancel or retry one,
//! edit one lesson's narration, and download a video or its subtitles —
//! in part when the request asks (`Range`), so a `<video>` can seek.

use std::time::Duration;

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::header::LOCATION;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use coursegen_core::artifact::ArtifactKey;
use coursegen_core::auth::Principal;
use coursegen_core::ids::JobId;
use coursegen_core::job::Job;
use coursegen_core::narration::Narration;
use coursegen_core::service::VideoFile;
use coursegen_core::videos::{LessonRef, LessonVideo, VideoRequest, VideoStatus, summary};
use schemars::JsonSchema;
use serde::Serialize;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::jobs::{ApiResult, if_match, optional, tagged};
use crate::range;
use crate::state::ApiState;

/// A job's lesson videos: how far they have got, and each lesson's.
#[derive(Debug, Serialize, JsonSchema)]
pub struct VideosView {
    pub status: VideoStatus,
    /// The lesson being rendered, as `m1/l2`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_lesson: Option<String>,
    pub total_lessons: usize,
    pub completed_lessons: usize,
    pub lessons: Vec<LessonVideo>,
}

impl VideosView {
    fn of(job: &Job) -> Self {
        let s = summary(job.id, &job.videos);
        VideosView {
            status: s.video_generation_status,
            current_lesson: s.current_lesson,
            total_lessons: s.total_lessons,
            completed_lessons: s.completed_lessons,
            lessons: job.videos.clone(),
        }
    }
}

/// How long a download link to S3 lasts.
const LINK_LIFETIME: Duration = Duration::from_secs(3600);

/// `body` with the job's version as its ETag.
fn with_version(status: StatusCode, job: &Job, body: impl Serialize) -> Response {
    tagged((status, Json(body)).into_response(), job)
}

/// The lesson a URL names (`m1-l2`, or `m1/l2` encoded).
fn lesson(text: &str) -> Result<LessonRef, ApiError> {
    text.parse()
        .map_err(|e: String| ApiError::not_found(format!("no such lesson: {e}")))
}

fn lesson_of(job: &Job, at: LessonRef) -> Result<LessonVideo, ApiError> {
    job.video(at)
        .cloned()
        .ok_or_else(|| ApiError::not_found(format!("lesson {at} has no video")))
}

pub async fn status(
    State(state): State<ApiState>,
    Caller(who): Caller,
    path: Result<Path<JobId>, PathRejection>,
) -> ApiResult {
    let Path(id) = path?;
    let job = state.service.job(&who, id).await?;
    Ok(with_version(StatusCode::OK, &job, VideosView::of(&job)))
}

pub async fn render(
    State(state): State<ApiState>,
    Caller(who): Caller,
    path: Result<Path<JobId>, PathRejection>,
    body: Result<Json<VideoRequest>, JsonRejection>,
) -> ApiResult {
    let Path(id) = path?;
    // No body renders every lesson as before.
    let request = optional(body)?;
    let job = state.service.render_videos(&who, id, &request).await?;
    let mut response = with_version(StatusCode::ACCEPTED, &job, VideosView::of(&job));
    if let Ok(location) = HeaderValue::from_str(&format!("/v1/jobs/{id}/videos")) {
        response.headers_mut().insert(LOCATION, location);
    }
    Ok(response)
}

pub async fn lesson_status(
    State(state): State<ApiState>,
    Caller(who): Caller,
    path: Result<Path<(JobId, String)>, PathRejection>,
) -> ApiResult {
    let Path((id, at)) = path?;
    let at = lesson(&at)?;
    let job = state.service.job(&who, id).await?;
    Ok(with_version(StatusCode::OK, &job, lesson_of(&job, at)?))
}

pub async fn cancel(
    State(state): State<ApiState>,
    Caller(who): Caller,
    path: Result<Path<(JobId, String)>, PathRejection>,
) -> ApiResult {
    let Path((id, at)) = path?;
    let at = lesson(&at)?;
    let job = state.service.cancel_video(&who, id, at).await?;
    Ok(with_version(StatusCode::OK, &job, lesson_of(&job, at)?))
}

pub async fn retry(
    State(state): State<ApiState>,
    Caller(who): Caller,
    path: Result<Path<(JobId, String)>, PathRejection>,
) -> ApiResult {
    let Path((id, at)) = path?;
    let at = lesson(&at)?;
    let job = state.service.retry_video(&who, id, at).await?;
    Ok(with_version(
        StatusCode::ACCEPTED,
        &job,
        lesson_of(&job, at)?,
    ))
}

pub async fn narration(
    State(state): State<ApiState>,
    Caller(who): Caller,
    path: Result<Path<(JobId, String)>, PathRejection>,
) -> ApiResult {
    let Path((id, at)) = path?;
    let at = lesson(&at)?;
    Ok(Json(state.service.narration(&who, id, at).await?).into_response())
}

pub async fn edit_narration(
    State(state): State<ApiState>,
    Caller(who): Caller,
    path: Result<Path<(JobId, String)>, PathRejection>,
    headers: HeaderMap,
    body: Result<Json<Narration>, JsonRejection>,
) -> ApiResult {
    let Path((id, at)) = path?;
    let at = lesson(&at)?;
    let version = if_match(&headers)?;
    let Json(narration) = body?;
    let job = state
        .service
        .edit_narration(&who, id, at, version, &narration)
        .await?;
    Ok(with_version(
        StatusCode::ACCEPTED,
        &job,
        lesson_of(&job, at)?,
    ))
}

/// A file of a lesson's video: any name ending `.mp4` is the video (so a
/// client may choose the name it saves), `.vtt` and `.srt` its subtitles.
pub async fn file(
    State(state): State<ApiState>,
    Caller(who): Caller,
    path: Result<Path<(JobId, String, String)>, PathRejection>,
    headers: HeaderMap,
) -> ApiResult {
    let Path((id, at, name)) = path?;
    let at = lesson(&at)?;
    let kind = match name.rsplit_once('.').map(|(_, ext)| ext) {
        Some("mp4") => VideoFile::Mp4,
        Some("vtt") => VideoFile::Vtt,
        Some("srt") => VideoFile::Srt,
        _ => {
            return Err(ApiError::not_found(
                "a lesson's files end .mp4 (the video), .vtt or .srt (its subtitles)",
            ));
        }
    };
    download(&state, &who, id, at, kind, &name, &headers).await
}

async fn download(
    state: &ApiState,
    who: &Principal,
    id: JobId,
    at: LessonRef,
    kind: VideoFile,
    name: &str,
    headers: &HeaderMap,
) -> ApiResult {
    let key = state.service.video_file(who, id, at, kind).await?;
    // A name fit for a header: the client's, else the lesson's.
    let safe = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    let fallback = format!("m{}-l{}.{}", at.module + 1, at.lesson + 1, kind.extension());
    let name = if safe { name } else { &fallback };
    deliver(state, &key, kind.content_type(), name, headers).await
}

/// The artifact under `key` as a download called `name`: on AWS a
/// redirect to a pre-signed link, here its bytes (in part, when the
/// request asks with `Range`).
pub(crate) async fn deliver(
    state: &ApiState,
    key: &ArtifactKey,
    content_type: &str,
    name: &str,
    headers: &HeaderMap,
) -> ApiResult {
    if let Some(links) = &state.downloads {
        let url = links
            .link(key, LINK_LIFETIME)
            .await
            .map_err(|e| ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", e))?;
        let mut response = StatusCode::TEMPORARY_REDIRECT.into_response();
        let location = HeaderValue::from_str(&url).map_err(|e| {
            ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string())
        })?;
        response.headers_mut().insert(LOCATION, location);
        return Ok(response);
    }
    let artifact = state
        .service
        .steps
        .artifacts
        .get(key)
        .await
        .map_err(|e| ApiError::from(coursegen_core::service::ServiceError::from(e)))?;
    Ok(range::respond(headers, artifact.bytes, content_type, name))
}
