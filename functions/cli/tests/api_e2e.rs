//! The whole review flow over real HTTP against `coursegen serve`: upload,
//! create, follow the events (reconnecting with Last-Event-ID between
//! reviews), edit the segments with If-Match, two reviewers approving at
//! once, a questions rerun with another mix, approving run 1, and the three
//! course downloads.

use crate::common;

use std::path::PathBuf;
use std::process::Child;

use common::{serve, token};

use serde_json::{Value, json};

struct Server {
    child: Child,
    url: String,
    token: String,
    http: reqwest::Client,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(data: &std::path::Path) -> Server {
    let (child, url) = serve(data);
    Server {
        child,
        url,
        token: token(data),
        http: reqwest::Client::new(),
    }
}

impl Server {
    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
        if_match: Option<&str>,
    ) -> (u16, Value, String) {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.url))
            .bearer_auth(&self.token);
        if let Some(tag) = if_match {
            request = request.header("if-match", tag);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let etag = response
            .headers()
            .get("etag")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let text = response.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
            etag,
        )
    }

    /// Event messages after `after` until one of type `until` (or the end
    /// of the stream): `(id, type)` pairs.
    async fn follow(&self, job: &str, after: u64, until: &str) -> Vec<(u64, String)> {
        let mut response = self
            .http
            .get(format!("{}/v1/jobs/{job}/events", self.url))
            .bearer_auth(&self.token)
            .header("last-event-id", after.to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let mut text = String::new();
        let mut seen = Vec::new();
        loop {
            while let Some(end) = text.find("\n\n") {
                let block: String = text.drain(..end + 2).collect();
                let field = |name: &str| {
                    block
                        .lines()
                        .find_map(|l| l.strip_prefix(&format!("{name}: ")).map(str::to_owned))
                };
                if let (Some(id), Some(kind)) = (field("id"), field("event")) {
                    seen.push((id.parse().unwrap(), kind.clone()));
                    if kind == until {
                        return seen;
                    }
                }
            }
            match tokio::time::timeout(std::time::Duration::from_secs(30), response.chunk()).await {
                Ok(Ok(Some(chunk))) => text.push_str(&String::from_utf8_lossy(&chunk)),
                Ok(_) => return seen,
                Err(_) => panic!("no event for 30 s; saw {seen:?}"),
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_review_flow_over_http() {
    use reqwest::Method;
    let dir = tempfile::tempdir().unwrap();
    let api = start(&dir.path().join("data"));

    // Upload the lecture, then make a job of it.
    let bytes = std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/lecture/lecture.srt"),
    )
    .unwrap();
    let (status, target, _) = api
        .send(
            Method::POST,
            "/v1/uploads",
            Some(json!({"kind": "transcript", "format": "srt", "size": bytes.len()})),
            None,
        )
        .await;
    assert_eq!(status, 201, "{target}");
    let put = api
        .http
        .put(target["url"].as_str().unwrap())
        .header(
            "content-type",
            target["headers"]["Content-Type"].as_str().unwrap(),
        )
        .body(bytes)
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 200);
    let create = json!({
        "course": {"course_id": "c1", "version_id": "v1"},
        "source": {"kind": "transcript", "upload_key": target["upload_key"], "format": "srt"},
    });
    let (status, job, _) = api.send(Method::POST, "/v1/jobs", Some(create), None).await;
    assert_eq!(status, 201, "{job}");
    let id = job["id"].as_str().unwrap().to_owned();
    let mut events = api.follow(&id, 0, "awaiting_approval").await;

    // Read the segments, edit them with the right version (a stale one is
    // refused), then two reviewers approve at once.
    let (_, segments, _) = api
        .send(
            Method::GET,
            &format!("/v1/jobs/{id}/stages/segment/runs/1"),
            None,
            None,
        )
        .await;
    let (_, _, etag) = api
        .send(Method::GET, &format!("/v1/jobs/{id}"), None, None)
        .await;
    let output = format!("/v1/jobs/{id}/stages/segment/output");
    let (status, ..) = api
        .send(Method::PUT, &output, Some(segments.clone()), Some("\"1\""))
        .await;
    assert_eq!(status, 412);
    let (status, edited, _) = api
        .send(Method::PUT, &output, Some(segments), Some(&etag))
        .await;
    assert_eq!(status, 200, "{edited}");
    let approve = format!("/v1/jobs/{id}/stages/segment/approve");
    let (a, b) = tokio::join!(
        api.send(Method::POST, &approve, Some(json!({})), None),
        api.send(Method::POST, &approve, Some(json!({})), None),
    );
    let mut statuses = [a.0, b.0];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409], "one approval wins, the other is told");

    // Reconnect after the last event seen: the outline review.
    let last = events.last().unwrap().0;
    events.extend(api.follow(&id, last, "awaiting_approval").await);
    let (status, ..) = api
        .send(
            Method::POST,
            &format!("/v1/jobs/{id}/stages/outline/approve"),
            None,
            None,
        )
        .await;
    assert_eq!(status, 200);
    let last = events.last().unwrap().0;
    events.extend(api.follow(&id, last, "awaiting_approval").await);

    // Rerun the questions with another mix, then approve run 1.
    let (status, ..) = api
        .send(
            Method::POST,
            &format!("/v1/jobs/{id}/stages/questions/rerun"),
            Some(json!({"parameters": {"question_mix": {"true_false": 2}}})),
            None,
        )
        .await;
    assert_eq!(status, 200);
    let last = events.last().unwrap().0;
    events.extend(api.follow(&id, last, "awaiting_approval").await);
    let (_, stage, _) = api
        .send(
            Method::GET,
            &format!("/v1/jobs/{id}/stages/questions"),
            None,
            None,
        )
        .await;
    assert_eq!(stage["runs"].as_array().unwrap().len(), 2);
    let (status, ..) = api
        .send(
            Method::POST,
            &format!("/v1/jobs/{id}/stages/questions/approve"),
            Some(json!({"run": 1})),
            None,
        )
        .await;
    assert_eq!(status, 200);
    let last = events.last().unwrap().0;
    events.extend(api.follow(&id, last, "job_succeeded").await);

    // Across four connections every event came once, in order.
    let ids: Vec<u64> = events.iter().map(|(id, _)| *id).collect();
    assert_eq!(
        ids,
        (1..=ids.len() as u64).collect::<Vec<_>>(),
        "{events:?}"
    );
    assert_eq!(events.last().unwrap().1, "job_succeeded");

    let (status, course, _) = api
        .send(
            Method::GET,
            &format!("/v1/jobs/{id}/course.json"),
            None,
            None,
        )
        .await;
    assert_eq!(status, 200);
    let types: Vec<&str> = course["modules"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|m| m["lessons"].as_array().unwrap())
        .flat_map(|l| l["exercises"].as_array().unwrap())
        .filter_map(|q| q["type"].as_str())
        .collect();
    assert!(
        types.iter().any(|t| *t != "true_false"),
        "run 1 (the default mix) was approved"
    );
    for file in ["course.md", "course.html"] {
        let (status, body, _) = api
            .send(Method::GET, &format!("/v1/jobs/{id}/{file}"), None, None)
            .await;
        assert_eq!(status, 200);
        assert!(body.as_str().is_some_and(|t| t.len() > 100));
    }
}
