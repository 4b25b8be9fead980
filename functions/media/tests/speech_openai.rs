//! The OpenAI-compatible speaker against a scripted server on 127.0.0.1:
//! rate limits and server errors are retried (Retry-After honoured), other
//! refusals are not and carry the server's message, a streamed WAV's length
//! comes from its samples, a body that is no WAV fails, and the key goes in
//! the Authorization header but never into Debug output.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use coursegen_core::ports::{MediaError, Speaker, Voice};
use coursegen_media::speech::OpenAiSpeech;
use serde_json::{Value, json};

const KEY: &str = "sk-test-0123456789-secret";

struct Reply {
    status: u16,
    headers: Vec<(&'static str, &'static str)>,
    body: Vec<u8>,
}

fn reply(status: u16, body: impl Into<Vec<u8>>) -> Reply {
    Reply {
        status,
        headers: Vec::new(),
        body: body.into(),
    }
}

#[derive(Default)]
struct Fake {
    script: Mutex<VecDeque<Reply>>,
    seen: Mutex<Vec<(HeaderMap, Value)>>,
}

async fn speech(State(fake): State<Arc<Fake>>, headers: HeaderMap, body: Bytes) -> Response {
    let json = serde_json::from_slice(&body).unwrap_or(Value::Null);
    fake.seen.lock().unwrap().push((headers, json));
    let Some(next) = fake.script.lock().unwrap().pop_front() else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "the script ran out").into_response();
    };
    let mut response = (StatusCode::from_u16(next.status).unwrap(), next.body).into_response();
    for (name, value) in next.headers {
        response.headers_mut().insert(name, value.parse().unwrap());
    }
    response
}

/// A server that answers `script` in order; its base URL.
async fn serve(script: Vec<Reply>) -> (Arc<Fake>, String) {
    let fake = Arc::new(Fake::default());
    fake.script.lock().unwrap().extend(script);
    let app = Router::new()
        .route("/v1/audio/speech", post(speech))
        .with_state(fake.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/v1", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (fake, base)
}

fn speaker(base: &str) -> OpenAiSpeech {
    OpenAiSpeech::new(base, Some(KEY.into()))
        .unwrap()
        .with_backoff(Duration::from_millis(5), Duration::from_secs(2))
}

/// `ms` of 16-bit mono at 24 kHz, as OpenAI sends WAV.
fn wav(ms: u32) -> Vec<u8> {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 24_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut out = std::io::Cursor::new(Vec::new());
    let mut writer = hound::WavWriter::new(&mut out, spec).unwrap();
    for i in 0..24 * ms {
        writer.write_sample((i % 64) as i16 * 100).unwrap();
    }
    writer.finalize().unwrap();
    out.into_inner()
}

fn en(speed: f32) -> Voice {
    Voice {
        language: "en".into(),
        name: None,
        speed,
    }
}

fn requests(fake: &Fake) -> usize {
    fake.seen.lock().unwrap().len()
}

#[tokio::test]
async fn a_rate_limit_is_waited_out_as_the_server_asks() {
    let (fake, base) = serve(vec![
        Reply {
            status: 429,
            headers: vec![("retry-after", "1")],
            body: br#"{"error":{"message":"Rate limit reached"}}"#.to_vec(),
        },
        reply(200, wav(1_250)),
    ])
    .await;
    let started = Instant::now();
    let speech = speaker(&base)
        .speak("Hello there.", &en(1.25))
        .await
        .unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After honoured"
    );
    assert_eq!(speech.duration_ms, 1_250);
    assert_eq!(requests(&fake), 2);

    let seen = fake.seen.lock().unwrap();
    let (headers, body) = &seen[0];
    assert_eq!(headers["authorization"], format!("Bearer {KEY}").as_str());
    assert_eq!(
        body,
        &json!({"model": "gpt-4o-mini-tts", "input": "Hello there.", "voice": "alloy",
                "response_format": "wav", "speed": 1.25})
    );
}

