//! A made course's lesson videos, asked for by a caller: render every
//! lesson or some, again or only those that failed, in other options, with
//! a narration edited for one lesson; cancel a render; find a video's
//! files. Each request plans its renders on the job, then starts an
//! execution that renders just those (the workflow's own videos Map).

use super::{Service, ServiceError};
use crate::access::Action;
use crate::artifact::ArtifactKey;
use crate::auth::Principal;
use crate::ids::JobId;
use crate::job::{Job, JobStatus};
use crate::lifecycle::Command;
use crate::narration::{Narration, NarrationSet};
use crate::pipeline::StepError;
use crate::stage::Stage;
use crate::validation::ValidationError;
use crate::videos::{LessonRef, RenderPlan, VideoChange, VideoRequest, VideoStatus};

/// What a cancelled render's lesson says.
pub const CANCELLED: &str = "cancelled";

/// A file of a lesson's video.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VideoFile {
    Mp4,
    Vtt,
    Srt,
}

impl VideoFile {
    pub fn extension(self) -> &'static str {
        match self {
            VideoFile::Mp4 => "mp4",
            VideoFile::Vtt => "vtt",
            VideoFile::Srt => "srt",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            VideoFile::Mp4 => "video/mp4",
            VideoFile::Vtt => "text/vtt; charset=utf-8",
            VideoFile::Srt => "application/x-subrip; charset=utf-8",
        }
    }
}

impl Service {
    /// Renders the lessons `request` asks for; the job with them planned.
    pub async fn render_videos(
        &self,
        who: &Principal,
        id: JobId,
        request: &VideoRequest,
    ) -> Result<Job, ServiceError> {
        let job = self.made_course(who, id).await?;
        let set = self.narrations(&job).await?;
        let asked = match request.lesson_refs()? {
            Some(refs) => {
                for (i, at) in refs.iter().enumerate() {
                    narrated(&set, *at)
                        .map_err(|e| ValidationError::new(format!("lessons[{i}]"), e.message))?;
                }
                refs
            }
            None => set
                .lessons
                .iter()
                .map(|n| LessonRef {
                    module: n.module,
                    lesson: n.lesson,
                })
                .collect(),
        };
        let picked: Vec<LessonRef> = asked
            .into_iter()
            .filter(|at| {
                !request.retry_failed
                    || job
                        .video(*at)
                        .is_some_and(|v| v.status == VideoStatus::Failed)
            })
            .collect();
        if picked.is_empty() {
            return Err(ServiceError::Conflict(
                "no lesson asked for has a failed video to retry".into(),
            ));
        }
        let mut plans = Vec::with_capacity(picked.len());
        for at in picked {
            let options = if request.changes_options() {
                let base = job
                    .video(at)
                    .and_then(|v| v.options.as_ref())
                    .unwrap_or(&job.options.videos);
                let options = request.options(base)?;
                self.check_voice("voice", options.voice.as_deref())?;
                Some(options)
            } else {
                None
            };
            plans.push(RenderPlan {
                at,
                title: narrated(&set, at)?.title.clone(),
                options,
                narration_key: None,
            });
        }
        self.start_renders(id, plans).await
    }

    /// Replaces lesson `at`'s narration with a reviewer's, if the job is
    /// still at `expected_version`, and renders the lesson again with it.
    pub async fn edit_narration(
        &self,
        who: &Principal,
        id: JobId,
        at: LessonRef,
        expected_version: u64,
        narration: &Narration,
    ) -> Result<Job, ServiceError> {
        let job = self.made_course(who, id).await?;
        if job.version != expected_version {
            return Err(ServiceError::VersionMismatch {
                expected: expected_version,
                actual: job.version,
            });
        }
        let set = self.narrations(&job).await?;
        narrated(&set, at).map_err(|_| no_lesson(at))?;
        narration.validate().map_err(|e| e.within("narration"))?;
        let dir = format!("m{}-l{}", at.module + 1, at.lesson + 1);
        let key = ArtifactKey::for_job(
            &id,
            &format!("videos/{dir}/narration-v{}.json", job.version),
        )
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
        let text = serde_json::to_vec_pretty(narration)
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        self.steps
            .artifacts
            .put(&key, text, "application/json")
            .await?;
        let plan = RenderPlan {
            at,
            title: narration.title.clone(),
            options: None,
            narration_key: Some(key),
        };
        self.start_renders(id, vec![plan]).await
    }

    /// The narration lesson `at` is (or will be) rendered from.
    pub async fn narration(
        &self,
        who: &Principal,
        id: JobId,
        at: LessonRef,
    ) -> Result<Narration, ServiceError> {
        let job = self.job_for(who, id, Action::Read).await?;
        if let Some(video) = job.video(at) {
            return self
                .steps
                .narration_of(&job, video)
                .await
                .map_err(unavailable)?
                .ok_or_else(|| no_lesson(at));
        }
        let set = self.narrations(&job).await?;
        narrated(&set, at).cloned().map_err(|_| no_lesson(at))
    }

    /// Stops lesson `at`'s render (waiting or running); it fails as
    /// cancelled and keeps no file.
    pub async fn cancel_video(
        &self,
        who: &Principal,
        id: JobId,
        at: LessonRef,
    ) -> Result<Job, ServiceError> {
        self.job_for(who, id, Action::Review).await?;
        self.steps
            .update_as::<ServiceError>(id, |job| {
                let video = job.video(at).ok_or_else(|| no_video(at))?;
                if !video.is_pending() {
                    return Err(ServiceError::Conflict(format!(
                        "lesson {at}'s video is {}: there is no render to cancel",
                        video.status.as_str()
                    )));
                }
                Ok(vec![Command::Video {
                    module: at.module,
                    lesson: at.lesson,
                    attempt: video.attempt,
                    change: VideoChange::Failed {
                        error: CANCELLED.into(),
                    },
                }])
            })
            .await
    }

