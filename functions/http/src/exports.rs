//! `GET /v1/jobs/{id}/exports/{format}`: the assembled course in a format
//! a learning system imports, as a download (functions/exports writes it).

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::IntoResponse;
use coursegen_core::ids::JobId;
use coursegen_exports::{gift, moodle};
use serde::Deserialize;

use crate::auth::Caller;
use crate::jobs::ApiResult;
use crate::state::ApiState;

/// The formats of this route.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    /// GIFT question bank.
    Gift,
    /// Moodle XML question bank.
    Moodle,
}

impl ExportFormat {
    pub const ALL: [&str; 2] = ["gift", "moodle"];
}

pub async fn export(
    State(state): State<ApiState>,
    Caller(who): Caller,
    path: Result<Path<(JobId, ExportFormat)>, PathRejection>,
) -> ApiResult {
    let Path((id, format)) = path?;
    let course = state.service.course(&who, id).await?;
    let (body, kind, name) = match format {
        ExportFormat::Gift => (
            gift::write(&course).0,
            "text/plain; charset=utf-8",
            "course.gift.txt",
        ),
        ExportFormat::Moodle => (
            moodle::write(&course).0,
            "application/xml; charset=utf-8",
            "course.moodle.xml",
        ),
    };
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
