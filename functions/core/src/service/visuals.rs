//! A script job's visual work as callers read it: the storyboard with its
//! prompts and links, the files made (frames, shot clips, videos), and the
//! provider's clip tasks.

use schemars::JsonSchema;
use serde::Serialize;

use super::{Service, ServiceError};
use crate::access::Action;
use crate::artifact::ArtifactKey;
use crate::auth::Principal;
use crate::board_view::{self, BoardView};
use crate::generation::{GenerationError, GenerationStatus};
use crate::ids::JobId;
use crate::job::Job;
use crate::pipeline::{StepError, VisualOutputs};
use crate::service::Decision;
use crate::stage::{Stage, StageStatus};

/// The provider's clip tasks of a script job's latest clips run.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ClipTasks {
    /// The clips run they belong to; absent before the first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run: Option<u32>,
    pub frames: Vec<ClipTask>,
}

/// One frame's clip task. The provider's link to the clip is not shown:
/// it is a credential for the file.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ClipTask {
    /// `v01-s02-f03`.
    pub frame: String,
    pub provider: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    pub status: GenerationStatus,
    pub polls: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub submitted_at: Option<chrono::DateTime<chrono::Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_poll_at: Option<chrono::DateTime<chrono::Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub percent: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<GenerationError>,
    /// Whether the frame has its clip.
    pub made: bool,
    /// Why the clip was made here instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub made_here: Option<String>,
}

/// A file of a script job: what it is stored under and its type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisualFile {
    pub key: ArtifactKey,
    pub content_type: &'static str,
}

fn step_error(e: StepError) -> ServiceError {
    match e.name {
        "Transient" => ServiceError::Unavailable(e.message),
        _ => ServiceError::Internal(e.to_string()),
    }
}

impl Service {
    /// Script job `id`, if `who` may read it.
    pub async fn script_job(&self, who: &Principal, id: JobId) -> Result<Job, ServiceError> {
        let job = self.job_for(who, id, Action::Read).await?;
        if job.options.storyboard.is_none() {
            return Err(ServiceError::NotFound(format!(
                "job {id} makes a course, not storyboard videos"
            )));
        }
        Ok(job)
    }

    async fn made(&self, job: &Job) -> Result<VisualOutputs, ServiceError> {
        self.steps
            .visual_outputs(job)
            .await
            .map_err(step_error)?
            .ok_or_else(|| {
                ServiceError::Conflict(format!(
                    "job {} has no storyboard yet (it is {})",
                    job.id, job.status
                ))
            })
    }

    /// The storyboard of script job `id` with what was made of it, each
    /// file linked under `base` (`{base}/v01-s01-f01.png`).
    pub async fn storyboard_view(
        &self,
        who: &Principal,
        id: JobId,
        base: &str,
    ) -> Result<BoardView, ServiceError> {
        let job = self.script_job(who, id).await?;
        let made = self.made(&job).await?;
        Ok(board_view::view(made.outputs(), |_, name| {
            format!("{base}/{name}")
        }))
    }

    /// File `name` of script job `id`: a frame's picture
    /// (`v01-s02-f03.png`) or clip (`v01-s02-f03.mp4`), a shot's clip
    /// (`v01-s02.mp4`) or a video and its subtitles (`v01.mp4`, `.vtt`,
    /// `.srt`).
    pub async fn visual_file(
        &self,
        who: &Principal,
        id: JobId,
        name: &str,
    ) -> Result<VisualFile, ServiceError> {
        let job = self.script_job(who, id).await?;
        let made = self.made(&job).await?;
        let missing = || ServiceError::NotFound(format!("job {id} has no file {name:?} (yet)"));
        let (stem, ext) = name.rsplit_once('.').ok_or_else(missing)?;
        let parts: Vec<&str> = stem.split('-').collect();
        let video = parts
            .first()
            .and_then(|v| v.strip_prefix('v'))
            .and_then(|n| n.parse::<u32>().ok())
            .ok_or_else(missing)?;
        let film = || {
            made.films
                .as_ref()
                .and_then(|f| f.videos.iter().find(|v| v.number == video))
                .ok_or_else(missing)
        };
        let (key, content_type) = match (parts.len(), ext) {
            (3, "png") => {
                let images = made.images.as_ref().ok_or_else(missing)?;
                (
                    images.get(stem).ok_or_else(missing)?.key.clone(),
                    "image/png",
                )
            }
            (3, "mp4") => {
                let clips = made.clips.as_ref().and_then(|c| c.video(video));
                let clip = clips.and_then(|c| c.frames.iter().find(|f| f.name == stem));
                (
                    clip.and_then(|c| c.key.clone()).ok_or_else(missing)?,
                    "video/mp4",
                )
            }
            (2, "mp4") => {
                let shot = parts[1]
                    .strip_prefix('s')
                    .and_then(|n| n.parse::<usize>().ok())
                    .filter(|n| *n > 0)
                    .ok_or_else(missing)?;
                (
                    film()?.shots.get(shot - 1).ok_or_else(missing)?.clone(),
                    "video/mp4",
                )
            }
            (1, "mp4") => (film()?.mp4.clone(), "video/mp4"),
            (1, "vtt") => (film()?.vtt.clone(), "text/vtt; charset=utf-8"),
            (1, "srt") => (film()?.srt.clone(), "application/x-subrip; charset=utf-8"),
            _ => return Err(missing()),
        };
        Ok(VisualFile { key, content_type })
    }

    /// Moves script job `id` on to `stage`, as seed 003's calls each ask
    /// for the next piece of the work: the review before `stage`, when it
    /// waits, is approved (its latest run), and the workflow makes `stage`.
    /// The job as it is then.
    pub async fn go_on_to(
        &self,
        who: &Principal,
        id: JobId,
        stage: Stage,
    ) -> Result<Job, ServiceError> {
        let job = self.script_job(who, id).await?;
        let at = Stage::VISUAL.iter().position(|s| *s == stage);
        let before = at.and_then(|i| i.checked_sub(1)).map(|i| Stage::VISUAL[i]);
        match before {
            Some(before) if job.stage(before).status == StageStatus::AwaitingApproval => {
                self.decide(who, id, before, Decision::Approve { run: None })
                    .await
            }
            _ => Ok(job),
        }
    }

    /// The provider's clip tasks of script job `id`.
    pub async fn clip_tasks(&self, who: &Principal, id: JobId) -> Result<ClipTasks, ServiceError> {
        let job = self.script_job(who, id).await?;
        let Some((run, set)) = self.steps.clip_tasks(&job).await.map_err(step_error)? else {
            return Ok(ClipTasks {
                run: None,
                frames: Vec::new(),
            });
        };
        let frames = set
            .videos
            .iter()
            .flat_map(|v| &v.frames)
            .map(|f| {
                let g = &f.generation;
                ClipTask {
                    frame: f.name.clone(),
                    provider: g.provider.clone(),
                    external_id: g.external_id.clone(),
                    status: g.status,
                    polls: g.polls,
                    submitted_at: g.submitted_at,
                    next_poll_at: g.next_poll_at,
                    percent: g.percent,
                    error: g.error.clone(),
                    made: f.key.is_some(),
                    made_here: f.fallback.clone(),
                }
            })
            .collect();
        Ok(ClipTasks {
            run: Some(run),
            frames,
        })
    }
}