    /// Renders lesson `at` again, if its last render failed.
    pub async fn retry_video(
        &self,
        who: &Principal,
        id: JobId,
        at: LessonRef,
    ) -> Result<Job, ServiceError> {
        let job = self.made_course(who, id).await?;
        let video = job.video(at).ok_or_else(|| no_video(at))?;
        if video.status != VideoStatus::Failed {
            return Err(ServiceError::Conflict(format!(
                "lesson {at}'s video is {}: only a failed one is retried (ask for the lesson's video again to render it anew)",
                video.status.as_str()
            )));
        }
        let plan = RenderPlan {
            at,
            title: video.title.clone(),
            options: None,
            narration_key: None,
        };
        self.start_renders(id, vec![plan]).await
    }

    /// The lesson `path` names in job `id`: `m2/l3`, or seed 001's
    /// `…/lesson_N` for the N-th lesson of the course (1-based, in order).
    pub async fn lesson_named(
        &self,
        who: &Principal,
        id: JobId,
        path: &str,
        field: &str,
    ) -> Result<LessonRef, ServiceError> {
        if let Ok(at) = path.parse() {
            return Ok(at);
        }
        let nth = path
            .rsplit('/')
            .next()
            .and_then(|last| last.strip_prefix("lesson_"))
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|n| *n >= 1);
        let Some(n) = nth else {
            return Err(ValidationError::new(
                field,
                format!("{path:?} names no lesson: write m<module>/l<lesson> (as in m1/l2) or lesson_<n>"),
            )
            .into());
        };
        let job = self.job_for(who, id, Action::Read).await?;
        let set = self.narrations(&job).await?;
        let mut lessons: Vec<LessonRef> = set
            .lessons
            .iter()
            .map(|l| LessonRef {
                module: l.module,
                lesson: l.lesson,
            })
            .collect();
        lessons.sort();
        lessons.get(n - 1).copied().ok_or_else(|| {
            ValidationError::new(
                field,
                format!("the course has {} lessons, not {n}", lessons.len()),
            )
            .into()
        })
    }

    /// Where file `file` of lesson `at`'s finished video is kept.
    pub async fn video_file(
        &self,
        who: &Principal,
        id: JobId,
        at: LessonRef,
        file: VideoFile,
    ) -> Result<ArtifactKey, ServiceError> {
        let job = self.job_for(who, id, Action::Read).await?;
        let video = job.video(at).ok_or_else(|| no_video(at))?;
        let mp4 = match (&video.output_key, video.status) {
            (Some(key), VideoStatus::Completed) => key,
            _ => {
                return Err(ServiceError::Conflict(format!(
                    "lesson {at}'s video is {}, not completed",
                    video.status.as_str()
                )));
            }
        };
        let key = mp4.as_str().trim_end_matches(".mp4");
        format!("{key}.{}", file.extension())
            .parse()
            .map_err(|e: crate::artifact::InvalidKey| ServiceError::Internal(e.to_string()))
    }

    /// The job, if `who` may ask for its videos and its course is made.
    async fn made_course(&self, who: &Principal, id: JobId) -> Result<Job, ServiceError> {
        let job = self.job_for(who, id, Action::Review).await?;
        if job.status != JobStatus::Succeeded {
            return Err(ServiceError::Conflict(format!(
                "the job is {}: videos are asked for once its course is made (a job created with render_videos renders them itself)",
                job.status
            )));
        }
        Ok(job)
    }

    /// Every lesson's narration, as the videos stage wrote (and a reviewer
    /// approved) it.
    async fn narrations(&self, job: &Job) -> Result<NarrationSet, ServiceError> {
        if job.stage(Stage::Videos).runs.is_empty() {
            return Err(ServiceError::Conflict(
                "this job's lessons have no narration: it was created without videos (options.render_videos)".into(),
            ));
        }
        self.steps
            .stage_output(job, Stage::Videos)
            .await
            .map_err(unavailable)
    }

    /// Plans `plans` and starts the execution that renders them.
    async fn start_renders(&self, id: JobId, plans: Vec<RenderPlan>) -> Result<Job, ServiceError> {
        let (job, items) = self.steps.plan::<ServiceError>(id, &plans).await?;
        self.workflow.start_renders(&job, &items).await?;
        Ok(job)
    }
}

fn narrated(set: &NarrationSet, at: LessonRef) -> Result<&Narration, ValidationError> {
    set.of(at.module, at.lesson).ok_or_else(|| {
        ValidationError::new(
            "lesson",
            format!(
                "the course has no lesson {at}; it has {} ({})",
                set.lessons.len(),
                set.lessons
                    .iter()
                    .take(12)
                    .map(|n| crate::videos::lesson_path(n.module, n.lesson))
                    .collect::<Vec<_>>()
                    .join(", ")
                    + if set.lessons.len() > 12 { ", …" } else { "" }
            ),
        )
    })
}

fn no_lesson(at: LessonRef) -> ServiceError {
    ServiceError::NotFound(format!("the course has no lesson {at}"))
}

fn no_video(at: LessonRef) -> ServiceError {
    ServiceError::NotFound(format!("lesson {at} has no video"))
}

/// A stored output that cannot be read now.
fn unavailable(e: StepError) -> ServiceError {
    ServiceError::Unavailable(e.to_string())
}
