//! `coursegen serve` over real HTTP: it resumes a job left waiting by an
//! interrupted `generate`, answers with the error envelope, takes a review
//! through the API, and stops cleanly on Ctrl-C.

use crate::common;

use std::process::Command;
use std::time::Duration;

use common::{serve, token, waiting_job};
use serde_json::Value;

async fn get_json(http: &reqwest::Client, url: &str, token: &str) -> Value {
    http.get(url)
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn serve_resumes_takes_reviews_and_stops_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");

    // An interrupted generate leaves its job waiting at the segment review.
    let job = waiting_job(&data, &dir.path().join("out"));

    let token = token(&data);
    let (server, url) = serve(&data);
    let http = reqwest::Client::new();
    let health = http.get(format!("{url}/healthz")).send().await.unwrap();
    assert_eq!(health.text().await.unwrap(), "ok");

    let anonymous = http.get(format!("{url}/v1/jobs")).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
    let body: Value = anonymous.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unauthenticated");

    let listed = get_json(&http, &format!("{url}/v1/jobs"), &token).await;
    assert_eq!(
        listed["items"][0]["id"],
        job.as_str(),
        "the admin lists every job"
    );

    // The resumed execution still waits on the same gate: approve it over
    // HTTP and the workflow goes on to the outline review.
    let approved = http
        .post(format!("{url}/v1/jobs/{job}/stages/segment/approve"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(approved.status(), 200, "{}", approved.text().await.unwrap());
    let mut outline = Value::Null;
    for _ in 0..500 {
        let job = get_json(&http, &format!("{url}/v1/jobs/{job}"), &token).await;
        outline = job["stages"][3]["status"].clone();
        if outline == "awaiting_approval" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(outline, "awaiting_approval");

    // Ctrl-C: a clean exit that leaves the job to resume later.
    let status = Command::new("kill")
        .args(["-INT", &server.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = server.wait_with_output().unwrap();
    assert!(out.status.success(), "{:?}", out.status);
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(log.contains("resumed 1 unfinished job"), "{log}");
    assert!(log.contains("stopped; unfinished jobs resume"), "{log}");
    let (mut again, url) = serve(&data);
    let job = get_json(&http, &format!("{url}/v1/jobs/{job}"), &token).await;
    assert_eq!(job["stages"][3]["status"], "awaiting_approval");
    let _ = again.kill();
    let _ = again.wait();
}
