//! The local server over real sockets: clients that send nothing, or too
//! slowly, are cut off; connections past the cap are answered 503; a stop
//! waits for open requests a few seconds only; oversized bodies get 413.

use crate::common;

use std::time::{Duration, Instant};

use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;
use common::api;
use coursegen_core::auth::Role;
use coursegen_http::server::{Limits, serve};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

const LIMITS: Limits = Limits {
    header_read: Duration::from_millis(300),
    max_connections: 3,
    drain: Duration::from_millis(500),
};

/// A server of `/healthz` and `/forever` (never answers) on a free port;
/// its address, the sender that stops it, and its task.
async fn start(
    limits: Limits,
) -> (
    std::net::SocketAddr,
    oneshot::Sender<()>,
    tokio::task::JoinHandle<()>,
) {
    let router = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/forever", get(std::future::pending::<&'static str>));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(serve(listener, router, limits, async {
        let _ = stopped.await;
    }));
    (addr, stop, server)
}

/// Sends `request` on a new connection; everything the server answers
/// before closing it (5 s at most).
async fn exchange(addr: std::net::SocketAddr, request: &str) -> String {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    read_to_close(&mut stream).await
}

async fn read_to_close(stream: &mut TcpStream) -> String {
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut answer))
        .await
        .expect("the server closes the connection")
        .unwrap();
    String::from_utf8_lossy(&answer).into_owned()
}

const HEALTHZ: &str = "GET /healthz HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n";

#[tokio::test]
async fn silent_and_slow_clients_are_cut_off() {
    let (addr, _stop, _server) = start(LIMITS).await;
    // Connected, then nothing.
    assert_eq!(exchange(addr, "").await, "");
    // Headers that never end.
    let answer = exchange(addr, "GET /healthz HTTP/1.1\r\nhost: x\r\n").await;
    assert!(!answer.contains("200 OK"), "{answer}");
    // A keep-alive connection left idle after its request is closed too.
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n")
        .await
        .unwrap();
    let answer = read_to_close(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
}

#[tokio::test]
async fn connections_past_the_cap_are_answered_503_until_one_closes() {
    let (addr, _stop, _server) = start(LIMITS).await;
    // Three clients take every slot and hold it (each is cut off only
    // after header_read).
    let mut held = Vec::new();
    for _ in 0..LIMITS.max_connections {
        held.push(TcpStream::connect(addr).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
    let refused = exchange(addr, HEALTHZ).await;
    assert!(
        refused.starts_with("HTTP/1.1 503 Service Unavailable"),
        "{refused}"
    );
    assert!(refused.contains("retry-after: 1"), "{refused}");
    assert!(refused.contains(r#""code":"unavailable""#), "{refused}");
    drop(held.pop());
    tokio::time::sleep(Duration::from_millis(50)).await;
    let served = exchange(addr, HEALTHZ).await;
    assert!(served.starts_with("HTTP/1.1 200 OK"), "{served}");
}

#[tokio::test]
async fn a_stop_waits_for_open_requests_only_so_long() {
    let (addr, stop, server) = start(Limits {
        header_read: Duration::from_secs(30),
        ..LIMITS
    })
    .await;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"GET /forever HTTP/1.1\r\nhost: x\r\n\r\n")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    let asked = Instant::now();
    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(5), server)
        .await
        .expect("the server stops though a request never ends")
        .unwrap();
    assert!(asked.elapsed() >= LIMITS.drain, "it gave the request time");
    assert!(
        TcpStream::connect(addr).await.is_err(),
        "no longer listening"
    );
}

#[tokio::test]
async fn an_oversized_json_body_is_413_in_the_envelope() {
    let api = api();
    let admin = api.token("ada", Role::Admin, &[]);
    let huge = "x".repeat(8 << 20);
    let body = json!({"course": {"course_id": "c1", "version_id": "v1"}, "padding": huge});
    let (status, _, answer, text) = api
        .call("POST", "/v1/jobs", Some(&admin), &[], Some(body))
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{text}");
    assert_eq!(answer["error"]["code"], "too_large");
}
