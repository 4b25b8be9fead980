//! Pictures by any OpenAI-compatible image server:
//! `POST {base}/images/generations`, answered as base64.

use std::time::Duration;

use async_trait::async_trait;
use base64::Engine as _;
use coursegen_core::ports::{FrameSize, ImageRequest, Images, MediaError};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::http_retry::{Answer, Failure, Server, server_message};

/// The default model (gpt-image-1 was shut down in October 2026). Providers
/// retire models every few months: set it by configuration.
const DEFAULT_MODEL: &str = "gpt-image-2";

/// What a refusal by OpenAI's safety system starts with, for a reviewer
/// to recognise and rewrite the prompt.
const REFUSED: &str = "refused by the image provider's safety system: ";

/// An image server speaking OpenAI's `images/generations` API.
#[derive(Clone)]
pub struct OpenAiImages {
    server: Server,
    model: String,
    /// `None`: chosen from each request's frame size by its aspect.
    size: Option<String>,
}

// By hand: the API key must never reach a log line.
impl std::fmt::Debug for OpenAiImages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenAiImages")
            .field("endpoint", &self.server.endpoint)
            .field("api_key", &self.server.redacted_key())
            .field("model", &self.model)
            .field("size", &self.size)
            .field("attempts", &self.server.retry.attempts)
            .field("timeout", &self.server.timeout)
            .finish_non_exhaustive()
    }
}

impl OpenAiImages {
    /// A client of the server at `base_url` (e.g. `https://api.openai.com/v1`),
    /// sending `api_key` as a bearer token when there is one. Defaults: model
    /// `gpt-image-2`, the size by the frame's aspect, 4 attempts from a
    /// 500 ms backoff, 180 s per request (a large picture takes a minute).
    pub fn new(base_url: impl Into<String>, api_key: Option<String>) -> Result<Self, MediaError> {
        Ok(OpenAiImages {
            server: Server::new(
                base_url.into(),
                "images/generations",
                api_key,
                "the image server",
                Duration::from_secs(180),
            )?,
            model: DEFAULT_MODEL.into(),
            size: None,
        })
    }

    pub fn with_model(mut self, model: impl Into<String>) -> Self {
        self.model = model.into();
        self
    }

    /// The size every picture is asked for in, as the server names sizes
    /// ("1536x1024", "1792x1024"), instead of one chosen by the frame's
    /// aspect from the three sizes every GPT image model takes.
    pub fn with_size(mut self, size: impl Into<String>) -> Self {
        self.size = Some(size.into());
        self
    }

    crate::http_retry::retry_builders!("picture");

    /// The size to ask for a picture of a `frame` in.
    fn size_for(&self, frame: FrameSize) -> &str {
        match &self.size {
            Some(size) => size,
            None if frame.width > frame.height => "1536x1024",
            None if frame.width < frame.height => "1024x1536",
            None => "1024x1024",
        }
    }

    /// One request: the picture, or why not and whether to try again.
    async fn attempt(&self, body: &Value) -> Result<Vec<u8>, Failure> {
        let answer = self.server.post(body).await?;
        if answer.status.is_success() {
            return picture(&answer.body).map_err(Failure::Final);
        }
        Err(Failure::Final(self.refusal(&answer)))
    }

