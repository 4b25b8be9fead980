//! A script job's first visual stages: the storyboard, written from the
//! script's videos, and the image prompts, written from the approved
//! storyboard. Both are plain documents a reviewer may edit.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::{Ingested, StepError, Stepped, Steps};
use crate::ids::JobId;
use crate::image_prompt::PromptSet;
use crate::job::Job;
use crate::lifecycle::Command;
use crate::ports::{MediaError, StoryboardRequest, Visuals};
use crate::stage::{RunStatus, Stage};
use crate::storyboard::Storyboard;
use crate::visuals::{FrameParams, StoryboardOptions};

/// How long one call of a stage that works in steps may keep working
/// before it hands back to the workflow: far inside a Lambda's limit, and
/// short enough that a crash loses little.
pub(super) const STEP_BUDGET: Duration = Duration::from_secs(60);

impl Steps {
    pub(super) async fn storyboard(&self, id: JobId) -> Result<Value, StepError> {
        let (key, board) = self
            .run_stage(id, Stage::Storyboard, |job| async move {
                let ingested: Ingested = self.stage_output(&job, Stage::Ingest).await?;
                if ingested.sections.is_empty() {
                    return Err(StepError::new(
                        "InvalidMaterial",
                        "the script has no text to storyboard",
                    ));
                }
                let board = self
                    .storyboard_writer
                    .storyboard(StoryboardRequest {
                        title: ingested.title.as_deref().unwrap_or("Script"),
                        videos: &ingested.sections,
                        language: job.options.course_language().unwrap_or("en"),
                        options: &job.options,
                    })
                    .await?;
                board.validate().map_err(|e| {
                    StepError::new("InvalidOutput", format!("the storyboard written: {e}"))
                })?;
                Ok(board)
            })
            .await?;
        let board: Storyboard = board;
        let frames: usize = board.videos.iter().map(|v| v.frames().count()).sum();
        Ok(json!({"key": key, "videos": board.videos.len(), "frames": frames}))
    }

    pub(super) async fn prompts(&self, id: JobId) -> Result<Value, StepError> {
        let (key, set) = self
            .run_stage(id, Stage::Prompts, |job| async move {
                let board: Storyboard = self.stage_output(&job, Stage::Storyboard).await?;
                let mut videos = Vec::with_capacity(board.videos.len());
                for video in &board.videos {
                    videos.push(self.prompt_writer.prompts(video, &job.options).await?);
                }
                let set = PromptSet { videos };
                set.validate(&board).map_err(|e| {
                    StepError::new("InvalidOutput", format!("the prompts written: {e}"))
                })?;
                Ok(set)
            })
            .await?;
        let set: PromptSet = set;
        Ok(json!({"key": key, "videos": set.videos.len()}))
    }

    /// What makes pictures and clips here, or why a script job cannot go on.
    pub(super) fn visuals(&self) -> Result<Arc<dyn Visuals>, StepError> {
        self.visuals.clone().ok_or_else(|| {
            StepError::new(
                "NotConfigured",
                "this build draws and films no storyboards (it needs ffmpeg and a voice)",
            )
        })
    }

    /// The output of the run of `stage` completed before run `n`: what a
    /// rerun of some frames keeps for the others.
    pub(super) async fn earlier_output<T: serde::de::DeserializeOwned>(
        &self,
        job: &Job,
        stage: Stage,
        n: u32,
    ) -> Result<Option<T>, StepError> {
        let earlier = job
            .stage(stage)
            .runs
            .iter()
            .rev()
            .filter(|r| r.n < n && r.status == RunStatus::Completed)
            .find_map(|r| r.output_key.clone());
        match earlier {
            Some(key) => Ok(Some(self.get_json(&key).await?)),
            None => Ok(None),
        }
    }

