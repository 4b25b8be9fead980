//! Two interpreters agree: `statemachine/course.asl.json` runs in moto's
//! Step Functions interpreter and in coursegen-local's, with the same
//! scripted Lambda answers and reviewer decisions, and both enter the same
//! states, invoke the same functions with the same payloads, and end with
//! the same status, output and error.
//!
//! Not compared: an abort at review. moto 5.2.5's StopExecution leaves an
//! execution that waits on a task token RUNNING (its worker never sees the
//! stop), so there is no reference to compare with; our interpreter's stop
//! is covered by its own tests and by `coursegen generate`'s.

use crate::moto;
mod ours;
mod script;
mod theirs;

use std::collections::BTreeSet;

use coursegen_local::workflow::DEFINITION;
use serde_json::{Value, json};

use script::{Decision, Scenario};

fn top_level_states() -> BTreeSet<String> {
    let definition: Value = serde_json::from_str(DEFINITION).unwrap();
    definition["States"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect()
}

/// Runs `scenario` in both, asserts they agree, and returns the common
/// status and last entered state for the caller's own expectations.
async fn agree(scenario: Scenario) -> (String, String) {
    let top = top_level_states();
    let moto = moto::Moto::shared().await;
    let theirs = theirs::run(moto, &scenario, &top).await;
    let ours = ours::run(&scenario, &top).await;
    assert_eq!(
        ours.entered, theirs.entered,
        "{}: entered states",
        scenario.name
    );
    assert_eq!(
        ours.invocations, theirs.invocations,
        "{}: invocations",
        scenario.name
    );
    assert_eq!(ours.status, theirs.status, "{}: status", scenario.name);
    assert_eq!(ours.output, theirs.output, "{}: output", scenario.name);
    assert_eq!(ours.error, theirs.error, "{}: error", scenario.name);
    let last = ours.entered.last().cloned().unwrap_or_default();
    (ours.status, last)
}

fn suitable() -> Value {
    json!({"suitable": true, "confidence": 0.92, "category": "lecture", "reason": "a lecture"})
}

fn output(stage: &str) -> Value {
    json!({"stage": stage, "run": 1, "key": format!("jobs/j/{stage}/run-0001.json")})
}

#[tokio::test(flavor = "multi_thread")]
async fn auto_approve_with_videos() {
    let scenario = Scenario::new("auto-approve", "us-east-1", false)
        .with("render_videos", json!(true))
        .step("Ingest", output("ingest"))
        .step("Validate", suitable())
        .step("Segment", output("segment"))
        .step("Outline", output("outline"))
        .write(3)
        .step("Questions", output("questions"))
        .step("Assemble", json!({"course": "jobs/j/course.json"}))
        .videos(3)
        .step("Finish", json!({"status": "succeeded"}));
    assert_eq!(agree(scenario).await, ("SUCCEEDED".into(), "Done".into()));
}

#[tokio::test(flavor = "multi_thread")]
async fn manual_approvals() {
    let scenario = Scenario::new("manual", "us-east-2", true)
        .step("Ingest", output("ingest"))
        .step("Validate", suitable())
        .step("Segment", output("segment"))
        .gate(Decision::Approve)
        .step("Outline", output("outline"))
        .gate(Decision::Approve)
        .write(4)
        .step("Questions", output("questions"))
        .gate(Decision::Approve)
        .step("Assemble", json!({"course": "jobs/j/course.json"}))
        .step("Finish", json!({"status": "succeeded"}));
    assert_eq!(agree(scenario).await, ("SUCCEEDED".into(), "Done".into()));
}

#[tokio::test(flavor = "multi_thread")]
async fn narrations_reviewed_then_rendered() {
    let scenario = Scenario::new("narrations", "eu-north-1", true)
        .with("render_videos", json!(true))
        .step("Ingest", output("ingest"))
        .step("Validate", suitable())
        .step("Segment", output("segment"))
        .gate(Decision::Approve)
        .step("Outline", output("outline"))
        .gate(Decision::Approve)
        .write(2)
        .step("Questions", output("questions"))
        .gate(Decision::Approve)
        .step("Assemble", json!({"course": "jobs/j/course.json"}))
        .narrations()
        .gate(Decision::Rerun)
        .narrations()
        .gate(Decision::Approve)
        .renders(2)
        .step("Finish", json!({"status": "succeeded"}));
    assert_eq!(agree(scenario).await, ("SUCCEEDED".into(), "Done".into()));
}

#[tokio::test(flavor = "multi_thread")]
async fn rerun_loops() {
    let scenario = Scenario::new("rerun", "us-west-1", true)
        .step("Ingest", output("ingest"))
        .step("Validate", suitable())
        .step("Segment", output("segment"))
        .gate(Decision::Rerun)
        .step("Segment", json!({"stage": "segment", "run": 2}))
        .gate(Decision::Approve)
        .step("Outline", output("outline"))
        .gate(Decision::Rerun)
        .step("Outline", json!({"stage": "outline", "run": 2}))
        .gate(Decision::Approve)
        .write(2)
        .step("Questions", output("questions"))
        .gate(Decision::Rerun)
        .write(2)
        .step("Questions", json!({"stage": "questions", "run": 2}))
        .gate(Decision::Approve)
        .step("Assemble", json!({"course": "jobs/j/course.json"}))
        .step("Finish", json!({"status": "succeeded"}));
    assert_eq!(agree(scenario).await, ("SUCCEEDED".into(), "Done".into()));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_step_is_caught() {
    let scenario = Scenario::new("failed-step", "us-west-2", false)
        .step("Ingest", output("ingest"))
        .step("Validate", suitable())
        .fails("Segment")
        .step("RecordFailure", json!({"recorded": true}));
    assert_eq!(agree(scenario).await, ("FAILED".into(), "Failed".into()));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unsuitable_source_fails() {
    let scenario = Scenario::new("unsuitable", "eu-west-1", false)
        .step("Ingest", output("ingest"))
        .step(
            "Validate",
            json!({"suitable": false, "confidence": 0.9, "category": "lyrics", "reason": "song lyrics, not teaching"}),
        )
        .step("RecordFailure", json!({"recorded": true}));
    assert_eq!(agree(scenario).await, ("FAILED".into(), "Failed".into()));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unsuitable_source_goes_on_when_forced() {
    let scenario = Scenario::new("forced", "eu-west-2", false)
        .with("force", json!(true))
        .step("Ingest", output("ingest"))
        .step(
            "Validate",
            json!({"suitable": false, "reason": "song lyrics"}),
        )
        .step("Segment", output("segment"))
        .step("Outline", output("outline"))
        .write(1)
        .step("Questions", output("questions"))
        .step("Assemble", json!({"course": "jobs/j/course.json"}))
        .step("Finish", json!({"status": "succeeded"}));
    assert_eq!(agree(scenario).await, ("SUCCEEDED".into(), "Done".into()));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_ai_server_does_transcription_segmentation_and_questions() {
    let scenario = Scenario::new("ai-server", "ap-south-1", true)
        .with(
            "workers",
            json!({"ingest": true, "segment": true, "questions": true}),
        )
        .dispatch("ingest")
        .step("Validate", suitable())
        .dispatch("segment")
        .gate(Decision::Rerun)
        .dispatch("segment")
        .gate(Decision::Approve)
        .step("Outline", output("outline"))
        .gate(Decision::Approve)
        .write(2)
        .dispatch("questions")
        .gate(Decision::Approve)
        .step("Assemble", json!({"course": "jobs/j/course.json"}))
        .step("Finish", json!({"status": "succeeded"}));
    assert_eq!(agree(scenario).await, ("SUCCEEDED".into(), "Done".into()));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_script_job_loops_over_its_frames_and_waits_for_its_clips() {
    let stepped = |done: bool, wait: u64| json!({"done": done, "wait_seconds": wait});
    let scenario = Scenario::new("script", "ca-central-1", true)
        .with("storyboard", json!(true))
        .with(
            "gates",
            json!({"storyboard": true, "prompts": true, "images": true, "clips": true}),
        )
        .step("Ingest", output("ingest"))
        .step("Validate", suitable())
        .step("Storyboard", output("storyboard"))
        .gate(Decision::Rerun)
        .step("Storyboard", json!({"stage": "storyboard", "run": 2}))
        .gate(Decision::Approve)
        .step("Prompts", output("prompts"))
        .gate(Decision::Approve)
        .step("Images", stepped(false, 0))
        .step("Images", stepped(true, 0))
        .gate(Decision::Approve)
        .step("Clips", stepped(false, 1))
        .step("Clips", stepped(false, 1))
        .step("Clips", stepped(true, 0))
        .gate(Decision::Approve)
        .step("Film", stepped(false, 0))
        .step("Film", stepped(true, 0))
        .step("Finish", json!({"status": "succeeded"}));
    assert_eq!(agree(scenario).await, ("SUCCEEDED".into(), "Done".into()));
}
