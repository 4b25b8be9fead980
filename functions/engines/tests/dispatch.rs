//! The dispatch step against a scripted AI server: what it sends (the
//! protocol's JobState, our input behind a link), what it keeps (the token
//! behind a fresh handle the run awaits), and how every refusal the
//! protocol lists ends the run with a clear error.

use crate::common;
use crate::scripted;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use coursegen_core::ai_protocol::webhook::TaskOutput;
use coursegen_core::ids::{CallbackId, JobId};
use coursegen_core::lifecycle::Command;
use coursegen_core::options::{EngineKind, Options};
use coursegen_core::pipeline::{AiServer, StepError, Steps};
use coursegen_core::ports::{EngineError, Fetched, FileLinks, RemoteFiles};
use coursegen_core::source::{Source, TranscriptFormat};
use coursegen_core::stage::{RunStatus, Stage, StageStatus};
use coursegen_engines::ai_server::{AiServerClient, ClientSettings};
use coursegen_local::dev_auth::JwtSecret;
use coursegen_local::file_links::LocalFileLinks;
use scripted::{Answer, Script, server};
use serde_json::{Value, json};

fn now(status: u16, body: Value) -> Answer {
    (status, body, Duration::ZERO)
}

fn links() -> LocalFileLinks {
    LocalFileLinks {
        base_url: "http://127.0.0.1:9".into(),
        secret: JwtSecret::load_or_create(
            std::path::Path::new("/nonexistent"),
            Some(&"s".repeat(40)),
        )
        .unwrap(),
    }
}

/// The AI server at `url`, tried `attempts` times with short waits.
fn ai_server(url: &str, attempts: u32) -> AiServer {
    AiServer {
        worker: Arc::new(AiServerClient::new(
            url,
            ClientSettings {
                timeout: Duration::from_millis(300),
                attempts,
                backoff: Duration::from_millis(10),
            },
        )),
        links: Arc::new(links()),
    }
}

struct Setup {
    stack: common::Stack,
    steps: Steps,
    script: Script,
    id: JobId,
}

/// A job whose segmentation goes to a scripted server answering `answers`,
/// ingested and validated already.
async fn setup(answers: Vec<Answer>) -> Setup {
    let stack = common::stack().await;
    let (url, script) = server(answers).await;
    let steps = Steps {
        ai_server: Some(ai_server(&url, 3)),
        ..stack.steps.clone()
    };
    let mut options = Options::default();
    options.engines.insert(Stage::Segment, EngineKind::AiServer);
    let id = common::new_job_with(
        &stack,
        "lecture/lecture.en.vtt",
        |upload_key| Source::Transcript {
            upload_key,
            format: TranscriptFormat::Vtt,
        },
        options,
    )
    .await;
    for step in ["ingest", "validate"] {
        steps
            .handle(&json!({"job_id": id, "step": step}))
            .await
            .unwrap();
    }
    Setup {
        stack,
        steps,
        script,
        id,
    }
}

async fn dispatch(s: &Setup, token: &str) -> Result<Value, StepError> {
    s.steps
        .handle(&json!({"job_id": s.id, "step": "dispatch", "stage": "segment", "token": token}))
        .await
}