    /// Why the server said no (a 4xx other than 429), in words that say
    /// what to change.
    fn refusal(&self, answer: &Answer) -> MediaError {
        let status = answer.status;
        let message = self.server.message(&answer.body);
        let error: Option<Value> = serde_json::from_slice::<Value>(&answer.body)
            .ok()
            .and_then(|v| v.get("error").cloned());
        let field = |name: &str| {
            error
                .as_ref()
                .and_then(|e| e.get(name))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let (code, kind) = (field("code"), field("type"));
        let safety = matches!(
            code.as_str(),
            "content_policy_violation" | "moderation_blocked"
        ) || (kind == "image_generation_user_error"
            && message.to_lowercase().contains("safety"));
        MediaError::Invalid(if safety {
            format!("{REFUSED}{message}")
        } else if status == StatusCode::UNAUTHORIZED && !self.server.has_key() {
            format!("the image server wants an API key and none was given ({status}): {message}")
        } else if status == StatusCode::UNAUTHORIZED {
            format!("the image server did not accept the API key ({status}): {message}")
        } else if status == StatusCode::FORBIDDEN {
            format!(
                "the API key may not use this model or endpoint of the image server \
                 ({status}): {message}"
            )
        } else {
            format!("the image server answered {status}: {message}")
        })
    }
}

/// The prompt as sent: the frame's prompt, then what to avoid as a
/// sentence of its own, the API having no field for a negative prompt.
fn prompt_text(request: &ImageRequest<'_>) -> String {
    let text = request.prompt.text(request.style);
    let negative = request.prompt.negative(request.style);
    let negative = negative.trim().trim_end_matches('.');
    if negative.is_empty() {
        text
    } else {
        format!("{text} Avoid: {negative}.")
    }
}

/// The picture in a successful answer, `{"data": [{"b64_json": …}]}`.
fn picture(body: &[u8]) -> Result<Vec<u8>, MediaError> {
    let said = || server_message(&String::from_utf8_lossy(body));
    let answer: Value = serde_json::from_slice(body).map_err(|_| {
        MediaError::Failed(format!(
            "the image server's answer was not JSON: {}",
            said()
        ))
    })?;
    let first = answer.pointer("/data/0");
    let Some(b64) = first
        .and_then(|d| d.get("b64_json"))
        .and_then(Value::as_str)
    else {
        return Err(MediaError::Failed(
            if first.and_then(|d| d.get("url")).is_some() {
                "the image server answered with a URL to the picture, not the picture: \
                 coursegen asks for response_format b64_json and needs a server that \
                 answers with it"
                    .into()
            } else {
                format!("the image server's answer had no picture: {}", said())
            },
        ));
    };
    let compact: String = b64.split_ascii_whitespace().collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(compact)
        .map_err(|e| {
            MediaError::Failed(format!("the image server's b64_json was not base64: {e}"))
        })?;
    // Frames are composed (fitted, captioned) from PNG, which is every
    // image model's default answer; another format is named, not guessed at.
    let kind = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Ok(bytes);
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        "a JPEG picture".to_owned()
    } else if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
        "a WebP picture".to_owned()
    } else {
        let start: Vec<String> = bytes.iter().take(8).map(|b| format!("{b:02x}")).collect();
        format!(
            "{} bytes that are no picture (they begin {})",
            bytes.len(),
            start.join(" ")
        )
    };
    Err(MediaError::Failed(format!(
        "the image server sent {kind}; frames are made from PNG, so set the server or \
         model to answer PNG"
    )))
}

#[async_trait]
impl Images for OpenAiImages {
    async fn image(&self, request: ImageRequest<'_>) -> Result<Vec<u8>, MediaError> {
        let body = json!({
            "model": self.model,
            "prompt": prompt_text(&request),
            "n": 1,
            "size": self.size_for(request.size),
            "response_format": "b64_json",
        });
        self.server.retrying(|| self.attempt(&body)).await
    }
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;
    use std::sync::{Arc, Mutex};
    use std::time::Instant;

    use axum::Router;
    use axum::body::Bytes;
    use axum::extract::State;
    use axum::http::{HeaderMap, StatusCode};
    use axum::response::{IntoResponse, Response};
    use axum::routing::post;
    use coursegen_core::image_prompt::{FramePrompt, StyleGuide};
    use coursegen_core::narration::Direction;
    use coursegen_core::storyboard::{Camera, Frame};

    use super::*;

    const KEY: &str = "sk-test-images-0123456789-secret";

    struct Reply {
        status: u16,
        headers: Vec<(&'static str, &'static str)>,
        body: Vec<u8>,
        delay: Duration,
    }

