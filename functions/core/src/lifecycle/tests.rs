//! Every (stage state, command) pair, legal and illegal, against an explicit
//! table; then a property test that no sequence of commands breaks a job.

use chrono::{DateTime, Duration, TimeZone, Utc};
use proptest::prelude::*;
use serde_json::json;

use super::*;
use crate::ids::{CourseId, VersionId};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 9, 0, 0).unwrap()
}

fn key(s: &str) -> ArtifactKey {
    s.parse().unwrap()
}

fn new_job(options: Options) -> NewJob {
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

fn all_on() -> Options {
    Options {
        render_videos: true,
        ..Options::default()
    }
}

/// Applies a command that must succeed, checking what every success must do.
fn step(job: &Job, cmd: Command) -> Job {
    let (next, events) = apply(job, cmd.clone(), t0()).unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert_eq!(next.version, job.version + 1);
    let seqs: Vec<u64> = events.iter().map(|e| e.seq).collect();
    let expected: Vec<u64> = (job.last_event_seq + 1..=next.last_event_seq).collect();
    assert_eq!(seqs, expected, "events are numbered on from the job's last");
    check_invariants(&next).unwrap_or_else(|e| panic!("after {cmd:?}: {e}"));
    next
}

fn complete(stage: Stage) -> Command {
    Command::CompleteRun {
        stage,
        output_key: key(&format!("jobs/x/{stage}.json")),
        usage: Usage::default(),
    }
}

/// Drives `stage` to done the way the workflow would (gate included).
fn finish(job: Job, stage: Stage) -> Job {
    if job.stage(stage).status.is_done() {
        return job;
    }
    let job = step(&job, Command::StartStage { stage });
    let job = step(&job, complete(stage));
    if stage.is_gateable() {
        let job = step(&job, Command::AwaitApproval { stage, callback: None });
        step(&job, Command::Approve { stage, run: None })
    } else {
        job
    }
}

/// A consistent job whose `stage` is in `status`, with every stage it
/// depends on done. `None` where that state cannot happen to that stage.
fn fixture(stage: Stage, status: StageStatus) -> Option<Job> {
    let (mut job, _) = create(new_job(all_on()), t0()).unwrap();
    if status == StageStatus::Skipped {
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
    let awaiting = |j: &Job| step(&done(j), Command::AwaitApproval { stage, callback: None });
    Some(match status {
        StageStatus::Pending | StageStatus::Skipped => job,
        StageStatus::Running => start(&job),
        StageStatus::Completed => done(&job),
        StageStatus::Failed => step(&start(&job), Command::FailRun { stage, error: "boom".into() }),
        StageStatus::Aborted => step(&start(&job), Command::Abort { reason: None }),
        StageStatus::AwaitingApproval if stage.is_gateable() => awaiting(&job),
        StageStatus::Approved if stage.is_gateable() => step(&awaiting(&job), Command::Approve { stage, run: None }),
        StageStatus::AwaitingApproval | StageStatus::Approved => return None,
    })
}

fn commands(stage: Stage) -> Vec<Command> {
    vec![
        Command::StartStage { stage },
        Command::Progress { stage, done: 1, total: 3, message: None },
        complete(stage),
        Command::FailRun { stage, error: "boom".into() },
        Command::AwaitApproval { stage, callback: Some(CallbackId::generate()) },
        Command::Approve { stage, run: None },
        Command::Edit { stage, base_run: None, output_key: key("jobs/x/edit.json") },
        Command::Rerun { stage, parameters: json!({"lam": 4.5}) },
        Command::Abort { reason: Some("no longer needed".into()) },
        Command::Succeed,
        Command::Fail { error: "gave up".into() },
        Command::BindExecution { execution_id: "exec-1".into() },
    ]
}

/// Expected outcome per stage status, one column per entry of `commands`:
/// `+` allowed, `-` a conflict, `g` allowed only for a stage with a gate,
/// `s` allowed only when every stage is done.
///                         start prog  done  fail  await apprv edit  rerun abort succ  failj bind
const TABLE: &[(StageStatus, [char; 12])] = &[
    (StageStatus::Pending, ['+', '-', '-', '-', '-', '-', '-', '-', '+', 's', '+', '+']),
    (StageStatus::Running, ['-', '+', '+', '+', '-', '-', '-', '-', '+', 's', '+', '+']),
    (StageStatus::Completed, ['-', '-', '-', '-', 'g', '-', '-', '-', '+', 's', '+', '+']),
    (StageStatus::AwaitingApproval, ['-', '-', '-', '-', '-', '+', '+', '+', '+', 's', '+', '+']),
    (StageStatus::Approved, ['-', '-', '-', '-', '-', '-', '-', '-', '+', 's', '+', '+']),
    (StageStatus::Failed, ['+', '-', '-', '-', '-', '-', '-', '-', '+', 's', '+', '+']),
    // An aborted stage only exists in an aborted job, which takes no commands.
    (StageStatus::Aborted, ['-', '-', '-', '-', '-', '-', '-', '-', '-', '-', '-', '-']),
    (StageStatus::Skipped, ['-', '-', '-', '-', '-', '-', '-', '-', '+', 's', '+', '+']),
];

#[test]
fn every_stage_state_and_command_pair_matches_the_table() {
    let mut checked = 0;
    for stage in Stage::ALL {
        for (status, row) in TABLE {
            let Some(job) = fixture(stage, *status) else { continue };
            assert_eq!(job.stage(stage).status, *status, "fixture for {stage} {status}");
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
                    _ => panic!("{stage} {status} / {cmd:?}: expected allowed={allowed}, got {result:?}"),
                }
                checked += 1;
            }
        }
    }
    // (9 stages × 5 states every stage has + 3 gated stages × 2 gate states
    // + 2 skippable stages) × 12 commands.
    assert_eq!(checked, (9 * 5 + 3 * 2 + 2) * 12);
}

