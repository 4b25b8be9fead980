//! Every (stage state, command) pair, legal and illegal, against a table.

use super::*;

fn commands(stage: Stage) -> Vec<Command> {
    vec![
        Command::StartStage { stage },
        Command::Progress {
            stage,
            done: 1,
            total: 3,
            message: None,
        },
        complete(stage),
        Command::FailRun {
            stage,
            error: "boom".into(),
        },
        Command::AwaitApproval {
            stage,
            callback: Some(CallbackId::generate()),
        },
        Command::Approve { stage, run: None },
        Command::Edit {
            stage,
            base_run: None,
            output_key: key("jobs/x/edit.json"),
        },
        Command::Rerun {
            stage,
            parameters: rerun_parameters(stage),
        },
        Command::Abort {
            reason: Some("no longer needed".into()),
        },
        Command::Succeed,
        Command::Fail {
            error: "gave up".into(),
        },
        Command::BindExecution {
            execution_id: "exec-1".into(),
        },
    ]
}

/// Expected outcome per stage status, one column per entry of `commands`:
/// `+` allowed, `-` a conflict, `g` allowed only for a stage with a gate,
/// `s` allowed only when every stage is done.
///                         start prog  done  fail  await apprv edit  rerun abort succ  failj bind
const TABLE: &[(StageStatus, [char; 12])] = &[
    (
        StageStatus::Pending,
        ['+', '-', '-', '-', '-', '-', '-', '-', '+', 's', '+', '+'],
    ),
    (
        StageStatus::Running,
        ['-', '+', '+', '+', '-', '-', '-', '-', '+', 's', '+', '+'],
    ),
    (
        StageStatus::Completed,
        ['-', '-', '-', '-', 'g', '-', '-', '-', '+', 's', '+', '+'],
    ),
    (
        StageStatus::AwaitingApproval,
        ['-', '-', '-', '-', '-', '+', '+', '+', '+', 's', '+', '+'],
    ),
    (
        StageStatus::Approved,
        ['-', '-', '-', '-', '-', '-', '-', '-', '+', 's', '+', '+'],
    ),
    (
        StageStatus::Failed,
        ['+', '-', '-', '-', '-', '-', '-', '-', '+', 's', '+', '+'],
    ),
    // An aborted stage only exists in an aborted job, which takes no commands.
    (
        StageStatus::Aborted,
        ['-', '-', '-', '-', '-', '-', '-', '-', '-', '-', '-', '-'],
    ),
    (
        StageStatus::Skipped,
        ['-', '-', '-', '-', '-', '-', '-', '-', '+', 's', '+', '+'],
    ),
];

#[test]
fn every_stage_state_and_command_pair_matches_the_table() {
    let mut checked = 0;
    for stage in Stage::ALL {
        for (status, row) in TABLE {
            let Some(job) = fixture(stage, *status) else {
                continue;
            };
            assert_eq!(
                job.stage(stage).status,
                *status,
                "fixture for {stage} {status}"
            );
            let all_done = job.stages.iter().all(|s| s.status.is_done());
            for (cmd, mark) in commands(stage).into_iter().zip(row) {
                let allowed = match mark {
                    '+' => true,
                    'g' => stage.is_gateable(),
                    's' => all_done,
                    _ => false,
                };
                let result = apply(&job, cmd.clone(), t0());
                match (&result, allowed) {
                    (Ok((next, _)), true) => check_invariants(next).unwrap(),
                    (Err(TransitionError::Conflict { state, .. }), false) => {
                        assert!(!state.is_empty());
                    }
                    _ => panic!(
                        "{stage} {status} / {cmd:?}: expected allowed={allowed}, got {result:?}"
                    ),
                }
                checked += 1;
            }
        }
    }
    // (14 stages × 5 states every stage has + 8 gated stages × 2 gate states
    // + 2 course stages an option skips + 5 visual stages a course job
    // skips) × 12 commands.
    assert_eq!(checked, (14 * 5 + 8 * 2 + 2 + 5) * 12);
}

