//! Seed 001's two routes, as its clients call them: ask for one lesson's
//! video (`POST /video-transform/generate-video`) and poll the job's video
//! status (`GET /video-transform/{id}/video-generation-status`). They are
//! the `/v1/jobs/{id}/videos` routes in the seed's field names; rendering
//! is asynchronous here, so the first answers 202 and the poll follows.

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use coursegen_core::ids::JobId;
use coursegen_core::videos::{VideoRequest, VideoStatus, VideoSummary, download_path, summary};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::jobs::ApiResult;
use crate::state::ApiState;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GenerateVideo {
    pub job_id: JobId,
    /// `m1/l2`, or `…/lesson_N` for the N-th lesson of the course.
    pub lesson_path: String,
    /// The name the video downloads as (`lesson.mp4` when absent).
    #[serde(default)]
    pub output_file_name: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct VideoAccepted {
    pub success: bool,
    /// Where the video downloads from once completed.
    pub output_path: String,
    pub job_id: JobId,
    pub video_generation_status: VideoStatus,
    pub current_lesson: String,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GenerationStatus {
    pub video_job_id: JobId,
    #[serde(flatten)]
    pub summary: VideoSummary,
}

/// A file name a download may carry: a plain `.mp4` name.
fn file_name(name: Option<&str>) -> Result<String, ApiError> {
    let Some(name) = name else {
        return Ok("lesson.mp4".into());
    };
    let plain = !name.is_empty()
        && name.len() <= 100
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if plain && name.ends_with(".mp4") && !name.starts_with('.') {
        Ok(name.to_owned())
    } else {
        Err(ApiError::invalid(
            "outputFileName",
            "must be a plain file name ending .mp4 (letters, digits, '.', '-', '_'; at most 100)",
        ))
    }
}

pub async fn generate_video(
    State(state): State<ApiState>,
    Caller(who): Caller,
    body: Result<Json<GenerateVideo>, JsonRejection>,
) -> ApiResult {
    let Json(body) = body?;
    let name = file_name(body.output_file_name.as_deref())?;
    let id = body.job_id;
    let at = state
        .service
        .lesson_named(&who, id, &body.lesson_path, "lessonPath")
        .await?;
    let request = VideoRequest {
        lessons: Some(vec![at.to_string()]),
        ..VideoRequest::default()
    };
    let job = state
        .service
        .render_videos(&who, id, &request)
        .await
        .map_err(|e| ApiError::from(e).renamed_field("lessons[0]", "lessonPath"))?;
    let status = summary(id, &job.videos).video_generation_status;
    let accepted = VideoAccepted {
        success: true,
        output_path: download_path(id, at, &name),
        job_id: id,
        video_generation_status: status,
        current_lesson: at.to_string(),
    };
    Ok((StatusCode::ACCEPTED, Json(accepted)).into_response())
}

pub async fn generation_status(
    State(state): State<ApiState>,
    Caller(who): Caller,
    path: Result<Path<JobId>, PathRejection>,
) -> ApiResult {
    let Path(id) = path?;
    let job = state.service.job(&who, id).await?;
    Ok(Json(GenerationStatus {
        video_job_id: id,
        summary: summary(id, &job.videos),
    })
    .into_response())
}
