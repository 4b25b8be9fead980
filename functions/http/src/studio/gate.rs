//! A stage's review page: its runs, the editor of the run shown, and the
//! gate's decisions — approve a run, rerun with parameters, compare two
//! runs, abort. Every decision names the job version it was made on; if
//! the job moved since, the reviewer sees what changed instead of a silent
//! overwrite.

use askama::Template;
use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use coursegen_core::access::{self, Action};
use coursegen_core::auth::Principal;
use coursegen_core::course::QuestionBody;
use coursegen_core::ids::JobId;
use coursegen_core::job::Job;
use coursegen_core::service::{Decision, ServiceError};
use coursegen_core::stage::{RunStatus, Stage, StageStatus};
use serde::Deserialize;
use serde_json::{Value, json};

use super::editor::Editor;
use super::job_view::label;
use super::page::{Chrome, Fields, PageError, failed, field, refused, render, version};
use super::session::Session;
use crate::error::ApiError;
use crate::state::ApiState;

pub(super) struct RunRow {
    pub n: u32,
    pub status: &'static str,
    pub started: String,
    pub edited_from: Option<u32>,
    pub cost: String,
    pub usable: bool,
}

/// A decision or an edit that came too late: the job moved on.
pub(super) struct Conflict {
    pub yours: u64,
    pub now: u64,
    pub what: String,
}

#[derive(Template)]
#[template(path = "studio/gate.html")]
pub(super) struct GatePage {
    pub page: Chrome,
    pub id: String,
    pub stage: String,
    pub label: String,
    pub status: &'static str,
    pub awaiting: bool,
    pub can_review: bool,
    pub version: u64,
    pub runs: Vec<RunRow>,
    pub shown: u32,
    pub latest: u32,
    pub editor: Editor,
    pub problem: Option<String>,
    pub conflict: Option<Conflict>,
    /// What the reviewer had entered when it was refused (a conflict):
    /// kept, to save again over the newer version, and the run it was an
    /// edit of (what its fields apply to).
    pub yours: Option<(Editor, u32)>,
}

impl GatePage {
    /// The page for run `shown` (default: the latest) of `stage`.
    pub async fn load(
        state: &ApiState,
        who: &Principal,
        job: &Job,
        stage: Stage,
        shown: Option<u32>,
    ) -> Result<GatePage, ServiceError> {
        let at = job.stage(stage);
        let latest = at.latest_run().map_or(0, |r| r.n);
        let shown = shown.unwrap_or(latest);
        let editor = if shown == 0 {
            Editor::Nothing
        } else {
            let bytes = state.service.run_output(who, job.id, stage, shown).await?;
            Editor::of(job, stage, &bytes)?
        };
        let awaiting = at.status == StageStatus::AwaitingApproval;
        Ok(GatePage {
            page: Chrome::new(who, format!("{} review", label(stage))).in_language(
                job.options
                    .target_language
                    .as_deref()
                    .or(job.options.source_language.as_deref()),
            ),
            id: job.id.to_string(),
            stage: stage.to_string(),
            label: label(stage),
            status: at.status.as_str(),
            awaiting,
            can_review: awaiting && access::check(who, job, Action::Review).is_ok(),
            version: job.version,
            runs: at
                .runs
                .iter()
                .map(|r| RunRow {
                    n: r.n,
                    status: r.status.as_str(),
                    started: r.started_at.format("%Y-%m-%d %H:%M:%S").to_string(),
                    edited_from: r.edited_from,
                    cost: format!("${:.4}", r.usage.cost_usd),
                    usable: r.status == RunStatus::Completed,
                })
                .collect(),
            shown,
            latest,
            editor,
            problem: None,
            conflict: None,
            yours: None,
        })
    }
}

#[derive(Debug, Deserialize)]
pub struct ShowQuery {
    run: Option<u32>,
}

/// The stage a path names, refused as a page when it is not one.
fn stage_of(who: &Principal, text: &str) -> Result<Stage, PageError> {
    text.parse::<Stage>()
        .map_err(|e| refused(who, ApiError::not_found(format!("no such stage: {e}"))))
}

