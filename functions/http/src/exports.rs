//! `GET /v1/jobs/{id}/exports/{format}`: the assembled course in a format
//! a learning system imports, as a download (functions/exports writes it).
//! SCORM packages take `sco` and `reporting` from the query and carry the
//! lessons' finished videos.

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::IntoResponse;
use coursegen_core::ids::JobId;
use coursegen_core::service::ServiceError;
use coursegen_exports::{Extras, Format, scorm};

use crate::auth::Caller;
use crate::jobs::ApiResult;
use crate::state::ApiState;

pub async fn export(
    State(state): State<ApiState>,
    Caller(who): Caller,
    path: Result<Path<(JobId, Format)>, PathRejection>,
    query: Result<Query<scorm::Options>, QueryRejection>,
) -> ApiResult {
    let Path((id, format)) = path?;
    let Query(options) = query?;
    let course = state.service.course(&who, id).await?;
    let videos = if format.carries_videos() {
        state.service.finished_videos(&who, id).await?
    } else {
        Vec::new()
    };
    let identifier = format!("coursegen-{id}");
    let extras = Extras {
        identifier: &identifier,
        videos: &videos,
        scorm: options,
    };
    // A course the job has made always holds something to export: failing
    // here is ours, not the caller's.
    let (body, _) = format
        .write(&course, &extras)
        .map_err(|e| ServiceError::Internal(format!("cannot export as {}: {e}", format.name())))?;
    let (kind, name) = (format.content_type(), format.file_name());
    let disposition = format!("attachment; filename=\"{name}\"");
    Ok((
        [
            (CONTENT_TYPE, kind.to_owned()),
            (CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response())
}