    fn reply(status: u16, body: impl Into<Vec<u8>>) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: body.into(),
            delay: Duration::ZERO,
        }
    }

    #[derive(Default)]
    struct Fake {
        script: Mutex<VecDeque<Reply>>,
        seen: Mutex<Vec<(HeaderMap, Value)>>,
    }

    async fn generate(State(fake): State<Arc<Fake>>, headers: HeaderMap, body: Bytes) -> Response {
        let json = serde_json::from_slice(&body).unwrap_or(Value::Null);
        fake.seen.lock().unwrap().push((headers, json));
        let next = fake.script.lock().unwrap().pop_front();
        let Some(next) = next else {
            return (StatusCode::INTERNAL_SERVER_ERROR, "the script ran out").into_response();
        };
        tokio::time::sleep(next.delay).await;
        let mut response = (StatusCode::from_u16(next.status).unwrap(), next.body).into_response();
        for (name, value) in next.headers {
            response.headers_mut().insert(name, value.parse().unwrap());
        }
        response
    }

    /// A server that answers `script` in order, then 500s; its base URL.
    async fn serve(script: Vec<Reply>) -> (Arc<Fake>, String) {
        let fake = Arc::new(Fake::default());
        fake.script.lock().unwrap().extend(script);
        let app = Router::new()
            .route("/v1/images/generations", post(generate))
            .with_state(fake.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}/v1", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (fake, base)
    }

    fn requests(fake: &Fake) -> usize {
        fake.seen.lock().unwrap().len()
    }

    fn images(base: &str) -> OpenAiImages {
        OpenAiImages::new(base, Some(KEY.into()))
            .unwrap()
            .with_backoff(Duration::from_millis(1), Duration::from_millis(300))
    }

    fn png() -> Vec<u8> {
        resvg::tiny_skia::Pixmap::new(2, 2)
            .unwrap()
            .encode_png()
            .unwrap()
    }

    fn b64(bytes: &[u8]) -> String {
        json!({"created": 1, "data": [{"b64_json": base64::engine::general_purpose::STANDARD.encode(bytes)}]})
            .to_string()
    }

    struct Scene {
        prompt: FramePrompt,
        style: StyleGuide,
        frame: Frame,
    }

    fn scene() -> Scene {
        Scene {
            prompt: FramePrompt {
                shot: 1,
                frame: 1,
                subject: "A lighthouse keeper trimming a lamp".into(),
                composition: "wide shot, keeper in the left third".into(),
                lens: "35 mm, deep focus".into(),
                lighting: "dusk through the windows".into(),
                negative: "modern clothing".into(),
            },
            style: StyleGuide {
                style: "flat vector illustration".into(),
                palette: vec!["navy".into(), "amber".into()],
                lighting: "warm key light".into(),
                negative: "text, watermarks".into(),
            },
            frame: Frame {
                number: 1,
                seen: "The keeper at the lamp".into(),
                on_screen_text: None,
                narration: vec!["The keeper trims the lamp.".into()],
                duration_ms: 4_000,
                camera: Camera::Still,
            },
        }
    }

    fn request(scene: &Scene, size: FrameSize) -> ImageRequest<'_> {
        ImageRequest {
            prompt: &scene.prompt,
            style: &scene.style,
            frame: &scene.frame,
            size,
            direction: Direction::LeftToRight,
        }
    }

    #[tokio::test]
    async fn a_picture_comes_back_from_base64_and_the_request_says_what_to_draw() {
        let (fake, base) = serve(vec![reply(200, b64(&png())), reply(200, b64(&png()))]).await;
        let s = scene();
        let picture = images(&base)
            .image(request(&s, FrameSize::HD))
            .await
            .unwrap();
        assert_eq!(picture, png());

        images(&base)
            .with_model("image-model-2")
            .with_size("1792x1024")
            .image(request(&s, FrameSize::PORTRAIT))
            .await
            .unwrap();

        let seen = fake.seen.lock().unwrap();
        let (headers, body) = &seen[0];
        assert_eq!(headers["authorization"], format!("Bearer {KEY}").as_str());
        assert_eq!(body["model"], "gpt-image-2");
        assert_eq!(body["n"], 1);
        assert_eq!(body["size"], "1536x1024");
        assert_eq!(body["response_format"], "b64_json");
        let prompt = body["prompt"].as_str().unwrap();
        assert!(
            prompt.starts_with(&s.prompt.text(&s.style)),
            "the frame's prompt: {prompt}"
        );
        assert!(
            prompt.ends_with(" Avoid: text, watermarks, modern clothing."),
            "{prompt}"
        );
        assert_eq!(seen[1].1["model"], "image-model-2");
        assert_eq!(seen[1].1["size"], "1792x1024");
    }

    #[test]
    fn the_size_follows_the_frame_and_debug_hides_the_key() {
        let s = OpenAiImages::new("http://127.0.0.1:1/v1/", Some(KEY.into())).unwrap();
        let shown = format!("{s:?}");
        assert!(
            !shown.contains(KEY) && !shown.contains("sk-test"),
            "{shown}"
        );
        assert!(
            shown.contains("redacted") && shown.contains("gpt-image-2"),
            "{shown}"
        );
        assert_eq!(
            s.server.endpoint,
            "http://127.0.0.1:1/v1/images/generations"
        );
        assert_eq!(s.size_for(FrameSize::FULL_HD), "1536x1024");
        assert_eq!(s.size_for(FrameSize::PORTRAIT), "1024x1536");
        let square = FrameSize {
            width: 800,
            height: 800,
        };
        assert_eq!(s.size_for(square), "1024x1024");
        assert_eq!(
            s.with_size("512x512").size_for(FrameSize::HD),
            "512x512",
            "a set size wins"
        );
        assert!(OpenAiImages::new("api.openai.com", None).is_err());

        let mut sc = scene();
        sc.style.negative.clear();
        sc.prompt.negative.clear();
        let text = prompt_text(&request(&sc, FrameSize::HD));
        assert!(!text.contains("Avoid"), "nothing to avoid: {text}");
    }

    #[tokio::test]
    async fn a_rate_limit_is_waited_out_as_the_server_asks() {
        let (fake, base) = serve(vec![
            Reply {
                headers: vec![("retry-after", "5")],
                ..reply(429, r#"{"error":{"message":"Rate limit reached"}}"#)
            },
            reply(200, b64(&png())),
        ])
        .await;
        let s = scene();
        let started = Instant::now();
        let picture = images(&base).image(request(&s, FrameSize::HD)).await;
        assert_eq!(picture.unwrap(), png());
        // Retry-After (5 s) capped by the backoff's 300 ms, not the 1 ms base
        // (the bound leaves room for a loaded machine).
        let waited = started.elapsed();
        assert!(
            waited >= Duration::from_millis(300) && waited < Duration::from_secs(3),
            "{waited:?}"
        );
        assert_eq!(requests(&fake), 2);
    }

    #[tokio::test]
    async fn server_errors_are_retried_then_given_up_on() {
        let (fake, base) = serve(vec![
            reply(500, "oops"),
            reply(500, "oops"),
            reply(200, b64(&png())),
        ])
        .await;
        let s = scene();
        let picture = images(&base).image(request(&s, FrameSize::HD)).await;
        assert_eq!(picture.unwrap(), png());
        assert_eq!(requests(&fake), 3);

        // The script has run out: every answer is a 500.
        let e = images(&base)
            .with_attempts(3)
            .image(request(&s, FrameSize::HD))
            .await
            .unwrap_err();
        assert!(
            matches!(&e, MediaError::Unavailable(m) if m.contains("500") && m.contains("the script ran out")),
            "{e:?}"
        );
        assert_eq!(requests(&fake), 3 + 3);
    }

    #[tokio::test]
    async fn a_safety_refusal_is_not_retried_and_says_so() {
        let (fake, base) = serve(vec![reply(
            400,
            r#"{"error":{"message":"Your request was rejected by the safety system.",
                "type":"image_generation_user_error","param":null,"code":"moderation_blocked"}}"#,
        )])
        .await;
        let s = scene();
        let e = images(&base)
            .image(request(&s, FrameSize::HD))
            .await
            .unwrap_err();
        assert_eq!(
            e,
            MediaError::Invalid(
                "refused by the image provider's safety system: \
                 Your request was rejected by the safety system."
                    .into()
            )
        );
        assert_eq!(requests(&fake), 1);
    }

    #[tokio::test]
    async fn other_refusals_carry_the_servers_words_but_never_the_key() {
        let (fake, base) = serve(vec![
            reply(
                400,
                r#"{"error":{"message":"Invalid size '7x7'.","type":"invalid_request_error","code":"invalid_value"}}"#,
            ),
            reply(
                401,
                format!(r#"{{"error":{{"message":"Incorrect API key provided: {KEY}."}}}}"#),
            ),
            reply(403, r#"{"error":{"message":"Your organization must be verified."}}"#),
        ])
        .await;
        let s = scene();
        let ask = || async { images(&base).image(request(&s, FrameSize::HD)).await };
        let e = ask().await.unwrap_err();
        assert!(
            matches!(&e, MediaError::Invalid(m) if m.contains("Invalid size '7x7'.") && !m.starts_with(REFUSED)),
            "{e:?}"
        );
        let e = ask().await.unwrap_err().to_string();
        assert!(e.contains("did not accept the API key"), "{e}");
        assert!(!e.contains(KEY) && !e.contains("sk-test"), "{e}");
        let e = ask().await.unwrap_err().to_string();
        assert!(
            e.contains("may not use this model") && e.contains("must be verified"),
            "{e}"
        );
        assert_eq!(requests(&fake), 3, "none retried");
    }

    #[tokio::test]
    async fn answers_that_are_no_picture_fail() {
        let (fake, base) = serve(vec![
            reply(200, r#"{"data":[{"url":"https://example.com/p.png"}]}"#),
            reply(200, b64(b"GIF89a not a picture we take")),
            reply(200, b64(&[0xff, 0xd8, 0xff, 0xe0, 0, 0])),
            reply(200, r#"{"data":[]}"#),
        ])
        .await;
        let s = scene();
        let ask = || async { images(&base).image(request(&s, FrameSize::HD)).await };
        let e = ask().await.unwrap_err();
        assert!(
            matches!(&e, MediaError::Failed(m) if m.contains("URL") && m.contains("b64_json")),
            "{e:?}"
        );
        let e = ask().await.unwrap_err();
        assert!(
            matches!(&e, MediaError::Failed(m) if m.contains("no picture") && m.contains("47 49 46 38")),
            "{e:?}"
        );
        let e = ask().await.unwrap_err();
        assert!(
            matches!(&e, MediaError::Failed(m) if m.contains("a JPEG picture") && m.contains("answer PNG")),
            "{e:?}"
        );
        assert!(matches!(ask().await, Err(MediaError::Failed(_))));
        assert_eq!(requests(&fake), 4, "none retried");
    }

    #[tokio::test]
    async fn a_slow_server_times_out_and_is_retried() {
        let slow = || Reply {
            delay: Duration::from_secs(5),
            ..reply(200, b64(&png()))
        };
        let (fake, base) = serve(vec![slow(), slow()]).await;
        let s = scene();
        let started = Instant::now();
        let e = images(&base)
            .with_timeout(Duration::from_millis(100))
            .with_attempts(2)
            .image(request(&s, FrameSize::HD))
            .await
            .unwrap_err();
        assert!(
            matches!(&e, MediaError::Unavailable(m) if m.contains("did not answer within")),
            "{e:?}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(4),
            "not the slow answer's 5 s"
        );
        assert_eq!(requests(&fake), 2);
    }
}
