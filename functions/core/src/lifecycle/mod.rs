//! The job lifecycle: every rule about how a job may change, as pure
//! functions. `create` makes a job; `apply` takes a job and a command and
//! returns the changed job and the events that describe the change, or a
//! typed error saying why the command is not allowed in the current state.
//! Nothing here does I/O or reads the clock: `now` is passed in.

mod invariants;
mod progress;
mod rerun;
mod videos;

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::artifact::ArtifactKey;
use crate::event::{Event, EventKind};
use crate::ids::{CallbackId, JobId, UserId};
use crate::job::{CourseRef, Job, JobStatus, Progress, Stages};
use crate::options::Options;
use crate::source::Source;
use crate::stage::{Run, RunStatus, Stage, StageProgress, StageState, StageStatus, Usage};
use crate::validation::ValidationError;
use crate::videos::{RenderPlan, VideoChange};

pub use invariants::check_invariants;
pub use progress::{eta, percent_complete};

/// What a caller asks for when creating a job.
#[derive(Debug, Clone, PartialEq)]
pub struct NewJob {
    pub id: JobId,
    pub owner: UserId,
    pub course: CourseRef,
    pub source: Source,
    pub options: Options,
}

/// A change to an existing job.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Begin a new run of a pending (or failed) stage, with the stage's
    /// parameters.
    StartStage {
        stage: Stage,
    },
    /// Work done so far in a running stage.
    Progress {
        stage: Stage,
        done: u32,
        total: u32,
        message: Option<String>,
    },
    CompleteRun {
        stage: Stage,
        output_key: ArtifactKey,
        usage: Usage,
    },
    FailRun {
        stage: Stage,
        error: String,
    },
    /// Model calls made for the running run of `stage` so far (a lesson
    /// written, or an attempt that failed), added to the run's usage.
    AddUsage {
        stage: Stage,
        usage: Usage,
    },
    /// A completed gateable stage now waits for a human.
    AwaitApproval {
        stage: Stage,
        callback: Option<CallbackId>,
    },
    /// Approve run `run` (default: the latest run).
    Approve {
        stage: Stage,
        run: Option<u32>,
    },
    /// A human's edit of run `base_run` (default: the latest), stored at
    /// `output_key`, becomes a new run.
    Edit {
        stage: Stage,
        base_run: Option<u32>,
        output_key: ArtifactKey,
    },
    /// Run the stage again with new parameters.
    Rerun {
        stage: Stage,
        parameters: Value,
    },
    Abort {
        reason: Option<String>,
    },
    Succeed,
    Fail {
        error: String,
    },
    /// Record the workflow execution that runs this job.
    BindExecution {
        execution_id: String,
    },
    /// A running stage's work went to an external worker (the AI server),
    /// which reports back through `callback`.
    AwaitWorker {
        stage: Stage,
        callback: CallbackId,
    },
    /// A worker's report that changes nothing (late, superseded or for an
    /// ended job) is kept as an event. Allowed whatever the job's state.
    NoteIgnoredReport {
        stage: Stage,
        report: String,
        reason: String,
    },
    /// Lesson (`module`, `lesson`) will get a video: a new render attempt,
    /// replacing what an earlier one made. Allowed, like [`Command::Video`],
    /// on a job that succeeded: videos may be made, or made again, later.
    PlanVideo(RenderPlan),
    /// Lesson (`module`, `lesson`)'s video changed in render `attempt`.
    Video {
        module: usize,
        lesson: usize,
        attempt: u32,
        change: VideoChange,
    },
}

