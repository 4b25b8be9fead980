//! Writing the course: planning the lessons, writing each (the workflow runs
//! them side by side), the assessment, and gathering every question for
//! review.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{Ingested, StepError, Steps};
use crate::artifact::ArtifactKey;
use crate::course::{Assessment, Lesson, Question};
use crate::ids::JobId;
use crate::job::Job;
use crate::lifecycle::Command;
use crate::options::{Options, QUESTION_OPTIONS};
use crate::outputs::Outline;
use crate::ports::LessonRequest;
use crate::stage::{Stage, StageStatus, Usage};

/// A lesson's place in the outline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LessonRef {
    pub module: usize,
    pub lesson: usize,
}

/// The lessons stage's output: where each lesson was written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LessonIndex {
    pub lessons: Vec<(LessonRef, ArtifactKey)>,
}

/// Every question of the course, as reviewers see and edit it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuestionSet {
    pub lessons: Vec<LessonQuestions>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assessment: Option<Assessment>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LessonQuestions {
    pub module: usize,
    pub lesson: usize,
    pub title: String,
    pub exercises: Vec<Question>,
}

fn refs(outline: &Outline) -> Vec<LessonRef> {
    outline
        .modules
        .iter()
        .enumerate()
        .flat_map(|(module, m)| {
            (0..m.lessons.len()).map(move |lesson| LessonRef { module, lesson })
        })
        .collect()
}

/// The job's options with a questions rerun's parameters (which the lessons
/// and assessment stages carry) laid over them.
fn question_options(job: &Job, stage: Stage) -> Result<Options, StepError> {
    job.options
        .overlaid(&job.stage(stage).parameters, &QUESTION_OPTIONS)
        .map_err(|e| StepError::new("InvalidParameters", format!("{stage} parameters: {e}")))
}

/// A lesson's model calls, added to the lessons run while it runs (a late
/// lesson's are not: its run has ended).
fn lesson_usage(job: &Job, usage: Usage) -> Vec<Command> {
    if usage.is_zero() || job.stage(Stage::Lessons).status != StageStatus::Running {
        return Vec::new();
    }
    vec![Command::AddUsage {
        stage: Stage::Lessons,
        usage,
    }]
}

fn lessons_run(job: &Job) -> u32 {
    job.stage(Stage::Lessons).latest_run().map_or(1, |r| r.n)
}

fn lesson_key(id: &JobId, run: u32, r: LessonRef) -> Result<ArtifactKey, StepError> {
    ArtifactKey::for_job(
        id,
        &format!(
            "lessons/run-{run:04}/m{}-l{}.json",
            r.module + 1,
            r.lesson + 1
        ),
    )
    .map_err(|e| StepError::new("InvalidKey", e.to_string()))
}

/// One lesson of the lessons stage's current run, for progress displays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LessonProgress {
    pub module: usize,
    pub lesson: usize,
    pub title: String,
    pub written: bool,
}

impl Steps {
    /// Every lesson the outline plans and whether the current lessons run
    /// has written it yet; empty until the lessons stage has started.
    pub async fn lesson_progress(&self, id: JobId) -> Result<Vec<LessonProgress>, StepError> {
        let job = self.jobs.get(id).await?;
        if job.stage(Stage::Lessons).runs.is_empty()
            && job.stage(Stage::Lessons).status == StageStatus::Pending
        {
            return Ok(Vec::new());
        }
        let outline: Outline = self.stage_output(&job, Stage::Outline).await?;
        let run = lessons_run(&job);
        let mut lessons = Vec::new();
        for (r, planned) in refs(&outline).into_iter().zip(outline.lessons()) {
            let key = lesson_key(&id, run, r)?;
            lessons.push(LessonProgress {
                module: r.module,
                lesson: r.lesson,
                title: planned.title.clone(),
                written: self.artifacts.head(&key).await?.is_some(),
            });
        }
        Ok(lessons)
    }

