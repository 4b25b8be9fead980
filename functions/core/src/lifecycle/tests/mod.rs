//! Lifecycle tests: every (stage state, command) pair against an explicit
//! table, the rules behind particular commands, and a property test that no
//! sequence of commands breaks a job. This module holds the fixtures.

mod property;
mod rules;
mod transitions;
mod videos;

use chrono::{DateTime, TimeZone, Utc};

use super::*;
use crate::ids::{CourseId, VersionId};

pub(super) fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 9, 0, 0).unwrap()
}

pub(super) fn key(s: &str) -> ArtifactKey {
    s.parse().unwrap()
}

pub(super) fn new_job(options: Options) -> NewJob {
    NewJob {
        id: JobId::new(),
        owner: "alice".parse().unwrap(),
        course: CourseRef {
            course_id: CourseId::try_from("c1".to_owned()).unwrap(),
            version_id: VersionId::try_from("v1".to_owned()).unwrap(),
            module_id: None,
            section_id: None,
        },
        source: Source::Youtube {
            video_id: "henIVlCPVIY".parse().unwrap(),
        },
        options,
    }
}

/// A script job: the visual stages run, the course's are skipped.
pub(super) fn script_job() -> NewJob {
    let mut new = new_job(Options {
        storyboard: Some(Default::default()),
        ..Options::default()
    });
    new.source = Source::Document {
        upload_key: key("uploads/alice/script.docx"),
        format: crate::source::DocumentFormat::Docx,
    };
    new
}

pub(super) fn all_on() -> Options {
    Options {
        render_videos: true,
        ..Options::default()
    }
}

/// Parameters a rerun of `stage` accepts.
pub(super) fn rerun_parameters(stage: Stage) -> Value {
    match stage {
        Stage::Segment => serde_json::json!({"boundary_penalty": 1.5}),
        Stage::Questions => serde_json::json!({"assessment": {"questions": 4}}),
        Stage::Images | Stage::Clips => serde_json::json!({"frames": ["v01-s01-f02"]}),
        _ => serde_json::json!({}),
    }
}

/// Applies a command that must succeed, checking what every success must do.
pub(super) fn step(job: &Job, cmd: Command) -> Job {
    let (next, events) = apply(job, cmd.clone(), t0()).unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert_eq!(next.version, job.version + 1);
    let seqs: Vec<u64> = events.iter().map(|e| e.seq).collect();
    let expected: Vec<u64> = (job.last_event_seq + 1..=next.last_event_seq).collect();
    assert_eq!(seqs, expected, "events are numbered on from the job's last");
    check_invariants(&next).unwrap_or_else(|e| panic!("after {cmd:?}: {e}"));
    next
}

pub(super) fn complete(stage: Stage) -> Command {
    Command::CompleteRun {
        stage,
        output_key: key(&format!("jobs/x/{stage}.json")),
        usage: Usage::default(),
    }
}

/// Drives `stage` to done the way the workflow would (gate included).
pub(super) fn finish(job: Job, stage: Stage) -> Job {
    if job.stage(stage).status.is_done() {
        return job;
    }
    let job = step(&job, Command::StartStage { stage });
    let job = step(&job, complete(stage));
    if stage.is_gateable() {
        let job = step(
            &job,
            Command::AwaitApproval {
                stage,
                callback: None,
            },
        );
        step(&job, Command::Approve { stage, run: None })
    } else {
        job
    }
}

/// A consistent job whose `stage` is in `status`, with every stage it
/// depends on done. `None` where that state cannot happen to that stage.
pub(super) fn fixture(stage: Stage, status: StageStatus) -> Option<Job> {
    let made = if stage.is_visual() {
        script_job()
    } else {
        new_job(all_on())
    };
    let (mut job, _) = create(made, t0()).unwrap();
    if status == StageStatus::Skipped {
        if stage.is_visual() {
            // A course job skips the visual stages.
            return Some(create(new_job(all_on()), t0()).unwrap().0);
        }
        if !matches!(stage, Stage::Assessment | Stage::Videos) {
            return None;
        }
        let mut options = all_on();
        options.render_videos = stage != Stage::Videos;
        options.assessment.enabled = stage != Stage::Assessment;
        job = create(new_job(options), t0()).unwrap().0;
    }
    for s in prerequisites(stage) {
        job = finish(job, s);
    }
    let start = |j: &Job| step(j, Command::StartStage { stage });
    let done = |j: &Job| step(&start(j), complete(stage));
    let awaiting = |j: &Job| {
        step(
            &done(j),
            Command::AwaitApproval {
                stage,
                callback: None,
            },
        )
    };
    Some(match status {
        StageStatus::Pending | StageStatus::Skipped => job,
        StageStatus::Running => start(&job),
        StageStatus::Completed => done(&job),
        StageStatus::Failed => step(
            &start(&job),
            Command::FailRun {
                stage,
                error: "boom".into(),
            },
        ),
        StageStatus::Aborted => step(&start(&job), Command::Abort { reason: None }),
        StageStatus::AwaitingApproval if stage.is_gateable() => awaiting(&job),
        StageStatus::Approved if stage.is_gateable() => {
            step(&awaiting(&job), Command::Approve { stage, run: None })
        }
        StageStatus::AwaitingApproval | StageStatus::Approved => return None,
    })
}