impl Command {
    /// What the command does, for error messages: "approve stage segment".
    pub fn describe(&self) -> String {
        let (verb, stage) = match self {
            Command::StartStage { stage } => ("start", Some(stage)),
            Command::Progress { stage, .. } => ("report progress on", Some(stage)),
            Command::CompleteRun { stage, .. } => ("complete the run of", Some(stage)),
            Command::FailRun { stage, .. } => ("fail the run of", Some(stage)),
            Command::AddUsage { stage, .. } => ("add usage to", Some(stage)),
            Command::AwaitApproval { stage, .. } => ("await approval of", Some(stage)),
            Command::Approve { stage, .. } => ("approve", Some(stage)),
            Command::Edit { stage, .. } => ("edit", Some(stage)),
            Command::Rerun { stage, .. } => ("rerun", Some(stage)),
            Command::Abort { .. } => ("abort the job", None),
            Command::Succeed => ("complete the job", None),
            Command::Fail { .. } => ("fail the job", None),
            Command::BindExecution { .. } => ("bind an execution to the job", None),
            Command::AwaitWorker { stage, .. } => ("hand to a worker", Some(stage)),
            Command::NoteIgnoredReport { stage, .. } => ("note a report on", Some(stage)),
            Command::PlanVideo(_) => ("plan a lesson's video", None),
            Command::Video { .. } => ("record a lesson video's progress", None),
        };
        match stage {
            Some(stage) => format!("{verb} stage {stage}"),
            None => verb.to_owned(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TransitionError {
    /// The command is not allowed in the job's current state (HTTP 409).
    #[error("cannot {action}: {state}")]
    Conflict { action: String, state: String },
    /// The command names a run the stage does not have (HTTP 404).
    #[error("stage {stage} has no run {run}")]
    UnknownRun { stage: Stage, run: u32 },
    /// The command's own data is invalid (HTTP 400).
    #[error(transparent)]
    Invalid(#[from] ValidationError),
}

/// Makes a new job: queued, every stage pending except those the options
/// switch off (no assessment, no videos), which are skipped.
pub fn create(new: NewJob, now: DateTime<Utc>) -> Result<(Job, Vec<Event>), ValidationError> {
    new.source.validate().map_err(|e| e.within("source"))?;
    new.options.validate().map_err(|e| e.within("options"))?;
    let visual = new.options.storyboard.is_some();
    if visual && !matches!(new.source, Source::Document { .. }) {
        return Err(ValidationError::new(
            "options.storyboard",
            "a storyboard is made from a course script: the source must be a document (.docx, .md, .txt)",
        ));
    }
    // A script job runs the visual stages, a course job the course's.
    let skipped = |stage: Stage| match stage {
        Stage::Ingest | Stage::Validate => false,
        _ if stage.is_visual() => !visual,
        _ if visual => true,
        Stage::Assessment => !new.options.assessment.enabled,
        Stage::Videos => !new.options.render_videos,
        _ => false,
    };
    let stages = Stages::new(|stage| {
        let status = if skipped(stage) {
            StageStatus::Skipped
        } else {
            StageStatus::Pending
        };
        StageState::new(stage, status)
    });
    let mut job = Job {
        id: new.id,
        owner: new.owner,
        course: new.course,
        source: new.source,
        options: new.options,
        status: JobStatus::Queued,
        stages,
        progress: Progress::default(),
        error: None,
        version: 1,
        last_event_seq: 0,
        created_at: now,
        updated_at: now,
        execution_id: None,
        videos: Vec::new(),
    };
    job.progress = progress::of(&job);
    let events = vec![next_event(&mut job, now, EventKind::JobCreated)];
    Ok((job, events))
}

/// Applies `command` to `job`. On success the returned job has version + 1
/// and the returned events are numbered after `job.last_event_seq`.
pub fn apply(
    job: &Job,
    command: Command,
    now: DateTime<Utc>,
) -> Result<(Job, Vec<Event>), TransitionError> {
    let conflict = |state: String| TransitionError::Conflict {
        action: command.describe(),
        state,
    };
    // Noting an ignored report is a change any ended job still takes, and
    // a succeeded job's lessons may get videos.
    let allowed_ended = match command {
        Command::NoteIgnoredReport { .. } => true,
        Command::PlanVideo(_) | Command::Video { .. } => job.status == JobStatus::Succeeded,
        _ => false,
    };
    if job.status.is_terminal() && !allowed_ended {
        return Err(conflict(format!("the job has {}", job.status)));
    }
    let mut next = job.clone();
    let kinds = match &command {
        Command::StartStage { stage } => start_stage(&mut next, *stage, now).map_err(conflict)?,
        Command::Progress {
            stage,
            done,
            total,
            message,
        } => {
            expect_status(job, *stage, StageStatus::Running).map_err(conflict)?;
            if *total == 0 || done > total {
                return Err(ValidationError::new(
                    "done",
                    format!("{done} of {total} is not a valid count"),
                )
                .into());
            }
            next.stage_mut(*stage).progress = Some(StageProgress {
                done: *done,
                total: *total,
                message: message.clone(),
            });
            let percent = progress::of(&next).percent;
            vec![EventKind::StageProgress {
                stage: *stage,
                done: *done,
                total: *total,
                percent,
                message: message.clone(),
            }]
        }
        Command::CompleteRun {
            stage,
            output_key,
            usage,
        } => {
            let run =
                end_running_run(&mut next, *stage, RunStatus::Completed, now).map_err(conflict)?;
            run.output_key = Some(output_key.clone());
            run.usage += *usage;
            vec![EventKind::RunCompleted {
                stage: *stage,
                run: run.n,
            }]
        }
        Command::AddUsage { stage, usage } => {
            expect_status(job, *stage, StageStatus::Running).map_err(conflict)?;
            running_run(next.stage_mut(*stage)).map_err(conflict)?.usage += *usage;
            Vec::new()
        }
        Command::FailRun { stage, error } => {
            let run =
                end_running_run(&mut next, *stage, RunStatus::Failed, now).map_err(conflict)?;
            run.error = Some(error.clone());
            vec![EventKind::StageFailed {
                stage: *stage,
                run: run.n,
                error: error.clone(),
            }]
        }
        Command::AwaitApproval { stage, callback } => {
            if !stage.is_gateable() {
                return Err(conflict(format!("stage {stage} has no approval gate")));
            }
            expect_status(job, *stage, StageStatus::Completed).map_err(conflict)?;
            let state = next.stage_mut(*stage);
            state.status = StageStatus::AwaitingApproval;
            state.callback = callback.clone();
            let run = latest_run_number(state);
            vec![EventKind::AwaitingApproval { stage: *stage, run }]
        }
        Command::Approve { stage, run } => {
            expect_status(job, *stage, StageStatus::AwaitingApproval).map_err(conflict)?;
            let n = completed_run(job.stage(*stage), *run)?;
            let state = next.stage_mut(*stage);
            state.status = StageStatus::Approved;
            state.approved_run = Some(n);
            state.callback = None;
            vec![EventKind::Approved {
                stage: *stage,
                run: n,
            }]
        }
        Command::Edit {
            stage,
            base_run,
            output_key,
        } => {
            expect_status(job, *stage, StageStatus::AwaitingApproval).map_err(conflict)?;
            let base = completed_run(job.stage(*stage), *base_run)?;
            let state = next.stage_mut(*stage);
            let parameters = state
                .run(base)
                .map_or_else(|| state.parameters.clone(), |r| r.parameters.clone());
            let n = state.next_run_number();
            state.runs.push(Run {
                n,
                status: RunStatus::Completed,
                parameters,
                output_key: Some(output_key.clone()),
                error: None,
                usage: Usage::default(),
                started_at: now,
                finished_at: Some(now),
                edited_from: Some(base),
            });
            vec![EventKind::Edited {
                stage: *stage,
                run: n,
                edited_from: base,
            }]
        }
        Command::Rerun { stage, parameters } => {
            expect_status(job, *stage, StageStatus::AwaitingApproval).map_err(conflict)?;
            rerun::check(job, *stage, parameters)?;
            let state = next.stage_mut(*stage);
            state.status = StageStatus::Pending;
            state.parameters = parameters.clone();
            state.callback = None;
            for earlier in rerun::made_again(*stage) {
                let state = next.stage_mut(*earlier);
                if state.status != StageStatus::Skipped {
                    state.status = StageStatus::Pending;
                    state.parameters = parameters.clone();
                }
            }
            vec![EventKind::RerunRequested {
                stage: *stage,
                parameters: parameters.clone(),
            }]
        }
        Command::Abort { reason } => {
            end_open_stages(&mut next, StageStatus::Aborted, RunStatus::Aborted, now);
            next.status = JobStatus::Aborted;
            next.error = reason.clone();
            vec![EventKind::JobAborted {
                reason: reason.clone(),
            }]
        }
        Command::Succeed => {
            if let Some(open) = job.stages.iter().find(|s| !s.status.is_done()) {
                return Err(conflict(format!("stage {} is {}", open.stage, open.status)));
            }
            next.status = JobStatus::Succeeded;
            vec![EventKind::JobSucceeded]
        }
        Command::Fail { error } => {
            end_open_stages(&mut next, StageStatus::Failed, RunStatus::Failed, now);
            next.status = JobStatus::Failed;
            next.error = Some(error.clone());
            vec![EventKind::JobFailed {
                error: error.clone(),
            }]
        }
        Command::BindExecution { execution_id } => {
            if let Some(existing) = &job.execution_id {
                return Err(conflict(format!(
                    "it is already run by execution {existing}"
                )));
            }
            if execution_id.trim().is_empty() {
                return Err(ValidationError::new("execution_id", "must not be empty").into());
            }
            next.execution_id = Some(execution_id.clone());
            Vec::new()
        }
        Command::AwaitWorker { stage, callback } => {
            expect_status(job, *stage, StageStatus::Running).map_err(conflict)?;
            next.stage_mut(*stage).callback = Some(callback.clone());
            Vec::new()
        }
        Command::NoteIgnoredReport {
            stage,
            report,
            reason,
        } => vec![EventKind::ReportIgnored {
            stage: *stage,
            report: report.clone(),
            reason: reason.clone(),
        }],
        Command::PlanVideo(plan) => videos::plan(&mut next, plan),
        Command::Video {
            module,
            lesson,
            attempt,
            change,
        } => {
            videos::apply(&mut next, (*module, *lesson), *attempt, change, now).map_err(conflict)?
        }
    };
    if !next.status.is_terminal() {
        next.status = derived_status(&next);
    }
    next.progress = progress::of(&next);
    next.version += 1;
    next.updated_at = now;
    let events = kinds
        .into_iter()
        .map(|kind| next_event(&mut next, now, kind))
        .collect();
    Ok((next, events))
}

fn next_event(job: &mut Job, at: DateTime<Utc>, kind: EventKind) -> Event {
    job.last_event_seq += 1;
    Event {
        job_id: job.id,
        seq: job.last_event_seq,
        at,
        kind,
    }
}

fn expect_status(job: &Job, stage: Stage, expected: StageStatus) -> Result<(), String> {
    let actual = job.stage(stage).status;
    if actual == expected {
        Ok(())
    } else {
        Err(format!("stage {stage} is {actual}, not {expected}"))
    }
}

/// The stages that must be done before `stage` may start. Lessons and the
/// assessment run side by side, so neither waits for the other.
fn prerequisites(stage: Stage) -> impl Iterator<Item = Stage> {
    Stage::ALL
        .into_iter()
        .filter(move |s| *s < stage && !matches!((stage, *s), (Stage::Assessment, Stage::Lessons)))
}

/// Starts a pending stage, or retries a failed one, as run n + 1.
fn start_stage(job: &mut Job, stage: Stage, now: DateTime<Utc>) -> Result<Vec<EventKind>, String> {
    let status = job.stage(stage).status;
    if !matches!(status, StageStatus::Pending | StageStatus::Failed) {
        return Err(format!("stage {stage} is {status}, not pending or failed"));
    }
    if let Some(blocker) = prerequisites(stage).find(|s| !job.stage(*s).status.is_done()) {
        return Err(format!(
            "stage {blocker} is {}, not done",
            job.stage(blocker).status
        ));
    }
    let state = job.stage_mut(stage);
    let n = state.next_run_number();
    state.runs.push(Run {
        n,
        status: RunStatus::Running,
        parameters: state.parameters.clone(),
        output_key: None,
        error: None,
        usage: Usage::default(),
        started_at: now,
        finished_at: None,
        edited_from: None,
    });
    state.status = StageStatus::Running;
    state.approved_run = None;
    state.progress = None;
    // A worker of an earlier run must not report into this one.
    state.callback = None;
    Ok(vec![EventKind::StageStarted { stage, run: n }])
}

/// The running run of a running stage: the latest one, since starting a run
/// appends it. A stored job that breaks that rule gets a conflict, not a panic.
fn running_run(state: &mut StageState) -> Result<&mut Run, String> {
    let stage = state.stage;
    match state.runs.last_mut() {
        Some(run) if run.status == RunStatus::Running => Ok(run),
        _ => Err(format!("stage {stage} has no running run")),
    }
}

/// Ends the running run of a running stage with `status` (completed or
/// failed); the stage takes the same status.
fn end_running_run(
    job: &mut Job,
    stage: Stage,
    status: RunStatus,
    now: DateTime<Utc>,
) -> Result<&mut Run, String> {
    expect_status(job, stage, StageStatus::Running)?;
    let state = job.stage_mut(stage);
    state.status = match status {
        RunStatus::Completed => StageStatus::Completed,
        _ => StageStatus::Failed,
    };
    state.progress = None;
    let run = running_run(state)?;
    finish_run(run, status, now);
    Ok(run)
}

fn finish_run(run: &mut Run, status: RunStatus, now: DateTime<Utc>) {
    run.status = status;
    run.finished_at = Some(now);
}

fn latest_run_number(state: &StageState) -> u32 {
    state.latest_run().map_or(0, |r| r.n)
}

/// Resolves `run` (default: the latest) to a completed run of the stage.
fn completed_run(state: &StageState, run: Option<u32>) -> Result<u32, TransitionError> {
    let n = run.unwrap_or_else(|| latest_run_number(state));
    match state.run(n) {
        None => Err(TransitionError::UnknownRun {
            stage: state.stage,
            run: n,
        }),
        Some(r) if r.status != RunStatus::Completed => Err(TransitionError::Conflict {
            action: format!("use run {n} of stage {}", state.stage),
            state: format!("that run is {}, not completed", r.status),
        }),
        Some(_) => Ok(n),
    }
}

/// On abort or failure: stages still working or waiting end with `status`,
/// and their running run with `run_status`.
fn end_open_stages(job: &mut Job, status: StageStatus, run_status: RunStatus, now: DateTime<Utc>) {
    for stage in Stage::ALL {
        let state = job.stage_mut(stage);
        match state.status {
            StageStatus::Running => {
                if let Ok(run) = running_run(state) {
                    finish_run(run, run_status, now);
                }
                state.status = status;
                state.progress = None;
            }
            StageStatus::AwaitingApproval => state.status = status,
            _ => continue,
        }
        state.callback = None;
    }
}

/// The status of a job that has not ended, from its stages.
fn derived_status(job: &Job) -> JobStatus {
    let statuses = || job.stages.iter().map(|s| s.status);
    if statuses().any(|s| s == StageStatus::AwaitingApproval) {
        JobStatus::AwaitingApproval
    } else if job.stages.iter().any(|s| !s.runs.is_empty()) {
        JobStatus::Running
    } else {
        JobStatus::Queued
    }
}

#[cfg(test)]
mod tests;
