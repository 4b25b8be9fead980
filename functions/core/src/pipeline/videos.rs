//! Lesson videos: every lesson's narration is written (the videos stage,
//! which a reviewer may edit), then each lesson is rendered on its own —
//! the workflow's Map runs them side by side, and a render that fails fails
//! only its lesson. A render watches its job: when the lesson is cancelled
//! or planned again, it stops.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::watch;

use super::{StepError, Steps};
use crate::artifact::ArtifactKey;
use crate::course::Course;
use crate::ids::JobId;
use crate::job::Job;
use crate::lifecycle::{Command, TransitionError};
use crate::narration::{LessonNarration, Narration, NarrationSet};
use crate::ports::{MediaError, NarrationRequest, RenderedVideo, StoreError};
use crate::stage::Stage;
use crate::videos::{LessonRef, LessonVideo, RenderPlan, VideoChange, VideoItem, VideoStatus};

/// Why a lesson with no content gets no video.
const NOTHING_TO_SAY: &str =
    "the lesson has no content to narrate: its objectives, text and key concepts are empty";

/// How often a render reports progress and looks for a cancel.
const WATCH_EVERY: Duration = Duration::from_secs(1);

impl Steps {
    /// The videos stage: a narration for every lesson of the course.
    pub(super) async fn plan_videos(&self, id: JobId) -> Result<Value, StepError> {
        let (key, set) = self
            .run_stage(id, Stage::Videos, |job| async move {
                let course: Course = self.stage_output(&job, Stage::Assemble).await?;
                let mut lessons = Vec::new();
                for (m, module) in course.modules.iter().enumerate() {
                    for (l, lesson) in module.lessons.iter().enumerate() {
                        // An empty lesson is not sent to an engine to be
                        // made up: its render fails, saying why.
                        let narration = if lesson.is_empty() {
                            Narration::unsaid(&lesson.title, &course.language)
                        } else {
                            let request = NarrationRequest {
                                lesson,
                                module_title: &module.title,
                                language: &course.language,
                                options: &job.options,
                            };
                            self.narration_writer.narration(request).await?
                        };
                        lessons.push(LessonNarration {
                            module: m,
                            lesson: l,
                            narration,
                        });
                    }
                }
                Ok(NarrationSet { lessons })
            })
            .await?;
        let set: NarrationSet = set;
        Ok(json!({"key": key, "lessons": set.lessons.len()}))
    }

    /// Plans a render of every narrated lesson (keeping a plan not yet
    /// started) and lists them for the workflow's Map.
    pub(super) async fn plan_renders(&self, id: JobId) -> Result<Value, StepError> {
        let job = self.jobs.get(id).await?;
        let set: NarrationSet = self.stage_output(&job, Stage::Videos).await?;
        let plans: Vec<RenderPlan> = set
            .lessons
            .iter()
            .filter(|n| {
                find(&job, n.module, n.lesson).is_none_or(|v| v.status != VideoStatus::NotStarted)
            })
            .map(|n| RenderPlan {
                at: LessonRef {
                    module: n.module,
                    lesson: n.lesson,
                },
                title: n.narration.title.clone(),
                options: None,
                narration_key: None,
            })
            .collect();
        // The plans not renewed (a render not yet started) render too.
        let (job, _) = self.plan::<StepError>(id, &plans).await?;
        let items: Vec<VideoItem> = set
            .lessons
            .iter()
            .filter_map(|n| find(&job, n.module, n.lesson))
            .map(item)
            .collect();
        Ok(json!({ "videos": items }))
    }

    /// Plans a new render attempt of each lesson in `plans`: the job as it
    /// is then, and the items that render them.
    pub async fn plan<E>(&self, id: JobId, plans: &[RenderPlan]) -> Result<(Job, Vec<VideoItem>), E>
    where
        E: From<StoreError> + From<TransitionError>,
    {
        let job = self
            .update_as::<E>(id, |_| {
                Ok(plans.iter().cloned().map(Command::PlanVideo).collect())
            })
            .await?;
        let items = plans
            .iter()
            .filter_map(|p| job.video(p.at))
            .map(item)
            .collect();
        Ok((job, items))
    }

