//! What must hold of every job, whatever happened to it. The lifecycle's
//! property test checks these after every command; stores may check them on
//! read to refuse corrupt data.

use crate::job::{Job, JobStatus};
use crate::stage::{RunStatus, StageStatus};

/// Returns the first broken rule, described.
pub fn check_invariants(job: &Job) -> Result<(), String> {
    for state in &job.stages {
        let stage = state.stage;
        let fail = |rule: &str| Err(format!("stage {stage}: {rule}"));
        for (i, run) in state.runs.iter().enumerate() {
            if usize::try_from(run.n).ok() != Some(i + 1) {
                return fail("runs are not numbered 1, 2, 3, …");
            }
            if run
                .edited_from
                .is_some_and(|base| base == 0 || base >= run.n)
            {
                return fail("a run is edited from a run that does not precede it");
            }
            if run.status == RunStatus::Running && i + 1 != state.runs.len() {
                return fail("a run other than the latest is running");
            }
            if (run.status == RunStatus::Running) != run.finished_at.is_none() {
                return fail("a run's finish time disagrees with its status");
            }
            if run.status == RunStatus::Completed && run.output_key.is_none() {
                return fail("a completed run has no output");
            }
        }
        let latest = state.latest_run().map(|r| r.status);
        let running_runs = state
            .runs
            .iter()
            .filter(|r| r.status == RunStatus::Running)
            .count();
        if running_runs > 1 {
            return fail("two runs are running");
        }
        if (state.status == StageStatus::Running) != (latest == Some(RunStatus::Running)) {
            return fail("the stage is running exactly when its latest run is");
        }
        match state.status {
            StageStatus::Completed | StageStatus::AwaitingApproval
                if latest != Some(RunStatus::Completed) =>
            {
                return fail("completed or awaiting approval without a completed latest run");
            }
            StageStatus::AwaitingApproval if !stage.is_gateable() => {
                return fail("awaiting approval but the stage has no gate");
            }
            StageStatus::Pending | StageStatus::Skipped
                if state.runs.iter().any(|r| r.status == RunStatus::Running) =>
            {
                return fail("not started but a run is running");
            }
            _ => {}
        }
        if (state.status == StageStatus::Approved) != state.approved_run.is_some() {
            return fail("names an approved run without being approved, or the reverse");
        }
        if let Some(n) = state.approved_run
            && state.run(n).map(|r| r.status) != Some(RunStatus::Completed)
        {
            return fail("the approved run is not a completed run");
        }
        // A handle is held by a review, or by a worker's run: while it runs
        // and after it ends (so a resent report finds the run it ended).
        let may_hold = matches!(
            state.status,
            StageStatus::AwaitingApproval
                | StageStatus::Running
                | StageStatus::Completed
                | StageStatus::Failed
        );
        if state.callback.is_some() && !may_hold {
            return fail("holds a callback but awaits nothing");
        }
        if let Some(p) = &state.progress
            && (state.status != StageStatus::Running || p.total == 0 || p.done > p.total)
        {
            return fail("progress is set outside a running stage or out of range");
        }
        if job.status == JobStatus::Succeeded && !state.status.is_done() {
            return fail("the job succeeded but this stage is not done");
        }
        if job.status.is_terminal()
            && matches!(
                state.status,
                StageStatus::Running | StageStatus::AwaitingApproval
            )
        {
            return fail("the job has ended but this stage is still open");
        }
    }
    let awaiting = job
        .stages
        .iter()
        .any(|s| s.status == StageStatus::AwaitingApproval);
    if !job.status.is_terminal() && awaiting != (job.status == JobStatus::AwaitingApproval) {
        return Err(format!(
            "job is {} but awaiting-approval stages: {awaiting}",
            job.status
        ));
    }
    if job.progress.percent > 100
        || (job.progress.percent == 100) != (job.status == JobStatus::Succeeded)
    {
        return Err(format!(
            "progress {}% for a {} job",
            job.progress.percent, job.status
        ));
    }
    if job.version == 0 {
        return Err("version 0: a stored job has version ≥ 1".to_owned());
    }
    Ok(())
}
