//! The files an AI server reports are fetched only from allowed hosts, and
//! only so large: a `fileUrl` on another host, a redirect to one, or a file
//! past the limit fails the run with the reason — an answer of 200 to the
//! server, never a 500 — and an allowed one completes it. A fake file
//! server on 127.0.0.1 plays the AI server's storage.

use crate::common;

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::StatusCode;
use axum::routing::get;
use chrono::Utc;
use coursegen_core::stage::{RunStatus, Stage};
use coursegen_engines::ai_server::{AllowedHosts, HttpFiles};
use serde_json::{Value, json};

use common::{Api, Worker, api_with_ai, awaiting_ai_segmentation, post_signed};

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
    post_signed(api, &body.to_string(), Utc::now().timestamp(), &[]).await
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
        let (id, handle) = awaiting_ai_segmentation(&api).await;
        let body = json!({"task": "SEGMENTATION", "status": "COMPLETED", "jobId": handle,
            "data": {"status": "COMPLETED", "segmentationMap": [300.0, 700.0, 1467.0],
                     "transcriptFileUrl": url, "parameters": {}}});
        let (status, answer) = deliver(&api, &body).await;
        assert_eq!(status, StatusCode::OK, "{url}: {answer}");
        let job = api.job(&id).await;
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
