//! The rules of a lesson video's status: a render attempt is planned, then
//! starts, makes progress, and completes or fails; what a superseded
//! attempt reports (a render cancelled or planned again) is refused.

use chrono::{DateTime, Utc};

use crate::event::EventKind;
use crate::job::Job;
use crate::videos::{LessonVideo, RenderPlan, VideoChange, VideoStatus, lesson_path};

/// A new render attempt of a lesson's video, replacing what was there but
/// the options and narration the plan does not change.
pub(super) fn plan(job: &mut Job, plan: &RenderPlan) -> Vec<EventKind> {
    let (module, lesson) = (plan.at.module, plan.at.lesson);
    let path = lesson_path(module, lesson);
    let found = job
        .videos
        .iter()
        .position(|v| (v.module, v.lesson) == (module, lesson));
    let before = found.map(|i| &job.videos[i]);
    let video = LessonVideo {
        module,
        lesson,
        lesson_path: path.clone(),
        title: plan.title.clone(),
        status: VideoStatus::NotStarted,
        progress: 0,
        attempt: before.map_or(1, |v| v.attempt + 1),
        error: None,
        output_key: None,
        duration_ms: None,
        generated_at: None,
        options: plan
            .options
            .clone()
            .or_else(|| before.and_then(|v| v.options.clone())),
        narration_key: plan
            .narration_key
            .clone()
            .or_else(|| before.and_then(|v| v.narration_key.clone())),
    };
    match found {
        Some(i) => job.videos[i] = video,
        None => {
            job.videos.push(video);
            job.videos.sort_by_key(|v| (v.module, v.lesson));
        }
    }
    vec![event(&path, VideoStatus::NotStarted, 0, None)]
}

/// Applies `change` to lesson `at`'s video in render `attempt`; the event
/// that says so, or why it cannot be.
pub(super) fn apply(
    job: &mut Job,
    at: (usize, usize),
    attempt: u32,
    change: &VideoChange,
    now: DateTime<Utc>,
) -> Result<Vec<EventKind>, String> {
    let path = lesson_path(at.0, at.1);
    let video = job
        .videos
        .iter_mut()
        .find(|v| (v.module, v.lesson) == at)
        .ok_or_else(|| format!("lesson {path} has no video planned"))?;
    if video.attempt != attempt {
        return Err(format!(
            "lesson {path}'s video is at attempt {}, not {attempt}",
            video.attempt
        ));
    }
    let expect = |video: &LessonVideo, statuses: &[VideoStatus]| {
        if statuses.contains(&video.status) {
            Ok(())
        } else {
            Err(format!(
                "lesson {path}'s video is {}",
                video.status.as_str()
            ))
        }
    };
    match change {
        VideoChange::Started => {
            expect(video, &[VideoStatus::NotStarted])?;
            video.status = VideoStatus::Generating;
            video.progress = 0;
        }
        VideoChange::Progress(percent) => {
            expect(video, &[VideoStatus::Generating])?;
            video.progress = (*percent).min(100);
        }
        VideoChange::Completed {
            output_key,
            duration_ms,
        } => {
            expect(video, &[VideoStatus::Generating])?;
            video.status = VideoStatus::Completed;
            video.progress = 100;
            video.output_key = Some(output_key.clone());
            video.duration_ms = Some(*duration_ms);
            video.generated_at = Some(now);
        }
        VideoChange::Failed { error } => {
            expect(video, &[VideoStatus::NotStarted, VideoStatus::Generating])?;
            video.status = VideoStatus::Failed;
            video.error = Some(error.clone());
            video.generated_at = Some(now);
        }
    }
    Ok(vec![event(
        &path,
        video.status,
        video.progress,
        video.error.clone(),
    )])
}

fn event(path: &str, status: VideoStatus, progress: u8, error: Option<String>) -> EventKind {
    EventKind::VideoStatus {
        lesson_path: path.to_owned(),
        status,
        progress,
        error,
    }
}
