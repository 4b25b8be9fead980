//! Polly's speaker: against a local double of Polly's REST API
//! (`POST /v1/speech`, PCM back) for what a request carries, the cutting of
//! a long text into requests under the limit and the joining of their
//! speech, and error kinds; and against moto's server, which serves
//! SynthesizeSpeech (a few bytes of silence, text over 3000 characters
//! refused) when moto is installed.

use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_polly::config::retry::RetryConfig;
use aws_sdk_polly::config::{Credentials, SharedCredentialsProvider};
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use coursegen_core::ports::{MediaError, Speaker, Voice};
use coursegen_media::speech::PollySpeech;
use serde_json::Value;

/// Every request's speech from the double: 50 ms of 16 kHz 16-bit PCM.
const PCM_BYTES: usize = 1_600;

#[derive(Default)]
struct Fake {
    bodies: Mutex<Vec<Value>>,
    refuse: Option<&'static str>,
}

async fn speech(State(fake): State<Arc<Fake>>, _: HeaderMap, body: Bytes) -> Response {
    fake.bodies
        .lock()
        .unwrap()
        .push(serde_json::from_slice(&body).unwrap_or(Value::Null));
    if let Some(error) = fake.refuse {
        let body = format!(r#"{{"message":"refused by the double: {error}"}}"#);
        let status = if error == "ServiceFailureException" {
            500
        } else {
            400
        };
        let mut r = (StatusCode::from_u16(status).unwrap(), body).into_response();
        r.headers_mut()
            .insert("x-amzn-errortype", error.parse().unwrap());
        r.headers_mut()
            .insert("content-type", "application/json".parse().unwrap());
        return r;
    }
    let mut r = (StatusCode::OK, vec![1u8; PCM_BYTES]).into_response();
    r.headers_mut()
        .insert("content-type", "audio/pcm".parse().unwrap());
    r
}

async fn double(refuse: Option<&'static str>) -> (Arc<Fake>, String) {
    let fake = Arc::new(Fake {
        refuse,
        ..Fake::default()
    });
    let app = Router::new()
        .route("/v1/speech", post(speech))
        .with_state(fake.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (fake, url)
}

fn sdk() -> SdkConfig {
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "test", "test", None, None, "test",
        )))
        // Retried as in production, but without waiting seconds between.
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(3)
                .with_initial_backoff(Duration::from_millis(1)),
        )
        .build()
}

fn voice(language: &str, speed: f32) -> Voice {
    Voice {
        language: language.into(),
        name: None,
        speed,
    }
}

/// Over 7000 characters of sentences.
fn long_text() -> String {
    (1..=115)
        .map(|i| format!("Sentence number {i} says a few more words about waves & tides. "))
        .collect::<String>()
}

#[tokio::test]
async fn a_long_text_is_spoken_in_pieces_under_the_limit_and_joined() {
    let (fake, url) = double(None).await;
    let polly = PollySpeech::from_sdk_config(&sdk(), Some(&url));
    let text = long_text();
    assert!(text.chars().count() >= 7_000);
    let speech = polly.speak(&text, &voice("en-US", 1.0)).await.unwrap();
    let bodies = fake.bodies.lock().unwrap();
    assert!(bodies.len() >= 3, "{} requests", bodies.len());
    let mut spoken = Vec::new();
    for body in bodies.iter() {
        let sent = body["Text"].as_str().unwrap();
        assert!(
            sent.chars().count() <= 3_000,
            "{} chars",
            sent.chars().count()
        );
        assert!(sent.ends_with("tides."), "cut between sentences: {sent:?}");
        assert_eq!(body["TextType"], "text");
        assert_eq!(body["VoiceId"], "Joanna");
        assert_eq!(body["OutputFormat"], "pcm");
        assert_eq!(body["SampleRate"], "16000");
        spoken.push(sent.to_owned());
    }
    assert_eq!(spoken.join(" "), text.trim());
    // Each request's 50 ms, joined into one WAV.
    assert_eq!(speech.duration_ms, 50 * bodies.len() as u64);
    let reader = hound::WavReader::new(std::io::Cursor::new(&speech.wav)).unwrap();
    assert_eq!(reader.spec().sample_rate, 16_000);
    assert_eq!(reader.len() as usize, bodies.len() * PCM_BYTES / 2);
}

