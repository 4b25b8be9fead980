//! `POST /v1/uploads` grants an upload and answers where to PUT it; on the
//! embedded stack `PUT /v1/uploads/{token}` receives the bytes (on AWS they
//! go straight to S3). A file is stored only if it has the declared
//! Content-Type, fits the declared size, and reads as the declared format.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, JsonRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use coursegen_core::upload::UploadRequest;
use coursegen_engines::ingest::check_upload;
use serde_json::json;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::ApiState;

pub async fn grant(
    State(state): State<ApiState>,
    Caller(who): Caller,
    body: Result<Json<UploadRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(request) = body?;
    let grant = state.service.grant_upload(&who, request)?;
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
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let Path(token) = path?;
    let body = body.map_err(|r| {
        let code = if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            "too_large"
        } else {
            "invalid"
        };
        ApiError::new(r.status(), code, r.body_text())
    })?;
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
    let declared = grant.request.size();
    if body.len() as u64 > declared {
        return Err(ApiError {
            details: json!({"limit": declared}),
            ..ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                format!(
                    "{} bytes is more than the {declared} the upload declared",
                    body.len()
                ),
            )
        });
    }
    check_upload(&grant.request, &body).map_err(|why| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unreadable",
            format!("the file is not what the upload declared: {why}"),
        )
    })?;
    state
        .service
        .steps
        .artifacts
        .put(&grant.key, body.to_vec(), expected)
        .await
        .map_err(coursegen_core::service::ServiceError::from)?;
    Ok((StatusCode::OK, Json(json!({"upload_key": grant.key}))).into_response())
}
