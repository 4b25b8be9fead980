//! A scripted AI server: answers each call with the next scripted status
//! and body (the last one for every call after), after a scripted wait,
//! and records what it was sent.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::IntoResponse;
use axum::routing::any;
use serde_json::Value;

/// One scripted answer: status, body, and how long to wait first.
pub type Answer = (u16, Value, Duration);

#[derive(Clone, Default)]
pub struct Script {
    answers: Arc<Mutex<Vec<Answer>>>,
    pub seen: Arc<Mutex<Vec<(String, Value)>>>,
}

async fn answer(State(script): State<Script>, uri: Uri, body: String) -> impl IntoResponse {
    let body: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    script
        .seen
        .lock()
        .unwrap()
        .push((uri.path().to_owned(), body));
    let next = {
        let mut answers = script.answers.lock().unwrap();
        if answers.len() > 1 {
            answers.remove(0)
        } else {
            answers[0].clone()
        }
    };
    tokio::time::sleep(next.2).await;
    (StatusCode::from_u16(next.0).unwrap(), axum::Json(next.1))
}

pub async fn server(answers: Vec<Answer>) -> (String, Script) {
    let script = Script {
        answers: Arc::new(Mutex::new(answers)),
        ..Script::default()
    };
    let app = Router::new()
        .fallback(any(answer))
        .with_state(script.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, script)
}
