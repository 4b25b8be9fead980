//! The whole local pipeline: `statemachine/course.asl.json` run by the
//! embedded interpreter, every Task answered by the real step handlers on
//! SQLite, files and the offline engine — from an uploaded lecture to a
//! course document that matches the checked-in schema.

use crate::common;

use common::{executor, new_job, new_job_with, stack};
use coursegen_core::course::{Course, course_schema};
use coursegen_core::job::JobStatus;
use coursegen_core::lifecycle::Command;
use coursegen_core::options::{Approvals, Options};
use coursegen_core::source::{Source, TranscriptFormat};
use coursegen_core::stage::{Stage, StageStatus};
use coursegen_local::asl::{Drive, ExecutionStatus};
use serde_json::{Value, json};

fn transcript(k: coursegen_core::artifact::ArtifactKey) -> Source {
    Source::Transcript {
        upload_key: k,
        format: TranscriptFormat::Vtt,
    }
}

#[tokio::test]
async fn auto_approved_lecture_becomes_a_course() {
    let stack = stack().await;
    let options = Options {
        approvals: Approvals::none(),
        ..Options::default()
    };
    let id = new_job_with(&stack, "lecture/lecture.en.vtt", transcript, options).await;
    let ex = executor(&stack, id).await;
    assert_eq!(ex.drive().await.unwrap(), Drive::Done);
    let exec = ex.snapshot();
    assert_eq!(exec.status, ExecutionStatus::Succeeded, "{:?}", exec.error);
    let job = stack.steps.jobs.get(id).await.unwrap();
    assert_eq!(
        (job.status, job.progress.percent),
        (JobStatus::Succeeded, 100)
    );
    assert!(job.stages.iter().all(|s| s.status.is_done()));
    let bytes = stack
        .steps
        .artifacts
        .get(&format!("jobs/{id}/course.json").parse().unwrap())
        .await
        .unwrap()
        .bytes;
    let value: Value = serde_json::from_slice(&bytes).unwrap();
    let validator = jsonschema::validator_for(&course_schema()).unwrap();
    assert!(validator.is_valid(&value));
    let course: Course = serde_json::from_value(value).unwrap();
    assert_eq!(
        course
            .modules
            .iter()
            .map(|m| m.lessons.len())
            .sum::<usize>(),
        5
    );
    assert!(
        course
            .modules
            .iter()
            .flat_map(|m| &m.lessons)
            .all(|l| !l.exercises.is_empty())
    );
    assert_eq!(course.assessment.unwrap().questions.len(), 10);
}

#[tokio::test]
async fn reviews_wait_for_people_and_reruns_add_runs() {
    let stack = stack().await;
    let id = new_job(&stack, "lecture/lecture.srt", |k| Source::Transcript {
        upload_key: k,
        format: TranscriptFormat::Srt,
    })
    .await;
    let ex = executor(&stack, id).await;
    // segment: rerun with other parameters, then approve run 1; outline and
    // questions: approve.
    let mut plan = vec![
        ("segment", "rerun"),
        ("segment", "approve-1"),
        ("outline", "approve"),
        ("questions", "approve"),
    ];
    plan.reverse();
    while ex.drive().await.unwrap() == Drive::AwaitingTokens {
        let job = stack.steps.jobs.get(id).await.unwrap();
        let waiting = job
            .stages
            .iter()
            .find(|s| s.status == StageStatus::AwaitingApproval)
            .expect("a stage awaits review");
        let (stage, action) = plan.pop().expect("no more reviews expected");
        assert_eq!(waiting.stage.as_str(), stage);
        // What the API will do: resolve the opaque handle, change the job,
        // then complete the task.
        let record = stack
            .steps
            .callbacks
            .get(waiting.callback.as_ref().unwrap())
            .await
            .unwrap()
            .unwrap();
        let s = waiting.stage;
        let (command, decision) = match action {
            "rerun" => (
                Command::Rerun {
                    stage: s,
                    parameters: json!({"boundary_penalty": -0.5}),
                },
                "rerun",
            ),
            "approve-1" => (
                Command::Approve {
                    stage: s,
                    run: Some(1),
                },
                "approve",
            ),
            _ => (
                Command::Approve {
                    stage: s,
                    run: None,
                },
                "approve",
            ),
        };
        stack
            .steps
            .update(id, move |_| Ok(vec![command.clone()]))
            .await
            .unwrap();
        ex.send_task_success(record.token.expose(), json!({"action": decision}))
            .await
            .unwrap();
    }
    assert!(plan.is_empty());
    assert_eq!(ex.snapshot().status, ExecutionStatus::Succeeded);
    let job = stack.steps.jobs.get(id).await.unwrap();
    assert_eq!(job.status, JobStatus::Succeeded);
    let segment = job.stage(Stage::Segment);
    assert_eq!(
        (segment.runs.len(), segment.approved_run),
        (2, Some(1)),
        "the rerun added run 2; run 1 was approved"
    );
    // Run 1 (the default penalty) gave 5 segments, so 5 lessons.
    let course: Course = serde_json::from_slice(
        &stack
            .steps
            .artifacts
            .get(&format!("jobs/{id}/course.json").parse().unwrap())
            .await
            .unwrap()
            .bytes,
    )
    .unwrap();
    assert_eq!(
        course
            .modules
            .iter()
            .map(|m| m.lessons.len())
            .sum::<usize>(),
        5
    );
}

#[tokio::test]
async fn unsuitable_or_unsupported_sources_fail_the_job_with_the_reason() {
    let stack = stack().await;
    let id = new_job(&stack, "lecture/lecture.srt", |_| Source::Youtube {
        video_id: "henIVlCPVIY".parse().unwrap(),
    })
    .await;
    let ex = executor(&stack, id).await;
    ex.drive().await.unwrap();
    assert_eq!(ex.snapshot().status, ExecutionStatus::Failed);
    let job = stack.steps.jobs.get(id).await.unwrap();
    assert_eq!(job.status, JobStatus::Failed);
    assert!(
        job.error.as_deref().unwrap().starts_with("Unsupported: "),
        "{:?}",
        job.error
    );
}
