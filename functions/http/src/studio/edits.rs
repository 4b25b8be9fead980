//! Saving what the review editors made: outline and questions edits as
//! new runs (through the service's If-Match rule, so a stale save meets
//! the conflict panel), and the segment timeline's boundaries as a rerun
//! with exactly those ends. The editors themselves (outline.rs,
//! questions.rs, segments.rs) only read forms and draw; this is where a
//! form becomes a change.

use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::response::Response;
use coursegen_core::ids::JobId;
use coursegen_core::outputs::{Outline, Segment};
use coursegen_core::pipeline::QuestionSet;
use coursegen_core::service::{Decision, ServiceError};
use coursegen_core::stage::Stage;
use serde_json::json;

use super::editor::Editor;
use super::gate::{decided, edited_run, form_error, save_edit};
use super::outline::OutlineEditor;
use super::page::{Fields, PageError, failed, refused};
use super::questions::{self, QuestionsEditor};
use super::segments;
use super::session::Session;
use crate::state::ApiState;

/// `POST …/stages/segment/edit`: the segments again with the boundaries
/// the reviewer set.
pub async fn segments(
    State(state): State<ApiState>,
    Session(who): Session,
    Path(id): Path<JobId>,
    form: Result<Form<Fields>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(fields) = form.map_err(|e| refused(&who, form_error(e)))?;
    let (_, _, segments): (_, _, Vec<Segment>) =
        edited_run(&state, &who, id, Stage::Segment, &fields).await?;
    let total_ms = segments.last().map_or(0, |s| s.end_ms);
    let ends = segments::ends_of(&fields, total_ms).map_err(|e| refused(&who, e))?;
    let parameters = json!({"segment_ends_ms": ends});
    decided(
        &state,
        &who,
        id,
        Stage::Segment,
        &fields,
        Decision::Rerun { parameters },
    )
    .await
}

/// `POST …/stages/outline/edit`: the edited outline as a new run.
pub async fn outline(
    State(state): State<ApiState>,
    Session(who): Session,
    Path(id): Path<JobId>,
    form: Result<Form<Fields>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(fields) = form.map_err(|e| refused(&who, form_error(e)))?;
    let (yours, base_run, base): (_, _, Outline) =
        edited_run(&state, &who, id, Stage::Outline, &fields).await?;
    let editor = OutlineEditor::posted(&base, &fields).map_err(|e| refused(&who, e))?;
    let text = serde_json::to_string(&editor.apply(&base))
        .map_err(|e| failed(&who)(ServiceError::Internal(e.to_string())))?;
    save_edit(
        &state,
        &who,
        id,
        Stage::Outline,
        yours,
        base_run,
        &text,
        Editor::Outline(editor),
    )
    .await
}

/// `POST …/stages/questions/edit`: the edited questions as a new run.
pub async fn questions(
    State(state): State<ApiState>,
    Session(who): Session,
    Path(id): Path<JobId>,
    form: Result<Form<Fields>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(fields) = form.map_err(|e| refused(&who, form_error(e)))?;
    let (yours, base_run, base): (_, _, QuestionSet) =
        edited_run(&state, &who, id, Stage::Questions, &fields).await?;
    let edited = questions::apply(base, &fields).map_err(|e| refused(&who, e))?;
    let text = serde_json::to_string(&edited)
        .map_err(|e| failed(&who)(ServiceError::Internal(e.to_string())))?;
    let editor = Editor::Questions(QuestionsEditor::of(&edited));
    save_edit(
        &state,
        &who,
        id,
        Stage::Questions,
        yours,
        base_run,
        &text,
        editor,
    )
    .await
}
