//! The clips stage: each video's narration spoken (it times the frames),
//! then a clip per frame asked of the job's provider. A provider's clip is
//! a task that takes minutes, so a call submits what it may, polls what is
//! due and fetches what is done, keeps where every task stands under the
//! run (`state.json`, written as soon as a task id is known), and tells the
//! workflow how long to wait before the next call: the waiting is the state
//! machine's, never a sleeping step. A frame the provider refuses, fails or
//! runs out of time on is moved here instead (the still, with its camera
//! move), and says why.

use std::time::Instant;

use chrono::Utc;
use serde_json::Value;
use tokio::sync::watch;

use super::storyboard::{frame_params, media_failure, script_options, spent, stepped_answer};
use super::{StepError, Stepped, Steps, run_file};
use crate::artifact::ArtifactKey;
use crate::generation::{GenerationJob, GenerationStatus, Next, PollPolicy};
use crate::ids::JobId;
use crate::job::Job;
use crate::ports::{ClipImage, ClipRequest, ClipState, Clips, MediaError, Visuals};
use crate::stage::{Stage, StageStatus};
use crate::storyboard::{Frame, Storyboard, VideoBoard, frame_name};
use crate::visuals::{
    CLIP_OVERLAP_MS, ClipSet, ClipSource, FrameClip, FrameImages, SpokenNarration,
    StoryboardOptions, VideoClips,
};

/// Tasks a job keeps at a provider at once: providers throttle beyond a few.
const MAX_IN_FLIGHT: usize = 4;

/// The longest the workflow waits between calls.
const LONGEST_WAIT_S: u64 = 60;

/// What one call works with.
struct Call<'a> {
    steps: &'a Steps,
    id: JobId,
    n: u32,
    visuals: &'a dyn Visuals,
    provider: std::sync::Arc<dyn Clips>,
    options: &'a StoryboardOptions,
    images: &'a FrameImages,
    policy: PollPolicy,
    /// Where the run keeps where every task stands.
    state_key: ArtifactKey,
}

impl Steps {
    pub(super) async fn clips(&self, id: JobId) -> Result<Value, StepError> {
        let visuals = self.visuals()?;
        let stepped = self
            .run_stage_in_steps(id, Stage::Clips, |job, n| async move {
                let board: Storyboard = self.stage_output(&job, Stage::Storyboard).await?;
                let images: FrameImages = self.stage_output(&job, Stage::Images).await?;
                let options = script_options(&job)?;
                let provider = visuals
                    .clips(options.clips)
                    .map_err(|e| media_failure("the clip provider", e))?;
                let state_key = run_file(id, Stage::Clips, n, "state.json")?;
                let mut set: ClipSet = match self.get_json(&state_key).await {
                    Ok(set) => set,
                    Err(_) if self.artifacts.head(&state_key).await?.is_none() => {
                        let params = frame_params(&job, Stage::Clips)?;
                        let kept: Option<ClipSet> = match params.frames {
                            Some(_) => self.earlier_output(&job, Stage::Clips, n).await?,
                            None => None,
                        };
                        kept.map(|k| keep(k, &params)).unwrap_or_default()
                    }
                    Err(e) => return Err(e),
                };
                let call = Call {
                    steps: self,
                    id,
                    n,
                    visuals: visuals.as_ref(),
                    provider,
                    options,
                    images: &images,
                    policy: self.clip_polling,
                    state_key: state_key.clone(),
                };
                let started = Instant::now();
                let result = call.advance(&board, &mut set, started).await;
                self.put_json(&state_key, &set).await?;
                let wait_s = result?;
                let total: usize = board.videos.iter().map(|v| v.frames().count()).sum();
                let made = set
                    .videos
                    .iter()
                    .flat_map(|v| &v.frames)
                    .filter(|f| f.key.is_some())
                    .count();
                if made == total && set.videos.len() == board.videos.len() {
                    return Ok(Stepped::Done(set));
                }
                let message = format!("{made} of {total} clips made");
                self.report(id, Stage::Clips, made, total, message).await?;
                Ok(Stepped::More { wait_s })
            })
            .await?;
        Ok(stepped_answer(&stepped))
    }
}