    /// Starts the lessons stage and lists the lessons for the workflow's Map.
    pub(super) async fn plan_lessons(&self, id: JobId) -> Result<Value, StepError> {
        let job = self.jobs.get(id).await?;
        let outline: Outline = self.stage_output(&job, Stage::Outline).await?;
        let lessons = refs(&outline);
        let total = u32::try_from(lessons.len()).unwrap_or(u32::MAX);
        if matches!(
            job.stage(Stage::Lessons).status,
            StageStatus::Pending | StageStatus::Failed
        ) {
            self.update(id, |_| {
                Ok(vec![
                    Command::StartStage {
                        stage: Stage::Lessons,
                    },
                    Command::Progress {
                        stage: Stage::Lessons,
                        done: 0,
                        total: total.max(1),
                        message: None,
                    },
                ])
            })
            .await?;
        }
        Ok(json!({"lessons": lessons}))
    }

    /// Writes one lesson (skipped when a crash left it written already) and
    /// counts the lessons done so far as the stage's progress.
    pub(super) async fn lesson(&self, id: JobId, payload: &Value) -> Result<Value, StepError> {
        let r: LessonRef =
            serde_json::from_value(payload.get("lesson").cloned().unwrap_or(Value::Null))
                .map_err(|e| StepError::new("InvalidPayload", format!("lesson: {e}")))?;
        let job = self.jobs.get(id).await?;
        let run = lessons_run(&job);
        let key = lesson_key(&id, run, r)?;
        if job.stage(Stage::Lessons).status != StageStatus::Running
            || self.artifacts.head(&key).await?.is_some()
        {
            return Ok(json!({"key": key}));
        }
        let ingested = self.shared_output::<Ingested>(&job, Stage::Ingest).await?;
        let outline = self.shared_output::<Outline>(&job, Stage::Outline).await?;
        let options = question_options(&job, Stage::Lessons)?;
        // A playlist's lesson links into its own video, at that video's times.
        let planned = outline
            .modules
            .get(r.module)
            .and_then(|m| m.lessons.get(r.lesson));
        let part = planned.and_then(|l| super::playlist::part_at(&ingested.parts, l.start_ms));
        let request = LessonRequest {
            material: &ingested.material,
            outline: &outline,
            module: r.module,
            lesson: r.lesson,
            video: part.map(|p| p.url.as_str()).or(ingested.video.as_deref()),
            video_start_ms: part.map_or(0, |p| p.start_ms),
            options: &options,
        };
        let (lesson, usage) = crate::metering::metered(self.lesson_writer.lesson(request)).await;
        let lesson = match lesson {
            Ok(lesson) => lesson,
            Err(e) => {
                // The attempt's calls count even though the lesson failed.
                if !usage.is_zero() {
                    self.update(id, move |job| Ok(lesson_usage(job, usage)))
                        .await?;
                }
                return Err(e.into());
            }
        };
        self.put_json(&key, &lesson).await?;
        let total = u32::try_from(refs(&outline).len())
            .unwrap_or(u32::MAX)
            .max(1);
        let title = lesson.title.clone();
        self.update(id, move |job| {
            // Progress only while the stage runs; a late lesson changes nothing.
            let state = job.stage(Stage::Lessons);
            let mut commands = lesson_usage(job, usage);
            if state.status == StageStatus::Running {
                // One more written (counted on the job, which every lesson
                // updates in turn, rather than by listing what is written:
                // that grew with the lessons for each of them).
                let done = state.progress.as_ref().map_or(0, |p| p.done) + 1;
                commands.push(Command::Progress {
                    stage: Stage::Lessons,
                    done: done.min(total),
                    total,
                    message: Some(title.clone()),
                });
            }
            Ok(commands)
        })
        .await?;
        Ok(json!({"key": key}))
    }

    pub(super) async fn assessment(&self, id: JobId) -> Result<Value, StepError> {
        let job = self.jobs.get(id).await?;
        if job.stage(Stage::Assessment).status == StageStatus::Skipped {
            return Ok(json!({"skipped": true}));
        }
        let (key, assessment) = self
            .run_stage(id, Stage::Assessment, |job| async move {
                let ingested: Ingested = self.stage_output(&job, Stage::Ingest).await?;
                let outline: Outline = self.stage_output(&job, Stage::Outline).await?;
                let options = question_options(&job, Stage::Assessment)?;
                let assessment = self
                    .assessment_writer
                    .assessment(&ingested.material, &outline, &[], &options)
                    .await?;
                Ok(assessment)
            })
            .await?;
        let assessment: Option<Assessment> = assessment;
        Ok(json!({"key": key, "questions": assessment.map_or(0, |a| a.questions.len())}))
    }

