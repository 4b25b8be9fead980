//! A receiver that plays coursegen for the reference AI server's tests:
//! it takes reports (refusing the attempts it is told to), serves input
//! files, a slow file and redirects; and the server under test, reached
//! with calls signed as coursegen signs them.
#![allow(dead_code)] // each test file uses its own subset

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use chrono::Utc;
use coursegen_core::ai_protocol::signature::{Secret, sign_call};
use coursegen_core::ai_protocol::transcript::chunks;
use coursegen_engines::ai_server::AllowedHosts;
use coursegen_engines::ai_server::reference::{Config, Keep, ReferenceServer, Retry, Signing};
use serde_json::{Value, json};

pub const SECRET: &str = "the reference test secret";

/// Plays coursegen: takes reports (answering 500 to the attempts numbered
/// in `refuse`, counting from 1), and serves input files by name.
#[derive(Clone, Default)]
pub struct Receiver {
    pub reports: Arc<Mutex<Vec<(HeaderMap, Value)>>>,
    pub attempts: Arc<Mutex<usize>>,
    /// The delivery id of every attempt, answered or not.
    pub attempt_ids: Arc<Mutex<Vec<String>>>,
    /// The timestamp and signature of every attempt.
    pub attempt_signatures: Arc<Mutex<Vec<(String, String)>>>,
    pub refuse: Vec<usize>,
    pub files: Arc<Mutex<HashMap<String, Vec<u8>>>>,
}

async fn take(State(r): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let id = headers
        .get("x-coursegen-delivery")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    r.attempt_ids.lock().unwrap().push(id.to_owned());
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    r.attempt_signatures.lock().unwrap().push((
        header("x-coursegen-timestamp"),
        header("x-coursegen-signature"),
    ));
    let attempt = {
        let mut n = r.attempts.lock().unwrap();
        *n += 1;
        *n
    };
    if r.refuse.contains(&attempt) {
        return StatusCode::INTERNAL_SERVER_ERROR;
    }
    let value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    r.reports.lock().unwrap().push((headers, value));
    StatusCode::OK
}

async fn file(State(r): State<Receiver>, Path(name): Path<String>) -> Result<Vec<u8>, StatusCode> {
    r.files
        .lock()
        .unwrap()
        .get(&name)
        .cloned()
        .ok_or(StatusCode::NOT_FOUND)
}

/// An input that never finishes downloading.
async fn slow() -> &'static str {
    tokio::time::sleep(Duration::from_secs(30)).await;
    "{}"
}

/// A redirect to `?to=`.
async fn redirect(
    axum::extract::Query(to): axum::extract::Query<HashMap<String, String>>,
) -> axum::response::Redirect {
    axum::response::Redirect::temporary(&to["to"])
}

pub struct World {
    pub server: String,
    pub receiver: Receiver,
    pub inputs: String,
    pub http: reqwest::Client,
}

pub async fn listen(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

pub async fn world_with(signing: Signing, refuse: &[usize]) -> World {
    let retry = Retry {
        first: Duration::from_millis(10),
        max: Duration::from_millis(50),
        deadline: Duration::from_secs(10),
        resign_after: Duration::from_secs(240),
    };
    world_retrying(signing, refuse, retry).await
}

pub async fn world_retrying(signing: Signing, refuse: &[usize], retry: Retry) -> World {
    let receiver = Receiver {
        refuse: refuse.to_vec(),
        ..Receiver::default()
    };
    let app = Router::new()
        .route("/hook", post(take))
        .route("/files/{name}", get(file))
        .route("/slow", get(slow))
        .route("/redirect", get(redirect))
        .with_state(receiver.clone());
    let inputs = listen(app).await;
    let webhook_url = format!("{inputs}/hook");
    let config = Config {
        fetch_from: AllowedHosts::of_url(&webhook_url).unwrap(),
        webhook_url,
        signing,
        retry,
        keep: Keep::default(),
        transcriber: None,
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = format!("http://{}", listener.local_addr().unwrap());
    let app = ReferenceServer::new(config, server.clone()).router();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    World {
        server,
        receiver,
        inputs,
        http: reqwest::Client::new(),
    }
}

pub async fn world() -> World {
    world_with(Signing::Signed(Secret::new(SECRET).unwrap()), &[]).await
}

impl World {
    pub fn serve_file(&self, name: &str, bytes: Vec<u8>) -> String {
        self.receiver
            .files
            .lock()
            .unwrap()
            .insert(name.to_owned(), bytes);
        format!("{}/files/{name}", self.inputs)
    }

    /// A call as coursegen makes it: signed with the secret.
    pub async fn post(&self, path: &str, body: Option<Value>) -> (u16, Value) {
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        self.post_raw(path, &body, Some(SECRET), Utc::now().timestamp())
            .await
    }

    /// `body` as it is, signed with `secret` at `at` (or not signed).
    pub async fn post_raw(
        &self,
        path: &str,
        body: &str,
        secret: Option<&str>,
        at: i64,
    ) -> (u16, Value) {
        let mut request = self
            .http
            .post(format!("{}{path}", self.server))
            .header("content-type", "application/json")
            .body(body.to_owned());
        if let Some(secret) = secret {
            let secret = Secret::new(secret).unwrap();
            let signature = sign_call(&secret, at, "POST", path, body.as_bytes());
            request = request
                .header("x-coursegen-timestamp", at.to_string())
                .header("x-coursegen-signature", signature);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// The reports so far once there are `n` (5 s at most).
    pub async fn reports(&self, n: usize) -> Vec<(HeaderMap, Value)> {
        for _ in 0..500 {
            let reports = self.receiver.reports.lock().unwrap().clone();
            if reports.len() >= n {
                return reports;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!(
            "expected {n} reports, got {:?}",
            self.receiver.reports.lock().unwrap()
        );
    }

    /// The lecture's transcript in the chunks format, served to the server.
    pub fn lecture_transcript(&self) -> (String, coursegen_core::material::Material) {
        let material = coursegen_core::material::Material::from(crate::common::lecture(
            "lecture/lecture.en.vtt",
        ));
        let url = self.serve_file("t.json", chunks(&material).to_string().into_bytes());
        (url, material)
    }
}

pub fn waiting(current: Value, extra: Value) -> Value {
    let mut state = json!({"currentTask": current, "taskStatus": "WAITING", "parameters": {}});
    for (k, v) in extra.as_object().unwrap() {
        state[k] = v.clone();
    }
    state
}
