//! The coursegen HTTP API (DESIGN.md §5): one axum `Router`, served by
//! `lambda_http` on AWS and by `axum::serve` locally, so both share one code
//! path. Handlers only translate HTTP to the service in core and back;
//! errors use one envelope ([`error::ApiError`]).

pub mod auth;
pub mod error;
mod events;
mod exports;
mod files;
#[cfg(feature = "lambda")]
pub mod gateway;
mod jobs;
pub mod openapi;
mod range;
mod seed;
mod seed_script;
pub mod server;
pub mod state;
pub mod studio;
mod uploads;
mod videos;
mod visuals;
pub mod webhook;

use axum::Router;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use coursegen_core::ids::JobId;

pub use auth::{Authenticator, Bearer, Caller};
pub use error::ApiError;
#[cfg(feature = "lambda")]
pub use gateway::GatewayClaims;
pub use state::ApiState;
pub use studio::{HostedLogin, SignIns, Studio};
pub use webhook::Webhooks;

use jobs::CourseFormat;

async fn healthz() -> &'static str {
    "ok"
}

/// The OpenAPI document, built once.
async fn openapi_json() -> axum::Json<&'static serde_json::Value> {
    static DOCUMENT: std::sync::OnceLock<serde_json::Value> = std::sync::OnceLock::new();
    axum::Json(DOCUMENT.get_or_init(openapi::document))
}

async fn not_found() -> ApiError {
    ApiError::not_found("no such route")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        axum::http::StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this route does not take that method",
    )
}

/// `GET /v1/jobs/{id}/course.{json,md,html}` (and `/course` for JSON).
fn course_route(format: CourseFormat) -> axum::routing::MethodRouter<ApiState> {
    get(
        move |State(state): State<ApiState>,
              who: Caller,
              path: Result<Path<JobId>, PathRejection>| {
            jobs::course(state, who, path, format)
        },
    )
}

/// Only the event stream of a job (and the health check): what the
/// streaming `events` Lambda serves behind its Function URL.
pub fn events_router(state: ApiState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/v1/jobs/{id}/events", get(events::events))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state)
}

/// Only the AI server's webhook (and the health check): what the `webhook`
/// Lambda serves.
pub fn webhook_router(state: ApiState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/v1/webhooks/ai-server", post(webhook::ai_server))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state)
}

/// Every route: the REST API and the AI server's webhook, as the local
/// server serves them.
pub fn router(state: ApiState) -> Router {
    rest_routes()
        .route("/v1/webhooks/ai-server", post(webhook::ai_server))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state)
}

/// The REST API without the webhook: what the `api` Lambda serves (API
/// Gateway sends webhooks to their own function).
pub fn api_router(state: ApiState) -> Router {
    rest_routes()
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state)
}

/// What a reader fetches of a job: its event stream, the course in each
/// format and export, its videos' and pictures' files.
fn job_reads() -> Router<ApiState> {
    Router::new()
        .route("/v1/jobs/{id}/events", get(events::events))
        .route("/v1/jobs/{id}/course", course_route(CourseFormat::Json))
        .route(
            "/v1/jobs/{id}/course.json",
            course_route(CourseFormat::Json),
        )
        .route(
            "/v1/jobs/{id}/course.md",
            course_route(CourseFormat::Markdown),
        )
        .route(
            "/v1/jobs/{id}/course.html",
            course_route(CourseFormat::Html),
        )
        .route(
            "/v1/jobs/{id}/course.questions.json",
            course_route(CourseFormat::Questions),
        )
        .route("/v1/jobs/{id}/exports/{format}", get(exports::export))
        .route("/v1/jobs/{id}/exports/{format}/notes", get(exports::notes))
        .route("/v1/jobs/{id}/videos/{lesson}/{file}", get(videos::file))
        .route("/v1/jobs/{id}/storyboard", get(visuals::storyboard))
        .route("/v1/jobs/{id}/visuals/{file}", get(visuals::file))
}

fn rest_routes() -> Router<ApiState> {
    studio::routes()
        .merge(job_reads())
        // The studio's pages read the same under /studio with their
        // session cookie: on AWS, API Gateway asks a bearer token of /v1.
        .nest("/studio", job_reads())
        .route("/healthz", get(healthz))
        .route("/v1/openapi.json", get(openapi_json))
        .route("/v1/uploads", post(uploads::grant))
        // Streams its body to disk against the grant's size (uploads.rs);
        // every other body keeps axum's small default limit.
        .route("/v1/uploads/{token}", axum::routing::put(uploads::receive))
        .route("/v1/files/{token}", get(files::read))
        .route("/v1/jobs", post(jobs::create).get(jobs::list))
        .route("/v1/jobs/{id}", get(jobs::get))
        .route("/v1/jobs/{id}/abort", post(jobs::abort))
        .route("/v1/jobs/{id}/stages/{stage}", get(jobs::stage))
        .route(
            "/v1/jobs/{id}/stages/{stage}/runs/{n}",
            get(jobs::run_output),
        )
        .route(
            "/v1/jobs/{id}/stages/{stage}/output",
            axum::routing::put(jobs::edit),
        )
        .route("/v1/jobs/{id}/stages/{stage}/approve", post(jobs::approve))
        .route("/v1/jobs/{id}/stages/{stage}/rerun", post(jobs::rerun))
        .route(
            "/v1/jobs/{id}/videos",
            post(videos::render).get(videos::status),
        )
        .route(
            "/v1/jobs/{id}/videos/{lesson}",
            get(videos::lesson_status).delete(videos::cancel),
        )
        .route("/v1/jobs/{id}/videos/{lesson}/retry", post(videos::retry))
        .route(
            "/v1/jobs/{id}/videos/{lesson}/narration",
            get(videos::narration).put(videos::edit_narration),
        )
        .route("/v1/jobs/{id}/clips", get(visuals::clip_tasks))
        .route(
            "/files/extract",
            // A script of up to 64 MiB (what ingest reads), in its form.
            post(seed_script::extract).layer(axum::extract::DefaultBodyLimit::max(65 << 20)),
        )
        .route("/prompts/generate", post(seed_script::prompts))
        .route("/generation/images", post(seed_script::images))
        .route("/generation/video", post(seed_script::video))
        .route("/generation/{id}", get(seed_script::status))
        .route(
            "/video-transform/generate-video",
            post(seed::generate_video),
        )
        .route(
            "/video-transform/{id}/video-generation-status",
            get(seed::generation_status),
        )
}
