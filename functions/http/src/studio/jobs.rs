//! The jobs list, a new job, a job's page (whose live part its events
//! refresh), aborting, and the course's preview.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use coursegen_core::auth::Principal;
use coursegen_core::board_view::BoardView;
use coursegen_core::course::{Course, QuestionBody};
use coursegen_core::ids::{CourseId, JobId};
use coursegen_core::job::{Job, JobStatus};
use coursegen_core::outputs::Validation;
use coursegen_core::ports::{Cursor, PageRequest};
use coursegen_core::service::JobRequest;
use coursegen_core::stage::Stage;
use serde::Deserialize;

use super::job_view::JobView;
use super::new_job::{NewJob, NewJobPage};
use super::page::{Chrome, PageError, failed, query_escape, refused, render};
use super::session::Session;
use crate::error::ApiError;
use crate::state::ApiState;

/// Rows a list page aims for; whole store pages are read until it has
/// them (filters other than the course's are applied here).
const ROWS: usize = 25;
const SCAN_PAGES: usize = 10;

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    course: String,
    #[serde(default)]
    owner: String,
    #[serde(default)]
    cursor: String,
}

struct JobRow {
    id: String,
    course: String,
    source: &'static str,
    status: &'static str,
    percent: u8,
    updated: String,
    owner: String,
}

#[derive(Template)]
#[template(path = "studio/jobs.html")]
struct JobsPage {
    page: Chrome,
    rows: Vec<JobRow>,
    filter: ListQuery,
    statuses: Vec<&'static str>,
    next: Option<String>,
}

impl JobsPage {
    /// The link to the next page, keeping the filters.
    fn next_link(&self, cursor: &str) -> String {
        format!(
            "/studio/?status={}&course={}&owner={}&cursor={}",
            query_escape(&self.filter.status),
            query_escape(&self.filter.course),
            query_escape(&self.filter.owner),
            query_escape(cursor)
        )
    }
}

pub async fn list(
    State(state): State<ApiState>,
    Session(who): Session,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let Query(filter) = query.map_err(|e| refused(&who, e.into()))?;
    let course = match filter.course.trim() {
        "" => None,
        text => Some(
            text.parse::<CourseId>()
                .map_err(|e| refused(&who, ApiError::invalid("course", e.to_string())))?,
        ),
    };
    let mut rows = Vec::new();
    let mut cursor = Some(filter.cursor.clone()).filter(|c| !c.is_empty());
    for _ in 0..SCAN_PAGES {
        let request = PageRequest {
            cursor: cursor.as_deref().map(Cursor::parse),
            limit: 50,
        };
        let page = state
            .service
            .list(&who, course.as_ref(), &request)
            .await
            .map_err(failed(&who))?;
        rows.extend(
            page.items
                .iter()
                .filter(|job| filter.status.is_empty() || job.status.as_str() == filter.status)
                .filter(|job| filter.owner.is_empty() || job.owner.to_string() == filter.owner)
                .map(row),
        );
        cursor = page.next.as_ref().map(|c| c.as_str().to_owned());
        if cursor.is_none() || rows.len() >= ROWS {
            break;
        }
    }
    let page = JobsPage {
        page: Chrome::new(&who, "Jobs"),
        rows,
        filter,
        statuses: JobStatus::ALL.iter().map(|s| s.as_str()).collect(),
        next: cursor,
    };
    Ok(render(StatusCode::OK, &page))
}

fn row(job: &Job) -> JobRow {
    JobRow {
        id: job.id.to_string(),
        course: format!("{} / {}", job.course.course_id, job.course.version_id),
        source: job.source.kind(),
        status: job.status.as_str(),
        percent: job.progress.percent,
        updated: job.updated_at.format("%Y-%m-%d %H:%M").to_string(),
        owner: job.owner.to_string(),
    }
}

pub async fn new_form(Session(who): Session) -> Response {
    render(StatusCode::OK, &NewJobPage::blank(&who))
}

