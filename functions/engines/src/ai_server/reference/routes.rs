//! The protocol's routes and status rules. A task is accepted (200) or
//! refused at once — 400 with `{"detail"}` for a request the protocol
//! does not allow, 422 with a validation list for a malformed body — and
//! the accepted work runs afterwards.

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use coursegen_core::ai_protocol::webhook::{AiTask, TaskStatus};
use serde_json::{Map, Value, json};

use super::auth::signed_calls_only;
use super::tasks::Work;
use super::{Job, ReferenceServer};

type Server = State<Arc<ReferenceServer>>;

pub fn router(server: Arc<ReferenceServer>) -> Router {
    // Work is given by signed calls only; the health check is open, and
    // a file's unguessable URL is its own credential.
    let work = Router::new()
        .route("/jobs/{job}/tasks/approve/start", post(start))
        .route("/jobs/{job}/tasks/rerun", post(rerun))
        .route("/jobs/{job}/abort", post(abort))
        .route_layer(from_fn_with_state(server.clone(), signed_calls_only));
    Router::new()
        .route("/", get(health))
        .route("/files/{name}", get(file))
        .merge(work)
        .with_state(server)
}

async fn health() -> Json<Value> {
    Json(json!({"message": "coursegen reference AI server"}))
}

/// Why a request is turned away: 400 with `{"detail"}` for one the
/// protocol does not allow, 422 in FastAPI's shape for a malformed body.
#[derive(Debug)]
enum Refusal {
    NotAllowed(String),
    Invalid {
        field: &'static str,
        msg: &'static str,
        kind: &'static str,
    },
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Refusal::NotAllowed(detail) => {
                (StatusCode::BAD_REQUEST, Json(json!({"detail": detail}))).into_response()
            }
            Refusal::Invalid { field, msg, kind } => {
                // FastAPI puts errors of the whole body at ["body"].
                let loc = match field {
                    "" => json!(["body"]),
                    field => json!(["body", field]),
                };
                let detail = json!([{"loc": loc, "msg": msg, "type": kind}]);
                (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Json(json!({"detail": detail})),
                )
                    .into_response()
            }
        }
    }
}

fn refuse(detail: impl Into<String>) -> Refusal {
    Refusal::NotAllowed(detail.into())
}

fn invalid(field: &'static str, msg: &'static str, kind: &'static str) -> Refusal {
    Refusal::Invalid { field, msg, kind }
}

/// The JobState of a request, read as the protocol defines it.
struct Request {
    current: Option<AiTask>,
    status: TaskStatus,
    url: Option<String>,
    file: Option<String>,
    segment_map: Option<Vec<f64>>,
    parameters: Map<String, Value>,
}

fn read(body: &[u8]) -> Result<Request, Refusal> {
    let state = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(state)) => state,
        Ok(_) => {
            return Err(invalid(
                "",
                "Input should be a valid dictionary or object to extract fields from",
                "model_attributes_type",
            ));
        }
        Err(_) => return Err(invalid("", "JSON decode error", "json_invalid")),
    };
    let status = match state.get("taskStatus") {
        None => return Err(invalid("taskStatus", "Field required", "missing")),
        Some(v) => v
            .as_str()
            .and_then(TaskStatus::parse)
            .ok_or_else(|| invalid("taskStatus", "Input should be a known task status", "enum"))?,
    };
    let current = match state.get("currentTask") {
        None | Some(Value::Null) => None,
        Some(v) => Some(v.as_str().and_then(AiTask::parse).ok_or_else(|| {
            invalid(
                "currentTask",
                "Input should be a known task or null",
                "enum",
            )
        })?),
    };
    let text = |field: &'static str| -> Result<Option<String>, Refusal> {
        match state.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(invalid(
                field,
                "Input should be a valid string",
                "string_type",
            )),
        }
    };
    let parameters = match state.get("parameters") {
        None => Map::new(),
        Some(Value::Object(p)) => p.clone(),
        Some(_) => {
            return Err(invalid(
                "parameters",
                "Input should be a valid dictionary",
                "dict_type",
            ));
        }
    };
    let segment_map = match state.get("segmentMap") {
        None | Some(Value::Null) => None,
        Some(Value::Array(items)) => Some(
            items
                .iter()
                .map(Value::as_f64)
                .collect::<Option<Vec<f64>>>()
                .ok_or_else(|| {
                    invalid(
                        "segmentMap",
                        "Input should be a list of numbers",
                        "list_type",
                    )
                })?,
        ),
        Some(_) => {
            return Err(invalid(
                "segmentMap",
                "Input should be a list of numbers",
                "list_type",
            ));
        }
    };
    Ok(Request {
        current,
        status,
        url: text("url")?,
        file: text("file")?,
        segment_map,
        parameters,
    })
}

