//! The editor a review page shows for a run's output: a timeline for
//! segments, forms for the outline and the questions, the document itself
//! for the other stages.

use coursegen_core::job::Job;
use coursegen_core::outputs::{Outline, Segment};
use coursegen_core::pipeline::QuestionSet;
use coursegen_core::service::ServiceError;
use coursegen_core::stage::Stage;

use super::outline::OutlineEditor;
use super::questions::QuestionsEditor;
use super::segments::SegmentsEditor;

pub(super) enum Editor {
    /// No run yet.
    Nothing,
    Segments(SegmentsEditor),
    Outline(OutlineEditor),
    Questions(QuestionsEditor),
    /// Any other stage's output, shown as it is (pretty JSON).
    Document(String),
}

impl Editor {
    /// The editor of `bytes`, a run's output of `stage`.
    pub fn of(job: &Job, stage: Stage, bytes: &[u8]) -> Result<Editor, ServiceError> {
        let unreadable =
            |e: serde_json::Error| ServiceError::Internal(format!("the {stage} output: {e}"));
        Ok(match stage {
            Stage::Segment => {
                let segments: Vec<Segment> = serde_json::from_slice(bytes).map_err(unreadable)?;
                Editor::Segments(SegmentsEditor::of(&segments, job))
            }
            Stage::Outline => {
                let outline: Outline = serde_json::from_slice(bytes).map_err(unreadable)?;
                Editor::Outline(OutlineEditor::of(&outline))
            }
            Stage::Questions => {
                let set: QuestionSet = serde_json::from_slice(bytes).map_err(unreadable)?;
                Editor::Questions(QuestionsEditor::of(&set))
            }
            _ => {
                let value: serde_json::Value = serde_json::from_slice(bytes).map_err(unreadable)?;
                Editor::Document(serde_json::to_string_pretty(&value).map_err(unreadable)?)
            }
        })
    }
}
