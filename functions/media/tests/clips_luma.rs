//! The Luma clip adapter against a scripted server on 127.0.0.1: keyframes
//! sent by URL (and refused without one before any request), a generation
//! polled to completion and fetched, failures and cancelling.

use crate::clip_fake;

use clip_fake::*;

#[tokio::test]
async fn luma_is_sent_keyframes_by_url() {
    let generation = || answer(json!({"id": "gen-1", "state": "queued"}));
    let (fake, address) = serve(vec![generation(), generation()]).await;
    let clips = luma(&address);
    assert_eq!(clips.provider(), "luma");
    assert!(!format!("{clips:?}").contains(KEY));

    let both = ClipRequest {
        end: Some(ClipImage {
            png: END_PNG,
            url: Some(END_URL),
        }),
        ..request(Some(START_URL), 4_000, FrameSize::HD)
    };
    assert_eq!(clips.submit(both).await.unwrap(), "gen-1");
    assert_eq!(
        fake.body(0),
        json!({
            "prompt": "The keeper trims the lamp. Camera: slow push in.",
            "model": "ray-2",
            "keyframes": {
                "frame0": {"type": "image", "url": START_URL},
                "frame1": {"type": "image", "url": END_URL},
            },
            "aspect_ratio": "16:9",
            "duration": "5s",
            "loop": false,
        })
    );
    assert!(fake.keyed(0), "the key as a bearer token");

    clips
        .clone()
        .with_model("ray-3")
        .submit(request(Some(START_URL), 8_000, FrameSize::PORTRAIT))
        .await
        .unwrap();
    let body = fake.body(1);
    assert_eq!(
        body["keyframes"],
        json!({"frame0": {"type": "image", "url": START_URL}})
    );
    assert_eq!(
        (&body["model"], &body["aspect_ratio"], &body["duration"]),
        (&json!("ray-3"), &json!("9:16"), &json!("9s"))
    );
    assert_eq!(fake.calls(), vec!["POST /dream-machine/v1/generations"; 2]);
}

#[tokio::test]
async fn luma_refuses_a_picture_without_a_url_before_asking() {
    let (fake, address) = serve(Vec::new()).await;
    let clips = luma(&address);
    let e = clips
        .submit(request(None, 4_000, FrameSize::HD))
        .await
        .unwrap_err();
    assert!(
        matches!(&e, MediaError::Invalid(m) if m.contains("public URL") && m.contains("start")),
        "{e:?}"
    );
    let no_end_url = ClipRequest {
        end: Some(ClipImage {
            png: END_PNG,
            url: None,
        }),
        ..request(Some(START_URL), 4_000, FrameSize::HD)
    };
    let e = clips.submit(no_end_url).await.unwrap_err();
    assert!(
        matches!(&e, MediaError::Invalid(m) if m.contains("end")),
        "{e:?}"
    );
    assert_eq!(fake.requests(), 0);
}

#[tokio::test]
async fn a_luma_generation_is_polled_to_completion_and_fetched() {
    let (fake, address) = serve(vec![
        answer(json!({"id": "gen-1", "state": "queued"})),
        answer(json!({"id": "gen-1", "state": "dreaming"})),
    ])
    .await;
    let video = format!("{address}/cdn/gen-1.mp4");
    fake.push(answer(json!({"id": "gen-1", "state": "completed",
                            "assets": {"video": video}})));
    fake.push(reply(200, mp4()));
    let clips = luma(&address);
    assert_eq!(clips.poll("gen-1").await.unwrap(), ClipState::Queued);
    assert_eq!(
        clips.poll("gen-1").await.unwrap(),
        ClipState::Running { percent: None }
    );
    assert_eq!(
        clips.poll("gen-1").await.unwrap(),
        ClipState::Succeeded { url: video.clone() }
    );
    assert_eq!(clips.fetch(&video).await.unwrap(), mp4());
    let mut calls = vec!["GET /dream-machine/v1/generations/gen-1"; 3];
    calls.push("GET /cdn/gen-1.mp4");
    assert_eq!(fake.calls(), calls);
    assert_eq!(fake.header(3, "authorization"), None);
}

#[tokio::test]
async fn luma_failures_and_cancelling() {
    let (fake, address) = serve(vec![
        answer(json!({"id": "gen-2", "state": "failed",
                      "failure_reason": "Prompt blocked by content moderation"})),
        answer(json!({"id": "gen-3", "state": "failed",
                      "failure_reason": "Internal server error"})),
        reply(204, ""),
    ])
    .await;
    let clips = luma(&address);
    assert_eq!(
        clips.poll("gen-2").await.unwrap(),
        ClipState::Failed {
            code: "failed".into(),
            message: "Prompt blocked by content moderation".into(),
            safety: true,
        }
    );
    assert!(matches!(
        clips.poll("gen-3").await.unwrap(),
        ClipState::Failed { safety: false, .. }
    ));
    clips.cancel("gen-2").await.unwrap();
    assert_eq!(
        fake.calls().last().unwrap(),
        "DELETE /dream-machine/v1/generations/gen-2"
    );
    assert_eq!(fake.requests(), 3);
}