impl Steps {
    /// Where job `job`'s clip tasks stand: its latest clips run's number
    /// and tasks (as kept while it runs, or as it ended); `None` before any.
    pub async fn clip_tasks(&self, job: &Job) -> Result<Option<(u32, ClipSet)>, StepError> {
        let state = job.stage(Stage::Clips);
        let Some(run) = state.latest_run() else {
            return Ok(None);
        };
        if let Some(key) = &run.output_key {
            return Ok(Some((run.n, self.get_json(key).await?)));
        }
        let key = run_file(job.id, Stage::Clips, run.n, "state.json")?;
        if self.artifacts.head(&key).await?.is_none() {
            return Ok(Some((run.n, ClipSet::default())));
        }
        Ok(Some((run.n, self.get_json(&key).await?)))
    }

    /// Asks the provider to stop every clip task job `job` still has
    /// running (after an abort). Best effort: the abort is recorded
    /// whatever the provider answers, and a task it cannot be asked about
    /// ends by its own time limit.
    pub async fn cancel_clips(&self, job: &Job) {
        let state = job.stage(Stage::Clips);
        let (Some(visuals), Some(run), Some(options)) =
            (&self.visuals, state.latest_run(), &job.options.storyboard)
        else {
            return;
        };
        if state.status != StageStatus::Running {
            return;
        }
        let Ok(provider) = visuals.clips(options.clips) else {
            return;
        };
        let Ok(key) = run_file(job.id, Stage::Clips, run.n, "state.json") else {
            return;
        };
        let Ok(set) = self.get_json::<ClipSet>(&key).await else {
            return;
        };
        let running = set
            .videos
            .iter()
            .flat_map(|v| &v.frames)
            .filter(|f| f.key.is_none() && !f.generation.status.is_final());
        for task in running.filter_map(|f| f.generation.external_id.as_deref()) {
            let _ = provider.cancel(task).await;
        }
    }
}

/// What a rerun of some frames keeps of the run before: every video's
/// narration, and the clips of the frames not asked for again.
fn keep(mut set: ClipSet, params: &crate::visuals::FrameParams) -> ClipSet {
    for video in &mut set.videos {
        for frame in &mut video.frames {
            if params.remakes(&frame.name) {
                frame.key = None;
                frame.fallback = None;
                frame.generation = GenerationJob::new(&frame.generation.provider);
            }
        }
    }
    set
}