    /// The narration lesson `video` renders: a reviewer's own for it, or
    /// the videos stage's.
    pub async fn narration_of(
        &self,
        job: &Job,
        video: &LessonVideo,
    ) -> Result<Option<Narration>, StepError> {
        if let Some(key) = &video.narration_key {
            let bytes = self.artifacts.get(key).await?.bytes;
            let narration = serde_json::from_slice(&bytes)
                .map_err(|e| StepError::new("CorruptArtifact", format!("{key}: {e}")))?;
            return Ok(Some(narration));
        }
        let set: NarrationSet = self.stage_output(job, Stage::Videos).await?;
        Ok(set.of(video.module, video.lesson).cloned())
    }

    /// Renders one lesson's video (`{"video": item}`), or records why it
    /// could not be (`{"video": item, "failure": {"Error", "Cause"}}`, from
    /// the Map's Catch). Only a transient failure is an error: any other
    /// fails the lesson, not the course.
    pub(super) async fn video(&self, id: JobId, payload: &Value) -> Result<Value, StepError> {
        let item: VideoItem = payload
            .get("video")
            .cloned()
            .and_then(|v| serde_json::from_value(v).ok())
            .ok_or_else(|| StepError::new("InvalidPayload", "video is missing or malformed"))?;
        if let Some(failure) = payload.get("failure") {
            let name = failure.get("Error").and_then(Value::as_str).unwrap_or("");
            let cause = failure.get("Cause").and_then(Value::as_str).unwrap_or("");
            return self
                .fail_video(
                    id,
                    item,
                    format!("{name}: {cause}").trim_matches([' ', ':']),
                )
                .await;
        }
        let job = self.jobs.get(id).await?;
        let Some(video) = find(&job, item.module, item.lesson) else {
            return Err(StepError::new(
                "NotFound",
                "the lesson has no video planned",
            ));
        };
        if video.attempt != item.attempt {
            return Ok(json!({"status": "superseded"}));
        }
        // A render ended (or cancelled) stays so: a resumed workflow does
        // not make it again.
        let start = match video.status {
            VideoStatus::Completed | VideoStatus::Failed => {
                return Ok(json!({"status": video.status}));
            }
            VideoStatus::NotStarted => VideoChange::Started,
            VideoStatus::Generating => VideoChange::Progress(0),
        };
        if !self.change_video(id, item, start).await? {
            return Ok(json!({"status": "superseded"}));
        }
        let Some(renderer) = self.renderer.clone() else {
            return self
                .fail_video(id, item, "this build renders no videos")
                .await;
        };
        let Some(narration) = self.narration_of(&job, video).await? else {
            return self
                .fail_video(id, item, "the lesson has no narration")
                .await;
        };
        if narration.is_unsaid() {
            return self.fail_video(id, item, NOTHING_TO_SAY).await;
        }
        let options = video.options.as_ref().unwrap_or(&job.options.videos);
        let (cancel, cancelled) = watch::channel(false);
        let (report, mut reported) = watch::channel(0u8);
        let progress = move |percent: u8| {
            report.send_if_modified(|last| {
                let newer = percent > *last;
                if newer {
                    *last = percent;
                }
                newer
            });
        };
        let render = renderer.render(&narration, options, &progress, cancelled);
        tokio::pin!(render);
        let rendered = loop {
            tokio::select! {
                done = &mut render => break done,
                () = tokio::time::sleep(WATCH_EVERY) => {
                    let fresh = reported.has_changed().unwrap_or(false);
                    let percent = fresh.then(|| *reported.borrow_and_update());
                    let current = match percent {
                        Some(p) => self.change_video(id, item, VideoChange::Progress(p)).await?,
                        None => self.still_current(id, item).await?,
                    };
                    if !current {
                        let _ = cancel.send(true);
                    }
                }
            }
        };
        match rendered {
            Ok(video) => self.store_video(id, item, video).await,
            Err(MediaError::Cancelled) => Ok(json!({"status": "cancelled"})),
            Err(MediaError::Unavailable(e)) => Err(StepError::new("Transient", e)),
            Err(e) => self.fail_video(id, item, &e.to_string()).await,
        }
    }

