//! End to end over real HTTP: `coursegen serve` sends a job's segmentation
//! and question generation to `coursegen ai-server`, which reads our
//! transcript through the link it was given, works with the offline engine
//! and reports through signed webhooks (and, in the second test, the
//! existing server's shared-secret header); a human approves the segments
//! in between, and the course comes out with the server's questions.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::Duration;

use common::{announced, coursegen, serve_with};
use serde_json::{Value, json};

const SECRET: &str = "an e2e webhook secret";

/// Kills the processes when the test ends, however it ends.
struct Processes(Vec<Child>);

impl Drop for Processes {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A port nobody listens on now (for a server whose address another must
/// know before it starts).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts `coursegen ai-server` reporting to `webhook_url`; its URL.
fn ai_server(webhook_url: &str, compat: bool) -> (Child, String) {
    let mut command = coursegen();
    command.args([
        "ai-server",
        "--addr",
        "127.0.0.1:0",
        "--webhook-url",
        webhook_url,
        "--secret",
        SECRET,
    ]);
    if compat {
        command.args(["--compat", "shared-secret"]);
    }
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let url = announced(&mut child, "listening on ");
    (child, url)
}

fn admin_token(data: &Path) -> String {
    let out = coursegen()
        .args(["token", "--sub", "ada", "--role", "admin", "--data"])
        .arg(data)
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// A stage of a job as the API shows it.
fn stage<'a>(job: &'a Value, name: &str) -> &'a Value {
    job["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["stage"] == name)
        .unwrap()
}

struct Api {
    url: String,
    token: String,
    http: reqwest::Client,
}

impl Api {
    async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.url))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    /// The job once `done` says so (30 s at most).
    async fn wait(&self, id: &str, what: &str, done: impl Fn(&Value) -> bool) -> Value {
        for _ in 0..600 {
            let (status, job) = self
                .send(reqwest::Method::GET, &format!("/v1/jobs/{id}"), None)
                .await;
            assert_eq!(status, 200, "{job}");
            if done(&job) {
                return job;
            }
            assert!(
                !["failed", "aborted"].contains(&job["status"].as_str().unwrap()),
                "the job ended while waiting for {what}: {job}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the job never reached {what}");
    }
}

async fn a_course_through_the_ai_server(compat: bool) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let port = free_port();
    let webhook = format!("http://127.0.0.1:{port}/v1/webhooks/ai-server");
    let (worker, worker_url) = ai_server(&webhook, compat);
    let mut env = vec![
        ("COURSEGEN_AI_SERVER_URL", worker_url.as_str()),
        ("COURSEGEN_WEBHOOK_SECRET", SECRET),
    ];
    if compat {
        env.push(("COURSEGEN_WEBHOOK_COMPAT", "shared-secret"));
    }
    let (server, url) = serve_with(&data, &format!("127.0.0.1:{port}"), &env);
    let _processes = Processes(vec![worker, server]);
    let api = Api {
        url,
        token: admin_token(&data),
        http: reqwest::Client::new(),
    };

    // Upload the lecture and make a job whose segmentation and questions go
    // to the AI server, with a review of the segments.
    let bytes = std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/lecture/lecture.en.vtt"),
    )
    .unwrap();
    let (status, target) = api
        .send(
            reqwest::Method::POST,
            "/v1/uploads",
            Some(json!({"kind": "transcript", "format": "vtt", "size": bytes.len()})),
        )
        .await;
    assert_eq!(status, 201, "{target}");
    let put = api
        .http
        .put(target["url"].as_str().unwrap())
        .header("content-type", "text/vtt")
        .body(bytes)
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 200);
    let (status, job) = api
        .send(
            reqwest::Method::POST,
            "/v1/jobs",
            Some(json!({
                "course": {"course_id": "c1", "version_id": "v1"},
                "source": {"kind": "transcript", "upload_key": target["upload_key"], "format": "vtt"},
                "options": {
                    "engines": {"segment": "ai-server", "questions": "ai-server"},
                    "approvals": ["segment"],
                    "question_mix": {"single_choice": 1, "multi_choice": 1, "true_false": 1, "fill_blank": 1}
                }
            })),
        )
        .await;
    assert_eq!(status, 201, "{job}");
    let id = job["id"].as_str().unwrap().to_owned();

    // The server's segmentation waits for a human.
    let job = api
        .wait(&id, "the segment review", |j| {
            stage(j, "segment")["status"] == "awaiting_approval"
        })
        .await;
    let segment = stage(&job, "segment");
    assert_eq!(segment["runs"].as_array().unwrap().len(), 1);
    let (status, segments) = api
        .send(
            reqwest::Method::GET,
            &format!("/v1/jobs/{id}/stages/segment/runs/1"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{segments}");
    let segments = segments.as_array().unwrap().clone();
    assert!(segments.len() >= 2, "{segments:?}");
    let (status, approved) = api
        .send(
            reqwest::Method::POST,
            &format!("/v1/jobs/{id}/stages/segment/approve"),
            Some(json!({})),
        )
        .await;
    assert_eq!(status, 200, "{approved}");

    // Then the rest runs, questions by the AI server, to the end.
    let job = api
        .wait(&id, "success", |j| j["status"] == "succeeded")
        .await;
    assert_eq!(
        stage(&job, "questions")["runs"].as_array().unwrap().len(),
        1
    );
    let (status, course) = api
        .send(
            reqwest::Method::GET,
            &format!("/v1/jobs/{id}/course.json"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{course}");
    // The server makes SOL, SML and BIN questions per segment, one each as
    // asked (it has no fill-in-the-blank, which our own engine wrote into
    // the lessons first): the lessons' exercises are the server's.
    let exercises: Vec<&Value> = course["modules"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|m| m["lessons"].as_array().unwrap())
        .flat_map(|l| l["exercises"].as_array().unwrap())
        .collect();
    assert!(!exercises.is_empty());
    for q in &exercises {
        let kind = q["type"].as_str().unwrap();
        assert!(
            ["single_choice", "multi_choice", "true_false"].contains(&kind),
            "{kind}"
        );
    }
    assert_eq!(exercises.len(), 3 * segments.len(), "three per segment");
}

#[tokio::test(flavor = "multi_thread")]
async fn signed_webhooks_carry_a_job_through_the_ai_server_with_a_review_between() {
    a_course_through_the_ai_server(false).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_shared_secret_mode_carries_the_same_job() {
    a_course_through_the_ai_server(true).await;
}