pub async fn show(
    State(state): State<ApiState>,
    Session(who): Session,
    Path((id, stage)): Path<(JobId, String)>,
    query: Result<Query<ShowQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, PageError> {
    let stage = stage_of(&who, &stage)?;
    let run = query.ok().and_then(|Query(q)| q.run);
    let job = state.service.job(&who, id).await.map_err(failed(&who))?;
    let page = GatePage::load(&state, &who, &job, stage, run)
        .await
        .map_err(failed(&who))?;
    Ok(render(StatusCode::OK, &page))
}

/// The job, if it is still at the version the form was made on; else the
/// review page with a conflict panel naming what changed.
pub(super) async fn unchanged(
    state: &ApiState,
    who: &Principal,
    id: JobId,
    stage: Stage,
    fields: &Fields,
) -> Result<Job, Response> {
    let yours = version(fields).map_err(|e| refused(who, e).into_response())?;
    let job = state
        .service
        .job(who, id)
        .await
        .map_err(|e| failed(who)(e).into_response())?;
    if job.version == yours {
        return Ok(job);
    }
    Err(conflict(state, who, &job, stage, yours, None).await)
}

/// The review page as it is now, with a conflict panel (409) and, when
/// given, the reviewer's own refused edit (and the run it was made on) to
/// save again.
pub(super) async fn conflict(
    state: &ApiState,
    who: &Principal,
    job: &Job,
    stage: Stage,
    yours: u64,
    edit: Option<(Editor, u32)>,
) -> Response {
    let mut page = match GatePage::load(state, who, job, stage, None).await {
        Ok(page) => page,
        Err(e) => return failed(who)(e).into_response(),
    };
    let what = job
        .runs()
        .filter(|(s, _)| *s == stage)
        .last()
        .map(|(_, run)| match run.edited_from {
            Some(from) => format!("run {} (an edit of run {from}) is now the latest", run.n),
            None => format!("run {} is now the latest", run.n),
        })
        .unwrap_or_default();
    page.conflict = Some(Conflict {
        yours,
        now: job.version,
        what: format!("the job is now {} — {what}", job.status.as_str()),
    });
    page.yours = edit;
    render(StatusCode::CONFLICT, &page)
}

/// Saves `text`, an edit of run `base_run` made in `editor`, as a new run.
/// Then back to the review page; or the page again with the edit kept —
/// with a conflict panel when the job moved on meanwhile, with the rule it
/// broke when the service refused it.
#[allow(clippy::too_many_arguments)]
pub(super) async fn save_edit(
    state: &ApiState,
    who: &Principal,
    id: JobId,
    stage: Stage,
    yours: u64,
    base_run: u32,
    text: &str,
    editor: Editor,
) -> Result<Response, PageError> {
    let refusal = match state.service.edit(who, id, stage, yours, text).await {
        Ok(_) => return Ok(review_page(id, stage)),
        Err(ServiceError::Invalid(v)) => v,
        Err(ServiceError::VersionMismatch { .. }) => {
            let job = state.service.job(who, id).await.map_err(failed(who))?;
            let edit = Some((editor, base_run));
            return Ok(conflict(state, who, &job, stage, yours, edit).await);
        }
        Err(e) => return Err(failed(who)(e)),
    };
    let job = state.service.job(who, id).await.map_err(failed(who))?;
    let mut page = GatePage::load(state, who, &job, stage, Some(base_run))
        .await
        .map_err(failed(who))?;
    page.editor = editor;
    page.problem = Some(format!(
        "Not saved — {}: {}",
        refusal.field, refusal.message
    ));
    Ok(render(StatusCode::BAD_REQUEST, &page))
}

pub(super) fn review_page(id: JobId, stage: Stage) -> Response {
    Redirect::to(&format!("/studio/jobs/{id}/stages/{stage}")).into_response()
}

pub async fn approve(
    State(state): State<ApiState>,
    Session(who): Session,
    Path((id, stage)): Path<(JobId, String)>,
    form: Result<Form<Fields>, FormRejection>,
) -> Result<Response, PageError> {
    let stage = stage_of(&who, &stage)?;
    let Form(fields) = form.map_err(|e| refused(&who, form_error(e)))?;
    let run = match field(&fields, "run").map(str::trim) {
        None | Some("") => None,
        Some(n) => Some(
            n.parse::<u32>()
                .map_err(|_| refused(&who, ApiError::invalid("run", "must be a run number")))?,
        ),
    };
    decided(&state, &who, id, stage, &fields, Decision::Approve { run }).await
}

pub async fn rerun(
    State(state): State<ApiState>,
    Session(who): Session,
    Path((id, stage)): Path<(JobId, String)>,
    form: Result<Form<Fields>, FormRejection>,
) -> Result<Response, PageError> {
    let stage = stage_of(&who, &stage)?;
    let Form(fields) = form.map_err(|e| refused(&who, form_error(e)))?;
    let parameters = rerun_parameters(&fields).map_err(|e| refused(&who, e))?;
    decided(
        &state,
        &who,
        id,
        stage,
        &fields,
        Decision::Rerun { parameters },
    )
    .await
}

/// Applies `decision`, made in a form on the job version it names (else
/// the conflict page), and goes back to the job.
pub(super) async fn decided(
    state: &ApiState,
    who: &Principal,
    id: JobId,
    stage: Stage,
    fields: &Fields,
    decision: Decision,
) -> Result<Response, PageError> {
    if let Err(conflict) = unchanged(state, who, id, stage, fields).await {
        return Ok(conflict);
    }
    state
        .service
        .decide(who, id, stage, decision)
        .await
        .map_err(failed(who))?;
    Ok(Redirect::to(&format!("/studio/jobs/{id}")).into_response())
}

/// What an editor's form was made on: the job version, the run it shows
/// (`base_run`) and that run's output.
pub(super) async fn edited_run<T: serde::de::DeserializeOwned>(
    state: &ApiState,
    who: &Principal,
    id: JobId,
    stage: Stage,
    fields: &Fields,
) -> Result<(u64, u32, T), PageError> {
    let yours = version(fields).map_err(|e| refused(who, e))?;
    let base_run = field(fields, "base_run")
        .and_then(|n| n.parse::<u32>().ok())
        .ok_or_else(|| refused(who, ApiError::invalid("base_run", "the form lost its run")))?;
    let bytes = state
        .service
        .run_output(who, id, stage, base_run)
        .await
        .map_err(failed(who))?;
    let output = serde_json::from_slice(&bytes)
        .map_err(|e| failed(who)(ServiceError::Internal(format!("the {stage} output: {e}"))))?;
    Ok((yours, base_run, output))
}

/// The rerun form's parameters: each filled-in `p.NAME` field, as a
/// number, a yes/no or text; `p.assessment.questions` nests.
fn rerun_parameters(fields: &Fields) -> Result<Value, ApiError> {
    let mut parameters = json!({});
    for (name, value) in fields {
        let Some(path) = name.strip_prefix("p.") else {
            continue;
        };
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        let parsed = if let Ok(n) = value.parse::<u64>() {
            json!(n)
        } else if let Ok(x) = value.parse::<f64>() {
            json!(x)
        } else if value == "on" {
            json!(true)
        } else if path == "frames" {
            json!(
                value
                    .split([',', ' '])
                    .filter(|f| !f.is_empty())
                    .collect::<Vec<_>>()
            )
        } else {
            json!(value)
        };
        let mut slot = &mut parameters;
        for part in path.split('.') {
            slot = &mut slot[part];
        }
        *slot = parsed;
    }
    Ok(parameters)
}

#[derive(Debug, Deserialize)]
pub struct DiffQuery {
    a: u32,
    b: u32,
}

#[derive(Template)]
#[template(path = "studio/diff.html")]
struct DiffPage {
    page: Chrome,
    id: String,
    stage: String,
    label: String,
    a: u32,
    b: u32,
    lines: Vec<(char, String)>,
}

/// `GET …/diff?a=1&b=2`: what changed from run a to run b, line by line.
pub async fn diff(
    State(state): State<ApiState>,
    Session(who): Session,
    Path((id, stage)): Path<(JobId, String)>,
    query: Result<Query<DiffQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, PageError> {
    let stage = stage_of(&who, &stage)?;
    let Query(DiffQuery { a, b }) = query.map_err(|e| refused(&who, e.into()))?;
    let text = |bytes: Vec<u8>| {
        serde_json::from_slice::<Value>(&bytes)
            .and_then(|v| serde_json::to_string_pretty(&v))
            .unwrap_or_else(|_| String::from_utf8_lossy(&bytes).into_owned())
    };
    let before = text(
        state
            .service
            .run_output(&who, id, stage, a)
            .await
            .map_err(failed(&who))?,
    );
    let after = text(
        state
            .service
            .run_output(&who, id, stage, b)
            .await
            .map_err(failed(&who))?,
    );
    let lines = similar::TextDiff::from_lines(&before, &after)
        .iter_all_changes()
        .map(|change| {
            let sign = match change.tag() {
                similar::ChangeTag::Delete => '-',
                similar::ChangeTag::Insert => '+',
                similar::ChangeTag::Equal => ' ',
            };
            (sign, change.value().trim_end_matches('\n').to_owned())
        })
        .collect();
    let page = DiffPage {
        page: Chrome::new(&who, format!("{} runs {a} and {b}", label(stage))),
        id: id.to_string(),
        stage: stage.to_string(),
        label: label(stage),
        a,
        b,
        lines,
    };
    Ok(render(StatusCode::OK, &page))
}

pub(super) fn form_error(e: FormRejection) -> ApiError {
    ApiError::invalid("form", format!("the form could not be read: {e}"))
}
