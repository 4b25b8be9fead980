//! The passage of the material a question (or anything with a time span)
//! comes from, in its context; and the recording a job was made from.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use coursegen_core::ids::JobId;
use coursegen_core::source::Source;
use coursegen_core::upload::UploadRequest;
use serde::Deserialize;

use super::page::{Chrome, PageError, failed, refused, render};
use super::session::Session;
use crate::error::ApiError;
use crate::state::ApiState;

/// How much of the material around the passage is shown.
const CONTEXT_MS: u64 = 30_000;

#[derive(Debug, Deserialize)]
pub struct Span {
    from: u64,
    to: u64,
}

struct Line {
    at: String,
    text: String,
    inside: bool,
}

#[derive(Template)]
#[template(path = "studio/source.html")]
struct SourcePage {
    page: Chrome,
    id: String,
    lines: Vec<Line>,
}

pub async fn show(
    State(state): State<ApiState>,
    Session(who): Session,
    Path(id): Path<JobId>,
    span: Result<Query<Span>, QueryRejection>,
) -> Result<Response, PageError> {
    let Query(span) = span.map_err(|e| refused(&who, e.into()))?;
    let material = state
        .service
        .material(&who, id)
        .await
        .map_err(failed(&who))?;
    let (from, to) = (span.from.min(span.to), span.from.max(span.to));
    let lines = material
        .sentences
        .iter()
        .filter(|s| s.end_ms + CONTEXT_MS > from && s.start_ms < to + CONTEXT_MS)
        .map(|s| Line {
            at: format!("{}:{:02}", s.start_ms / 60_000, (s.start_ms / 1000) % 60),
            text: s.text.clone(),
            inside: s.end_ms > from && s.start_ms < to.max(from + 1),
        })
        .collect();
    let page = SourcePage {
        page: Chrome::new(&who, "Source passage"),
        id: id.to_string(),
        lines,
    };
    Ok(render(StatusCode::OK, &page))
}

/// `GET /studio/jobs/{id}/recording`: the recording the job was made from,
/// for the segments gate's player (in part, with `Range`; on AWS a
/// pre-signed link).
pub async fn recording(
    State(state): State<ApiState>,
    Session(who): Session,
    Path(id): Path<JobId>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let job = state.service.job(&who, id).await.map_err(failed(&who))?;
    let Source::Audio { upload_key } = &job.source else {
        let why = ApiError::not_found("this job was not made from a recording");
        return Err(refused(&who, why));
    };
    // The upload's key ends in its format's extension.
    let request = UploadRequest::for_file(upload_key.as_str(), 0);
    let kind = request
        .as_ref()
        .map_or("application/octet-stream", |r| r.content_type());
    let name = format!(
        "recording.{}",
        request.as_ref().map_or("audio", |r| r.extension())
    );
    crate::videos::deliver(&state, upload_key, kind, &name, &headers)
        .await
        .map_err(|e| refused(&who, e))
}
