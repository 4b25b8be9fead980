//! A YouTube job whose ingest goes to the AI server: the dispatch asks for
//! audio extraction, the extracted audio is copied and handed on to
//! transcription under the same waiting task, a late report for the
//! extraction changes nothing, and the transcript becomes the material.

use crate::common;

use std::sync::Arc;

use axum::http::StatusCode;
use chrono::Utc;
use coursegen_core::auth::Role;
use coursegen_core::stage::{Stage, StageStatus};
use serde_json::{Value, json};

use common::{Api, Transcript, Worker, api_with_ai, post_signed, sent};

async fn deliver(api: &Api, body: &Value) -> (StatusCode, Value) {
    post_signed(api, &body.to_string(), Utc::now().timestamp(), &[]).await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_video_is_extracted_then_transcribed_under_one_waiting_task() {
    let worker = Arc::new(Worker::default());
    let api = api_with_ai(worker.clone(), Arc::new(Transcript));
    let admin = api.token("ada", Role::Admin, &[]);
    let body = json!({
        "course": {"course_id": "c1", "version_id": "v1"},
        "source": {"kind": "youtube", "video_id": "henIVlCPVIY"},
        "options": {"engines": {"ingest": "ai-server"}, "approvals": "auto", "force": true}
    });
    let (status, _, job, text) = api
        .call("POST", "/v1/jobs", Some(&admin), &[], Some(body))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{text}");
    let id: coursegen_core::ids::JobId = job["id"].as_str().unwrap().parse().unwrap();

    let (extraction, state) = sent(&worker, 1).await;
    assert_eq!(state["currentTask"], Value::Null);
    assert_eq!(state["taskStatus"], "WAITING");
    assert_eq!(state["url"], "https://www.youtube.com/watch?v=henIVlCPVIY");
    assert_eq!(state["parameters"], json!({}));

    let audio = json!({"task": "AUDIO_EXTRACTION", "status": "COMPLETED", "jobId": extraction,
        "data": {"status": "COMPLETED", "fileName": "a.wav", "fileUrl": "http://server/a.wav"}});
    let (status, answer) = deliver(&api, &audio).await;
    assert_eq!(
        (status, &answer["status"]),
        (StatusCode::OK, &json!("transcribing")),
        "{answer}"
    );

    let (transcription, state) = sent(&worker, 2).await;
    assert_ne!(transcription, extraction, "a fresh handle");
    assert_eq!(state["currentTask"], "AUDIO_EXTRACTION");
    assert!(
        state["file"]
            .as_str()
            .unwrap()
            .starts_with("http://localhost/v1/files/")
    );
    let job = api.service.steps.jobs.get(id).await.unwrap();
    let ingest = job.stage(Stage::Ingest);
    assert_eq!(ingest.status, StageStatus::Running);
    assert_eq!(ingest.callback.as_ref().unwrap().to_string(), transcription);
    assert_eq!(ingest.runs.len(), 1, "one run for both tasks");

    // A late second report of the extraction is kept and ignored.
    let mut again = audio.clone();
    again["data"]["fileName"] = json!("b.wav");
    let (status, answer) = deliver(&api, &again).await;
    assert_eq!(
        (status, &answer["status"]),
        (StatusCode::OK, &json!("ignored")),
        "{answer}"
    );
    assert_eq!(worker.started.lock().unwrap().len(), 2);

    let transcript = json!({"task": "TRANSCRIPT_GENERATION", "status": "COMPLETED", "jobId": transcription,
        "data": {"status": "COMPLETED", "fileName": "t.json", "fileUrl": "http://server/t.json",
                 "parameters": {"language": "en"}}});
    let (status, answer) = deliver(&api, &transcript).await;
    assert_eq!(
        (status, &answer["status"]),
        (StatusCode::OK, &json!("completed")),
        "{answer}"
    );
    let job = api.service.steps.jobs.get(id).await.unwrap();
    let run = &job.stage(Stage::Ingest).runs[0];
    let output = api
        .service
        .steps
        .artifacts
        .get(run.output_key.as_ref().unwrap())
        .await
        .unwrap();
    let ingested: Value = serde_json::from_slice(&output.bytes).unwrap();
    assert_eq!(
        ingested["material"]["sentences"][1]["text"],
        "Welcome to the lecture."
    );
    assert_eq!(
        ingested["video"],
        "https://www.youtube.com/watch?v=henIVlCPVIY"
    );
    // Our copies of both files are kept with the run.
    let copies = api
        .service
        .steps
        .artifacts
        .list(&format!("jobs/{id}/ingest/").parse().unwrap())
        .await
        .unwrap();
    let names: Vec<String> = copies.iter().map(|e| e.key.to_string()).collect();
    assert!(
        names.iter().any(|k| k.ends_with("run-0001.audio")),
        "{names:?}"
    );
    assert!(
        names
            .iter()
            .any(|k| k.ends_with("run-0001.ai-transcript.json")),
        "{names:?}"
    );
}
