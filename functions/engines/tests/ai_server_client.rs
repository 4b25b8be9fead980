//! The AI server client against a scripted server: every refusal the
//! protocol lists (400, 422), the server's own failures (500), timeouts and
//! a server that is not there. 4xx is final; the rest is retried, then
//! reported.

use crate::scripted;

use std::time::Duration;

use coursegen_core::ai_protocol::job_state::{JobState, TaskInput};
use coursegen_engines::ai_server::{AbortOutcome, AiServerClient, ClientSettings, DispatchError};
use scripted::{Answer, server};
use serde_json::{Map, Value, json};

fn client(url: &str) -> AiServerClient {
    AiServerClient::new(
        url,
        ClientSettings {
            timeout: Duration::from_millis(300),
            attempts: 3,
            backoff: Duration::from_millis(10),
        },
    )
}

fn state() -> JobState {
    JobState::start(
        TaskInput::Transcript {
            file: "http://127.0.0.1/t.json".into(),
        },
        Map::new(),
    )
}

fn now(status: u16, body: Value) -> Answer {
    (status, body, Duration::ZERO)
}

#[tokio::test]
async fn an_accepted_start_sends_the_job_state_once() {
    let (url, script) = server(vec![now(200, json!({"message": "accepted"}))]).await;
    client(&url).start("cb/1", &state()).await.unwrap();
    let seen = script.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].0, "/jobs/cb%2F1/tasks/approve/start");
    assert_eq!(seen[0].1["currentTask"], "TRANSCRIPT_GENERATION");
    assert_eq!(seen[0].1["taskStatus"], "WAITING");
    assert_eq!(seen[0].1["parameters"], json!({}));
    client(&url).health().await.unwrap();
}

#[tokio::test]
async fn a_400_or_422_is_a_refusal_with_the_servers_words_and_is_not_retried() {
    let (url, script) = server(vec![now(400, json!({"detail": "Job is not waiting"}))]).await;
    let err = client(&url).rerun("j", &state()).await.unwrap_err();
    assert_eq!(
        err,
        DispatchError::Refused {
            status: 400,
            detail: "Job is not waiting".into()
        }
    );
    assert_eq!(script.seen.lock().unwrap().len(), 1);
    assert_eq!(script.seen.lock().unwrap()[0].0, "/jobs/j/tasks/rerun");

    let validation = json!({"detail": [
        {"loc": ["body", "taskStatus"], "msg": "field required", "type": "value_error.missing"},
        {"loc": ["body", "parameters", 0], "msg": "not a dict"}]});
    let (url, script) = server(vec![now(422, validation)]).await;
    let err = client(&url).start("j", &state()).await.unwrap_err();
    assert_eq!(
        err,
        DispatchError::Refused {
            status: 422,
            detail: "body.taskStatus: field required; body.parameters.0: not a dict".into()
        }
    );
    assert_eq!(script.seen.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn a_500_is_retried_until_it_passes_or_the_attempts_run_out() {
    let (url, script) = server(vec![
        now(500, json!({"detail": "CUDA out of memory"})),
        now(200, json!({})),
    ])
    .await;
    client(&url).start("j", &state()).await.unwrap();
    assert_eq!(script.seen.lock().unwrap().len(), 2);

    let (url, script) = server(vec![now(503, Value::Null)]).await;
    let err = client(&url).start("j", &state()).await.unwrap_err();
    assert!(
        matches!(&err, DispatchError::Unavailable(m) if m.contains("503") && m.contains("3 attempts")),
        "{err}"
    );
    assert_eq!(script.seen.lock().unwrap().len(), 3);
}

#[tokio::test]
async fn a_server_too_slow_to_answer_is_retried_then_reported() {
    let slow = (200, json!({}), Duration::from_millis(1000));
    let (url, script) = server(vec![slow.clone(), now(200, json!({}))]).await;
    client(&url).start("j", &state()).await.unwrap();
    assert_eq!(script.seen.lock().unwrap().len(), 2);

    let (url, _) = server(vec![slow]).await;
    let err = client(&url).start("j", &state()).await.unwrap_err();
    assert!(
        matches!(&err, DispatchError::Unavailable(m) if m.contains("timed out")),
        "{err}"
    );
}

#[tokio::test]
async fn a_server_that_is_not_there_is_unavailable() {
    // A port that was just free: nothing listens there.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let c = client(&format!("http://127.0.0.1:{port}"));
    let err = c.start("j", &state()).await.unwrap_err();
    assert!(
        matches!(&err, DispatchError::Unavailable(m) if m.contains("cannot reach")),
        "{err}"
    );
    assert!(matches!(
        c.health().await,
        Err(DispatchError::Unavailable(_))
    ));
}

#[tokio::test]
async fn an_abort_is_final_whatever_the_server_says() {
    for (status, outcome) in [
        (200, AbortOutcome::Aborted),
        (404, AbortOutcome::NothingRunning),
        (400, AbortOutcome::AlreadyFinished),
    ] {
        let (url, script) = server(vec![now(status, json!({"detail": "x"}))]).await;
        assert_eq!(client(&url).abort("j").await, Ok(outcome));
        assert_eq!(script.seen.lock().unwrap()[0].0, "/jobs/j/abort");
    }
    let (url, _) = server(vec![now(422, json!({"detail": []}))]).await;
    assert!(matches!(
        client(&url).abort("j").await,
        Err(DispatchError::Refused { status: 422, .. })
    ));
}

#[tokio::test]
async fn a_signing_client_still_works_with_a_server_that_ignores_the_signature() {
    let (url, script) = server(vec![now(200, json!({"message": "accepted"}))]).await;
    let secret = coursegen_core::ai_protocol::signature::Secret::new("s").unwrap();
    let signing = client(&format!("{url}/ai/")).signed_with(Some(secret));
    signing.start("j", &state()).await.unwrap();
    assert_eq!(signing.abort("j").await.unwrap(), AbortOutcome::Aborted);
    let seen = script.seen.lock().unwrap().clone();
    assert_eq!(seen[0].0, "/ai/jobs/j/tasks/approve/start");
    assert_eq!(seen[0].1["taskStatus"], "WAITING");
}
