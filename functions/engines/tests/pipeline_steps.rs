//! The pipeline's step handlers on the embedded stack (SQLite, files, the
//! offline engine): each records a run with its output, and running a step
//! again — after a retry or a crash — adds no run.

use crate::common;

use common::{Stack, new_job, stack};
use coursegen_core::ids::JobId;
use coursegen_core::job::JobStatus;
use coursegen_core::lifecycle::Command;
use coursegen_core::ports::JobStore;
use coursegen_core::source::{DocumentFormat, Source, TranscriptFormat};
use coursegen_core::stage::{Stage, StageStatus};
use serde_json::{Value, json};

async fn step(stack: &Stack, id: JobId, name: &str) -> Value {
    stack
        .steps
        .handle(&json!({"job_id": id.to_string(), "step": name}))
        .await
        .unwrap()
}

#[tokio::test]
async fn steps_record_runs_and_outputs() {
    let stack = stack().await;
    let id = new_job(&stack, "lecture/lecture.srt", |k| Source::Transcript {
        upload_key: k,
        format: TranscriptFormat::Srt,
    })
    .await;
    let ingest = step(&stack, id, "ingest").await;
    assert!(ingest["sentences"].as_u64().unwrap() > 200);
    assert_eq!(step(&stack, id, "validate").await["suitable"], true);
    assert_eq!(step(&stack, id, "segment").await["segments"], 5);
    let outline = step(&stack, id, "outline").await;
    assert_eq!(
        (outline["modules"].as_u64(), outline["lessons"].as_u64()),
        (Some(5), Some(5))
    );
    let job = stack.jobs.get(id).await.unwrap();
    assert_eq!(job.status, JobStatus::Running);
    for stage in [
        Stage::Ingest,
        Stage::Validate,
        Stage::Segment,
        Stage::Outline,
    ] {
        let s = job.stage(stage);
        assert_eq!(
            (s.status, s.runs.len()),
            (StageStatus::Completed, 1),
            "{stage}"
        );
        assert_eq!(
            s.runs[0].output_key.as_ref().unwrap().to_string(),
            format!("jobs/{id}/{stage}/run-0001.json")
        );
    }
}

#[tokio::test]
async fn running_a_step_again_adds_no_run() {
    let stack = stack().await;
    let id = new_job(&stack, "lecture/lecture.srt", |k| Source::Transcript {
        upload_key: k,
        format: TranscriptFormat::Srt,
    })
    .await;
    step(&stack, id, "ingest").await;
    step(&stack, id, "validate").await;
    let first = step(&stack, id, "segment").await;
    // A retried invocation of a finished step returns the same output.
    assert_eq!(step(&stack, id, "segment").await, first);
    // A crash left the outline stage running: the next invocation finishes
    // that run instead of starting another.
    stack
        .steps
        .update(id, |_| {
            Ok(vec![Command::StartStage {
                stage: Stage::Outline,
            }])
        })
        .await
        .unwrap();
    step(&stack, id, "outline").await;
    let job = stack.jobs.get(id).await.unwrap();
    assert_eq!(job.stage(Stage::Segment).runs.len(), 1);
    assert_eq!(job.stage(Stage::Outline).runs.len(), 1);
    assert_eq!(job.stage(Stage::Outline).status, StageStatus::Completed);
}

#[tokio::test]
async fn course_scripts_keep_their_sections_and_title() {
    let stack = stack().await;
    let id = new_job(&stack, "course-script/course-script.docx", |k| {
        Source::Document {
            upload_key: k,
            format: DocumentFormat::Docx,
        }
    })
    .await;
    for name in ["ingest", "validate", "segment"] {
        step(&stack, id, name).await;
    }
    let outline = step(&stack, id, "outline").await;
    assert_eq!(outline["lessons"], 5, "one lesson per video of the script");
}

#[tokio::test]
async fn failures_are_named_for_the_workflow() {
    let stack = stack().await;
    let id = new_job(&stack, "lecture/lecture.srt", |_| Source::Youtube {
        video_id: "henIVlCPVIY".parse().unwrap(),
    })
    .await;
    let err = stack
        .steps
        .handle(&json!({"job_id": id.to_string(), "step": "ingest"}))
        .await
        .unwrap_err();
    assert_eq!(err.name, "Unsupported");
    assert!(err.message.contains("AI server"), "{err}");
    let job = stack.jobs.get(id).await.unwrap();
    assert_eq!(
        job.stage(Stage::Ingest).status,
        StageStatus::Failed,
        "the failed run is recorded"
    );
    let err = stack
        .steps
        .handle(&json!({"job_id": id.to_string(), "step": "teleport"}))
        .await
        .unwrap_err();
    assert_eq!(err.name, "UnknownStep");
    let err = stack
        .steps
        .handle(&json!({"job_id": "nope", "step": "ingest"}))
        .await
        .unwrap_err();
    assert_eq!(err.name, "InvalidPayload");
    let err = stack
        .steps
        .handle(&json!({"job_id": JobId::new().to_string(), "step": "ingest"}))
        .await
        .unwrap_err();
    assert_eq!(err.name, "NotFound");
    // Validation before ingestion has nothing to read.
    let id = new_job(&stack, "lecture/lecture.srt", |k| Source::Transcript {
        upload_key: k,
        format: TranscriptFormat::Srt,
    })
    .await;
    let err = stack
        .steps
        .handle(&json!({"job_id": id.to_string(), "step": "validate"}))
        .await
        .unwrap_err();
    assert_eq!(err.name, "Conflict", "{err}");
}