/// `POST /studio/jobs`: the new-job form (multipart, for its file).
pub async fn create(
    State(state): State<ApiState>,
    Session(who): Session,
    form: Multipart,
) -> Response {
    let new = match NewJob::read(form).await {
        Ok(new) => new,
        Err(e) => return refused(&who, e).into_response(),
    };
    let answer = async {
        let (course, source, options) = new.request(&state, &who).await?;
        let request = JobRequest {
            course,
            source,
            options,
        };
        let job = state.service.create_job(&who, request).await?;
        Ok::<_, ApiError>(job.id)
    };
    match answer.await {
        Ok(id) => Redirect::to(&format!("/studio/jobs/{id}")).into_response(),
        Err(e) => render(e.status, &NewJobPage::again(&who, new, e.message)),
    }
}

#[derive(Template)]
#[template(path = "studio/job.html")]
struct JobPage {
    page: Chrome,
    job: JobView,
    /// A script job's storyboard with what was made of it, once written.
    board: Option<BoardView>,
    /// What the material check said, once made.
    check: Option<Validation>,
}

#[derive(Template)]
#[template(path = "studio/job_live.html")]
struct LiveFragment {
    job: JobView,
}

async fn view(state: &ApiState, who: &Principal, id: JobId) -> Result<JobView, PageError> {
    let job = state.service.job(who, id).await.map_err(failed(who))?;
    Ok(JobView::of(&job, who))
}

pub async fn show(
    State(state): State<ApiState>,
    Session(who): Session,
    Path(id): Path<JobId>,
) -> Result<Response, PageError> {
    let job = state.service.job(&who, id).await.map_err(failed(&who))?;
    let language = job
        .options
        .target_language
        .as_deref()
        .or(job.options.source_language.as_deref());
    let board = match job.options.storyboard {
        Some(_) if job.stage(Stage::Storyboard).latest_run().is_some() => state
            .service
            .storyboard_view(&who, id, &format!("/studio/v1/jobs/{id}/visuals"))
            .await
            .ok(),
        _ => None,
    };
    let check = match job.stage(Stage::Validate).latest_run() {
        Some(run) if run.output_key.is_some() => state
            .service
            .run_output(&who, id, Stage::Validate, run.n)
            .await
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok()),
        _ => None,
    };
    let page = JobPage {
        page: Chrome::new(&who, format!("Job {id}")).in_language(language),
        job: JobView::of(&job, &who),
        board,
        check,
    };
    Ok(render(StatusCode::OK, &page))
}

/// The part of the job page its events refresh.
pub async fn live(
    State(state): State<ApiState>,
    Session(who): Session,
    Path(id): Path<JobId>,
) -> Result<Response, PageError> {
    let job = view(&state, &who, id).await?;
    Ok(render(StatusCode::OK, &LiveFragment { job }))
}

pub async fn abort(
    State(state): State<ApiState>,
    Session(who): Session,
    Path(id): Path<JobId>,
) -> Result<Response, PageError> {
    state
        .service
        .abort(&who, id, Some("aborted in the studio".into()))
        .await
        .map_err(failed(&who))?;
    Ok(Redirect::to(&format!("/studio/jobs/{id}")).into_response())
}

#[derive(Template)]
#[template(path = "studio/course.html")]
struct CoursePage {
    page: Chrome,
    id: String,
    course: Course,
}

impl CoursePage {
    fn html(&self, markdown: &str) -> String {
        coursegen_exports::document::markdown_html(markdown)
    }
}

pub async fn course(
    State(state): State<ApiState>,
    Session(who): Session,
    Path(id): Path<JobId>,
) -> Result<Response, PageError> {
    let course = state.service.course(&who, id).await.map_err(failed(&who))?;
    let page = CoursePage {
        page: Chrome::new(&who, course.title.clone()).in_language(Some(&course.language)),
        id: id.to_string(),
        course,
    };
    Ok(render(StatusCode::OK, &page))
}
