//! The passage of the material a question (or anything with a time span)
//! comes from, in its context.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use coursegen_core::ids::JobId;
use serde::Deserialize;

use super::page::{Chrome, PageError, failed, refused, render};
use super::session::Session;
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
