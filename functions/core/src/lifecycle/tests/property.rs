//! No sequence of commands ever produces an inconsistent job.

use chrono::Duration;
use proptest::prelude::*;
use serde_json::json;

use super::*;

fn arb_stage() -> impl Strategy<Value = Option<Stage>> {
    // None = "the job's current stage", so random sequences make progress.
    prop_oneof![3 => Just(None), 2 => proptest::sample::select(Stage::ALL.to_vec()).prop_map(Some)]
}

/// Kinds 0–12 pick a command at random; 13 and up take the step the
/// workflow would take next, so sequences also reach late stages and success.
fn arb_command() -> impl Strategy<Value = (u8, Option<Stage>, u32, u32)> {
    (0u8..24, arb_stage(), 0u32..5, 0u32..5)
}

/// What the workflow would do next with the current stage.
fn natural_step(job: &Job) -> Command {
    let Some(stage) = job.progress.current_stage else {
        return Command::Succeed;
    };
    match job.stage(stage).status {
        StageStatus::Running => complete(stage),
        StageStatus::Completed if stage.is_gateable() => Command::AwaitApproval {
            stage,
            callback: None,
        },
        StageStatus::AwaitingApproval => Command::Approve { stage, run: None },
        _ => Command::StartStage { stage },
    }
}

fn to_command(job: &Job, (kind, stage, a, b): (u8, Option<Stage>, u32, u32)) -> Command {
    if kind >= 13 {
        return natural_step(job);
    }
    let stage = stage
        .or(job.progress.current_stage)
        .unwrap_or(Stage::Ingest);
    let run = (a > 0).then_some(a);
    match kind {
        0 | 1 => Command::StartStage { stage },
        2 => Command::Progress {
            stage,
            done: a,
            total: b,
            message: None,
        },
        3 | 4 => complete(stage),
        5 => Command::FailRun {
            stage,
            error: "x".into(),
        },
        6 => Command::AwaitApproval {
            stage,
            callback: Some(CallbackId::generate()),
        },
        7 => Command::Approve { stage, run },
        8 => Command::Edit {
            stage,
            base_run: run,
            output_key: key("jobs/x/e.json"),
        },
        // Sometimes parameters the stage refuses, which must change nothing.
        9 => Command::Rerun {
            stage,
            parameters: if a % 4 == 0 {
                json!({"n": a})
            } else {
                rerun_parameters(stage)
            },
        },
        10 => Command::Succeed,
        11 => {
            if a == 0 {
                Command::Abort { reason: None }
            } else {
                Command::Fail { error: "x".into() }
            }
        }
        _ => Command::BindExecution {
            execution_id: format!("e{a}"),
        },
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]
    #[test]
    fn no_command_sequence_breaks_a_job(
        render in any::<bool>(),
        seq in proptest::collection::vec(arb_command(), 1..120),
    ) {
        let options = Options { render_videos: render, ..Options::default() };
        let (mut job, events) = create(new_job(options), t0()).unwrap();
        let mut all_events = events;
        let mut now = t0();
        for raw in seq {
            now += Duration::seconds(1);
            let cmd = to_command(&job, raw);
            if let Ok((next, events)) = apply(&job, cmd.clone(), now) {
                {
                    prop_assert_eq!(next.version, job.version + 1);
                    check_invariants(&next).map_err(|e| TestCaseError::fail(format!("{cmd:?}: {e}")))?;
                    // Runs are append-only: every earlier run is still there, unchanged
                    // unless it was the running one finishing.
                    for (before, after) in job.stages.iter().zip(next.stages.iter()) {
                        prop_assert!(after.runs.len() >= before.runs.len());
                        for (r0, r1) in before.runs.iter().zip(&after.runs) {
                            prop_assert!(r0 == r1 || r0.status == RunStatus::Running, "run {} of {} rewritten", r0.n, before.stage);
                        }
                    }
                    all_events.extend(events);
                    job = next;
                }
            }
        }
        let seqs: Vec<u64> = all_events.iter().map(|e| e.seq).collect();
        prop_assert_eq!(seqs, (1..=job.last_event_seq).collect::<Vec<_>>());
    }
}
