//! `POST /v1/uploads` grants an upload and answers where to PUT it; on the
//! embedded stack `PUT /v1/uploads/{token}` receives the bytes (on AWS they
//! go straight to S3). A file is stored only if it has the declared
//! Content-Type, fits the declared size, and reads as the declared format.
//!
//! Everything that can refuse a PUT without its body — the URL, the
//! Content-Type, the declared length, the owner's quota — is decided before
//! a byte of the body is read. The body then streams to a file the artifact
//! store staged, counted against the grant as it comes, so memory stays
//! flat whatever a client sends.

use axum::Json;
use axum::body::Body;
use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use coursegen_core::auth::Principal;
use coursegen_core::ports::Staged;
use coursegen_core::service::ServiceError;
use coursegen_core::upload::UploadRequest;
use coursegen_engines::ingest::check_upload_from;
use futures::StreamExt;
use serde_json::json;
use tokio::io::AsyncWriteExt;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::ApiState;

pub async fn grant(
    State(state): State<ApiState>,
    Caller(who): Caller,
    body: Result<Json<UploadRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(request) = body?;
    granted(&state, &who, request).await
}

/// The upload `request` granted to `who`, answered with where to PUT it
/// (the studio's new-job form asks through here too).
pub(crate) async fn granted(
    state: &ApiState,
    who: &Principal,
    request: UploadRequest,
) -> Result<Response, ApiError> {
    let grant = state.service.grant_upload(who, request).await?;
    let target = state
        .uploads
        .target(&grant)
        .await
        .map_err(|e| ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", e))?;
    Ok((StatusCode::CREATED, Json(target)).into_response())
}

pub async fn receive(
    State(state): State<ApiState>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let Path(token) = path?;
    // An upload URL is its own credential, as a pre-signed URL is.
    let grant = state.uploads.redeem(&token).ok_or_else(|| {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "invalid_upload_url",
            "this upload URL is not valid or has expired; ask for a new one",
        )
    })?;
    let expected = grant.request.content_type();
    let sent = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if sent.split(';').next().unwrap_or("").trim() != expected {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            format!("send Content-Type: {expected}, as the upload declared"),
        ));
    }
    let limit = grant.request.size();
    let length = content_length(&headers)?;
    if let Some(length) = length
        && length > limit
    {
        return Err(too_large(limit));
    }
    state
        .service
        .admit_upload(&grant, length.unwrap_or(limit))
        .await?;

    let artifacts = &state.service.steps.artifacts;
    let staged = artifacts
        .stage(expected)
        .await
        .map_err(ServiceError::from)?;
    receive_into(&staged, body, limit).await?;
    let (request, file) = (grant.request.clone(), staged.body().map_err(unavailable)?);
    tokio::task::spawn_blocking(move || check_upload_from(&request, file))
        .await
        .map_err(unavailable)?
        .map_err(|why| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unreadable",
                format!("the file is not what the upload declared: {why}"),
            )
        })?;
    artifacts
        .put_staged(&grant.key, staged)
        .await
        .map_err(ServiceError::from)?;
    Ok((StatusCode::OK, Json(json!({"upload_key": grant.key}))).into_response())
}

/// The declared Content-Length, if any.
fn content_length(headers: &HeaderMap) -> Result<Option<u64>, ApiError> {
    headers
        .get(CONTENT_LENGTH)
        .map(|v| {
            v.to_str()
                .ok()
                .and_then(|v| v.trim().parse::<u64>().ok())
                .ok_or_else(|| {
                    ApiError::invalid("Content-Length", "must be the body's length in bytes")
                })
        })
        .transpose()
}

/// Appends the body to `staged`, refusing it as soon as it passes `limit`.
async fn receive_into(staged: &Staged, body: Body, limit: u64) -> Result<(), ApiError> {
    let mut file = tokio::fs::File::from_std(staged.append().map_err(unavailable)?);
    let mut stream = body.into_data_stream();
    let mut received: u64 = 0;
    while let Some(chunk) = stream.next().await {
        let chunk =
            chunk.map_err(|e| ApiError::invalid("body", format!("the upload was cut off: {e}")))?;
        received += chunk.len() as u64;
        if received > limit {
            return Err(too_large(limit));
        }
        file.write_all(&chunk).await.map_err(unavailable)?;
    }
    file.flush().await.map_err(unavailable)?;
    Ok(())
}

fn too_large(limit: u64) -> ApiError {
    ApiError {
        details: json!({"limit": limit}),
        ..ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!("the body is larger than the {limit} bytes the upload declared"),
        )
    }
}

fn unavailable(e: impl std::fmt::Display) -> ApiError {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "unavailable",
        format!("the upload cannot be stored now: {e}"),
    )
}
