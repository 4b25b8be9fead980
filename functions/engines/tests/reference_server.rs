//! The reference AI server (`coursegen ai-server`) against a receiver that
//! plays coursegen: the protocol's status rules, 200 then the work, signed
//! (or shared-secret) reports retried until answered, abort, and what each
//! task makes of real material.

use crate::common;
use crate::reference;

use std::time::Duration;

use chrono::Utc;
use coursegen_core::ai_protocol::questions;
use coursegen_core::ai_protocol::signature::{Credentials, Secret, WebhookAuth};
use coursegen_engines::ai_server::reference::Signing;
use serde_json::{Value, json};

use reference::{SECRET, waiting, world, world_with};

#[tokio::test]
async fn status_rules_refuse_what_the_protocol_does_not_allow() {
    let w = world().await;
    let health = w.http.get(format!("{}/", w.server)).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let start = "/jobs/j1/tasks/approve/start";
    let cases = [
        (
            json!({"currentTask": null, "parameters": {}}),
            422,
            "taskStatus",
        ),
        (
            json!({"taskStatus": "NAPPING", "currentTask": null}),
            422,
            "taskStatus",
        ),
        (
            json!({"taskStatus": "WAITING", "currentTask": "DANCING"}),
            422,
            "currentTask",
        ),
        (
            json!({"taskStatus": "WAITING", "currentTask": null, "parameters": null}),
            422,
            "parameters",
        ),
        (
            json!({"taskStatus": "WAITING", "currentTask": "SEGMENTATION", "file": "f", "segmentMap": ["x"]}),
            422,
            "segmentMap",
        ),
        (
            json!({"taskStatus": "WAITING", "currentTask": null, "url": 7}),
            422,
            "url",
        ),
        (json!([1, 2]), 422, ""),
    ];
    for (body, status, field) in cases {
        let (got, answer) = w.post(start, Some(body.clone())).await;
        assert_eq!(got, status, "{body}: {answer}");
        let loc = match field {
            "" => json!(["body"]),
            field => json!(["body", field]),
        };
        assert_eq!(answer["detail"][0]["loc"], loc, "{body}");
    }
    // Not JSON at all: FastAPI's json_invalid at the body.
    let (status, answer) = w
        .post_raw(
            start,
            "{\"taskStatus\": ",
            Some(SECRET),
            Utc::now().timestamp(),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(answer["detail"][0]["loc"], json!(["body"]));
    assert_eq!(answer["detail"][0]["type"], "json_invalid");
    let refusals = [
        (start, waiting(json!(null), json!({})), "needs `url`"),
        (
            start,
            json!({"taskStatus": "COMPLETED", "currentTask": null, "url": "u"}),
            "WAITING",
        ),
        (
            start,
            waiting(json!("QUESTION_GENERATION"), json!({"file": "f"})),
            "last task",
        ),
        (
            start,
            waiting(json!("SEGMENTATION"), json!({"file": "f"})),
            "segmentMap",
        ),
        (
            "/jobs/j1/tasks/rerun",
            json!({"taskStatus": "WAITING", "currentTask": "SEGMENTATION", "file": "f"}),
            "COMPLETED",
        ),
        (
            start,
            waiting(
                json!("SEGMENTATION"),
                json!({"file": "f", "segmentMap": [300.0, 120.0]}),
            ),
            "increasing",
        ),
        (
            "/jobs/j1/tasks/rerun",
            json!({"taskStatus": "RUNNING", "currentTask": "SEGMENTATION", "file": "f"}),
            "COMPLETED",
        ),
        (
            "/jobs/j1/tasks/rerun",
            json!({"taskStatus": "FAILED", "currentTask": null}),
            "currentTask",
        ),
        (
            "/jobs/j1/tasks/rerun",
            json!({"taskStatus": "FAILED", "currentTask": "SEGMENTATION", "parameters": {}}),
            "needs `file`",
        ),
    ];
    for (path, body, words) in refusals {
        let (got, answer) = w.post(path, Some(body.clone())).await;
        assert_eq!(got, 400, "{body}: {answer}");
        assert!(
            answer["detail"].as_str().unwrap().contains(words),
            "{answer}"
        );
    }
    // Nothing was started, so there is nothing to abort and no file.
    let (got, _) = w.post("/jobs/j1/abort", None).await;
    assert_eq!(got, 404);
    let missing = w.http.get(format!("{}/files/j1-questions.json", w.server));
    assert_eq!(missing.send().await.unwrap().status(), 404);
    assert!(w.receiver.reports.lock().unwrap().is_empty());
}

#[tokio::test]
async fn segmentation_reports_running_then_the_segment_ends_signed() {
    let w = world().await;
    let (file, material) = w.lecture_transcript();
    let body = waiting(
        json!("TRANSCRIPT_GENERATION"),
        json!({"file": file, "parameters": {"lam": 3.5}}),
    );
    let (status, answer) = w
        .post("/jobs/h1/tasks/approve/start", Some(body.clone()))
        .await;
    assert_eq!(status, 200, "{answer}");
    // A second start while it runs is refused.
    let (status, _) = w.post("/jobs/h1/tasks/approve/start", Some(body)).await;
    assert_eq!(status, 400);

    let reports = w.reports(2).await;
    let auth = WebhookAuth::Signed(Secret::new(SECRET).unwrap());
    for (headers, body) in &reports {
        let header = |n: &str| headers.get(n).and_then(|v| v.to_str().ok());
        let credentials = Credentials {
            timestamp: header("x-coursegen-timestamp"),
            signature: header("x-coursegen-signature"),
            shared_secret: None,
        };
        auth.verify(&credentials, body.to_string().as_bytes(), Utc::now())
            .unwrap();
        assert!(header("x-coursegen-delivery").is_some());
        assert_eq!(body["jobId"], "h1");
        assert_eq!(body["task"], "SEGMENTATION");
    }
    assert_eq!(reports[0].1["status"], "RUNNING");
    let done = &reports[1].1;
    assert_eq!(done["status"], "COMPLETED");
    assert_eq!(done["data"]["status"], "COMPLETED");
    assert_eq!(done["data"]["transcriptFileUrl"], file);
    assert_eq!(done["data"]["parameters"], json!({"lam": 3.5}));
    let ends: Vec<f64> = done["data"]["segmentationMap"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert!(ends.len() >= 3, "{ends:?}");
    assert!(ends.windows(2).all(|w| w[1] > w[0]));
    let last = material.sentences.last().unwrap().end_ms as f64 / 1000.0;
    assert!(
        (ends.last().unwrap() - last).abs() < 1.0,
        "{ends:?} vs {last}"
    );
    // It is finished: an abort is now a 400.
    let (status, _) = w.post("/jobs/h1/abort", None).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn questions_come_per_segment_in_the_counts_asked() {
    let w = world().await;
    let (file, material) = w.lecture_transcript();
    let end = material.sentences.last().unwrap().end_ms as f64 / 1000.0;
    let segment_map = vec![400.0, 900.0, end];
    let body = waiting(
        json!("SEGMENTATION"),
        json!({"file": file, "segmentMap": segment_map,
               "parameters": {"SOL": 2, "SML": 1, "NAT": 0, "DES": 0, "BIN": 1}}),
    );
    let (status, answer) = w.post("/jobs/q1/tasks/approve/start", Some(body)).await;
    assert_eq!(status, 200, "{answer}");
    let reports = w.reports(2).await;
    let done = &reports[1].1;
    assert_eq!(done["task"], "QUESTION_GENERATION");
    assert_eq!(done["status"], "COMPLETED", "{done}");
    assert_eq!(done["data"]["segmentMapUsed"], json!(segment_map));
    let url = done["data"]["fileUrl"].as_str().unwrap();
    assert!(url.starts_with(&w.server));
    // 128 random bits, not a name made from the job id.
    let name = url.rsplit('/').next().unwrap();
    let (random, rest) = name.split_at(32);
    assert!(random.bytes().all(|b| b.is_ascii_hexdigit()), "{name}");
    assert_eq!(rest, "-questions.json");
    assert_eq!(done["data"]["fileName"], name);
    let items: Value = w.http.get(url).send().await.unwrap().json().await.unwrap();
    let imported = questions::import(&items, &segment_map).unwrap();
    for segment in segment_map {
        let kinds: Vec<&str> = items
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["segmentId"].as_f64() == Some(segment))
            .map(|i| i["questionType"].as_str().unwrap())
            .collect();
        for (kind, n) in [("SOL", 2), ("SML", 1), ("BIN", 1)] {
            assert_eq!(
                kinds.iter().filter(|k| **k == kind).count(),
                n,
                "{kind} in segment {segment}: {kinds:?}"
            );
        }
    }
    assert_eq!(imported.len(), 12);
}

#[tokio::test]
async fn transcription_reads_captions_and_refuses_raw_audio() {
    let w = world().await;
    let vtt = w.serve_file("l.vtt", common::example("lecture/lecture.en.vtt"));
    let body = waiting(
        json!("AUDIO_EXTRACTION"),
        json!({"file": vtt, "parameters": {"language": "en"}}),
    );
    assert_eq!(
        w.post("/jobs/t1/tasks/approve/start", Some(body)).await.0,
        200
    );
    let reports = w.reports(2).await;
    let done = &reports[1].1;
    assert_eq!(done["task"], "TRANSCRIPT_GENERATION");
    assert_eq!(done["status"], "COMPLETED", "{done}");
    let transcript: Value = w
        .http
        .get(done["data"]["fileUrl"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(transcript["chunks"].as_array().unwrap().len() > 50);

    let audio = w.serve_file(
        "talk.mp3",
        b"ID3\x04\x00\x00\x00\x00\x00\x00\xff\xfb".to_vec(),
    );
    let body = waiting(json!("AUDIO_EXTRACTION"), json!({"file": audio}));
    assert_eq!(
        w.post("/jobs/t2/tasks/approve/start", Some(body)).await.0,
        200
    );
    let reports = w.reports(4).await;
    let failed = &reports[3].1;
    assert_eq!(failed["jobId"], "t2");
    assert_eq!(failed["status"], "FAILED");
    assert!(
        failed["data"]["error"]
            .as_str()
            .unwrap()
            .contains("cannot transcribe audio"),
        "{failed}"
    );
    // Extraction from a video URL fails plainly too.
    let body = waiting(json!(null), json!({"url": "https://youtu.be/henIVlCPVIY"}));
    assert_eq!(
        w.post("/jobs/t3/tasks/approve/start", Some(body)).await.0,
        200
    );
    let reports = w.reports(6).await;
    assert_eq!(reports[5].1["task"], "AUDIO_EXTRACTION");
    assert_eq!(reports[5].1["status"], "FAILED");
    // A rerun of the failed job is allowed.
    let body = json!({"taskStatus": "FAILED", "currentTask": "TRANSCRIPT_GENERATION", "file": vtt, "parameters": {}});
    assert_eq!(w.post("/jobs/t2/tasks/rerun", Some(body)).await.0, 200);
    let reports = w.reports(8).await;
    assert_eq!(reports[7].1["status"], "COMPLETED");
}

#[tokio::test]
async fn reports_are_retried_until_answered_with_one_delivery_id() {
    let w = world_with(Signing::Signed(Secret::new(SECRET).unwrap()), &[1, 2]).await;
    let body = waiting(json!(null), json!({"url": "https://youtu.be/x"}));
    assert_eq!(
        w.post("/jobs/r1/tasks/approve/start", Some(body)).await.0,
        200
    );
    let reports = w.reports(2).await;
    assert_eq!(
        *w.receiver.attempts.lock().unwrap(),
        4,
        "2 refused + RUNNING + FAILED"
    );
    assert_eq!(reports[0].1["status"], "RUNNING");
    assert_eq!(reports[1].1["status"], "FAILED");
    let ids: Vec<&str> = reports
        .iter()
        .map(|(h, _)| h["x-coursegen-delivery"].to_str().unwrap())
        .collect();
    assert_ne!(ids[0], ids[1], "each report is its own delivery");
    let attempts = w.receiver.attempt_ids.lock().unwrap().clone();
    assert_eq!(
        attempts[..3],
        [ids[0], ids[0], ids[0]],
        "RUNNING was tried three times as one delivery"
    );
    // With the same timestamp and signature: coursegen knows a delivery
    // by what is signed, so a retry must be byte for byte the same.
    let signed = w.receiver.attempt_signatures.lock().unwrap().clone();
    assert!(signed[0].1.starts_with("v1="));
    assert_eq!(
        signed[..3],
        [signed[0].clone(), signed[0].clone(), signed[0].clone()]
    );
    assert_ne!(signed[3], signed[0], "FAILED is another delivery");
}

#[tokio::test]
async fn the_shared_secret_mode_sends_the_secret_itself() {
    let w = world_with(Signing::SharedSecret(Secret::new(SECRET).unwrap()), &[]).await;
    let body = waiting(json!(null), json!({"url": "https://youtu.be/x"}));
    assert_eq!(
        w.post("/jobs/s1/tasks/approve/start", Some(body)).await.0,
        200
    );
    for (headers, _) in w.reports(2).await {
        assert_eq!(headers["x-webhook-signature"], SECRET);
        assert!(headers.get("x-coursegen-signature").is_none());
    }
}

#[tokio::test]
async fn an_abort_stops_the_task_before_it_reports_an_end() {
    let w = world().await;
    // A transcript that never finishes downloading keeps the task running.
    let slow = format!("{}/slow", w.inputs);
    let body = waiting(json!("TRANSCRIPT_GENERATION"), json!({"file": slow}));
    assert_eq!(
        w.post("/jobs/a1/tasks/approve/start", Some(body)).await.0,
        200
    );
    w.reports(1).await;
    let (status, answer) = w.post("/jobs/a1/abort", None).await;
    assert_eq!(status, 200, "{answer}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let reports = w.receiver.reports.lock().unwrap().clone();
    assert_eq!(reports.len(), 1, "only RUNNING: {reports:?}");
    // Aborted is finished: a second abort is a 400, a rerun is allowed.
    assert_eq!(w.post("/jobs/a1/abort", None).await.0, 400);
    let body = json!({"taskStatus": "ABORTED", "currentTask": "SEGMENTATION", "file": slow});
    assert_eq!(w.post("/jobs/a1/tasks/rerun", Some(body)).await.0, 200);
}

#[tokio::test]
async fn a_rerun_reports_only_after_the_previous_run_s_end_got_through() {
    // Attempt 1 (RUNNING) is taken; the FAILED that follows is refused five
    // times, and the rerun is asked for meanwhile.
    let w = world_with(
        Signing::Signed(Secret::new(SECRET).unwrap()),
        &[2, 3, 4, 5, 6],
    )
    .await;
    let state = |status: &str| {
        json!({"taskStatus": status, "currentTask": "AUDIO_EXTRACTION",
               "url": "https://youtu.be/x", "parameters": {}})
    };
    let body = waiting(json!(null), json!({"url": "https://youtu.be/x"}));
    assert_eq!(
        w.post("/jobs/o1/tasks/approve/start", Some(body)).await.0,
        200
    );
    for _ in 0..500 {
        if *w.receiver.attempts.lock().unwrap() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let (status, answer) = w.post("/jobs/o1/tasks/rerun", Some(state("FAILED"))).await;
    assert_eq!(status, 200, "{answer}");
    let statuses: Vec<Value> = w
        .reports(4)
        .await
        .iter()
        .map(|(_, body)| body["status"].clone())
        .collect();
    assert_eq!(
        statuses,
        [
            json!("RUNNING"),
            json!("FAILED"),
            json!("RUNNING"),
            json!("FAILED")
        ]
    );
}