    /// Ends the lessons stage once every lesson of the Map is written: its
    /// output is the index of the lesson files. What comes after the
    /// lessons (the questions, ours or the AI server's) starts with this.
    pub(super) async fn close_lessons(&self, id: JobId) -> Result<(), StepError> {
        let job = self.jobs.get(id).await?;
        if job.stage(Stage::Lessons).status == StageStatus::Running {
            let outline: Outline = self.stage_output(&job, Stage::Outline).await?;
            let run = lessons_run(&job);
            let mut index = LessonIndex {
                lessons: Vec::new(),
            };
            for r in refs(&outline) {
                let key = lesson_key(&id, run, r)?;
                if self.artifacts.head(&key).await?.is_none() {
                    return Err(StepError::new(
                        "MissingInput",
                        format!(
                            "lesson {} of module {} was not written",
                            r.lesson + 1,
                            r.module + 1
                        ),
                    ));
                }
                index.lessons.push((r, key));
            }
            let index_key = ArtifactKey::for_job(&id, &format!("lessons/run-{run:04}.json"))
                .map_err(|e| StepError::new("InvalidKey", e.to_string()))?;
            self.put_json(&index_key, &index).await?;
            self.update(id, move |job| {
                Ok(
                    if job.stage(Stage::Lessons).status == StageStatus::Running {
                        vec![Command::CompleteRun {
                            stage: Stage::Lessons,
                            output_key: index_key.clone(),
                            usage: Usage::default(),
                        }]
                    } else {
                        Vec::new()
                    },
                )
            })
            .await?;
        }
        Ok(())
    }

    /// Completes the lessons stage, then gathers every question into one
    /// set for review.
    pub(super) async fn questions(&self, id: JobId) -> Result<Value, StepError> {
        self.close_lessons(id).await?;
        let (key, set) = self
            .run_stage(id, Stage::Questions, |job| async move {
                self.question_set(&job).await
            })
            .await?;
        let set: QuestionSet = set;
        let count = set.lessons.iter().map(|l| l.exercises.len()).sum::<usize>()
            + set.assessment.map_or(0, |a| a.questions.len());
        Ok(json!({"key": key, "questions": count}))
    }

    /// The questions the lessons and the assessment wrote, per lesson.
    pub(super) async fn question_set(&self, job: &Job) -> Result<QuestionSet, StepError> {
        let index: LessonIndex = self.stage_output(job, Stage::Lessons).await?;
        let mut lessons = Vec::new();
        for (r, key) in &index.lessons {
            let lesson: Lesson = self.get_json(key).await?;
            lessons.push(LessonQuestions {
                module: r.module,
                lesson: r.lesson,
                title: lesson.title,
                exercises: lesson.exercises,
            });
        }
        let assessment = if job.stage(Stage::Assessment).status == StageStatus::Skipped {
            None
        } else {
            self.stage_output::<Option<Assessment>>(job, Stage::Assessment)
                .await?
        };
        Ok(QuestionSet {
            lessons,
            assessment,
        })
    }
}

impl QuestionSet {
    /// Makes `questions` the lessons' exercises: each goes to the lesson
    /// whose span holds the start of its source (else the nearest lesson;
    /// a question without a source goes to the first), so none is lost.
    pub fn replace_exercises(&mut self, outline: &Outline, questions: Vec<Question>) {
        let spans: Vec<(u64, u64)> = self
            .lessons
            .iter()
            .map(|l| {
                outline
                    .modules
                    .get(l.module)
                    .and_then(|m| m.lessons.get(l.lesson))
                    .map_or((0, 0), |o| (o.start_ms, o.end_ms))
            })
            .collect();
        for lesson in &mut self.lessons {
            lesson.exercises.clear();
        }
        for q in questions {
            let at = q.source.map_or(0, |s| s.start_ms);
            let distance = |(start, end): (u64, u64)| {
                if at < start {
                    start - at
                } else {
                    at.saturating_sub(end.saturating_sub(1))
                }
            };
            let best = (0..spans.len()).min_by_key(|i| distance(spans[*i]));
            if let Some(i) = best {
                self.lessons[i].exercises.push(q);
            }
        }
    }
}
