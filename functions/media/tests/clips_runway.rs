//! The Runway clip adapter against a scripted server on 127.0.0.1: what a
//! submission sends, a task's states over successive polls, safety
//! refusals, rate limits waited out without a second task, a timed-out
//! submission never sent twice, servers that keep failing, cancelling, and
//! fetching the clip (an MP4, fetched without the key).

use crate::clip_fake;

use clip_fake::*;

#[tokio::test]
async fn runway_is_sent_the_picture_prompt_ratio_and_length() {
    let task = || answer(json!({"id": "task-1"}));
    let (fake, address) = serve(vec![task(), task(), task()]).await;
    let clips = runway(&address);
    assert_eq!(clips.provider(), "runway");
    let shown = format!("{clips:?}");
    assert!(
        !shown.contains(KEY) && shown.contains("redacted"),
        "{shown}"
    );

    // No URL: the picture itself, as a data URI.
    let id = clips
        .submit(request(None, 4_000, FrameSize::HD))
        .await
        .unwrap();
    assert_eq!(id, "task-1");
    assert_eq!(
        fake.body(0),
        json!({
            "model": "gen4_turbo",
            "promptImage": data_uri(PNG),
            "promptText": "The keeper trims the lamp. Camera: slow push in.",
            "ratio": "1280:720",
            "duration": 5,
        })
    );
    assert!(fake.keyed(0), "the key as a bearer token");
    assert_eq!(fake.header(0, "x-runway-version").unwrap(), "2024-11-06");

    // A URL is sent as it is; a 7 s clip is asked for as 10 s.
    clips
        .clone()
        .with_model("gen4.5")
        .submit(request(Some(START_URL), 7_000, FrameSize::PORTRAIT))
        .await
        .unwrap();
    let body = fake.body(1);
    assert_eq!(body["promptImage"], START_URL);
    assert_eq!(body["model"], "gen4.5");
    assert_eq!(
        (&body["ratio"], &body["duration"]),
        (&json!("720:1280"), &json!(10))
    );

    // With an end picture: the first and last, each by URL or data URI.
    let both = ClipRequest {
        end: Some(ClipImage {
            png: END_PNG,
            url: Some(END_URL),
        }),
        ..request(
            None,
            60_000,
            FrameSize {
                width: 720,
                height: 720,
            },
        )
    };
    clips.submit(both).await.unwrap();
    let body = fake.body(2);
    assert_eq!(
        body["promptImage"],
        json!([
            {"uri": data_uri(PNG), "position": "first"},
            {"uri": END_URL, "position": "last"},
        ])
    );
    assert_eq!(
        (&body["ratio"], &body["duration"]),
        (&json!("960:960"), &json!(10))
    );
    assert_eq!(fake.calls(), vec!["POST /v1/image_to_video"; 3]);
}

#[tokio::test]
async fn a_runway_task_is_polled_to_success_and_its_clip_fetched() {
    let (fake, address) = serve(vec![
        answer(json!({"id": "t-1", "status": "PENDING"})),
        answer(json!({"id": "t-1", "status": "THROTTLED"})),
        answer(json!({"id": "t-1", "status": "RUNNING", "progress": 0.4})),
    ])
    .await;
    let clip_url = format!("{address}/cdn/clip.mp4?_jwt=signed");
    fake.push(answer(
        json!({"id": "t-1", "status": "SUCCEEDED", "output": [clip_url]}),
    ));
    fake.push(reply(200, mp4()));
    let clips = runway(&address);

    let mut states = Vec::new();
    for _ in 0..4 {
        states.push(clips.poll("t-1").await.unwrap());
    }
    assert_eq!(
        states,
        [
            ClipState::Queued,
            ClipState::Queued,
            ClipState::Running { percent: Some(40) },
            ClipState::Succeeded {
                url: clip_url.clone()
            },
        ]
    );
    assert!(!states[2].is_final() && states[3].is_final());
    let bytes = clips.fetch(&clip_url).await.unwrap();
    assert_eq!(bytes, mp4());
    assert_eq!(&bytes[4..8], b"ftyp");

    let mut calls = vec!["GET /v1/tasks/t-1"; 4];
    calls.push("GET /cdn/clip.mp4");
    assert_eq!(fake.calls(), calls);
    assert_eq!(fake.header(0, "x-runway-version").unwrap(), "2024-11-06");
    // The clip's signed link is fetched with neither the key nor the version.
    assert_eq!(fake.header(4, "authorization"), None);
    assert_eq!(fake.header(4, "x-runway-version"), None);
}

#[tokio::test]
async fn runway_failures_say_whether_they_were_a_safety_refusal() {
    let (_, address) = serve(vec![
        answer(
            json!({"status": "FAILED", "failure": "The prompt was flagged",
                      "failureCode": "SAFETY.INPUT.TEXT"}),
        ),
        answer(json!({"status": "FAILED", "failure": "An internal error",
                      "failureCode": "INTERNAL.BAD_OUTPUT.CODE01"})),
        answer(json!({"status": "CANCELLED"})),
        answer(json!({"status": "ARCHIVED"})),
    ])
    .await;
    let clips = runway(&address);
    assert_eq!(
        clips.poll("t-1").await.unwrap(),
        ClipState::Failed {
            code: "SAFETY.INPUT.TEXT".into(),
            message: "The prompt was flagged".into(),
            safety: true,
        }
    );
    assert!(matches!(
        clips.poll("t-1").await.unwrap(),
        ClipState::Failed { safety: false, code, .. } if code == "INTERNAL.BAD_OUTPUT.CODE01"
    ));
    assert_eq!(clips.poll("t-1").await.unwrap(), ClipState::Cancelled);
    let e = clips.poll("t-1").await.unwrap_err();
    assert!(
        matches!(&e, MediaError::Failed(m) if m.contains("ARCHIVED")),
        "{e:?}"
    );
}

