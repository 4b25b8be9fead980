//! What guards the reference AI server: work only from calls signed with
//! its secret (coursegen's client signs them), inputs only from allowed
//! hosts (redirects included), and report retries that coursegen can
//! recognise as one delivery while their signature is fresh.

use crate::reference;

use std::time::Duration;

use chrono::Utc;
use coursegen_core::ai_protocol::signature::{Credentials, Secret, WebhookAuth, sign_call};
use coursegen_engines::ai_server::reference::{Retry, Signing};
use coursegen_engines::ai_server::{AiServerClient, ClientSettings, DispatchError};
use serde_json::json;

use reference::{SECRET, waiting, world, world_retrying};

#[tokio::test]
async fn a_retry_past_the_signature_s_freshness_is_signed_again() {
    let retry = Retry {
        first: Duration::from_millis(600),
        max: Duration::from_millis(600),
        deadline: Duration::from_secs(10),
        resign_after: Duration::from_millis(500),
    };
    let w = world_retrying(
        Signing::Signed(Secret::new(SECRET).unwrap()),
        &[1, 2],
        retry,
    )
    .await;
    let body = waiting(json!(null), json!({"url": "https://youtu.be/x"}));
    assert_eq!(
        w.post("/jobs/r2/tasks/approve/start", Some(body)).await.0,
        200
    );
    w.reports(1).await;
    let signed = w.receiver.attempt_signatures.lock().unwrap().clone();
    // 1.2 s after the first attempt: another second, so another timestamp.
    assert_ne!(signed[2].0, signed[0].0, "{signed:?}");
    let auth = WebhookAuth::Signed(Secret::new(SECRET).unwrap());
    let body = w.reports(1).await[0].1.to_string();
    let credentials = Credentials {
        timestamp: Some(&signed[2].0),
        signature: Some(&signed[2].1),
        shared_secret: None,
    };
    assert_eq!(
        auth.verify(&credentials, body.as_bytes(), Utc::now()),
        Ok(())
    );
}

#[tokio::test]
async fn only_calls_signed_with_the_secret_give_work() {
    let w = world().await;
    let start = "/jobs/z1/tasks/approve/start";
    let body = waiting(json!(null), json!({"url": "https://youtu.be/x"})).to_string();
    let now = Utc::now().timestamp();
    let refused = [
        w.post_raw(start, &body, None, now).await,
        w.post_raw(start, &body, Some("not the secret"), now).await,
        w.post_raw(start, &body, Some(SECRET), now - 301).await,
        w.post_raw("/jobs/z1/abort", "", None, now).await,
    ];
    for (status, answer) in refused {
        assert_eq!(status, 401, "{answer}");
        assert!(
            answer["detail"]
                .as_str()
                .unwrap()
                .contains("COURSEGEN_WEBHOOK_SECRET"),
            "{answer}"
        );
    }
    // Signed for another job or route: refused too.
    let secret = Secret::new(SECRET).unwrap();
    let other = sign_call(
        &secret,
        now,
        "POST",
        "/jobs/z2/tasks/approve/start",
        body.as_bytes(),
    );
    let moved = w
        .http
        .post(format!("{}{start}", w.server))
        .header("x-coursegen-timestamp", now.to_string())
        .header("x-coursegen-signature", other)
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(moved.status(), 401);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(
        w.receiver.reports.lock().unwrap().is_empty(),
        "no work was done"
    );
    // The health check stays open.
    let health = w.http.get(format!("{}/", w.server)).send().await.unwrap();
    assert_eq!(health.status(), 200);

    // coursegen's client signs what it sends; without the secret it is
    // refused with the server's words.
    let client = |secret: Option<&str>| {
        AiServerClient::new(&w.server, ClientSettings::default())
            .signed_with(secret.map(|s| Secret::new(s).unwrap()))
    };
    let state = coursegen_core::ai_protocol::job_state::JobState::start(
        coursegen_core::ai_protocol::job_state::TaskInput::Video {
            url: "https://youtu.be/x".into(),
        },
        serde_json::Map::new(),
    );
    match client(None).start("z3", &state).await {
        Err(DispatchError::Refused {
            status: 401,
            detail,
        }) => {
            assert!(detail.contains("secret"), "{detail}")
        }
        other => panic!("{other:?}"),
    }
    client(Some(SECRET)).start("z3", &state).await.unwrap();
    assert_eq!(w.reports(2).await[1].1["status"], "FAILED");
    assert_eq!(
        client(Some(SECRET)).abort("z3").await.unwrap(),
        coursegen_engines::ai_server::AbortOutcome::AlreadyFinished
    );
}

#[tokio::test]
async fn inputs_are_read_only_from_allowed_hosts_redirects_included() {
    let w = world().await;
    w.lecture_transcript();
    let port = w.inputs.rsplit(':').next().unwrap().to_owned();
    let own = format!("{}/files/t.json", w.inputs);
    let elsewhere = format!("http://localhost:{port}/files/t.json");
    let cases = [
        // Another host name (the same machine, even), a metadata service,
        // and a redirect from an allowed host to another one.
        (elsewhere.clone(), "not a host"),
        (
            "http://169.254.169.254/latest/meta-data/".to_owned(),
            "not a host",
        ),
        (
            format!("{}/redirect?to={elsewhere}", w.inputs),
            "redirects to localhost",
        ),
    ];
    for (i, (file, why)) in cases.iter().enumerate() {
        let body = waiting(json!("TRANSCRIPT_GENERATION"), json!({"file": file}));
        let job = format!("/jobs/f{i}/tasks/approve/start");
        assert_eq!(w.post(&job, Some(body)).await.0, 200);
        let reports = w.reports(2 * (i + 1)).await;
        let end = &reports[2 * i + 1].1;
        assert_eq!(end["status"], "FAILED", "{file}: {end}");
        let error = end["data"]["error"].as_str().unwrap();
        assert!(error.contains(why), "{file}: {error}");
    }
    // A redirect that stays on an allowed host is followed.
    let body = waiting(
        json!("TRANSCRIPT_GENERATION"),
        json!({"file": format!("{}/redirect?to={own}", w.inputs)}),
    );
    assert_eq!(
        w.post("/jobs/f9/tasks/approve/start", Some(body)).await.0,
        200
    );
    let end = &w.reports(8).await[7].1;
    assert_eq!(end["status"], "COMPLETED", "{end}");
}
