//! A script job's visual work: its storyboard with each frame's prompt and
//! links to what was made, those files (frames, shot clips, videos and
//! subtitles, in part on `Range`), and the provider's clip tasks.

use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use coursegen_core::ids::JobId;

use crate::auth::Caller;
use crate::jobs::ApiResult;
use crate::state::ApiState;
use crate::videos::deliver;

pub async fn storyboard(
    State(state): State<ApiState>,
    Caller(who): Caller,
    path: Result<Path<JobId>, PathRejection>,
) -> ApiResult {
    let Path(id) = path?;
    let base = format!("/v1/jobs/{id}/visuals");
    let view = state.service.storyboard_view(&who, id, &base).await?;
    Ok(Json(view).into_response())
}

pub async fn file(
    State(state): State<ApiState>,
    Caller(who): Caller,
    path: Result<Path<(JobId, String)>, PathRejection>,
    headers: HeaderMap,
) -> ApiResult {
    let Path((id, name)) = path?;
    let file = state.service.visual_file(&who, id, &name).await?;
    deliver(&state, &file.key, file.content_type, &name, &headers).await
}

pub async fn clip_tasks(
    State(state): State<ApiState>,
    Caller(who): Caller,
    path: Result<Path<JobId>, PathRejection>,
) -> ApiResult {
    let Path(id) = path?;
    Ok(Json(state.service.clip_tasks(&who, id).await?).into_response())
}