#[tokio::test]
async fn a_rate_limited_submission_is_waited_out_and_makes_one_task() {
    let (fake, address) = serve(vec![
        Reply {
            headers: vec![("retry-after", "1")],
            ..reply(429, r#"{"error":"You have exceeded the rate limit"}"#)
        },
        answer(json!({"id": "task-9"})),
    ])
    .await;
    let started = Instant::now();
    let id = runway(&address)
        .with_backoff(Duration::from_millis(1), Duration::from_secs(2))
        .submit(request(None, 5_000, FrameSize::HD))
        .await
        .unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After honoured"
    );
    assert_eq!(id, "task-9");
    assert_eq!(fake.calls(), vec!["POST /v1/image_to_video"; 2]);
    assert_eq!(fake.body(0), fake.body(1), "the same clip asked for again");

    // A refusal is not retried: no second submission, the server's words,
    // and never the key (even when the server echoes it).
    let (fake, address) = serve(vec![reply(
        400,
        r#"{"error":"promptText is too long","issues":[]}"#,
    )])
    .await;
    let e = runway(&address)
        .submit(request(None, 5_000, FrameSize::HD))
        .await
        .unwrap_err();
    assert!(
        matches!(&e, MediaError::Invalid(m) if m.contains("promptText is too long")),
        "{e:?}"
    );
    assert_eq!(fake.requests(), 1);
    let (fake, address) = serve(vec![reply(401, format!(r#"{{"error":"Bad key {KEY}"}}"#))]).await;
    let e = runway(&address)
        .submit(request(None, 5_000, FrameSize::HD))
        .await
        .unwrap_err();
    let MediaError::Invalid(m) = &e else {
        panic!("{e:?}")
    };
    assert!(
        m.contains("did not accept the API key") && !m.contains(KEY),
        "{m}"
    );
    assert_eq!(fake.requests(), 1);
}

#[tokio::test]
async fn polls_are_retried_then_given_up_on_and_slow_answers_time_out() {
    // The script is empty: every answer is a 500.
    let (fake, address) = serve(Vec::new()).await;
    let e = runway(&address)
        .with_attempts(3)
        .poll("t-1")
        .await
        .unwrap_err();
    assert!(
        matches!(&e, MediaError::Unavailable(m) if m.contains("500")),
        "{e:?}"
    );
    assert_eq!(fake.calls(), vec!["GET /v1/tasks/t-1"; 3]);

    let (fake, address) = serve(vec![
        Reply {
            delay: Duration::from_secs(3),
            ..answer(json!({"status": "PENDING"}))
        },
        answer(json!({"status": "RUNNING"})),
    ])
    .await;
    let state = runway(&address)
        .with_timeout(Duration::from_millis(1_000))
        .poll("t-1")
        .await
        .unwrap();
    assert_eq!(state, ClipState::Running { percent: None });
    assert_eq!(fake.requests(), 2);
    // A submission that timed out may have made a task: never sent twice.
    let slow = Reply {
        delay: Duration::from_secs(3),
        ..answer(json!({"id": "t-9"}))
    };
    let (fake, address) = serve(vec![slow, answer(json!({"id": "t-10"}))]).await;
    let clips = runway(&address).with_timeout(Duration::from_millis(1_000));
    let e = clips
        .submit(request(None, 4_000, FrameSize::HD))
        .await
        .unwrap_err();
    assert!(
        matches!(&e, MediaError::Unavailable(m) if m.contains("not sent again")),
        "{e:?}"
    );
    assert_eq!(fake.requests(), 1);
}

#[tokio::test]
async fn runway_tasks_are_cancelled_by_delete() {
    let (fake, address) = serve(vec![
        reply(204, ""),
        reply(404, r#"{"error":"Task not found"}"#),
    ])
    .await;
    let clips = runway(&address);
    clips.cancel("t-1").await.unwrap();
    clips.cancel("t-1").await.unwrap(); // already gone: no error
    assert_eq!(fake.calls(), vec!["DELETE /v1/tasks/t-1"; 2]);
    assert!(fake.keyed(0), "the key as a bearer token");

    // An id that is no id never reaches a URL.
    let e = clips.cancel("../image_to_video").await.unwrap_err();
    assert!(matches!(e, MediaError::Invalid(_)), "{e:?}");
    assert_eq!(fake.requests(), 2);
}

#[tokio::test]
async fn a_fetched_clip_that_is_no_mp4_fails() {
    let (fake, address) = serve(vec![
        reply(200, "<html>Access denied</html>"),
        reply(403, "<Error><Code>AccessDenied</Code></Error>"),
    ])
    .await;
    let clips = runway(&address);
    let url = format!("{address}/cdn/clip.mp4");
    let e = clips.fetch(&url).await.unwrap_err();
    assert!(
        matches!(&e, MediaError::Failed(m) if m.contains("no MP4")),
        "{e:?}"
    );
    // An expired link is refused, once, and said to be so.
    let e = clips.fetch(&url).await.unwrap_err();
    assert!(
        matches!(&e, MediaError::Invalid(m) if m.contains("403") && m.contains("expire")),
        "{e:?}"
    );
    assert_eq!(fake.requests(), 2);
}