#[test]
fn ended_jobs_take_no_command() {
    let ended = [
        step(
            &create(new_job(all_on()), t0()).unwrap().0,
            Command::Abort { reason: None },
        ),
        step(
            &create(new_job(all_on()), t0()).unwrap().0,
            Command::Fail { error: "x".into() },
        ),
        full_run(),
    ];
    for job in ended {
        assert!(job.status.is_terminal());
        for stage in Stage::ALL {
            for cmd in commands(stage) {
                match apply(&job, cmd.clone(), t0()) {
                    Err(TransitionError::Conflict { state, .. }) => {
                        assert_eq!(state, format!("the job has {}", job.status))
                    }
                    other => panic!("{} job accepted {cmd:?}: {other:?}", job.status),
                }
            }
        }
    }
}

fn full_run() -> Job {
    let mut job = create(new_job(all_on()), t0()).unwrap().0;
    for stage in Stage::ALL {
        job = finish(job, stage);
    }
    let job = step(&job, Command::Succeed);
    assert_eq!(job.progress.percent, 100);
    job
}

#[test]
fn a_whole_job_runs_from_queued_to_succeeded() {
    let (job, events) = create(new_job(Options::default()), t0()).unwrap();
    assert_eq!(
        (job.status, job.version, events.len()),
        (JobStatus::Queued, 1, 1)
    );
    assert_eq!(job.stage(Stage::Videos).status, StageStatus::Skipped);
    let job = step(
        &job,
        Command::StartStage {
            stage: Stage::Ingest,
        },
    );
    assert_eq!(job.status, JobStatus::Running);
    let job = full_run_from(job);
    assert_eq!(job.status, JobStatus::Succeeded);
    assert_eq!(job.progress.current_stage, None);
}

fn full_run_from(mut job: Job) -> Job {
    job = step(&job, complete(Stage::Ingest));
    for stage in Stage::ALL {
        job = finish(job, stage);
    }
    step(&job, Command::Succeed)
}

#[test]
fn only_a_running_stage_hands_work_to_a_worker_and_a_new_run_forgets_its_handle() {
    let handle = CallbackId::generate();
    let worker = |stage| Command::AwaitWorker {
        stage,
        callback: handle.clone(),
    };
    for status in [
        StageStatus::Pending,
        StageStatus::Completed,
        StageStatus::AwaitingApproval,
        StageStatus::Approved,
        StageStatus::Failed,
    ] {
        let job = fixture(Stage::Segment, status).unwrap();
        assert!(
            apply(&job, worker(Stage::Segment), t0()).is_err(),
            "{status}"
        );
    }
    let job = fixture(Stage::Segment, StageStatus::Running).unwrap();
    let job = step(&job, worker(Stage::Segment));
    assert_eq!(job.stage(Stage::Segment).callback, Some(handle.clone()));
    // The run fails; its handle stays (a resend must find the run it
    // ended); the next run starts without it.
    let job = step(
        &job,
        Command::FailRun {
            stage: Stage::Segment,
            error: "gpu".into(),
        },
    );
    assert_eq!(job.stage(Stage::Segment).callback, Some(handle));
    let job = step(
        &job,
        Command::StartStage {
            stage: Stage::Segment,
        },
    );
    assert_eq!(job.stage(Stage::Segment).callback, None);
}

#[test]
fn an_ignored_report_is_noted_even_on_an_ended_job() {
    let job = fixture(Stage::Segment, StageStatus::Running).unwrap();
    let job = step(&job, Command::Abort { reason: None });
    let note = Command::NoteIgnoredReport {
        stage: Stage::Segment,
        report: "SEGMENTATION COMPLETED".into(),
        reason: "the job has aborted".into(),
    };
    let after = step(&job, note);
    assert_eq!(after.status, job.status);
    assert_eq!(after.stages, job.stages);
    assert_eq!(after.last_event_seq, job.last_event_seq + 1);
}