#[tokio::test]
async fn a_dispatch_starts_the_task_after_transcription_with_a_link_to_our_transcript() {
    let s = setup(vec![now(200, json!({"message": "ok"}))]).await;
    let answer = dispatch(&s, "token-1").await.unwrap();
    let handle: CallbackId = answer["callback"].as_str().unwrap().parse().unwrap();

    let job = s.stack.steps.jobs.get(s.id).await.unwrap();
    let state = job.stage(Stage::Segment);
    assert_eq!(state.status, StageStatus::Running);
    assert_eq!(state.callback.as_ref(), Some(&handle));
    let record = s.steps.callbacks.get(&handle).await.unwrap().unwrap();
    assert_eq!(record.token.expose(), "token-1");
    assert_eq!((record.job_id, record.stage), (s.id, Stage::Segment));

    let seen = s.script.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    let (path, body) = &seen[0];
    assert_eq!(path, &format!("/jobs/{handle}/tasks/approve/start"));
    assert_eq!(body["currentTask"], "TRANSCRIPT_GENERATION");
    assert_eq!(body["taskStatus"], "WAITING");
    assert_eq!(body["parameters"], json!({"lam": 3.5}));
    // The file is a link to our copy of the transcript, in chunks.
    let file = body["file"].as_str().unwrap();
    let token = file.strip_prefix("http://127.0.0.1:9/v1/files/").unwrap();
    let key = links().redeem(token).expect("a link we signed");
    let chunks: Value =
        serde_json::from_slice(&s.steps.artifacts.get(&key).await.unwrap().bytes).unwrap();
    let chunks = chunks["chunks"].as_array().unwrap();
    assert!(chunks.len() > 10);
    assert!(chunks[0]["timestamp"][1].as_f64().unwrap() > 0.0);
    assert!(chunks[0]["text"].as_str().unwrap().starts_with(' '));

    // The same task invoked again (a Lambda retry) keeps its handle, points
    // it at the newest token and does not send the work twice.
    let again = dispatch(&s, "token-2").await.unwrap();
    assert_eq!(again["callback"], handle.to_string());
    let record = s.steps.callbacks.get(&handle).await.unwrap().unwrap();
    assert_eq!(record.token.expose(), "token-2");
    assert_eq!(s.script.seen.lock().unwrap().len(), 1);
}

/// Answers a completed segmentation's transcript URL.
#[derive(Debug)]
struct Echo;

#[async_trait]
impl RemoteFiles for Echo {
    async fn fetch(&self, _url: &str, _limit: u64) -> Result<Fetched, EngineError> {
        Ok(Fetched {
            bytes: b"{\"chunks\": []}".to_vec(),
            content_type: Some("application/json".into()),
        })
    }
}

#[tokio::test]
async fn a_human_rerun_reruns_the_task_itself_with_the_new_parameters() {
    let s = setup(vec![now(200, json!({}))]).await;
    dispatch(&s, "t1").await.unwrap();
    let output = TaskOutput::Segmentation {
        segment_ends_s: vec![300.0, 700.0],
        transcript_file_url: "http://server/t.json".into(),
        parameters: serde_json::Map::new(),
    };
    s.steps
        .record_worker_output(s.id, Stage::Segment, &output, &Echo)
        .await
        .unwrap();
    s.steps
        .update(s.id, |_| {
            Ok(vec![
                Command::AwaitApproval {
                    stage: Stage::Segment,
                    callback: None,
                },
                Command::Rerun {
                    stage: Stage::Segment,
                    parameters: json!({"boundary_penalty": 2.0}),
                },
            ])
        })
        .await
        .unwrap();
    let second: CallbackId = dispatch(&s, "t2").await.unwrap()["callback"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let seen = s.script.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[1].0, format!("/jobs/{second}/tasks/rerun"));
    assert_eq!(seen[1].1["currentTask"], "SEGMENTATION");
    assert_eq!(seen[1].1["taskStatus"], "COMPLETED");
    assert_eq!(seen[1].1["parameters"], json!({"lam": 7.0}));
    let job = s.stack.steps.jobs.get(s.id).await.unwrap();
    let runs = &job.stage(Stage::Segment).runs;
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0].status, RunStatus::Completed);
    assert_eq!(runs[1].status, RunStatus::Running);
}

