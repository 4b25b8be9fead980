//! Server-sent events in process: ids are the event sequence, a reconnect
//! with Last-Event-ID misses nothing and repeats nothing, and the stream
//! closes when the job ends.

use crate::common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use coursegen_core::auth::Role;
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

use common::{api, api_with, create_job};

/// One SSE message: its id, event name and data.
#[derive(Debug, Clone)]
struct Message {
    id: u64,
    event: String,
    data: Value,
}

/// Reads messages until `stop` says so or the stream ends.
async fn follow(
    api: &common::Api,
    token: &str,
    uri: &str,
    last_event_id: Option<u64>,
    stop: impl Fn(&Message) -> bool,
) -> (Vec<Message>, bool) {
    let mut request = Request::get(uri).header("authorization", format!("Bearer {token}"));
    if let Some(id) = last_event_id {
        request = request.header("last-event-id", id.to_string());
    }
    let response = api
        .router
        .clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let mut body = response.into_body();
    let mut text = String::new();
    let mut messages = Vec::new();
    loop {
        while let Some(end) = text.find("\n\n") {
            let block: String = text.drain(..end + 2).collect();
            let field = |name: &str| {
                block
                    .lines()
                    .find_map(|l| l.strip_prefix(&format!("{name}: ")))
                    .map(str::to_owned)
            };
            if let (Some(id), Some(event), Some(data)) =
                (field("id"), field("event"), field("data"))
            {
                let message = Message {
                    id: id.parse().unwrap(),
                    event,
                    data: serde_json::from_str(&data).unwrap(),
                };
                let done = stop(&message);
                messages.push(message);
                if done {
                    return (messages, false);
                }
            }
        }
        let frame = tokio::time::timeout(std::time::Duration::from_secs(20), body.frame())
            .await
            .expect("the stream went quiet");
        match frame {
            Some(Ok(frame)) => {
                if let Ok(data) = frame.into_data() {
                    text.push_str(&String::from_utf8_lossy(&data));
                }
            }
            _ => return (messages, true),
        }
    }
}

fn contiguous(messages: &[Message], from: u64) {
    let ids: Vec<u64> = messages.iter().map(|m| m.id).collect();
    let expected: Vec<u64> = (from..from + ids.len() as u64).collect();
    assert_eq!(ids, expected, "ids follow on without gaps or repeats");
    for m in messages {
        assert_eq!(m.data["seq"], m.id);
        assert_eq!(m.data["type"], m.event.as_str());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn events_replay_after_last_event_id_and_close_at_the_end() {
    let api = api();
    let admin = api.token("ada", Role::Admin, &[]);
    let id = create_job(&api).await;
    let uri = format!("/v1/jobs/{id}/events");

    // Follow from the start until the first review is asked for.
    let (first, closed) =
        follow(&api, &admin, &uri, None, |m| m.event == "awaiting_approval").await;
    assert!(!closed);
    contiguous(&first, 1);
    assert_eq!(first[0].event, "job_created");

    // Reconnect from the middle: the rest, once each.
    let middle = first[first.len() / 2].id;
    let (again, _) = follow(&api, &admin, &uri, Some(middle), |m| {
        m.event == "awaiting_approval"
    })
    .await;
    contiguous(&again, middle + 1);
    assert_eq!(again.last().unwrap().id, first.last().unwrap().id);

    // Approve everything as it comes; the stream ends with the job.
    let approver = tokio::spawn({
        let router = api.router.clone();
        let admin = admin.clone();
        async move {
            for stage in ["segment", "outline", "questions"] {
                loop {
                    let request = Request::post(format!("/v1/jobs/{id}/stages/{stage}/approve"))
                        .header("authorization", format!("Bearer {admin}"))
                        .body(Body::empty())
                        .unwrap();
                    let status = router.clone().oneshot(request).await.unwrap().status();
                    if status == StatusCode::OK {
                        break;
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                }
            }
        }
    });
    let (rest, closed) = follow(&api, &admin, &uri, Some(first.last().unwrap().id), |_| {
        false
    })
    .await;
    approver.await.unwrap();
    assert!(closed, "the stream closes when the job has ended");
    contiguous(&rest, first.last().unwrap().id + 1);
    assert_eq!(rest.last().unwrap().event, "job_succeeded");

    // A bad Last-Event-ID is the caller's mistake.
    let request = Request::get(&uri)
        .header("authorization", format!("Bearer {admin}"))
        .header("last-event-id", "yesterday")
        .body(Body::empty())
        .unwrap();
    let response = api.router.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stream_with_a_time_limit_ends_and_a_reconnect_goes_on() {
    let api = api_with(Some(std::time::Duration::from_millis(300)));
    let admin = api.token("ada", Role::Admin, &[]);
    let id = create_job(&api).await;
    let job_uri = format!("/v1/jobs/{id}");
    for _ in 0..500 {
        let (_, _, job, _) = api.call("GET", &job_uri, Some(&admin), &[], None).await;
        if job["status"] == "awaiting_approval" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let uri = format!("{job_uri}/events");
    // The job waits at its first review: the stream would go on forever,
    // but the limit ends it.
    let (first, closed) = follow(&api, &admin, &uri, None, |_| false).await;
    assert!(closed, "the stream ends at its time limit");
    assert!(first.iter().any(|m| m.event == "awaiting_approval"));
    contiguous(&first, 1);
    let (again, closed) = follow(&api, &admin, &uri, Some(2), |_| false).await;
    assert!(closed);
    contiguous(&again, 3);
    assert_eq!(again.last().unwrap().id, first.last().unwrap().id);
}
