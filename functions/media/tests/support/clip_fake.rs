//! A scripted provider on 127.0.0.1 for the clip adapters' tests: it
//! answers each request with the next scripted reply (then 500s) and keeps
//! what it was sent.

#![allow(dead_code, unused_imports)] // each test binary uses its own subset

pub use std::collections::VecDeque;
pub use std::sync::{Arc, Mutex, OnceLock};
pub use std::time::{Duration, Instant};

pub use axum::Router;
pub use axum::body::Bytes;
pub use axum::extract::State;
pub use axum::http::{HeaderMap, Method, StatusCode, Uri};
pub use axum::response::{IntoResponse, Response};
pub use base64::Engine as _;
pub use coursegen_core::ports::{ClipImage, ClipRequest, ClipState, Clips, FrameSize, MediaError};
pub use coursegen_core::storyboard::Camera;
pub use coursegen_media::clips::{LumaClips, RunwayClips};
pub use serde_json::{Value, json};

pub const KEY: &str = "key_test_0123456789_secret";

pub struct Reply {
    pub status: u16,
    pub headers: Vec<(&'static str, &'static str)>,
    pub body: Vec<u8>,
    pub delay: Duration,
}

pub fn reply(status: u16, body: impl Into<Vec<u8>>) -> Reply {
    Reply {
        status,
        headers: Vec::new(),
        body: body.into(),
        delay: Duration::ZERO,
    }
}

pub fn answer(body: Value) -> Reply {
    reply(200, body.to_string())
}

struct Seen {
    method: Method,
    path: String,
    headers: HeaderMap,
    body: Value,
}

#[derive(Default)]
pub struct Fake {
    script: Mutex<VecDeque<Reply>>,
    seen: Mutex<Vec<Seen>>,
}

impl Fake {
    pub fn push(&self, reply: Reply) {
        self.script.lock().unwrap().push_back(reply);
    }

    pub fn requests(&self) -> usize {
        self.seen.lock().unwrap().len()
    }

    /// Each request's method and path, in order.
    pub fn calls(&self) -> Vec<String> {
        let seen = self.seen.lock().unwrap();
        seen.iter()
            .map(|s| format!("{} {}", s.method, s.path))
            .collect()
    }

    pub fn body(&self, n: usize) -> Value {
        self.seen.lock().unwrap()[n].body.clone()
    }

    /// Whether request `n` carried the key as a bearer token.
    pub fn keyed(&self, n: usize) -> bool {
        self.header(n, "authorization") == Some(format!("Bearer {KEY}"))
    }

    pub fn header(&self, n: usize, name: &str) -> Option<String> {
        let seen = self.seen.lock().unwrap();
        let value = seen[n].headers.get(name)?;
        Some(value.to_str().unwrap().to_owned())
    }
}

async fn any(
    State(fake): State<Arc<Fake>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    fake.seen.lock().unwrap().push(Seen {
        method,
        path: uri.path().to_owned(),
        headers,
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
    });
    let next = fake.script.lock().unwrap().pop_front();
    let Some(next) = next else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "the script ran out").into_response();
    };
    tokio::time::sleep(next.delay).await;
    let mut response = (StatusCode::from_u16(next.status).unwrap(), next.body).into_response();
    for (name, value) in next.headers {
        response.headers_mut().insert(name, value.parse().unwrap());
    }
    response
}

/// A server that answers every request by `script`, in order, then 500s;
/// its address, `http://127.0.0.1:port`.
pub async fn serve(script: Vec<Reply>) -> (Arc<Fake>, String) {
    let fake = Arc::new(Fake::default());
    fake.script.lock().unwrap().extend(script);
    let app = Router::new().fallback(any).with_state(fake.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (fake, address)
}

pub fn runway(address: &str) -> RunwayClips {
    RunwayClips::new(format!("{address}/v1"), Some(KEY.into()))
        .unwrap()
        .with_backoff(Duration::from_millis(1), Duration::from_millis(20))
}

pub fn luma(address: &str) -> LumaClips {
    LumaClips::new(format!("{address}/dream-machine/v1"), Some(KEY.into()))
        .unwrap()
        .with_backoff(Duration::from_millis(1), Duration::from_millis(20))
}

pub const PNG: &[u8] = b"\x89PNG\r\n\x1a\n a start picture";
pub const END_PNG: &[u8] = b"\x89PNG\r\n\x1a\n an end picture";
pub const START_URL: &str = "https://store.example/frames/1.png?X-Amz-Signature=abc";
pub const END_URL: &str = "https://store.example/frames/2.png?X-Amz-Signature=def";

pub fn request(
    url: Option<&'static str>,
    duration_ms: u64,
    size: FrameSize,
) -> ClipRequest<'static> {
    ClipRequest {
        start: ClipImage { png: PNG, url },
        end: None,
        prompt: "The keeper trims the lamp",
        camera: Camera::PushIn,
        duration_ms,
        size,
    }
}

pub fn data_uri(png: &[u8]) -> String {
    format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(png)
    )
}

/// A real one-second MP4, made once by ffmpeg.
pub fn mp4() -> Vec<u8> {
    static MP4: OnceLock<Vec<u8>> = OnceLock::new();
    MP4.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.mp4");
        let status = std::process::Command::new("ffmpeg")
            .args(["-v", "error", "-y", "-f", "lavfi", "-i"])
            .args(["color=c=blue:s=64x36:d=1", "-c:v", "libx264"])
            .args(["-pix_fmt", "yuv420p"])
            .arg(&out)
            .status()
            .expect("ffmpeg runs");
        assert!(status.success());
        std::fs::read(out).unwrap()
    })
    .clone()
}