impl Call<'_> {
    /// Moves every frame on as far as this call may; the seconds to wait
    /// before the next call.
    async fn advance(
        &self,
        board: &Storyboard,
        set: &mut ClipSet,
        started: Instant,
    ) -> Result<u64, StepError> {
        for video in &board.videos {
            if set.video(video.number).is_none() {
                if spent(started) {
                    return Ok(0);
                }
                let spoken = self.narrate(video).await?;
                set.videos.push(spoken);
                self.save(set).await?;
            }
        }
        set.videos.sort_by_key(|v| v.number);
        let mut in_flight = set
            .videos
            .iter()
            .flat_map(|v| &v.frames)
            .filter(|f| f.key.is_none() && f.generation.external_id.is_some())
            .count();
        let mut wait_s = LONGEST_WAIT_S;
        for video in &board.videos {
            let Some(v) = set.videos.iter().position(|v| v.number == video.number) else {
                continue;
            };
            for (at, (shot, frame)) in video.frames().enumerate() {
                let Some(clip) = set.videos[v].frames.get(at) else {
                    return Err(StepError::new(
                        "CorruptArtifact",
                        format!(
                            "the clips kept for video {} do not match its storyboard",
                            video.number
                        ),
                    ));
                };
                if clip.key.is_some() {
                    continue;
                }
                if spent(started) {
                    return Ok(0);
                }
                let name = frame_name(video.number, shot, frame.number);
                let spoken = set.videos[v].narration.frame_ms.get(at).copied();
                let ms = spoken.unwrap_or(frame.duration_ms) + CLIP_OVERLAP_MS;
                if clip.generation.status == GenerationStatus::Pending {
                    if in_flight >= MAX_IN_FLIGHT {
                        wait_s = wait_s.min(1);
                        continue;
                    }
                    let submitted = self.submit(&name, frame, ms).await;
                    let clip = &mut set.videos[v].frames[at];
                    match submitted {
                        Ok(task) => {
                            let now = Utc::now();
                            clip.generation.submitted(task, now, &self.policy);
                            // Looked at once straight away: a clip made at
                            // submission (ours) is fetched in this call.
                            clip.generation.next_poll_at = Some(now);
                            in_flight += 1;
                        }
                        Err(MediaError::Unavailable(e)) => {
                            return Err(StepError::new(
                                "Transient",
                                format!("submitting the clip of {name}: {e}"),
                            ));
                        }
                        Err(e) => {
                            let why = format!("{} refused the clip: {e}", clip.generation.provider);
                            self.fall_back(clip, &name, frame, ms, why).await?;
                            continue;
                        }
                    }
                    // Kept before anything else can fail: the task is
                    // polled from now on, never submitted again.
                    self.save(set).await?;
                }
                let clip = &mut set.videos[v].frames[at];
                match self.follow(clip, &name).await? {
                    Some(wait) => wait_s = wait_s.min(wait),
                    None if clip.key.is_none() => {
                        in_flight = in_flight.saturating_sub(1);
                        let why = ended(&clip.generation);
                        self.fall_back(clip, &name, frame, ms, why).await?;
                    }
                    None => in_flight = in_flight.saturating_sub(1),
                }
            }
        }
        Ok(wait_s.max(1))
    }

    /// Keeps where every task stands.
    async fn save(&self, set: &ClipSet) -> Result<(), StepError> {
        self.steps.put_json(&self.state_key, set).await
    }

    /// Speaks `video`'s narration and keeps it under the run.
    async fn narrate(&self, video: &VideoBoard) -> Result<VideoClips, StepError> {
        let never = watch::channel(false).1;
        let what = format!("the narration of video {}", video.number);
        let spoken = self
            .visuals
            .narrate(video, &self.options.video, never)
            .await
            .map_err(|e| media_failure(&what, e))?;
        let file = |ext: &str| {
            run_file(
                self.id,
                Stage::Clips,
                self.n,
                &format!("v{:02}.{ext}", video.number),
            )
        };
        let (wav, vtt, srt) = (file("wav")?, file("vtt")?, file("srt")?);
        let store = &self.steps.artifacts;
        store.put(&wav, spoken.wav, "audio/wav").await?;
        store.put(&vtt, spoken.vtt.into_bytes(), "text/vtt").await?;
        store
            .put(&srt, spoken.srt.into_bytes(), "application/x-subrip")
            .await?;
        let provider = self.provider.provider();
        Ok(VideoClips {
            number: video.number,
            narration: SpokenNarration {
                wav,
                vtt,
                srt,
                duration_ms: spoken.duration_ms,
                frame_ms: spoken.frame_ms,
            },
            frames: video
                .frames()
                .map(|(shot, f)| FrameClip {
                    name: frame_name(video.number, shot, f.number),
                    key: None,
                    generation: GenerationJob::new(provider),
                    fallback: None,
                })
                .collect(),
        })
    }

    async fn still(&self, name: &str) -> Result<Vec<u8>, StepError> {
        let image = self.images.get(name).ok_or_else(|| {
            StepError::new(
                "MissingInput",
                format!("the images stage has no picture of {name}"),
            )
        })?;
        Ok(self.steps.artifacts.get(&image.key).await?.bytes)
    }

    async fn submit(
        &self,
        name: &str,
        frame: &Frame,
        duration_ms: u64,
    ) -> Result<String, MediaError> {
        let png = self
            .still(name)
            .await
            .map_err(|e| MediaError::Failed(e.to_string()))?;
        submit_to(
            self.provider.as_ref(),
            &png,
            frame,
            duration_ms,
            self.options,
        )
        .await
    }

    /// Polls the frame's task when due, fetching its clip once made: the
    /// seconds until the next poll, or `None` once the task has ended.
    async fn follow(&self, clip: &mut FrameClip, name: &str) -> Result<Option<u64>, StepError> {
        let now = Utc::now();
        let job = &mut clip.generation;
        let task = job.external_id.clone().unwrap_or_default();
        let next = match (job.status, &job.output_url) {
            (GenerationStatus::Succeeded, Some(url)) => Next::Fetch(url.clone()),
            (status, _) if status.is_final() => Next::Done,
            _ if job.next_poll_at.is_some_and(|at| at > now) => {
                let due = job.next_poll_at.map_or(0, |at| (at - now).num_seconds());
                return Ok(Some(u64::try_from(due).unwrap_or(0).max(1)));
            }
            _ => match self.provider.poll(&task).await {
                Ok(state) => job.observed(&state, now, &self.policy),
                Err(MediaError::Unavailable(_)) => job.unreachable(now, &self.policy),
                Err(e) => job.observed(&failed(&e), now, &self.policy),
            },
        };
        match next {
            Next::Wait(wait) => Ok(Some(u64::try_from(wait.num_seconds()).unwrap_or(1).max(1))),
            Next::Fetch(url) => {
                let bytes = match self.provider.fetch(&url).await {
                    Ok(bytes) => bytes,
                    Err(MediaError::Unavailable(e)) => {
                        return Err(StepError::new(
                            "Transient",
                            format!("fetching the clip of {name}: {e}"),
                        ));
                    }
                    Err(e) => {
                        job.status = GenerationStatus::Failed;
                        job.error = Some(crate::generation::GenerationError {
                            code: "fetch_failed".into(),
                            message: e.to_string(),
                        });
                        return Ok(None);
                    }
                };
                clip.key = Some(self.put_clip(name, bytes).await?);
                Ok(None)
            }
            Next::Cancel => {
                // Past its time: the provider is told to stop (best
                // effort: it may have ended meanwhile).
                let _ = self.provider.cancel(&task).await;
                Ok(None)
            }
            Next::Done => Ok(None),
        }
    }

    /// The frame's still moved here, for a clip the provider did not make.
    async fn fall_back(
        &self,
        clip: &mut FrameClip,
        name: &str,
        frame: &Frame,
        duration_ms: u64,
        why: String,
    ) -> Result<(), StepError> {
        let png = self.still(name).await?;
        let here = self
            .visuals
            .clips(ClipSource::Offline)
            .map_err(|e| media_failure("moving the still", e))?;
        let what = format!("the clip of {name}");
        let task = submit_to(here.as_ref(), &png, frame, duration_ms, self.options)
            .await
            .map_err(|e| media_failure(&what, e))?;
        let bytes = match here
            .poll(&task)
            .await
            .map_err(|e| media_failure(&what, e))?
        {
            ClipState::Succeeded { url } => here
                .fetch(&url)
                .await
                .map_err(|e| media_failure(&what, e))?,
            other => {
                return Err(StepError::new(
                    "MediaFailed",
                    format!("{what}: moving the still gave {other:?}"),
                ));
            }
        };
        clip.key = Some(self.put_clip(name, bytes).await?);
        clip.fallback = Some(why);
        Ok(())
    }

    async fn put_clip(&self, name: &str, bytes: Vec<u8>) -> Result<ArtifactKey, StepError> {
        let key = run_file(self.id, Stage::Clips, self.n, &format!("{name}.mp4"))?;
        self.steps.artifacts.put(&key, bytes, "video/mp4").await?;
        Ok(key)
    }
}

async fn submit_to(
    provider: &dyn Clips,
    png: &[u8],
    frame: &Frame,
    duration_ms: u64,
    options: &StoryboardOptions,
) -> Result<String, MediaError> {
    provider
        .submit(ClipRequest {
            start: ClipImage { png, url: None },
            end: None,
            prompt: &frame.seen,
            camera: frame.camera,
            duration_ms,
            size: options.video.frame_size(),
        })
        .await
}

/// A provider's answer that cannot be read, as the task's end.
fn failed(e: &MediaError) -> ClipState {
    ClipState::Failed {
        code: "unreadable".into(),
        message: e.to_string(),
        safety: false,
    }
}

/// Why a task ended without a clip, in words.
fn ended(job: &GenerationJob) -> String {
    match &job.error {
        Some(e) => format!("{} gave no clip ({}): {}", job.provider, e.code, e.message),
        None => format!("{} gave no clip ({:?})", job.provider, job.status),
    }
}
