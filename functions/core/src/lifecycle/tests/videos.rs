//! A lesson video's status: planned, started, progress, completed or
//! failed, per render attempt; a superseded attempt changes nothing; a job
//! that succeeded still takes its videos' changes, an aborted one does not.

use super::*;
use crate::videos::{LessonRef, RenderPlan, VideoChange, VideoOptions, VideoStatus};

fn plan(job: &Job, lesson: usize) -> Job {
    step(
        job,
        Command::PlanVideo(RenderPlan {
            at: LessonRef { module: 0, lesson },
            title: format!("Lesson {}", lesson + 1),
            options: None,
            narration_key: None,
        }),
    )
}

fn change(lesson: usize, attempt: u32, change: VideoChange) -> Command {
    Command::Video {
        module: 0,
        lesson,
        attempt,
        change,
    }
}

fn refused(job: &Job, cmd: Command) -> String {
    match apply(job, cmd, t0()) {
        Err(TransitionError::Conflict { state, .. }) => state,
        other => panic!("expected a conflict, got {other:?}"),
    }
}

#[test]
fn a_render_goes_from_planned_to_completed_with_an_event_each_step() {
    let (job, _) = create(new_job(all_on()), t0()).unwrap();
    let job = plan(&job, 1);
    let job = plan(&job, 0);
    assert_eq!(
        job.videos
            .iter()
            .map(|v| v.lesson_path.as_str())
            .collect::<Vec<_>>(),
        ["m1/l1", "m1/l2"],
        "kept in lesson order"
    );
    let job = step(&job, change(0, 1, VideoChange::Started));
    let job = step(&job, change(0, 1, VideoChange::Progress(40)));
    assert_eq!(
        (job.videos[0].status, job.videos[0].progress),
        (VideoStatus::Generating, 40)
    );
    let (done, events) = apply(
        &job,
        change(
            0,
            1,
            VideoChange::Completed {
                output_key: key("jobs/j/videos/m1-l1/lesson.mp4"),
                duration_ms: 61_000,
            },
        ),
        t0(),
    )
    .unwrap();
    assert_eq!(done.videos[0].status, VideoStatus::Completed);
    assert_eq!(done.videos[0].generated_at, Some(t0()));
    assert_eq!(events[0].kind.name(), "video_status");
    // Twice completed, or progress after the end: refused.
    assert!(refused(&done, change(0, 1, VideoChange::Progress(50))).contains("is completed"));
}

#[test]
fn a_superseded_attempt_changes_nothing() {
    let (job, _) = create(new_job(all_on()), t0()).unwrap();
    let job = step(&plan(&job, 0), change(0, 1, VideoChange::Started));
    let again = plan(&job, 0);
    assert_eq!(
        (again.videos[0].attempt, again.videos[0].status),
        (2, VideoStatus::NotStarted)
    );
    let late = change(
        0,
        1,
        VideoChange::Completed {
            output_key: key("jobs/j/videos/m1-l1/lesson.mp4"),
            duration_ms: 1,
        },
    );
    assert!(refused(&again, late).contains("attempt 2, not 1"));
    assert!(refused(&again, change(1, 1, VideoChange::Started)).contains("no video planned"));
    let failed = step(
        &again,
        change(
            0,
            2,
            VideoChange::Failed {
                error: "no voice".into(),
            },
        ),
    );
    assert_eq!(failed.videos[0].error.as_deref(), Some("no voice"));
}

#[test]
fn a_succeeded_job_takes_videos_an_aborted_one_does_not() {
    let (job, _) = create(new_job(Options::default()), t0()).unwrap();
    let ended = Stage::ALL.into_iter().fold(job.clone(), finish);
    let ended = step(&ended, Command::Succeed);
    let planned = plan(&ended, 0);
    assert_eq!(planned.status, JobStatus::Succeeded);
    let aborted = step(&job, Command::Abort { reason: None });
    assert!(
        refused(
            &aborted,
            Command::PlanVideo(RenderPlan {
                at: LessonRef {
                    module: 0,
                    lesson: 0
                },
                title: "x".into(),
                options: None,
                narration_key: None,
            })
        )
        .contains("aborted")
    );
}

#[test]
fn a_new_attempt_keeps_the_options_and_narration_it_does_not_change() {
    let (job, _) = create(new_job(all_on()), t0()).unwrap();
    let at = LessonRef {
        module: 0,
        lesson: 0,
    };
    let full_hd = VideoOptions {
        resolution: crate::videos::Resolution::FullHd,
        ..VideoOptions::default()
    };
    let edited: ArtifactKey = "jobs/j/videos/m1-l1/narration-2.json".parse().unwrap();
    let job = step(
        &job,
        Command::PlanVideo(RenderPlan {
            at,
            title: "One".into(),
            options: Some(full_hd.clone()),
            narration_key: Some(edited.clone()),
        }),
    );
    let job = plan(&job, 0);
    let video = &job.videos[0];
    assert_eq!(video.attempt, 2);
    assert_eq!(video.options.as_ref(), Some(&full_hd));
    assert_eq!(video.narration_key.as_ref(), Some(&edited));
}
