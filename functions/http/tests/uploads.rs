//! Uploads under hostile use: a PUT is refused on its URL, type, declared
//! length or quota before its body is read (counted on a body that
//! records what was pulled, and over a real socket); bodies longer than
//! granted stop at the limit and leave nothing behind; grants are sized by
//! what ingest reads and held to each user's quota.

use crate::common;

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::http::{Request, StatusCode};
use coursegen_core::auth::Role;
use coursegen_core::upload::{MAX_DOCUMENT_BYTES, MAX_TRANSCRIPT_BYTES, UploadQuota};
use futures::Stream;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tower::ServiceExt;

use common::{Api, api, api_with_quota};

const CHUNK: usize = 64 << 10;
type Headers<'a> = Vec<(&'a str, &'a str)>;
const SRT: &[u8] = b"1\n00:00:01,000 --> 00:00:02,000\nHello there.\n";

/// A body of `total` bytes made on demand, counting what was pulled.
struct Counted {
    left: u64,
    pulled: Arc<AtomicU64>,
}

impl Stream for Counted {
    type Item = Result<Bytes, std::io::Error>;
    fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.left == 0 {
            return Poll::Ready(None);
        }
        let n = self.left.min(CHUNK as u64);
        self.left -= n;
        self.pulled.fetch_add(n, Ordering::SeqCst);
        Poll::Ready(Some(Ok(Bytes::from(vec![b'x'; n as usize]))))
    }
}

fn counted(total: u64) -> (Body, Arc<AtomicU64>) {
    let pulled = Arc::new(AtomicU64::new(0));
    let body = Body::from_stream(Counted {
        left: total,
        pulled: pulled.clone(),
    });
    (body, pulled)
}

/// A grant for `body` as `token`'s caller: the PUT path (without host).
async fn grant(api: &Api, token: &str, body: Value) -> (StatusCode, Value) {
    let (status, _, answer, _) = api
        .call("POST", "/v1/uploads", Some(token), &[], Some(body))
        .await;
    (status, answer)
}

