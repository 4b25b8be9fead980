//! Reviewers' edits keep the rules the engines' outputs obey: an edit that
//! breaks one is a 400 naming the field, and nothing changes; a sound edit
//! (segments merged, a lesson moved, a question reworded) is a new run.

use crate::common;

use std::time::Duration;

use axum::http::StatusCode;
use common::{Api, api, create_job};
use coursegen_core::auth::Role;
use serde_json::{Value, json};

async fn job(api: &Api, id: &str) -> Value {
    let admin = api.token("ada", Role::Admin, &[]);
    api.call("GET", &format!("/v1/jobs/{id}"), Some(&admin), &[], None)
        .await
        .2
}

/// Waits for `stage`'s review; the job then.
async fn at_review(api: &Api, id: &str, stage: &str) -> Value {
    for _ in 0..2000 {
        let job = job(api, id).await;
        let state = job["stages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["stage"] == stage)
            .unwrap();
        if state["status"] == "awaiting_approval" {
            return job;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("{stage} never awaited review");
}

async fn latest(api: &Api, id: &str, stage: &str, run: u64) -> Value {
    let admin = api.token("ada", Role::Admin, &[]);
    let uri = format!("/v1/jobs/{id}/stages/{stage}/runs/{run}");
    api.call("GET", &uri, Some(&admin), &[], None).await.2
}

/// PUTs `output` as an edit of `stage` on the job's current version: the
/// status, the error's field (or the new version), and the job's version
/// before.
async fn edit(api: &Api, id: &str, stage: &str, output: Value) -> (StatusCode, Value) {
    let admin = api.token("ada", Role::Admin, &[]);
    let version = job(api, id).await["version"].as_u64().unwrap();
    let uri = format!("/v1/jobs/{id}/stages/{stage}/output");
    let if_match = format!("\"{version}\"");
    let (status, _, body, _) = api
        .call(
            "PUT",
            &uri,
            Some(&admin),
            &[("if-match", &if_match)],
            Some(output),
        )
        .await;
    let after = job(api, id).await["version"].as_u64().unwrap();
    if status != StatusCode::OK {
        assert_eq!(after, version, "a refused edit changes nothing");
    }
    (status, body)
}

fn refused(answer: &(StatusCode, Value), field: &str) {
    assert_eq!(answer.0, StatusCode::BAD_REQUEST, "{}", answer.1);
    assert_eq!(answer.1["error"]["details"]["field"], field, "{}", answer.1);
}

fn segment(start_ms: u64, end_ms: u64) -> Value {
    json!({"start_ms": start_ms, "end_ms": end_ms, "title": "A part", "summary": ""})
}

#[tokio::test(flavor = "multi_thread")]
async fn edits_are_held_to_the_rules_of_each_stage() {
    let api = api();
    let admin = api.token("ada", Role::Admin, &[]);
    let id = create_job(&api).await;

    at_review(&api, &id, "segment").await;
    let segments = latest(&api, &id, "segment", 1).await;
    let segments = segments.as_array().unwrap().clone();
    let end = segments.last().unwrap()["end_ms"].as_u64().unwrap();
    refused(&edit(&api, &id, "segment", json!([])).await, "output");
    let flood: Vec<Value> = (0..20_000).map(|i| segment(i * 10, i * 10 + 10)).collect();
    refused(&edit(&api, &id, "segment", json!(flood)).await, "output");
    let overlapping = json!([segment(0, 60_000), segment(30_000, end)]);
    refused(
        &edit(&api, &id, "segment", overlapping).await,
        "output[1].start_ms",
    );
    let past_the_end = json!([segment(0, 60_000), segment(60_000, end + 60_000)]);
    refused(
        &edit(&api, &id, "segment", past_the_end).await,
        "output[1].end_ms",
    );
    // A boundary falls on a sentence's start: a millisecond after it holds
    // no sentence.
    let boundary = segments[0]["end_ms"].as_u64().unwrap();
    let empty = json!([
        segment(0, boundary + 1),
        segment(boundary + 1, boundary + 2),
        segment(boundary + 2, end)
    ]);
    refused(&edit(&api, &id, "segment", empty).await, "output[1].end_ms");
    let mut untitled = segments.clone();
    untitled[0]["title"] = json!("  ");
    refused(
        &edit(&api, &id, "segment", json!(untitled)).await,
        "output[0].title",
    );
    // The first two segments merged: a sound edit.
    let mut merged = segments.clone();
    let second = merged.remove(1);
    merged[0]["end_ms"] = second["end_ms"].clone();
    let (status, body) = edit(&api, &id, "segment", json!(merged)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let approve = |stage: &str| format!("/v1/jobs/{id}/stages/{stage}/approve");
    let approved = api
        .call("POST", &approve("segment"), Some(&admin), &[], None)
        .await;
    assert_eq!(approved.0, StatusCode::OK, "{}", approved.3);

    at_review(&api, &id, "outline").await;
    let outline = latest(&api, &id, "outline", 1).await;
    let mut unknown = outline.clone();
    unknown["modules"][0]["lessons"][0]["segments"] = json!([merged.len()]);
    refused(
        &edit(&api, &id, "outline", unknown).await,
        "output.modules[0].lessons[0].segments[0]",
    );
    let mut twice = outline.clone();
    let first = twice["modules"][0]["lessons"][0]["segments"][0].clone();
    twice["modules"][0]["lessons"][0]["segments"]
        .as_array_mut()
        .unwrap()
        .push(first);
    let answer = edit(&api, &id, "outline", twice).await;
    assert_eq!(answer.0, StatusCode::BAD_REQUEST, "{}", answer.1);
    let mut empty = outline.clone();
    empty["modules"][0]["lessons"] = json!([]);
    refused(
        &edit(&api, &id, "outline", empty).await,
        "output.modules[0].lessons",
    );
    // The last lesson moved into a module of its own, ahead of the others.
    let mut moved = outline.clone();
    let modules = moved["modules"].as_array_mut().unwrap();
    let last = modules.last_mut().unwrap()["lessons"]
        .as_array_mut()
        .unwrap()
        .pop()
        .unwrap();
    modules.retain(|m| !m["lessons"].as_array().unwrap().is_empty());
    modules.insert(0, json!({"title": "Start here", "lessons": [last]}));
    let (status, body) = edit(&api, &id, "outline", moved).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let approved = api
        .call("POST", &approve("outline"), Some(&admin), &[], None)
        .await;
    assert_eq!(approved.0, StatusCode::OK, "{}", approved.3);

    at_review(&api, &id, "questions").await;
    let questions = latest(&api, &id, "questions", 1).await;
    let mut nowhere = questions.clone();
    nowhere["lessons"][0]["module"] = json!(99);
    refused(
        &edit(&api, &id, "questions", nowhere).await,
        "output.lessons[0].lesson",
    );
    let mut blank = questions.clone();
    blank["lessons"][0]["exercises"][0]["prompt"] = json!("");
    refused(
        &edit(&api, &id, "questions", blank).await,
        "output.lessons[0].exercises[0].prompt",
    );
    let mut reworded = questions.clone();
    reworded["lessons"][0]["exercises"][0]["prompt"] = json!("In your own words: what is it?");
    let (status, body) = edit(&api, &id, "questions", reworded).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}