    /// Stores the video and its subtitles beside it, then completes the
    /// lesson (unless it was cancelled meanwhile: then they go again).
    async fn store_video(
        &self,
        id: JobId,
        item: VideoItem,
        video: RenderedVideo,
    ) -> Result<Value, StepError> {
        let key = |ext: &str| {
            let dir = format!("m{}-l{}", item.module + 1, item.lesson + 1);
            ArtifactKey::for_job(&id, &format!("videos/{dir}/lesson-{}.{ext}", item.attempt))
                .map_err(|e| StepError::new("InvalidKey", e.to_string()))
        };
        let (mp4, vtt, srt) = (key("mp4")?, key("vtt")?, key("srt")?);
        self.artifacts
            .put(&vtt, video.vtt.into_bytes(), "text/vtt")
            .await?;
        self.artifacts
            .put(&srt, video.srt.into_bytes(), "application/x-subrip")
            .await?;
        self.artifacts.put(&mp4, video.mp4, "video/mp4").await?;
        let done = VideoChange::Completed {
            output_key: mp4.clone(),
            duration_ms: video.duration_ms,
        };
        if self.change_video(id, item, done).await? {
            return Ok(json!({"status": "completed", "key": mp4}));
        }
        for key in [&mp4, &vtt, &srt] {
            self.artifacts.delete(key).await?;
        }
        Ok(json!({"status": "cancelled"}))
    }

    /// Fails the lesson's render `item` with `error`, if it is still on.
    async fn fail_video(
        &self,
        id: JobId,
        item: VideoItem,
        error: &str,
    ) -> Result<Value, StepError> {
        let failed = VideoChange::Failed {
            error: error.to_owned(),
        };
        self.change_video(id, item, failed).await?;
        Ok(json!({"status": "failed", "error": error}))
    }

    /// Applies `change` to render `item`; false when the render is no
    /// longer current (cancelled, planned again, ended).
    async fn change_video(
        &self,
        id: JobId,
        item: VideoItem,
        change: VideoChange,
    ) -> Result<bool, StepError> {
        // The job as last read decides: an update may read it more than once.
        let current = AtomicBool::new(true);
        self.update(id, |job| {
            let now = is_current(job, item);
            current.store(now, Ordering::Relaxed);
            Ok(if now {
                vec![Command::Video {
                    module: item.module,
                    lesson: item.lesson,
                    attempt: item.attempt,
                    change: change.clone(),
                }]
            } else {
                Vec::new()
            })
        })
        .await?;
        Ok(current.into_inner())
    }

    async fn still_current(&self, id: JobId, item: VideoItem) -> Result<bool, StepError> {
        Ok(is_current(&self.jobs.get(id).await?, item))
    }
}

fn item(video: &LessonVideo) -> VideoItem {
    VideoItem {
        module: video.module,
        lesson: video.lesson,
        attempt: video.attempt,
    }
}

fn find(job: &Job, module: usize, lesson: usize) -> Option<&LessonVideo> {
    job.video(LessonRef { module, lesson })
}

/// Whether render `item` may still change its lesson: its attempt, not
/// yet ended.
fn is_current(job: &Job, item: VideoItem) -> bool {
    find(job, item.module, item.lesson).is_some_and(|v| {
        v.attempt == item.attempt
            && matches!(v.status, VideoStatus::NotStarted | VideoStatus::Generating)
    })
}
