//! `GET /v1/files/{token}`: an artifact read through a link we handed out
//! (locally; on AWS the links are pre-signed S3 URLs and never come here).
//! The AI server reads its inputs this way; the link is its own credential.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use coursegen_core::ports::ArtifactError;

use crate::error::ApiError;
use crate::state::ApiState;

pub async fn read(
    State(state): State<ApiState>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let invalid = || {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "invalid_file_url",
            "this file URL is not valid or has expired",
        )
    };
    let Path(token) = path.map_err(|_| invalid())?;
    let steps = &state.service.steps;
    let key = steps
        .ai_server
        .as_ref()
        .and_then(|server| server.links.redeem(&token))
        .ok_or_else(invalid)?;
    match steps.artifacts.get(&key).await {
        Ok(artifact) => {
            Ok(([(CONTENT_TYPE, artifact.meta.content_type)], artifact.bytes).into_response())
        }
        Err(ArtifactError::NotFound(_)) => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "the file this URL names no longer exists",
        )),
        Err(e) => Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            e.to_string(),
        )),
    }
}