#[tokio::test]
async fn speed_is_escaped_ssml_and_the_voice_follows_the_language() {
    let (fake, url) = double(None).await;
    let polly = PollySpeech::from_sdk_config(&sdk(), Some(&url))
        .with_engine("neural")
        .unwrap();
    let speech = polly
        .speak("Tom & Jerry <3 \"cheese\".", &voice("ar-EG", 0.8))
        .await
        .unwrap();
    assert_eq!(speech.duration_ms, 50);
    let bodies = fake.bodies.lock().unwrap();
    assert_eq!(
        bodies[0]["Text"],
        r#"<speak><prosody rate="80%">Tom &amp; Jerry &lt;3 &quot;cheese&quot;.</prosody></speak>"#
    );
    assert_eq!(bodies[0]["TextType"], "ssml");
    assert_eq!(bodies[0]["VoiceId"], "Zeina");
    assert_eq!(bodies[0]["Engine"], "neural");
}

#[tokio::test]
async fn refusals_and_outages_are_told_apart() {
    let (fake, url) = double(Some("InvalidSsmlException")).await;
    let polly = PollySpeech::from_sdk_config(&sdk(), Some(&url));
    let e = polly.speak("Hi.", &voice("en", 1.0)).await.unwrap_err();
    assert!(
        matches!(&e, MediaError::Invalid(m) if m.contains("InvalidSsmlException")),
        "{e:?}"
    );
    assert_eq!(
        fake.bodies.lock().unwrap().len(),
        1,
        "a refusal is not retried"
    );

    let (fake, url) = double(Some("ServiceFailureException")).await;
    let polly = PollySpeech::from_sdk_config(&sdk(), Some(&url));
    let e = polly.speak("Hi.", &voice("en", 1.0)).await.unwrap_err();
    assert!(matches!(e, MediaError::Unavailable(_)), "{e:?}");
    assert_eq!(fake.bodies.lock().unwrap().len(), 3, "the SDK retried");

    let e = polly
        .speak(
            "Hi.",
            &Voice {
                name: Some("Nobody".into()),
                ..voice("en", 1.0)
            },
        )
        .await;
    assert!(matches!(e, Err(MediaError::Invalid(_))));
}

/// moto's server on a free port, or why there is none. It exits when the
/// test process does (its watchdog reads our end of a pipe).
fn moto() -> Result<(Child, String), String> {
    let python = std::env::var("COURSEGEN_PYTHON").unwrap_or_else(|_| "python3".into());
    let found = Command::new(&python)
        .args(["-c", "import moto.server"])
        .stderr(Stdio::null())
        .status();
    if !matches!(found, Ok(s) if s.success()) {
        return Err(format!("{python} has no moto[server]"));
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| e.to_string())?
        .port();
    let script = "import os, sys, threading\n\
        threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()\n\
        from moto.server import main\n\
        main(['-H', '127.0.0.1', '-p', sys.argv[1]])\n";
    let child = Command::new(&python)
        .args(["-c", script, &port.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start moto: {e}"))?;
    for _ in 0..300 {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok((child, format!("http://127.0.0.1:{port}")));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err("moto did not listen within 15 s".into())
}

#[tokio::test]
async fn moto_serves_synthesize_speech() {
    let (mut child, url) = match moto() {
        Ok(found) => found,
        Err(why) => {
            eprintln!("skipped: moto's server is not available ({why})");
            return;
        }
    };
    let polly = PollySpeech::from_sdk_config(&sdk(), Some(&url));
    let short = polly.speak("Hello world.", &voice("en", 1.0)).await;
    // moto refuses any request text over 3000 characters: a long one
    // passing shows every piece was under the limit.
    let long = polly.speak(&long_text(), &voice("en", 1.5)).await;
    let _ = child.kill();
    let _ = child.wait();
    let samples = |wav: &[u8]| {
        hound::WavReader::new(std::io::Cursor::new(wav))
            .unwrap()
            .len()
    };
    // moto speaks every request as 8 bytes: 4 samples.
    assert_eq!(samples(&short.unwrap().wav), 4);
    let n = samples(&long.unwrap().wav);
    assert!(n >= 12 && n % 4 == 0, "{n} samples: at least 3 requests");
}
