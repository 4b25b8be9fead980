//! `GET /v1/jobs/{id}/exports/{format}`: the assembled course in a format
//! a learning system imports, as a download (functions/exports writes it).

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::IntoResponse;
use coursegen_core::ids::JobId;
use coursegen_exports::Format;

use crate::auth::Caller;
use crate::jobs::ApiResult;
use crate::state::ApiState;

pub async fn export(
    State(state): State<ApiState>,
    Caller(who): Caller,
    path: Result<Path<(JobId, Format)>, PathRejection>,
) -> ApiResult {
    let Path((id, format)) = path?;
    let course = state.service.course(&who, id).await?;
    let (body, _) = format.write(&course);
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
