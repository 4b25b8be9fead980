//! The files an AI server reports are fetched only from allowed hosts, and
//! only so large: a `fileUrl` on another host, a redirect to one, or a file
//! past the limit fails the run with the reason — an answer of 200 to the
//! server, never a 500 — and an allowed one completes it. A fake file
//! server on 127.0.0.1 plays the AI server's storage.

mod common;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::StatusCode;
use axum::routing::get;
use chrono::Utc;
use coursegen_core::ai_protocol::signature::{Secret, sign};
use coursegen_core::stage::{RunStatus, Stage};
use coursegen_engines::ai_server::{AllowedHosts, HttpFiles};
use serde_json::{Value, json};
use tower::ServiceExt;

use common::{Api, WEBHOOK_SECRET, Worker, api_with_ai, bearer_request, create_job_with};

const CHUNKS: &str = r#"{"chunks": [{"timestamp": [0.0, 2.0], "text": " Hello there."}]}"#;

/// The fake storage: a transcript, a redirect to another host name for
/// the same machine, one that stays, and a file larger than transcripts
/// may be. Its address.
async fn file_server() -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let away = format!("http://localhost:{}/t.json", addr.port());
    let app = Router::new()
        .route("/t.json", get(|| async { CHUNKS }))
        .route(
            "/away",
            get(move || async move { axum::response::Redirect::temporary(&away) }),
        )
        .route(
            "/stay",
            get(|| async { axum::response::Redirect::temporary("/t.json") }),
        )
        .route(
            "/big",
            get(|| async {
                Body::from_stream(futures::stream::iter(
                    (0..(17 << 4)).map(|_| Ok::<_, std::io::Error>(vec![b' '; 64 << 10])),
                ))
            }),
        );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

async fn deliver(api: &Api, body: &Value) -> (StatusCode, Value) {
    let text = body.to_string();
    let at = Utc::now().timestamp();
    let signature = sign(&Secret::new(WEBHOOK_SECRET).unwrap(), at, text.as_bytes());
    let at = at.to_string();
    let headers = [
        ("x-coursegen-timestamp", at.as_str()),
        ("x-coursegen-signature", signature.as_str()),
    ];
    let mut request = bearer_request("POST", "/v1/webhooks/ai-server", None, &headers, None);
    *request.body_mut() = Body::from(text);
    request
        .headers_mut()
        .insert("content-type", "application/json".parse().unwrap());
    let response = api.router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = http_body_util::BodyExt::collect(response.into_body())
        .await
        .unwrap()
        .to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// A job whose segmentation waits on the AI server: its id and handle.
async fn waiting_job(api: &Api) -> (String, String) {
    let options = json!({"engines": {"segment": "ai-server"}, "approvals": "auto"});
    let id = create_job_with(api, options).await;
    for _ in 0..3000 {
        let job = api
            .service
            .steps
            .jobs
            .get(id.parse().unwrap())
            .await
            .unwrap();
        let state = job.stage(Stage::Segment);
        if let (Some(handle), Some(RunStatus::Running)) =
            (&state.callback, state.latest_run().map(|r| r.status))
        {
            return (id, handle.to_string());
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("job {id} never waited on the AI server");
}

#[tokio::test(flavor = "multi_thread")]
async fn files_come_only_from_allowed_hosts_and_sizes() {
    let files = file_server().await;
    let allowed = AllowedHosts::parse(&format!("127.0.0.1:{}", files.port())).unwrap();
    let api = api_with_ai(
        Arc::new(Worker::default()),
        Arc::new(HttpFiles::new(allowed)),
    );
    let base = format!("http://127.0.0.1:{}", files.port());
    let cases = [
        (
            format!("http://localhost:{}/t.json", files.port()),
            Some("not a host"),
        ),
        (
            "http://169.254.169.254/latest/meta-data/".into(),
            Some("not a host"),
        ),
        (format!("{base}/away"), Some("redirects to localhost")),
        (format!("{base}/big"), Some("larger than 16777216 bytes")),
        (format!("{base}/stay"), None),
        (format!("{base}/t.json"), None),
    ];
    for (url, refusal) in cases {
        let (id, handle) = waiting_job(&api).await;
        let body = json!({"task": "SEGMENTATION", "status": "COMPLETED", "jobId": handle,
            "data": {"status": "COMPLETED", "segmentationMap": [300.0, 700.0, 1467.0],
                     "transcriptFileUrl": url, "parameters": {}}});
        let (status, answer) = deliver(&api, &body).await;
        assert_eq!(status, StatusCode::OK, "{url}: {answer}");
        let job = api
            .service
            .steps
            .jobs
            .get(id.parse().unwrap())
            .await
            .unwrap();
        let run = job.stage(Stage::Segment).latest_run().unwrap().clone();
        match refusal {
            Some(why) => {
                assert_eq!(answer["status"], "failed", "{url}: {answer}");
                assert_eq!(run.status, RunStatus::Failed, "{url}");
                let error = run.error.unwrap_or_default();
                assert!(error.contains(why), "{url}: {error}");
            }
            None => {
                assert_eq!(answer["status"], "completed", "{url}: {answer}");
                assert_eq!(run.status, RunStatus::Completed, "{url}");
            }
        }
    }
}
