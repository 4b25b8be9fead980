//! `GET /v1/jobs/{id}/exports/{format}`: the assembled course in a format
//! a learning system imports, as a download (functions/exports writes it),
//! and `…/exports/{format}/notes`: what that format could not carry. SCORM
//! packages take `sco` and `reporting` from the query; packages carry the
//! lessons' finished videos. A made export is kept: on AWS the download is
//! a redirect to a pre-signed S3 link, so no package passes through the API.

use axum::Json;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::header::CONTENT_DISPOSITION;
use axum::http::{HeaderMap, HeaderValue};
use coursegen_core::artifact::ArtifactKey;
use coursegen_core::auth::Principal;
use coursegen_core::exports::{ExportNote, Exported, identifier};
use coursegen_core::ids::JobId;
use coursegen_exports::{Extras, Format, scorm};
use schemars::JsonSchema;
use serde::Serialize;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::jobs::ApiResult;
use crate::state::ApiState;

/// What an export could not carry, question by question (`(course)`: the
/// course as a whole).
#[derive(Debug, Serialize, JsonSchema)]
pub struct ExportReport {
    pub format: Format,
    pub notes: Vec<ExportNote>,
}

/// Job `id`'s export in `format` with `options`: kept, or made and kept now.
async fn made(
    state: &ApiState,
    who: &Principal,
    id: JobId,
    format: Format,
    options: scorm::Options,
) -> Result<(ArtifactKey, Vec<ExportNote>), ApiError> {
    let name = identifier(id);
    let variant = format.carries_videos().then(|| options.variant()).flatten();
    let made = state
        .service
        .export(who, id, format, variant.as_deref(), |course, videos| {
            let extras = Extras {
                identifier: &name,
                videos,
                scorm: options,
            };
            let (bytes, report) = coursegen_exports::write(format, course, &extras)?;
            Ok(Exported {
                bytes,
                notes: report.notes,
            })
        })
        .await?;
    Ok(made)
}

pub async fn export(
    State(state): State<ApiState>,
    Caller(who): Caller,
    path: Result<Path<(JobId, Format)>, PathRejection>,
    query: Result<Query<scorm::Options>, QueryRejection>,
    headers: HeaderMap,
) -> ApiResult {
    let Path((id, format)) = path?;
    let Query(options) = query?;
    let (key, _) = made(&state, &who, id, format, options).await?;
    let name = format.file_name();
    let mut response =
        crate::videos::deliver(&state, &key, format.content_type(), name, &headers).await?;
    // A download to keep, not a page to show.
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        response.headers_mut().insert(CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

pub async fn notes(
    State(state): State<ApiState>,
    Caller(who): Caller,
    path: Result<Path<(JobId, Format)>, PathRejection>,
    query: Result<Query<scorm::Options>, QueryRejection>,
) -> Result<Json<ExportReport>, ApiError> {
    let Path((id, format)) = path?;
    let Query(options) = query?;
    let (_, notes) = made(&state, &who, id, format, options).await?;
    Ok(Json(ExportReport { format, notes }))
}