/// The work `task` does on the request's inputs, or why it cannot.
fn work_for(task: AiTask, r: Request) -> Result<Work, Refusal> {
    let need = |what: Option<String>, name: &str| {
        what.ok_or_else(|| refuse(format!("{} needs `{name}`", task.as_str())))
    };
    Ok(match task {
        AiTask::AudioExtraction => Work::ExtractAudio {
            url: need(r.url, "url")?,
        },
        AiTask::TranscriptGeneration => Work::Transcribe {
            file: need(r.file, "file")?,
            parameters: r.parameters,
        },
        AiTask::Segmentation => Work::Segment {
            file: need(r.file, "file")?,
            parameters: r.parameters,
        },
        AiTask::QuestionGeneration => {
            let file = need(r.file, "file")?;
            let segment_map = r
                .segment_map
                .ok_or_else(|| refuse("QUESTION_GENERATION needs `segmentMap`"))?;
            if !is_segment_map(&segment_map) {
                return Err(refuse(
                    "`segmentMap` must be segment end times in seconds, positive and increasing",
                ));
            }
            Work::Questions {
                file,
                segment_map,
                parameters: r.parameters,
            }
        }
    })
}

/// Segment ends: at least one, each after the one before (and after 0).
fn is_segment_map(ends: &[f64]) -> bool {
    ends.first().is_some_and(|first| *first > 0.0)
        && ends.windows(2).all(|w| w[1] > w[0])
        && ends.iter().all(|e| e.is_finite())
}

/// The task after `current`, as `approve/start` runs it.
fn next(current: Option<AiTask>) -> Option<AiTask> {
    match current {
        None => Some(AiTask::AudioExtraction),
        Some(AiTask::AudioExtraction) => Some(AiTask::TranscriptGeneration),
        Some(AiTask::TranscriptGeneration) => Some(AiTask::Segmentation),
        Some(AiTask::Segmentation) => Some(AiTask::QuestionGeneration),
        Some(AiTask::QuestionGeneration) => None,
    }
}

async fn start(
    State(server): Server,
    Path(job): Path<String>,
    body: Bytes,
) -> Result<Response, Refusal> {
    let request = read(&body)?;
    if request.status != TaskStatus::Waiting {
        return Err(refuse("approve/start needs taskStatus WAITING"));
    }
    let task = next(request.current)
        .ok_or_else(|| refuse("QUESTION_GENERATION is the last task: there is nothing after it"))?;
    accept(&server, job, task, request)
}

async fn rerun(
    State(server): Server,
    Path(job): Path<String>,
    body: Bytes,
) -> Result<Response, Refusal> {
    let request = read(&body)?;
    if !matches!(
        request.status,
        TaskStatus::Completed | TaskStatus::Failed | TaskStatus::Aborted
    ) {
        return Err(refuse(
            "rerun needs taskStatus COMPLETED, FAILED or ABORTED",
        ));
    }
    let task = request
        .current
        .ok_or_else(|| refuse("rerun needs currentTask: the task to run again"))?;
    accept(&server, job, task, request)
}

fn accept(
    server: &Arc<ReferenceServer>,
    job: String,
    task: AiTask,
    request: Request,
) -> Result<Response, Refusal> {
    let work = work_for(task, request)?;
    let mut jobs = server.jobs();
    let outbox = match jobs.get(&job) {
        Some(j) if j.status == TaskStatus::Running => {
            return Err(refuse(format!("job {job} already has a task running")));
        }
        Some(j) => j.outbox.clone(),
        None => Arc::default(),
    };
    let run = server.clone().run(job.clone(), task, work, outbox.clone());
    let handle = tokio::spawn(run);
    jobs.insert(
        job,
        Job {
            task,
            status: TaskStatus::Running,
            work: Some(handle.abort_handle()),
            outbox,
        },
    );
    Ok(Json(json!({"message": format!("{} started", task.as_str())})).into_response())
}

async fn abort(State(server): Server, Path(job): Path<String>) -> Response {
    let mut jobs = server.jobs();
    let Some(entry) = jobs.get_mut(&job) else {
        return (
            StatusCode::NOT_FOUND,
            Json(json!({"detail": format!("no job {job}")})),
        )
            .into_response();
    };
    if entry.status != TaskStatus::Running {
        return refuse(format!(
            "the {} task of job {job} has already finished",
            entry.task.as_str()
        ))
        .into_response();
    }
    if let Some(work) = entry.work.take() {
        work.abort();
    }
    entry.status = TaskStatus::Aborted;
    Json(json!({"message": format!("{} aborted", entry.task.as_str())})).into_response()
}

async fn file(State(server): Server, Path(name): Path<String>) -> Response {
    match server.file(&name) {
        Some(bytes) => ([(CONTENT_TYPE, "application/json")], bytes).into_response(),
        None => (
            StatusCode::NOT_FOUND,
            Json(json!({"detail": "no such file"})),
        )
            .into_response(),
    }
}