/// Each refusal the protocol lists, and the failures that are retried
/// first: the run fails with the server's words and the task fails with a
/// name the workflow's Catch records.
#[tokio::test]
async fn every_refusal_fails_the_run_with_a_clear_error() {
    let slow = (200, json!({}), Duration::from_secs(5));
    let cases: Vec<(Vec<Answer>, &str, &str, usize)> = vec![
        (
            vec![now(400, json!({"detail": "Job is not waiting"}))],
            "AiServerRefused",
            "refused the task (400): Job is not waiting",
            1,
        ),
        (
            vec![now(
                422,
                json!({"detail": [{"loc": ["body", "taskStatus"], "msg": "field required"}]}),
            )],
            "AiServerRefused",
            "(422): body.taskStatus: field required",
            1,
        ),
        (
            vec![now(500, json!({"detail": "boom"}))],
            "AiServerUnavailable",
            "it answered 500: boom (after 3 attempts)",
            3,
        ),
        (
            vec![slow],
            "AiServerUnavailable",
            "timed out (after 3 attempts)",
            3,
        ),
    ];
    for (answers, name, words, calls) in cases {
        let s = setup(answers).await;
        let err = dispatch(&s, "t").await.unwrap_err();
        assert_eq!(err.name, name, "{err}");
        assert!(err.message.contains(words), "{err}");
        assert_eq!(s.script.seen.lock().unwrap().len(), calls, "{err}");
        let job = s.stack.steps.jobs.get(s.id).await.unwrap();
        let state = job.stage(Stage::Segment);
        assert_eq!(state.status, StageStatus::Failed);
        assert!(
            state
                .latest_run()
                .unwrap()
                .error
                .as_deref()
                .unwrap()
                .contains(words)
        );
    }
}

#[tokio::test]
async fn a_server_that_is_not_there_fails_the_run_and_a_later_try_starts_afresh() {
    let s = setup(vec![now(200, json!({}))]).await;
    // Point the client at a port nobody listens on.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let steps = Steps {
        ai_server: Some(ai_server(&url, 2)),
        ..s.steps.clone()
    };
    let payload = json!({"job_id": s.id, "step": "dispatch", "stage": "segment", "token": "t"});
    let err = steps.handle(&payload).await.unwrap_err();
    assert_eq!(err.name, "AiServerUnavailable");
    assert!(err.message.contains("cannot reach it"), "{err}");
    // The workflow's retry (or a rerun) dispatches again: a new run.
    dispatch(&s, "t2").await.unwrap();
    let job = s.stack.steps.jobs.get(s.id).await.unwrap();
    let runs = &job.stage(Stage::Segment).runs;
    assert_eq!(
        runs.iter().map(|r| r.status).collect::<Vec<_>>(),
        vec![RunStatus::Failed, RunStatus::Running]
    );
}

#[tokio::test]
async fn without_a_configured_server_the_dispatch_says_so() {
    let s = setup(vec![now(200, json!({}))]).await;
    let err = s
        .stack
        .steps
        .handle(&json!({"job_id": s.id, "step": "dispatch", "stage": "segment", "token": "t"}))
        .await
        .unwrap_err();
    assert_eq!(err.name, "NotConfigured");
    assert!(err.message.contains("COURSEGEN_AI_SERVER_URL"));
    assert!(s.script.seen.lock().unwrap().is_empty());
}

/// Aborting a job whose segmentation waits on the server aborts the
/// server's task; 404 (nothing running) and 400 (already finished) still
/// leave the job aborted.
#[tokio::test]
async fn an_abort_reaches_the_server_and_is_recorded_whatever_it_answers() {
    use coursegen_core::auth::{Principal, Role};
    use coursegen_core::job::JobStatus;
    use coursegen_core::service::Service;
    use coursegen_local::workflow::{InProcess, LocalWorkflow, course_machine};

    for (answer, status) in [
        (200, "aborted"),
        (404, "nothing running"),
        (400, "finished"),
    ] {
        let s = setup(vec![
            now(200, json!({})),
            now(answer, json!({"detail": status})),
        ])
        .await;
        let handle = dispatch(&s, "t").await.unwrap()["callback"]
            .as_str()
            .unwrap()
            .to_owned();
        let steps = Arc::new(s.steps.clone());
        let service = Service {
            steps: steps.clone(),
            workflow: Arc::new(LocalWorkflow::new(
                Arc::new(course_machine().unwrap()),
                Arc::new(InProcess::new(steps)),
                s.stack.jobs.clone(),
            )),
            quota: Default::default(),
        };
        let admin = Principal {
            user: "root".parse().unwrap(),
            role: Role::Admin,
            courses: Vec::new(),
        };
        let job = service.abort(&admin, s.id, None).await.unwrap();
        assert_eq!(job.status, JobStatus::Aborted, "{status}");
        let seen = s.script.seen.lock().unwrap().clone();
        assert_eq!(seen.len(), 2, "{status}");
        assert_eq!(seen[1].0, format!("/jobs/{handle}/abort"));
    }
}