    /// Reports `done` of `total` on a stage that works in steps.
    pub(super) async fn report(
        &self,
        id: JobId,
        stage: Stage,
        done: usize,
        total: usize,
        message: String,
    ) -> Result<(), StepError> {
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        self.update(id, |_| {
            Ok(vec![Command::Progress {
                stage,
                done: count(done),
                total: count(total.max(1)),
                message: Some(message.clone()),
            }])
        })
        .await?;
        Ok(())
    }
}

/// The frames a rerun of `stage` asks for.
pub(super) fn frame_params(job: &Job, stage: Stage) -> Result<FrameParams, StepError> {
    serde_json::from_value(job.stage(stage).parameters.clone())
        .map_err(|e| StepError::new("InvalidParameters", format!("{stage} parameters: {e}")))
}

/// A script job's options for its pictures, clips and films.
pub(super) fn script_options(job: &Job) -> Result<&StoryboardOptions, StepError> {
    job.options.storyboard.as_ref().ok_or_else(|| {
        StepError::new(
            "Conflict",
            "the job is not a script job (options.storyboard is not set)",
        )
    })
}

/// A media failure of `what`, as the workflow sees it: only a transient
/// one is retried.
pub(super) fn media_failure(what: &str, e: MediaError) -> StepError {
    match e {
        MediaError::Unavailable(m) => StepError::new("Transient", format!("{what}: {m}")),
        MediaError::Missing { .. } => StepError::new("NotConfigured", format!("{what}: {e}")),
        MediaError::Cancelled => StepError::new("Cancelled", format!("{what}: cancelled")),
        MediaError::Invalid(m) | MediaError::Failed(m) => {
            StepError::new("MediaFailed", format!("{what}: {m}"))
        }
    }
}

/// How a stage that works in steps answers the workflow.
pub(super) fn stepped_answer(
    stepped: &Stepped<(crate::artifact::ArtifactKey, impl Sized)>,
) -> Value {
    match stepped {
        Stepped::More { wait_s } => json!({"done": false, "wait_seconds": wait_s}),
        Stepped::Done((key, _)) => json!({"done": true, "wait_seconds": 0, "key": key}),
    }
}

/// Whether a call that started at `started` should hand back now.
pub(super) fn spent(started: Instant) -> bool {
    started.elapsed() >= STEP_BUDGET
}

/// What a script job has made so far, read from its stages' outputs (the
/// approved run of each, else its latest completed one).
#[derive(Debug, Clone, PartialEq)]
pub struct VisualOutputs {
    pub board: Storyboard,
    pub prompts: Option<PromptSet>,
    pub images: Option<crate::visuals::FrameImages>,
    pub clips: Option<crate::visuals::ClipSet>,
    pub films: Option<crate::visuals::FilmSet>,
}

impl VisualOutputs {
    pub fn outputs(&self) -> crate::board_view::Outputs<'_> {
        crate::board_view::Outputs {
            board: &self.board,
            prompts: self.prompts.as_ref(),
            images: self.images.as_ref(),
            clips: self.clips.as_ref(),
            films: self.films.as_ref(),
        }
    }
}

impl Steps {
    /// What script job `job` has made; `None` before its storyboard.
    pub async fn visual_outputs(&self, job: &Job) -> Result<Option<VisualOutputs>, StepError> {
        let Some(board) = self.made(job, Stage::Storyboard).await? else {
            return Ok(None);
        };
        Ok(Some(VisualOutputs {
            board,
            prompts: self.made(job, Stage::Prompts).await?,
            images: self.made(job, Stage::Images).await?,
            clips: self.made(job, Stage::Clips).await?,
            films: self.made(job, Stage::Film).await?,
        }))
    }

    async fn made<T: serde::de::DeserializeOwned>(
        &self,
        job: &Job,
        stage: Stage,
    ) -> Result<Option<T>, StepError> {
        match super::output_key(job.stage(stage)) {
            Some(key) => Ok(Some(self.get_json(&key).await?)),
            None => Ok(None),
        }
    }
}