#[test]
fn ended_jobs_take_no_command() {
    let ended = [
        step(&create(new_job(all_on()), t0()).unwrap().0, Command::Abort { reason: None }),
        step(&create(new_job(all_on()), t0()).unwrap().0, Command::Fail { error: "x".into() }),
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
    assert_eq!((job.status, job.version, events.len()), (JobStatus::Queued, 1, 1));
    assert_eq!(job.stage(Stage::Videos).status, StageStatus::Skipped);
    let job = step(&job, Command::StartStage { stage: Stage::Ingest });
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
fn conflicts_name_the_current_state() {
    let job = fixture(Stage::Segment, StageStatus::Running).unwrap();
    let err = apply(&job, Command::Approve { stage: Stage::Segment, run: None }, t0()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot approve stage segment: stage segment is running, not awaiting_approval"
    );
    let job = fixture(Stage::Outline, StageStatus::Pending).unwrap();
    let job = step(&job, Command::StartStage { stage: Stage::Outline });
    let err = apply(&job, Command::StartStage { stage: Stage::Lessons }, t0()).unwrap_err();
    assert_eq!(err.to_string(), "cannot start stage lessons: stage outline is running, not done");
    let err = apply(&job, Command::AwaitApproval { stage: Stage::Ingest, callback: None }, t0()).unwrap_err();
    assert!(err.to_string().contains("has no approval gate"), "{err}");
}

#[test]
fn lessons_and_assessment_run_side_by_side() {
    let job = fixture(Stage::Lessons, StageStatus::Running).unwrap();
    let job = step(&job, Command::StartStage { stage: Stage::Assessment });
    assert_eq!(job.stage(Stage::Assessment).status, StageStatus::Running);
    let err = apply(&job, Command::StartStage { stage: Stage::Questions }, t0()).unwrap_err();
    assert!(matches!(err, TransitionError::Conflict { .. }));
}

#[test]
fn approve_picks_an_explicit_run_and_run_one_stays_selectable() {
    let job = fixture(Stage::Segment, StageStatus::AwaitingApproval).unwrap();
    let job = step(&job, Command::Rerun { stage: Stage::Segment, parameters: json!({"lam": 5}) });
    assert_eq!(job.stage(Stage::Segment).status, StageStatus::Pending);
    let job = step(&job, Command::StartStage { stage: Stage::Segment });
    assert_eq!(job.stage(Stage::Segment).latest_run().unwrap().parameters, json!({"lam": 5}));
    let job = step(&job, complete(Stage::Segment));
    let job = step(&job, Command::AwaitApproval { stage: Stage::Segment, callback: None });
    // Run 1 is still selectable after run 2 exists, and is not mistaken for "latest".
    let approved = step(&job, Command::Approve { stage: Stage::Segment, run: Some(1) });
    assert_eq!(approved.stage(Stage::Segment).approved_run, Some(1));
    let latest = step(&job, Command::Approve { stage: Stage::Segment, run: None });
    assert_eq!(latest.stage(Stage::Segment).approved_run, Some(2));
    let err = apply(&job, Command::Approve { stage: Stage::Segment, run: Some(3) }, t0()).unwrap_err();
    assert_eq!(err, TransitionError::UnknownRun { stage: Stage::Segment, run: 3 });
    let err = apply(&job, Command::Approve { stage: Stage::Segment, run: Some(0) }, t0()).unwrap_err();
    assert_eq!(err, TransitionError::UnknownRun { stage: Stage::Segment, run: 0 });
}

#[test]
fn failed_runs_cannot_be_approved_or_edited() {
    let job = fixture(Stage::Segment, StageStatus::Failed).unwrap();
    let job = step(&job, Command::StartStage { stage: Stage::Segment });
    assert_eq!(job.stage(Stage::Segment).latest_run().unwrap().n, 2, "a retry is a new run");
    let job = step(&job, complete(Stage::Segment));
    let job = step(&job, Command::AwaitApproval { stage: Stage::Segment, callback: None });
    for cmd in [
        Command::Approve { stage: Stage::Segment, run: Some(1) },
        Command::Edit { stage: Stage::Segment, base_run: Some(1), output_key: key("jobs/x/e.json") },
    ] {
        let err = apply(&job, cmd, t0()).unwrap_err();
        assert!(err.to_string().contains("that run is failed"), "{err}");
    }
}

#[test]
fn edits_append_a_run_that_remembers_its_base() {
    let job = fixture(Stage::Outline, StageStatus::AwaitingApproval).unwrap();
    let job = step(&job, Command::Edit { stage: Stage::Outline, base_run: None, output_key: key("jobs/x/e1.json") });
    let job = step(&job, Command::Edit { stage: Stage::Outline, base_run: Some(1), output_key: key("jobs/x/e2.json") });
    let runs = &job.stage(Stage::Outline).runs;
    assert_eq!(runs.iter().map(|r| (r.n, r.edited_from)).collect::<Vec<_>>(), vec![(1, None), (2, Some(1)), (3, Some(1))]);
    assert_eq!(runs[2].output_key, Some(key("jobs/x/e2.json")));
    assert_eq!(job.stage(Stage::Outline).status, StageStatus::AwaitingApproval);
    let job = step(&job, Command::Approve { stage: Stage::Outline, run: Some(2) });
    assert_eq!(job.stage(Stage::Outline).approved_run, Some(2));
}

#[test]
fn invalid_command_data_is_a_validation_error() {
    let job = fixture(Stage::Lessons, StageStatus::Running).unwrap();
    for (done, total) in [(4, 3), (0, 0)] {
        let err = apply(&job, Command::Progress { stage: Stage::Lessons, done, total, message: None }, t0()).unwrap_err();
        assert!(matches!(err, TransitionError::Invalid(ref v) if v.field == "done"), "{err:?}");
    }
    let job = fixture(Stage::Segment, StageStatus::AwaitingApproval).unwrap();
    let err = apply(&job, Command::Rerun { stage: Stage::Segment, parameters: json!([1]) }, t0()).unwrap_err();
    assert!(matches!(err, TransitionError::Invalid(ref v) if v.field == "parameters"));
    let bad = NewJob { options: Options { max_concurrency: 0, ..Options::default() }, ..new_job(Options::default()) };
    assert_eq!(create(bad, t0()).unwrap_err().field, "options.max_concurrency");
}

#[test]
fn progress_weighs_stages_and_lessons_done() {
    let job = fixture(Stage::Lessons, StageStatus::Running).unwrap();
    let before = job.progress.percent;
    let job = step(&job, Command::Progress { stage: Stage::Lessons, done: 5, total: 10, message: Some("lesson 5".into()) });
    let half = u8::try_from(Stage::Lessons.weight() / 2).unwrap();
    assert_eq!(job.progress.percent, before + half);
    assert_eq!(job.progress.current_stage, Some(Stage::Lessons));
    let job = step(&job, Command::Progress { stage: Stage::Lessons, done: 10, total: 10, message: None });
    assert!(job.progress.percent < 100, "only success is 100%");
}

#[test]
fn abort_and_fail_close_open_stages_and_clear_callbacks() {
    let job = fixture(Stage::Segment, StageStatus::Completed).unwrap();
    let job = step(&job, Command::AwaitApproval { stage: Stage::Segment, callback: Some(CallbackId::generate()) });
    assert!(job.stage(Stage::Segment).callback.is_some());
    assert_eq!(job.status, JobStatus::AwaitingApproval);
    let aborted = step(&job, Command::Abort { reason: Some("changed my mind".into()) });
    assert_eq!(aborted.stage(Stage::Segment).status, StageStatus::Aborted);
    assert_eq!(aborted.stage(Stage::Segment).callback, None);
    assert_eq!(aborted.error.as_deref(), Some("changed my mind"));
    let job = fixture(Stage::Lessons, StageStatus::Running).unwrap();
    let failed = step(&job, Command::Fail { error: "engine down".into() });
    let lessons = failed.stage(Stage::Lessons);
    assert_eq!((lessons.status, lessons.latest_run().unwrap().status), (StageStatus::Failed, RunStatus::Failed));
}

#[test]
fn execution_binds_once() {
    let (job, _) = create(new_job(Options::default()), t0()).unwrap();
    let job = step(&job, Command::BindExecution { execution_id: "arn:exec:1".into() });
    assert_eq!(job.execution_id.as_deref(), Some("arn:exec:1"));
    assert!(apply(&job, Command::BindExecution { execution_id: "arn:exec:2".into() }, t0()).is_err());
}

#[test]
fn invariants_catch_broken_jobs() {
    let good = fixture(Stage::Segment, StageStatus::Approved).unwrap();
    let mut bad = good.clone();
    bad.stage_mut(Stage::Segment).approved_run = Some(7);
    assert!(check_invariants(&bad).is_err());
    let mut bad = good.clone();
    bad.stage_mut(Stage::Segment).runs[0].n = 2;
    assert!(check_invariants(&bad).is_err());
    let mut bad = good.clone();
    bad.progress.percent = 101;
    assert!(check_invariants(&bad).is_err());
    let mut bad = good;
    bad.status = JobStatus::AwaitingApproval;
    assert!(check_invariants(&bad).is_err());
}

// ---- property test -------------------------------------------------------

fn arb_stage() -> impl Strategy<Value = Option<Stage>> {
    // None = "the job's current stage", so random sequences make progress.
    prop_oneof![3 => Just(None), 2 => proptest::sample::select(Stage::ALL.to_vec()).prop_map(Some)]
}

fn arb_command() -> impl Strategy<Value = (u8, Option<Stage>, u32, u32)> {
    (0u8..13, arb_stage(), 0u32..5, 0u32..5)
}

fn to_command(job: &Job, (kind, stage, a, b): (u8, Option<Stage>, u32, u32)) -> Command {
    let stage = stage.or(job.progress.current_stage).unwrap_or(Stage::Ingest);
    let run = (a > 0).then_some(a);
    match kind {
        0 | 1 => Command::StartStage { stage },
        2 => Command::Progress { stage, done: a, total: b, message: None },
        3 | 4 => complete(stage),
        5 => Command::FailRun { stage, error: "x".into() },
        6 => Command::AwaitApproval { stage, callback: Some(CallbackId::generate()) },
        7 => Command::Approve { stage, run },
        8 => Command::Edit { stage, base_run: run, output_key: key("jobs/x/e.json") },
        9 => Command::Rerun { stage, parameters: json!({"n": a}) },
        10 => Command::Succeed,
        11 => if a == 0 { Command::Abort { reason: None } } else { Command::Fail { error: "x".into() } },
        _ => Command::BindExecution { execution_id: format!("e{a}") },
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
            match apply(&job, cmd.clone(), now) {
                Ok((next, events)) => {
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
                Err(_) => {}
            }
        }
        let seqs: Vec<u64> = all_events.iter().map(|e| e.seq).collect();
        prop_assert_eq!(seqs, (1..=job.last_event_seq).collect::<Vec<_>>());
    }
}
