//! Review gates, the course document, and the job's end: the steps that wait
//! for people, assemble, and record success or failure.

use chrono::{Duration, Utc};
use serde_json::{Value, json};

use super::writing::{LessonIndex, QuestionSet};
use super::{Ingested, StepError, Steps, waiting_task};
use crate::artifact::ArtifactKey;
use crate::course::{COURSE_SCHEMA_VERSION, Course, Lesson, Module};
use crate::ids::{CallbackId, JobId, TaskToken};
use crate::lifecycle::Command;
use crate::outputs::Outline;
use crate::ports::CallbackRecord;
use crate::stage::{Stage, StageStatus};

/// How long a review may wait: the workflow's gate TimeoutSeconds.
pub const REVIEW_DAYS: i64 = 14;

impl Steps {
    /// Parks the stage for review: the task token goes into the callback
    /// store behind an opaque handle, and the stage awaits approval.
    pub(super) async fn gate(&self, id: JobId, payload: &Value) -> Result<Value, StepError> {
        let (stage, token) = waiting_task(payload)?;
        let job = self.jobs.get(id).await?;
        let state = job.stage(stage);
        // A repeated invocation keeps the handle it gave out and points it at
        // the newest token.
        let callback = match (&state.status, &state.callback) {
            (StageStatus::AwaitingApproval, Some(existing)) => {
                self.callbacks.delete(existing).await?;
                existing.clone()
            }
            _ => CallbackId::generate(),
        };
        let record = CallbackRecord {
            id: callback.clone(),
            token: TaskToken::new(token),
            job_id: id,
            stage,
            expires_at: Utc::now() + Duration::days(REVIEW_DAYS),
        };
        self.callbacks.put(&record).await?;
        if state.status != StageStatus::AwaitingApproval {
            let handle = callback.clone();
            self.update(id, move |_| {
                Ok(vec![Command::AwaitApproval {
                    stage,
                    callback: Some(handle.clone()),
                }])
            })
            .await?;
        }
        Ok(json!({"callback": callback}))
    }

    /// The course document: the outline's modules, each lesson with the
    /// reviewed exercises, the reviewed assessment, glossary and flashcards.
    pub(super) async fn assemble(&self, id: JobId) -> Result<Value, StepError> {
        let (key, course) = self
            .run_stage(id, Stage::Assemble, |job| async move {
                let ingested: Ingested = self.stage_output(&job, Stage::Ingest).await?;
                let outline: Outline = self.stage_output(&job, Stage::Outline).await?;
                let index: LessonIndex = self.stage_output(&job, Stage::Lessons).await?;
                let set: QuestionSet = self.stage_output(&job, Stage::Questions).await?;
                let mut modules: Vec<Module> = outline
                    .modules
                    .iter()
                    .map(|m| Module {
                        title: m.title.clone(),
                        summary: m.summary.clone(),
                        lessons: Vec::new(),
                    })
                    .collect();
                for (r, key) in &index.lessons {
                    let mut lesson: Lesson = self.get_json(key).await?;
                    if let Some(reviewed) = set
                        .lessons
                        .iter()
                        .find(|l| l.module == r.module && l.lesson == r.lesson)
                    {
                        lesson.exercises = reviewed.exercises.clone();
                    }
                    if let Some(module) = modules.get_mut(r.module) {
                        module.lessons.push(lesson);
                    }
                }
                let notes = self
                    .notes_writer
                    .notes(&ingested.material, &job.options)
                    .await?;
                let course = Course {
                    schema_version: COURSE_SCHEMA_VERSION,
                    title: outline.title.clone(),
                    description: outline.description.clone(),
                    language: ingested.material.course_language(&job.options),
                    modules,
                    assessment: set.assessment,
                    glossary: notes.glossary,
                    flashcards: notes.flashcards,
                };
                course
                    .validate()
                    .map_err(|e| StepError::new("InvalidCourse", e.to_string()))?;
                Ok(course)
            })
            .await?;
        let course: Course = course;
        let document = ArtifactKey::for_job(&id, "course.json")
            .map_err(|e| StepError::new("InvalidKey", e.to_string()))?;
        self.put_json(&document, &course).await?;
        Ok(json!({"key": key, "course": document}))
    }

    pub(super) async fn finish(&self, id: JobId) -> Result<Value, StepError> {
        let job = self
            .update(id, |job| {
                Ok(if job.status.is_terminal() {
                    Vec::new()
                } else {
                    vec![Command::Succeed]
                })
            })
            .await?;
        Ok(json!({"status": job.status}))
    }

    /// Records why the job failed (the workflow's Catch hands the error).
    pub(super) async fn record_failure(
        &self,
        id: JobId,
        payload: &Value,
    ) -> Result<Value, StepError> {
        let failure = payload.get("failure").cloned().unwrap_or(Value::Null);
        let name = failure
            .get("Error")
            .and_then(Value::as_str)
            .unwrap_or("Failed");
        let cause = failure.get("Cause").and_then(Value::as_str).unwrap_or("");
        let error = if cause.is_empty() {
            name.to_owned()
        } else {
            format!("{name}: {cause}")
        };
        let job = self
            .update(id, move |job| {
                Ok(if job.status.is_terminal() {
                    Vec::new()
                } else {
                    vec![Command::Fail {
                        error: error.clone(),
                    }]
                })
            })
            .await?;
        Ok(json!({"status": job.status}))
    }
}
