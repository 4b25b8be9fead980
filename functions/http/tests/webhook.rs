//! The AI server's webhook over the router: who may call it, what a bad
//! body gets, and that a report for anything but the run it was issued
//! for is recorded and changes nothing — once, however often it is sent.

use crate::common;

use std::time::Duration;

use axum::http::StatusCode;
use chrono::Utc;
use coursegen_core::ai_protocol::signature::{Secret, sign};
use serde_json::{Value, json};

use common::{Api, WEBHOOK_SECRET, api, create_job};

const HOOK: &str = "/v1/webhooks/ai-server";

/// Sends `body` signed with `secret` at `at` (unix seconds).
async fn deliver_signed(
    api: &Api,
    body: &Value,
    secret: &str,
    at: i64,
    delivery: Option<&str>,
) -> (StatusCode, Value) {
    let signature = sign(
        &Secret::new(secret).unwrap(),
        at,
        body.to_string().as_bytes(),
    );
    let at = at.to_string();
    let mut headers = vec![
        ("x-coursegen-timestamp", at.as_str()),
        ("x-coursegen-signature", signature.as_str()),
    ];
    if let Some(d) = delivery {
        headers.push(("x-coursegen-delivery", d));
    }
    let (status, _, json, _) = api
        .call("POST", HOOK, None, &headers, Some(body.clone()))
        .await;
    (status, json)
}

async fn deliver(api: &Api, body: &Value, delivery: Option<&str>) -> (StatusCode, Value) {
    deliver_signed(api, body, WEBHOOK_SECRET, Utc::now().timestamp(), delivery).await
}

/// A job parked for review at the segment gate, and the gate's handle.
async fn job_at_segment_review(api: &Api) -> (String, String) {
    let id = create_job(api).await;
    for _ in 0..1000 {
        let job = stored(api, &id).await;
        let state = job.stage(coursegen_core::stage::Stage::Segment);
        if let Some(handle) = &state.callback {
            return (id, handle.to_string());
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the job never reached the segment review");
}

async fn stored(api: &Api, id: &str) -> coursegen_core::job::Job {
    api.job(id).await
}

async fn events_of(api: &Api, id: &str) -> Vec<coursegen_core::event::Event> {
    api.service
        .steps
        .jobs
        .events_after(id.parse().unwrap(), 0, 1000)
        .await
        .unwrap()
}

fn segmentation(handle: &str) -> Value {
    json!({"task": "SEGMENTATION", "status": "COMPLETED", "jobId": handle,
           "data": {"status": "COMPLETED", "segmentationMap": [60.0, 120.5],
                    "transcriptFileUrl": "http://127.0.0.1:9/t.json", "parameters": {}}})
}

#[tokio::test]
async fn only_deliveries_signed_with_the_secret_within_five_minutes_get_in() {
    let api = api();
    let (id, handle) = job_at_segment_review(&api).await;
    let before = events_of(&api, &id).await.len();
    let body = segmentation(&handle);
    let now = Utc::now().timestamp();
    let refused = [
        deliver_signed(&api, &body, "not the secret", now, None).await,
        deliver_signed(&api, &body, WEBHOOK_SECRET, now - 301, None).await,
        deliver_signed(&api, &body, WEBHOOK_SECRET, now + 301, None).await,
    ];
    for (status, answer) in refused {
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{answer}");
        assert_eq!(answer["error"]["code"], "unauthenticated");
    }
    // No signature at all, or the shared secret in signed mode.
    for headers in [vec![], vec![("x-webhook-signature", WEBHOOK_SECRET)]] {
        let (status, _, _, _) = api
            .call("POST", HOOK, None, &headers, Some(body.clone()))
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    // A tampered body under a valid signature.
    let signature = sign(
        &Secret::new(WEBHOOK_SECRET).unwrap(),
        now,
        body.to_string().as_bytes(),
    );
    let now_text = now.to_string();
    let (status, _, _, _) = api
        .call(
            "POST",
            HOOK,
            None,
            &[
                ("x-coursegen-timestamp", &now_text),
                ("x-coursegen-signature", &signature),
            ],
            Some(segmentation("00000000000000000000000000000000")),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        events_of(&api, &id).await.len(),
        before,
        "nothing was recorded"
    );
}

#[tokio::test]
async fn bad_bodies_are_400s_naming_the_field_and_strangers_404s() {
    let api = api();
    let (_, handle) = job_at_segment_review(&api).await;
    let cases = [
        (json!({"task": "SEGMENTATION", "jobId": handle}), "status"),
        (
            json!({"task": "NAPPING", "jobId": handle, "status": "RUNNING"}),
            "task",
        ),
        (
            json!({"task": "SEGMENTATION", "jobId": handle, "data": {"status": "COMPLETED", "segmentationMap": [3, 2], "transcriptFileUrl": "http://x"}}),
            "data.segmentationMap[1]",
        ),
        // A task other than the one the handle waits for.
        (
            json!({"task": "QUESTION_GENERATION", "jobId": handle, "status": "RUNNING"}),
            "task",
        ),
    ];
    for (body, field) in cases {
        let (status, answer) = deliver(&api, &body, None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer}");
        assert_eq!(answer["error"]["details"]["field"], field, "{answer}");
    }
    for stranger in ["00000000000000000000000000000000", "not-a-handle"] {
        let (status, answer) = deliver(&api, &segmentation(stranger), None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{answer}");
    }
}

#[tokio::test]
async fn a_report_on_a_human_review_is_recorded_once_and_changes_nothing() {
    let api = api();
    let (id, handle) = job_at_segment_review(&api).await;
    let job_before = stored(&api, &id).await;
    let before = events_of(&api, &id).await.len();
    let body = segmentation(&handle);
    let at = Utc::now().timestamp();
    let first = deliver_signed(&api, &body, WEBHOOK_SECRET, at, Some("delivery-1")).await;
    assert_eq!(first.0, StatusCode::OK, "{}", first.1);
    assert_eq!(first.1["status"], "ignored");
    // The same signed bytes again — a retry, or a capture replayed under
    // another delivery id or none — are the same delivery.
    for delivery in [Some("delivery-1"), Some("delivery-2"), None] {
        assert_eq!(
            deliver_signed(&api, &body, WEBHOOK_SECRET, at, delivery).await,
            first
        );
    }
    // Signed at another second, it is another delivery.
    let second = deliver_signed(&api, &body, WEBHOOK_SECRET, at + 1, Some("delivery-1")).await;
    assert_eq!(second.1["status"], "ignored");
    let events = events_of(&api, &id).await;
    let ignored: Vec<_> = events[before..]
        .iter()
        .filter(|e| e.kind.name() == "report_ignored")
        .collect();
    assert_eq!(ignored.len(), 2, "one per distinct delivery: {events:?}");
    let job = stored(&api, &id).await;
    assert_eq!(job.stages, job_before.stages, "no stage changed");
    assert_eq!(job.status, job_before.status);
}
