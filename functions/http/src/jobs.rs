//! The job routes of DESIGN.md §5: create, list, read, review, edit, abort
//! and download. Each handler extracts, asks the service, and answers;
//! the rules live in core.

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::header::{CONTENT_TYPE, ETAG, IF_MATCH, LOCATION};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use coursegen_core::ids::{CourseId, JobId};
use coursegen_core::job::{CourseRef, Job};
use coursegen_core::lifecycle;
use coursegen_core::options::Options;
use coursegen_core::ports::{Cursor, PageRequest};
use coursegen_core::service::{Decision, JobRequest};
use coursegen_core::source::Source;
use coursegen_core::stage::Stage;
use coursegen_exports::{ai_questions, document};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::ApiState;

pub(crate) type ApiResult = Result<Response, ApiError>;

/// The job with its version as the ETag, which edits send back as If-Match.
/// The job, with `progress.eta_seconds` when there is an estimate.
pub(crate) fn job_response(status: StatusCode, job: &Job) -> Response {
    let mut body = serde_json::to_value(job).unwrap_or_default();
    if let Some(eta) = lifecycle::eta(job, chrono::Utc::now()) {
        body["progress"]["eta_seconds"] = json!(eta.num_seconds());
    }
    tagged((status, Json(body)).into_response(), job)
}