#[tokio::test]
async fn server_errors_are_retried_then_given_up_on() {
    let (fake, base) = serve(vec![
        reply(503, "busy"),
        reply(503, "busy"),
        reply(200, wav(400)),
    ])
    .await;
    let speech = speaker(&base).speak("Hi.", &en(1.0)).await.unwrap();
    assert_eq!(speech.duration_ms, 400);
    assert_eq!(requests(&fake), 3);

    // The script then runs out: every answer is a 500, so all 4 attempts go.
    let e = speaker(&base).speak("Hi.", &en(1.0)).await.unwrap_err();
    assert!(
        matches!(&e, MediaError::Unavailable(m) if m.contains("500")),
        "{e:?}"
    );
    assert_eq!(requests(&fake), 3 + 4);
    let e = speaker(&base).with_attempts(1).speak("Hi.", &en(1.0)).await;
    assert!(matches!(e, Err(MediaError::Unavailable(_))));
    assert_eq!(requests(&fake), 3 + 4 + 1);
}

#[tokio::test]
async fn a_refusal_is_not_retried_and_says_why() {
    let (fake, base) = serve(vec![reply(
        400,
        r#"{"error":{"message":"Input is too long for this model","type":"invalid_request_error"}}"#,
    )])
    .await;
    let e = speaker(&base).speak("Hi.", &en(1.0)).await.unwrap_err();
    match e {
        MediaError::Invalid(m) => assert!(m.contains("Input is too long for this model"), "{m}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(requests(&fake), 1);
}

#[tokio::test]
async fn a_streamed_wav_is_measured_by_its_samples() {
    let mut streamed = wav(2_000);
    streamed[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
    streamed[40..44].copy_from_slice(&u32::MAX.to_le_bytes());
    let (_, base) = serve(vec![reply(200, streamed)]).await;
    let speech = speaker(&base).speak("Hi.", &en(1.0)).await.unwrap();
    assert_eq!(speech.duration_ms, 2_000);
    assert_eq!(
        coursegen_media::wav::duration_ms(&speech.wav).unwrap(),
        2_000
    );
}

#[tokio::test]
async fn a_body_that_is_no_wav_fails() {
    let (_, base) = serve(vec![reply(200, b"ID3\x04\x00 an mp3 perhaps".to_vec())]).await;
    let e = speaker(&base).speak("Hi.", &en(1.0)).await.unwrap_err();
    assert!(matches!(e, MediaError::Failed(_)), "{e:?}");
}

#[tokio::test]
async fn voices_are_checked_and_the_key_stays_secret() {
    let (fake, base) = serve(vec![reply(200, wav(100))]).await;
    let s = speaker(&base)
        .with_model("tts-local")
        .with_voices(vec!["narrator".into(), "alloy".into()]);
    let shown = format!("{s:?}");
    assert!(
        !shown.contains(KEY) && !shown.contains("sk-test"),
        "{shown}"
    );
    assert!(shown.contains("redacted"), "{shown}");
    assert_eq!(s.voices(), ["narrator", "alloy"]);

    let nobody = Voice {
        name: Some("shimmer".into()),
        ..en(1.0)
    };
    let e = s.speak("Hi.", &nobody).await.unwrap_err();
    assert!(
        matches!(&e, MediaError::Invalid(m) if m.contains("narrator, alloy")),
        "{e:?}"
    );
    assert_eq!(requests(&fake), 0, "refused before asking");

    let narrator = Voice {
        name: Some("Narrator".into()),
        ..en(1.0)
    };
    s.speak("Hi.", &narrator).await.unwrap();
    let sent = fake.seen.lock().unwrap()[0].1.clone();
    assert_eq!(sent["voice"], "narrator");
    assert_eq!(sent["model"], "tts-local");

    // Without a key, no Authorization header at all (a local server).
    let (fake, base) = serve(vec![reply(200, wav(100))]).await;
    OpenAiSpeech::new(&base, None)
        .unwrap()
        .speak("Hi.", &en(1.0))
        .await
        .unwrap();
    assert!(!fake.seen.lock().unwrap()[0].0.contains_key("authorization"));
}
