//! The course's questions in the AI server's questions format
//! (AI_SERVER_PROTOCOL.md), for platforms that consume it, and back.

use coursegen_core::ai_protocol::questions::FormatError;
use coursegen_core::course::{Course, Question};

/// The course's questions in the AI server's questions format: each lesson is a
/// segment (`segmentId` = the lesson's end in seconds), its exercises are
/// that segment's questions, and the final assessment's questions follow
/// in the segment their source lies in. [`import_questions`] reads it back.
pub fn questions(
    course: &Course,
) -> Result<Vec<coursegen_core::ai_protocol::questions::QuestionItem>, FormatError> {
    let questions: Vec<Question> = course.questions().cloned().collect();
    coursegen_core::ai_protocol::questions::export(&questions, &segment_ends_s(course))
}

/// Reads a questions file made for `course` (by [`questions`], or edited
/// since) back into coursegen questions.
pub fn import_questions(
    course: &Course,
    items: &serde_json::Value,
) -> Result<Vec<Question>, FormatError> {
    coursegen_core::ai_protocol::questions::import(items, &segment_ends_s(course))
}

/// The lessons' ends in seconds; where they do not increase (material with
/// no timing), the lessons' ordinals 1, 2, 3… instead.
fn segment_ends_s(course: &Course) -> Vec<f64> {
    let ends: Vec<f64> = course
        .modules
        .iter()
        .flat_map(|m| &m.lessons)
        .map(|l| l.end_ms as f64 / 1000.0)
        .collect();
    let increasing = ends.first().is_some_and(|e| *e > 0.0) && ends.windows(2).all(|w| w[1] > w[0]);
    if increasing {
        ends
    } else {
        (1..=ends.len().max(1)).map(|n| n as f64).collect()
    }
}