/// `response` with the job's version as its ETag.
pub(crate) fn tagged(mut response: Response, job: &Job) -> Response {
    if let Ok(tag) = HeaderValue::from_str(&format!("\"{}\"", job.version)) {
        response.headers_mut().insert(ETAG, tag);
    }
    response
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateJob {
    course: CourseRef,
    source: Source,
    #[serde(default)]
    options: Options,
}

pub async fn create(
    State(state): State<ApiState>,
    Caller(who): Caller,
    body: Result<Json<CreateJob>, JsonRejection>,
) -> ApiResult {
    let Json(body) = body?;
    let request = JobRequest {
        course: body.course,
        source: body.source,
        options: body.options,
    };
    let job = state.service.create_job(&who, request).await?;
    let mut response = job_response(StatusCode::CREATED, &job);
    if let Ok(location) = HeaderValue::from_str(&format!("/v1/jobs/{}", job.id)) {
        response.headers_mut().insert(LOCATION, location);
    }
    Ok(response)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    cursor: Option<String>,
    limit: Option<usize>,
    course: Option<CourseId>,
}

pub async fn list(
    State(state): State<ApiState>,
    Caller(who): Caller,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> ApiResult {
    let Query(query) = query?;
    let page = PageRequest {
        // An empty cursor is no cursor: the first page.
        cursor: query
            .cursor
            .as_deref()
            .filter(|c| !c.is_empty())
            .map(Cursor::parse),
        limit: query.limit.unwrap_or(PageRequest::default().limit),
    };
    let page = state
        .service
        .list(&who, query.course.as_ref(), &page)
        .await?;
    Ok(Json(json!({
        "items": page.items,
        "next": page.next.as_ref().map(Cursor::as_str),
    }))
    .into_response())
}

pub async fn get(
    State(state): State<ApiState>,
    Caller(who): Caller,
    path: Result<Path<JobId>, PathRejection>,
) -> ApiResult {
    let Path(id) = path?;
    Ok(job_response(
        StatusCode::OK,
        &state.service.job(&who, id).await?,
    ))
}

pub async fn stage(
    State(state): State<ApiState>,
    Caller(who): Caller,
    path: Result<Path<(JobId, Stage)>, PathRejection>,
) -> ApiResult {
    let Path((id, stage)) = path?;
    let job = state.service.job(&who, id).await?;
    Ok(Json(job.stage(stage)).into_response())
}

pub async fn run_output(
    State(state): State<ApiState>,
    Caller(who): Caller,
    path: Result<Path<(JobId, Stage, u32)>, PathRejection>,
) -> ApiResult {
    let Path((id, stage, n)) = path?;
    let bytes = state.service.run_output(&who, id, stage, n).await?;
    Ok(([(CONTENT_TYPE, "application/json")], bytes).into_response())
}

/// The version an If-Match header names (`"7"`, `7` or `W/"7"`).
pub(crate) fn if_match(headers: &HeaderMap) -> Result<u64, ApiError> {
    let value = headers.get(IF_MATCH).ok_or_else(|| {
        ApiError::new(
            StatusCode::PRECONDITION_REQUIRED,
            "if_match_required",
            "send If-Match with the job's ETag: edits must name the version they were made on",
        )
    })?;
    value
        .to_str()
        .ok()
        .map(|v| v.trim().trim_start_matches("W/").trim_matches('"'))
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| ApiError::invalid("If-Match", "must be the job's ETag, e.g. \"7\""))
}

pub async fn edit(
    State(state): State<ApiState>,
    Caller(who): Caller,
    path: Result<Path<(JobId, Stage)>, PathRejection>,
    headers: HeaderMap,
    body: Result<Json<Value>, JsonRejection>,
) -> ApiResult {
    let Path((id, stage)) = path?;
    let version = if_match(&headers)?;
    let Json(output) = body?;
    let job = state
        .service
        .edit(&who, id, stage, version, &output.to_string())
        .await?;
    Ok(job_response(StatusCode::OK, &job))
}

/// A body the caller may leave out (no JSON content type): the defaults.
pub(crate) fn optional<T: Default>(body: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
    match body {
        Ok(Json(b)) => Ok(b),
        Err(JsonRejection::MissingJsonContentType(_)) => Ok(T::default()),
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Approve {
    run: Option<u32>,
}

pub async fn approve(
    State(state): State<ApiState>,
    Caller(who): Caller,
    path: Result<Path<(JobId, Stage)>, PathRejection>,
    body: Result<Json<Approve>, JsonRejection>,
) -> ApiResult {
    let Path((id, stage)) = path?;
    // No body at all approves the latest run.
    let run = optional(body)?.run;
    let job = state
        .service
        .decide(&who, id, stage, Decision::Approve { run })
        .await?;
    Ok(job_response(StatusCode::OK, &job))
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rerun {
    #[serde(default = "empty_object")]
    parameters: Value,
}

fn empty_object() -> Value {
    json!({})
}

pub async fn rerun(
    State(state): State<ApiState>,
    Caller(who): Caller,
    path: Result<Path<(JobId, Stage)>, PathRejection>,
    body: Result<Json<Rerun>, JsonRejection>,
) -> ApiResult {
    let Path((id, stage)) = path?;
    let Json(body) = body?;
    let decision = Decision::Rerun {
        parameters: body.parameters,
    };
    let job = state.service.decide(&who, id, stage, decision).await?;
    Ok(job_response(StatusCode::OK, &job))
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Abort {
    reason: Option<String>,
}

pub async fn abort(
    State(state): State<ApiState>,
    Caller(who): Caller,
    path: Result<Path<JobId>, PathRejection>,
    body: Result<Json<Abort>, JsonRejection>,
) -> ApiResult {
    let Path(id) = path?;
    let reason = optional(body)?.reason;
    let job = state.service.abort(&who, id, reason).await?;
    Ok(job_response(StatusCode::OK, &job))
}

/// The assembled course in one of its formats.
#[derive(Debug, Clone, Copy)]
pub enum CourseFormat {
    Json,
    Markdown,
    Html,
    /// The questions alone, in the AI server's format.
    Questions,
}

pub async fn course(
    state: ApiState,
    who: Caller,
    path: Result<Path<JobId>, PathRejection>,
    format: CourseFormat,
) -> ApiResult {
    let Path(id) = path?;
    let course = state.service.course(&who.0, id).await?;
    let (content_type, body) = match format {
        CourseFormat::Json => (
            "application/json",
            serde_json::to_string_pretty(&course).map_err(|e| {
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string())
            })?,
        ),
        CourseFormat::Markdown => ("text/markdown; charset=utf-8", document::markdown(&course)),
        CourseFormat::Html => ("text/html; charset=utf-8", document::html(&course)),
        CourseFormat::Questions => {
            // The course validated when it was assembled, so its questions
            // export; if not, that is our fault, not the caller's.
            let items = ai_questions::questions(&course).map_err(|e| {
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string())
            })?;
            (
                "application/json",
                serde_json::to_string_pretty(&items).map_err(|e| {
                    ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string())
                })?,
            )
        }
    };
    Ok(([(CONTENT_TYPE, content_type)], body).into_response())
}