async fn srt_grant(api: &Api, token: &str, size: usize) -> String {
    let (status, target) = grant(
        api,
        token,
        json!({"kind": "transcript", "format": "srt", "size": size}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{target}");
    target["url"]
        .as_str()
        .unwrap()
        .trim_start_matches("http://localhost")
        .to_owned()
}

async fn put(api: &Api, path: &str, headers: &[(&str, &str)], body: Body) -> (StatusCode, Value) {
    let mut request = Request::put(path);
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    let response = api
        .router
        .clone()
        .oneshot(request.body(body).unwrap())
        .await
        .unwrap();
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

/// What the artifact store holds, staged files included.
fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        if entry.file_type().unwrap().is_dir() {
            out.extend(files_under(&entry.path()));
        } else {
            out.push(entry.path());
        }
    }
    out
}

#[tokio::test]
async fn a_put_is_refused_before_its_body_is_read() {
    let api = api();
    let tom = api.token("tom", Role::Ta, &["c1/v1"]);
    let path = srt_grant(&api, &tom, SRT.len()).await;
    let huge = 500 << 20;
    let huge_text = huge.to_string();
    let cases: [(&str, Headers, StatusCode); 4] = [
        (
            "/v1/uploads/not.a.token",
            vec![("content-type", "application/x-subrip")],
            StatusCode::FORBIDDEN,
        ),
        (
            &path,
            vec![("content-type", "text/plain")],
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            &path,
            vec![
                ("content-type", "application/x-subrip"),
                ("content-length", &huge_text),
            ],
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
        (
            &path,
            vec![
                ("content-type", "application/x-subrip"),
                ("content-length", "eleven"),
            ],
            StatusCode::BAD_REQUEST,
        ),
    ];
    for (path, headers, expected) in cases {
        let (body, pulled) = counted(huge);
        let started = Instant::now();
        let (status, answer) = put(&api, path, &headers, body).await;
        assert_eq!(status, expected, "{headers:?}: {answer}");
        assert!(answer["error"]["message"].is_string(), "{answer}");
        assert_eq!(
            pulled.load(Ordering::SeqCst),
            0,
            "{headers:?}: the body was read"
        );
        assert!(started.elapsed() < Duration::from_secs(1));
    }
    assert!(files_under(&api.dir().join("artifacts")).is_empty());
}

#[tokio::test]
async fn over_a_socket_the_refusal_comes_before_the_body_is_sent() {
    let api = api();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = api.router.clone();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let tom = api.token("tom", Role::Ta, &["c1/v1"]);
    let granted = srt_grant(&api, &tom, SRT.len()).await;
    for (path, status) in [("/v1/uploads/bad.token.x", 403), (granted.as_str(), 413)] {
        let mut socket = tokio::net::TcpStream::connect(addr).await.unwrap();
        let head = format!(
            "PUT {path} HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/x-subrip\r\ncontent-length: {}\r\n\r\n",
            500u64 << 20
        );
        let started = Instant::now();
        socket.write_all(head.as_bytes()).await.unwrap();
        // A first slice of the 500 MB; the rest is never sent.
        socket.write_all(&vec![b'x'; CHUNK]).await.unwrap();
        let mut answer = vec![0; 1024];
        let n = tokio::time::timeout(Duration::from_secs(1), socket.read(&mut answer))
            .await
            .expect("answered within a second, before the body was sent")
            .unwrap();
        let answer = String::from_utf8_lossy(&answer[..n]);
        assert!(
            answer.starts_with(&format!("HTTP/1.1 {status}")),
            "{path}: {answer}"
        );
        assert!(started.elapsed() < Duration::from_secs(1));
    }
}

#[tokio::test]
async fn a_body_longer_than_granted_stops_at_the_limit_and_leaves_nothing() {
    let api = api();
    let tom = api.token("tom", Role::Ta, &["c1/v1"]);
    let path = srt_grant(&api, &tom, 100_000).await;
    // No Content-Length: the length is only known by reading.
    let (body, pulled) = counted(500 << 20);
    let (status, answer) = put(
        &api,
        &path,
        &[("content-type", "application/x-subrip")],
        body,
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{answer}");
    assert_eq!(answer["error"]["details"]["limit"], 100_000);
    let pulled = pulled.load(Ordering::SeqCst);
    assert!(pulled <= 100_000 + CHUNK as u64, "{pulled} bytes were read");
    assert!(
        files_under(&api.dir().join("artifacts")).is_empty(),
        "nothing stored, no staged file left"
    );
    // An unreadable file is refused after reading, and leaves nothing either.
    let path = srt_grant(&api, &tom, 40).await;
    let (status, answer) = put(
        &api,
        &path,
        &[("content-type", "application/x-subrip")],
        Body::from("%PDF-1.7 not a subtitle file at all."),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert!(files_under(&api.dir().join("artifacts")).is_empty());
    // A good one, streamed in pieces, is stored whole.
    let path = srt_grant(&api, &tom, SRT.len()).await;
    let pieces = SRT
        .chunks(7)
        .map(|c| Ok::<_, std::io::Error>(Bytes::copy_from_slice(c)));
    let (status, answer) = put(
        &api,
        &path,
        &[("content-type", "application/x-subrip")],
        Body::from_stream(futures::stream::iter(pieces.collect::<Vec<_>>())),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let key = answer["upload_key"].as_str().unwrap().parse().unwrap();
    let stored = api.service.steps.artifacts.get(&key).await.unwrap();
    assert_eq!(stored.bytes, SRT);
    assert_eq!(stored.meta.content_type, "application/x-subrip");
}

#[tokio::test]
async fn grants_are_sized_by_what_ingest_reads() {
    let api = api();
    let ines = api.token("ines", Role::Instructor, &["c1"]);
    let cases = [
        (
            "transcript",
            "vtt",
            MAX_TRANSCRIPT_BYTES,
            StatusCode::CREATED,
        ),
        (
            "transcript",
            "vtt",
            MAX_TRANSCRIPT_BYTES + 1,
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
        ("document", "docx", MAX_DOCUMENT_BYTES, StatusCode::CREATED),
        (
            "document",
            "md",
            MAX_DOCUMENT_BYTES + 1,
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
    ];
    for (kind, format, size, expected) in cases {
        let (status, answer) = grant(
            &api,
            &ines,
            json!({"kind": kind, "format": format, "size": size}),
        )
        .await;
        assert_eq!(status, expected, "{kind} of {size}: {answer}");
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            let limit = answer["error"]["details"]["limit"].as_u64().unwrap();
            assert_eq!(limit, size - 1);
            let message = answer["error"]["message"].as_str().unwrap();
            assert!(message.contains(&limit.to_string()), "{message}");
        }
    }
}

#[tokio::test]
async fn each_user_keeps_at_most_the_quota_of_uploads() {
    let api = api_with_quota(UploadQuota {
        files: 2,
        bytes: 1000,
    });
    let tom = api.token("tom", Role::Ta, &["c1/v1"]);
    let send = |path: String| {
        let api = &api;
        async move {
            put(
                api,
                &path,
                &[("content-type", "application/x-subrip")],
                Body::from(SRT),
            )
            .await
        }
    };
    // Too many bytes at once: refused at the grant.
    let (status, answer) = grant(
        &api,
        &tom,
        json!({"kind": "transcript", "format": "srt", "size": 1001}),
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{answer}");
    assert_eq!(answer["error"]["code"], "quota_exceeded");
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("quota of 1000 bytes")
    );
    // Three grants while none is used: each fits on its own, so the
    // quota is held again when the bytes come.
    let first = srt_grant(&api, &tom, SRT.len()).await;
    let second = srt_grant(&api, &tom, SRT.len()).await;
    let third = srt_grant(&api, &tom, SRT.len()).await;
    assert_eq!(send(first.clone()).await.0, StatusCode::OK);
    // The same grant again replaces its file, and is not counted twice.
    assert_eq!(send(first).await.0, StatusCode::OK);
    assert_eq!(send(second).await.0, StatusCode::OK);
    let (status, answer) = send(third).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{answer}");
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("2 uploads"),
        "{answer}"
    );
    let (status, _) = grant(
        &api,
        &tom,
        json!({"kind": "transcript", "format": "srt", "size": 10}),
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    // Another user has a quota of their own; admins are not metered.
    let ines = api.token("ines", Role::Instructor, &["c1"]);
    srt_grant(&api, &ines, SRT.len()).await;
    let ada = api.token("ada", Role::Admin, &[]);
    for _ in 0..3 {
        let path = srt_grant(&api, &ada, SRT.len()).await;
        assert_eq!(send(path).await.0, StatusCode::OK);
    }
}
