//! A job's progress: stage weights (see [`Stage::weight`]) plus the share of
//! work done inside the running stage (lessons written so far).

use chrono::{DateTime, Utc};

use crate::job::{Job, JobStatus, Progress};
use crate::stage::StageStatus;

/// Percent complete, 0–100. Only a succeeded job is at 100: until then the
/// job may still wait on something, so the figure stops at 99.
pub fn percent_complete(job: &Job) -> u8 {
    if job.status == JobStatus::Succeeded {
        return 100;
    }
    // A skipped stage is not this job's work (a script job skips the
    // course's stages, a course job the visual ones): it counts for nothing.
    let run = || {
        job.stages
            .iter()
            .filter(|s| s.status != StageStatus::Skipped)
    };
    let total: u32 = run().map(|s| s.stage.weight()).sum();
    let mut done = 0.0_f64;
    for state in run() {
        let weight = f64::from(state.stage.weight());
        done += match state.status {
            s if s.is_done() => weight,
            StageStatus::AwaitingApproval => weight,
            StageStatus::Running => state
                .progress
                .as_ref()
                .filter(|p| p.total > 0)
                .map_or(0.0, |p| {
                    weight * f64::from(p.done.min(p.total)) / f64::from(p.total)
                }),
            _ => 0.0,
        };
    }
    let percent = (done * 100.0 / f64::from(total.max(1))).floor();
    // Bounded to 0..=99 just above, so the cast cannot truncate.
    percent.clamp(0.0, 99.0) as u8
}

/// How long until the job is done, from the machine time its runs have
/// taken so far: the work left is assumed to go at the pace the work done
/// went. `None` when a person must act (a review is waiting), when the job
/// has ended, or before there is any pace to go by.
pub fn eta(job: &Job, now: DateTime<Utc>) -> Option<chrono::Duration> {
    if job.status.is_terminal() || job.status == JobStatus::AwaitingApproval {
        return None;
    }
    let worked: i64 = job
        .stages
        .iter()
        .flat_map(|s| &s.runs)
        .map(|r| {
            (r.finished_at.unwrap_or(now) - r.started_at)
                .num_milliseconds()
                .max(0)
        })
        .sum();
    let percent = i64::from(percent_complete(job));
    if percent == 0 || worked == 0 {
        return None;
    }
    Some(chrono::Duration::milliseconds(
        worked * (100 - percent) / percent,
    ))
}

pub(super) fn of(job: &Job) -> Progress {
    let current_stage = if job.status.is_terminal() {
        None
    } else {
        job.stages
            .iter()
            .find(|s| {
                matches!(
                    s.status,
                    StageStatus::Running | StageStatus::AwaitingApproval
                )
            })
            .or_else(|| job.stages.iter().find(|s| !s.status.is_done()))
            .map(|s| s.stage)
    };
    Progress {
        percent: percent_complete(job),
        current_stage,
    }
}
