//! The review studio (DESIGN.md §7): server-rendered pages over the same
//! service as the REST routes, so every rule and permission lives once.
//! Pages are askama templates (`functions/http/templates/studio`); htmx
//! and its SSE extension, vendored, make forms and links swap the page in
//! place and refresh a job's live parts on its events. Every form also
//! works as a plain form post without scripts.

mod assets;
mod editor;
mod edits;
mod gate;
mod hosted_login;
mod job_view;
mod jobs;
mod new_job;
mod outline;
mod page;
mod questions;
mod segments;
mod session;
pub(crate) mod settings;
mod sign_in;
mod source;

use axum::Router;
use axum::routing::{get, post};

pub use settings::{HostedLogin, SignIns, Studio};

use crate::state::ApiState;

/// The studio's routes, under `/studio`.
pub fn routes() -> Router<ApiState> {
    Router::new()
        .route("/studio", get(jobs::list))
        .route("/studio/", get(jobs::list))
        .route("/studio/assets/{name}", get(assets::serve))
        .route(
            "/studio/sign-in",
            get(sign_in::form).post(sign_in::with_token),
        )
        .route("/studio/sign-in/hosted", get(hosted_login::start))
        .route("/studio/callback", get(hosted_login::callback))
        .route("/studio/sign-in/{code}", get(sign_in::with_code))
        .route("/studio/sign-out", post(sign_in::sign_out))
        .route("/studio/new", get(jobs::new_form))
        .route(
            "/studio/jobs",
            // Without scripts the form carries its file (up to what ingest
            // reads of a script); with them, upload.js stores it first.
            post(jobs::create).layer(axum::extract::DefaultBodyLimit::max(65 << 20)),
        )
        .route("/studio/uploads", post(new_job::grant))
        .route("/studio/jobs/{id}", get(jobs::show))
        .route("/studio/jobs/{id}/live", get(jobs::live))
        .route("/studio/jobs/{id}/abort", post(jobs::abort))
        .route("/studio/jobs/{id}/course", get(jobs::course))
        .route("/studio/jobs/{id}/source", get(source::show))
        .route("/studio/jobs/{id}/recording", get(source::recording))
        .route("/studio/jobs/{id}/stages/{stage}", get(gate::show))
        .route(
            "/studio/jobs/{id}/stages/{stage}/approve",
            post(gate::approve),
        )
        .route("/studio/jobs/{id}/stages/{stage}/rerun", post(gate::rerun))
        .route("/studio/jobs/{id}/stages/{stage}/diff", get(gate::diff))
        .route(
            "/studio/jobs/{id}/stages/segment/edit",
            post(edits::segments),
        )
        .route(
            "/studio/jobs/{id}/stages/outline/edit",
            post(edits::outline),
        )
        .route(
            "/studio/jobs/{id}/stages/questions/edit",
            post(edits::questions),
        )
}
