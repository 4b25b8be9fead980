//! The rules behind particular commands.

use serde_json::json;

use super::*;

#[test]
fn conflicts_name_the_current_state() {
    let job = fixture(Stage::Segment, StageStatus::Running).unwrap();
    let err = apply(
        &job,
        Command::Approve {
            stage: Stage::Segment,
            run: None,
        },
        t0(),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot approve stage segment: stage segment is running, not awaiting_approval"
    );
    let job = fixture(Stage::Outline, StageStatus::Pending).unwrap();
    let job = step(
        &job,
        Command::StartStage {
            stage: Stage::Outline,
        },
    );
    let err = apply(
        &job,
        Command::StartStage {
            stage: Stage::Lessons,
        },
        t0(),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot start stage lessons: stage outline is running, not done"
    );
    let err = apply(
        &job,
        Command::AwaitApproval {
            stage: Stage::Ingest,
            callback: None,
        },
        t0(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("has no approval gate"), "{err}");
}

#[test]
fn lessons_and_assessment_run_side_by_side() {
    let job = fixture(Stage::Lessons, StageStatus::Running).unwrap();
    let job = step(
        &job,
        Command::StartStage {
            stage: Stage::Assessment,
        },
    );
    assert_eq!(job.stage(Stage::Assessment).status, StageStatus::Running);
    let err = apply(
        &job,
        Command::StartStage {
            stage: Stage::Questions,
        },
        t0(),
    )
    .unwrap_err();
    assert!(matches!(err, TransitionError::Conflict { .. }));
}

#[test]
fn approve_picks_an_explicit_run_and_run_one_stays_selectable() {
    let job = fixture(Stage::Segment, StageStatus::AwaitingApproval).unwrap();
    let job = step(
        &job,
        Command::Rerun {
            stage: Stage::Segment,
            parameters: json!({"boundary_penalty": 5.0}),
        },
    );
    assert_eq!(job.stage(Stage::Segment).status, StageStatus::Pending);
    let job = step(
        &job,
        Command::StartStage {
            stage: Stage::Segment,
        },
    );
    assert_eq!(
        job.stage(Stage::Segment).latest_run().unwrap().parameters,
        json!({"boundary_penalty": 5.0})
    );
    let job = step(&job, complete(Stage::Segment));
    let job = step(
        &job,
        Command::AwaitApproval {
            stage: Stage::Segment,
            callback: None,
        },
    );
    // Run 1 is still selectable after run 2 exists, and is not mistaken for "latest".
    let approved = step(
        &job,
        Command::Approve {
            stage: Stage::Segment,
            run: Some(1),
        },
    );
    assert_eq!(approved.stage(Stage::Segment).approved_run, Some(1));
    let latest = step(
        &job,
        Command::Approve {
            stage: Stage::Segment,
            run: None,
        },
    );
    assert_eq!(latest.stage(Stage::Segment).approved_run, Some(2));
    let err = apply(
        &job,
        Command::Approve {
            stage: Stage::Segment,
            run: Some(3),
        },
        t0(),
    )
    .unwrap_err();
    assert_eq!(
        err,
        TransitionError::UnknownRun {
            stage: Stage::Segment,
            run: 3
        }
    );
    let err = apply(
        &job,
        Command::Approve {
            stage: Stage::Segment,
            run: Some(0),
        },
        t0(),
    )
    .unwrap_err();
    assert_eq!(
        err,
        TransitionError::UnknownRun {
            stage: Stage::Segment,
            run: 0
        }
    );
}

#[test]
fn failed_runs_cannot_be_approved_or_edited() {
    let job = fixture(Stage::Segment, StageStatus::Failed).unwrap();
    let job = step(
        &job,
        Command::StartStage {
            stage: Stage::Segment,
        },
    );
    assert_eq!(
        job.stage(Stage::Segment).latest_run().unwrap().n,
        2,
        "a retry is a new run"
    );
    let job = step(&job, complete(Stage::Segment));
    let job = step(
        &job,
        Command::AwaitApproval {
            stage: Stage::Segment,
            callback: None,
        },
    );
    for cmd in [
        Command::Approve {
            stage: Stage::Segment,
            run: Some(1),
        },
        Command::Edit {
            stage: Stage::Segment,
            base_run: Some(1),
            output_key: key("jobs/x/e.json"),
        },
    ] {
        let err = apply(&job, cmd, t0()).unwrap_err();
        assert!(err.to_string().contains("that run is failed"), "{err}");
    }
}

#[test]
fn edits_append_a_run_that_remembers_its_base() {
    let job = fixture(Stage::Outline, StageStatus::AwaitingApproval).unwrap();
    let job = step(
        &job,
        Command::Edit {
            stage: Stage::Outline,
            base_run: None,
            output_key: key("jobs/x/e1.json"),
        },
    );
    let job = step(
        &job,
        Command::Edit {
            stage: Stage::Outline,
            base_run: Some(1),
            output_key: key("jobs/x/e2.json"),
        },
    );
    let runs = &job.stage(Stage::Outline).runs;
    assert_eq!(
        runs.iter()
            .map(|r| (r.n, r.edited_from))
            .collect::<Vec<_>>(),
        vec![(1, None), (2, Some(1)), (3, Some(1))]
    );
    assert_eq!(runs[2].output_key, Some(key("jobs/x/e2.json")));
    assert_eq!(
        job.stage(Stage::Outline).status,
        StageStatus::AwaitingApproval
    );
    let job = step(
        &job,
        Command::Approve {
            stage: Stage::Outline,
            run: Some(2),
        },
    );
    assert_eq!(job.stage(Stage::Outline).approved_run, Some(2));
}

#[test]
fn invalid_command_data_is_a_validation_error() {
    let job = fixture(Stage::Lessons, StageStatus::Running).unwrap();
    for (done, total) in [(4, 3), (0, 0)] {
        let err = apply(
            &job,
            Command::Progress {
                stage: Stage::Lessons,
                done,
                total,
                message: None,
            },
            t0(),
        )
        .unwrap_err();
        assert!(
            matches!(err, TransitionError::Invalid(ref v) if v.field == "done"),
            "{err:?}"
        );
    }
    let job = fixture(Stage::Segment, StageStatus::AwaitingApproval).unwrap();
    let err = apply(
        &job,
        Command::Rerun {
            stage: Stage::Segment,
            parameters: json!([1]),
        },
        t0(),
    )
    .unwrap_err();
    assert!(matches!(err, TransitionError::Invalid(ref v) if v.field == "parameters"));
    let bad = NewJob {
        options: Options {
            max_concurrency: 0,
            ..Options::default()
        },
        ..new_job(Options::default())
    };
    assert_eq!(
        create(bad, t0()).unwrap_err().field,
        "options.max_concurrency"
    );
}

#[test]
fn progress_weighs_stages_and_lessons_done() {
    let job = fixture(Stage::Lessons, StageStatus::Running).unwrap();
    let before = job.progress.percent;
    let job = step(
        &job,
        Command::Progress {
            stage: Stage::Lessons,
            done: 5,
            total: 10,
            message: Some("lesson 5".into()),
        },
    );
    let half = u8::try_from(Stage::Lessons.weight() / 2).unwrap();
    assert_eq!(job.progress.percent, before + half);
    assert_eq!(job.progress.current_stage, Some(Stage::Lessons));
    let job = step(
        &job,
        Command::Progress {
            stage: Stage::Lessons,
            done: 10,
            total: 10,
            message: None,
        },
    );
    assert!(job.progress.percent < 100, "only success is 100%");
}

#[test]
fn abort_and_fail_close_open_stages_and_clear_callbacks() {
    let job = fixture(Stage::Segment, StageStatus::Completed).unwrap();
    let job = step(
        &job,
        Command::AwaitApproval {
            stage: Stage::Segment,
            callback: Some(CallbackId::generate()),
        },
    );
    assert!(job.stage(Stage::Segment).callback.is_some());
    assert_eq!(job.status, JobStatus::AwaitingApproval);
    let aborted = step(
        &job,
        Command::Abort {
            reason: Some("changed my mind".into()),
        },
    );
    assert_eq!(aborted.stage(Stage::Segment).status, StageStatus::Aborted);
    assert_eq!(aborted.stage(Stage::Segment).callback, None);
    assert_eq!(aborted.error.as_deref(), Some("changed my mind"));
    let job = fixture(Stage::Lessons, StageStatus::Running).unwrap();
    let failed = step(
        &job,
        Command::Fail {
            error: "engine down".into(),
        },
    );
    let lessons = failed.stage(Stage::Lessons);
    assert_eq!(
        (lessons.status, lessons.latest_run().unwrap().status),
        (StageStatus::Failed, RunStatus::Failed)
    );
}

#[test]
fn execution_binds_once() {
    let (job, _) = create(new_job(Options::default()), t0()).unwrap();
    let job = step(
        &job,
        Command::BindExecution {
            execution_id: "arn:exec:1".into(),
        },
    );
    assert_eq!(job.execution_id.as_deref(), Some("arn:exec:1"));
    assert!(
        apply(
            &job,
            Command::BindExecution {
                execution_id: "arn:exec:2".into()
            },
            t0()
        )
        .is_err()
    );
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

#[test]
fn a_questions_rerun_makes_lessons_and_assessment_again() {
    let job = fixture(Stage::Questions, StageStatus::AwaitingApproval).unwrap();
    let parameters = json!({"question_mix": {"true_false": 3}, "assessment": {"questions": 6}});
    let next = step(
        &job,
        Command::Rerun {
            stage: Stage::Questions,
            parameters: parameters.clone(),
        },
    );
    for stage in [Stage::Questions, Stage::Lessons, Stage::Assessment] {
        let state = next.stage(stage);
        if job.stage(stage).status == StageStatus::Skipped {
            assert_eq!(state.status, StageStatus::Skipped, "{stage}");
            continue;
        }
        assert_eq!(state.status, StageStatus::Pending, "{stage}");
        assert_eq!(state.parameters, parameters, "{stage}");
        assert_eq!(state.runs, job.stage(stage).runs, "{stage}: runs are kept");
    }

    // Parameters the stage cannot use are refused, naming the field.
    for (stage, parameters, field) in [
        (Stage::Questions, json!({"force": true}), "parameters.force"),
        (
            Stage::Questions,
            json!({"bloom": {"remember": 30}}),
            "parameters.bloom",
        ),
        (Stage::Segment, json!({"boundary": 2}), "parameters"),
        (Stage::Outline, json!({"modules": 3}), "parameters"),
    ] {
        let job = fixture(stage, StageStatus::AwaitingApproval).unwrap();
        let err = apply(&job, Command::Rerun { stage, parameters }, t0()).unwrap_err();
        assert!(
            matches!(err, TransitionError::Invalid(ref v) if v.field == field),
            "{stage}: {err:?}"
        );
    }
}

#[test]
fn the_eta_extrapolates_machine_time_and_waits_for_people() {
    let running = fixture(Stage::Outline, StageStatus::Running).unwrap();
    let now = t0() + chrono::Duration::seconds(60);
    let percent = i64::from(percent_complete(&running));
    assert!(percent > 0);
    assert_eq!(
        eta(&running, now),
        Some(chrono::Duration::milliseconds(
            60_000 * (100 - percent) / percent
        ))
    );
    assert_eq!(eta(&running, t0()), None, "no time worked yet: no pace");
    let waiting = fixture(Stage::Outline, StageStatus::AwaitingApproval).unwrap();
    assert_eq!(eta(&waiting, now), None, "a person must act first");
}

#[test]
fn a_script_job_runs_the_visual_stages_and_skips_the_course() {
    let (job, _) = create(script_job(), t0()).unwrap();
    for state in &job.stages {
        let runs =
            matches!(state.stage, Stage::Ingest | Stage::Validate) || state.stage.is_visual();
        let expected = if runs {
            StageStatus::Pending
        } else {
            StageStatus::Skipped
        };
        assert_eq!(state.status, expected, "{}", state.stage);
    }
    // Progress counts only the stages the job runs.
    let job = finish(finish(job, Stage::Ingest), Stage::Validate);
    let expected = Stage::Ingest.weight() + Stage::Validate.weight();
    assert_eq!(u32::from(job.progress.percent), expected);
    // A course job skips the visual stages.
    let (course, _) = create(new_job(all_on()), t0()).unwrap();
    assert!(
        Stage::VISUAL
            .iter()
            .all(|s| course.stage(*s).status == StageStatus::Skipped)
    );
}

#[test]
fn a_storyboard_is_made_only_from_a_script() {
    let mut new = script_job();
    new.source = new_job(all_on()).source;
    let err = create(new, t0()).unwrap_err();
    assert_eq!(err.field, "options.storyboard");
    assert!(err.message.contains("document"), "{}", err.message);
    let mut new = script_job();
    new.options.render_videos = true;
    assert_eq!(
        create(new, t0()).unwrap_err().field,
        "options.render_videos"
    );
}

#[test]
fn a_job_stored_before_the_visual_stages_reads_back_with_them_skipped() {
    let (job, _) = create(new_job(all_on()), t0()).unwrap();
    let mut stored = serde_json::to_value(&job).unwrap();
    let stages = stored["stages"].as_array_mut().unwrap();
    stages.truncate(9);
    let read: Job = serde_json::from_value(stored.clone()).unwrap();
    assert_eq!(read, job);
    // Stages out of order or missing in the middle are still refused.
    stored["stages"].as_array_mut().unwrap().remove(2);
    assert!(serde_json::from_value::<Job>(stored).is_err());
}

#[test]
fn reruns_of_pictures_and_clips_name_frames_and_nothing_else() {
    let job = fixture(Stage::Images, StageStatus::AwaitingApproval).unwrap();
    let rerun = |parameters: Value| {
        apply(
            &job,
            Command::Rerun {
                stage: Stage::Images,
                parameters,
            },
            t0(),
        )
    };
    assert!(rerun(serde_json::json!({"frames": ["v01-s02-f03"]})).is_ok());
    assert!(rerun(serde_json::json!({})).is_ok());
    let err = rerun(serde_json::json!({"size": "big"})).unwrap_err();
    assert!(
        matches!(err, TransitionError::Invalid(ref e) if e.field == "parameters"),
        "{err:?}"
    );
}
