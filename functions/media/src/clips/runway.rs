//! Clips by Runway: `POST {base}/image_to_video`, then `GET {base}/tasks/{id}`
//! until the task ends, `DELETE {base}/tasks/{id}` to cancel it; every
//! request carries the API version Runway wants (`X-Runway-Version`).

use std::time::Duration;

use async_trait::async_trait;
use base64::Engine as _;
use coursegen_core::ports::{ClipImage, ClipRequest, ClipState, Clips, FrameSize, MediaError};
use serde_json::{Value, json};

use super::{TaskApi, fetch_mp4, motion_prompt, task_id};
use crate::http_retry::{Failure, Server};

/// Where its tasks live and what it calls them.
const API: TaskApi = TaskApi {
    who: "Runway",
    path: "tasks",
    noun: "task",
};

/// The version of Runway's API these requests are written against.
const API_VERSION: &str = "2024-11-06";

/// The default model (Gen-3a Turbo was retired in July 2026). Runway
/// retires models: set it by configuration (`gen4.5`, say).
const DEFAULT_MODEL: &str = "gen4_turbo";

/// The longest `promptText` Runway takes.
const PROMPT_LIMIT: usize = 1_000;

/// Runway's image-to-video API.
#[derive(Clone)]
pub struct RunwayClips {
    server: Server,
    model: String,
}

// By hand: the API key must never reach a log line.
impl std::fmt::Debug for RunwayClips {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunwayClips")
            .field("endpoint", &self.server.endpoint)
            .field("api_key", &self.server.redacted_key())
            .field("model", &self.model)
            .field("attempts", &self.server.retry.attempts)
            .field("timeout", &self.server.timeout)
            .finish_non_exhaustive()
    }
}

impl RunwayClips {
    /// Runway's API.
    pub const DEFAULT_BASE_URL: &'static str = "https://api.dev.runwayml.com/v1";

    /// A client of Runway's API at `base_url` (e.g. [`Self::DEFAULT_BASE_URL`]),
    /// sending `api_key` as a bearer token when there is one. Defaults: model
    /// `gen4_turbo`, 4 attempts per request from a 500 ms backoff, 60 s per
    /// request.
    pub fn new(base_url: impl Into<String>, api_key: Option<String>) -> Result<Self, MediaError> {
        Ok(RunwayClips {
            server: Server::new(
                base_url.into(),
                "image_to_video",
                api_key,
                "Runway",
                Duration::from_secs(60),
            )?
            .with_header("X-Runway-Version", API_VERSION),
            model: DEFAULT_MODEL.into(),
        })
    }

    pub fn with_model(mut self, model: impl Into<String>) -> Self {
        self.model = model.into();
        self
    }

    crate::http_retry::retry_builders!("call");

    /// What `request` is submitted as.
    fn body(&self, request: &ClipRequest<'_>) -> Value {
        let prompt_image = match request.end {
            None => json!(image_uri(&request.start)),
            Some(end) => json!([
                {"uri": image_uri(&request.start), "position": "first"},
                {"uri": image_uri(&end), "position": "last"},
            ]),
        };
        json!({
            "model": self.model,
            "promptImage": prompt_image,
            "promptText": motion_prompt(request, PROMPT_LIMIT),
            "ratio": ratio(request.size),
            "duration": duration_s(request.duration_ms),
        })
    }
}

/// A picture as Runway takes it: its URL when it has one, else the PNG
/// itself as a data URI.
fn image_uri(image: &ClipImage<'_>) -> String {
    match image.url {
        Some(url) => url.to_owned(),
        None => format!(
            "data:image/png;base64,{}",
            base64::engine::general_purpose::STANDARD.encode(image.png)
        ),
    }
}

/// Runway's ratio for a frame of `size`, by its aspect.
fn ratio(size: FrameSize) -> &'static str {
    match size.width.cmp(&size.height) {
        std::cmp::Ordering::Greater => "1280:720",
        std::cmp::Ordering::Less => "720:1280",
        std::cmp::Ordering::Equal => "960:960",
    }
}

/// The clip's length in the seconds Runway makes (5 or 10): at least as
/// long as asked when it can be.
fn duration_s(ms: u64) -> u64 {
    if ms <= 5_000 { 5 } else { 10 }
}

/// Task `id` as Runway describes it.
fn state(id: &str, task: &Value) -> Result<ClipState, MediaError> {
    let text = |name: &str| task.get(name).and_then(Value::as_str);
    let status = text("status").unwrap_or_default();
    Ok(match status {
        "PENDING" | "THROTTLED" => ClipState::Queued,
        "RUNNING" => ClipState::Running {
            percent: task
                .get("progress")
                .and_then(Value::as_f64)
                .map(|p| (p * 100.0).round().clamp(0.0, 100.0) as u8),
        },
        "SUCCEEDED" => match task.pointer("/output/0").and_then(Value::as_str) {
            Some(url) => ClipState::Succeeded { url: url.into() },
            None => {
                return Err(MediaError::Failed(format!(
                    "Runway says task {id} succeeded but gives no clip"
                )));
            }
        },
        "FAILED" => {
            let code = text("failureCode").unwrap_or("FAILED").to_owned();
            ClipState::Failed {
                safety: code.starts_with("SAFETY"),
                message: text("failure").unwrap_or("no reason given").into(),
                code,
            }
        }
        "CANCELLED" => ClipState::Cancelled,
        other => {
            return Err(MediaError::Failed(format!(
                "Runway describes task {id} as {other:?}, a status coursegen does not know"
            )));
        }
    })
}

#[async_trait]
impl Clips for RunwayClips {
    fn provider(&self) -> &'static str {
        "runway"
    }

    async fn submit(&self, request: ClipRequest<'_>) -> Result<String, MediaError> {
        let body = self.body(&request);
        self.server
            .retrying(|| API.submit_once(&self.server, &body))
            .await
    }

    async fn poll(&self, task: &str) -> Result<ClipState, MediaError> {
        let id = task_id(task, "Runway")?;
        self.server
            .retrying(|| async {
                state(id, &API.read_once(&self.server, id).await?).map_err(Failure::Final)
            })
            .await
    }

    async fn cancel(&self, task: &str) -> Result<(), MediaError> {
        let id = task_id(task, "Runway")?;
        self.server
            .retrying(|| API.cancel_once(&self.server, id))
            .await
    }

    async fn fetch(&self, url: &str) -> Result<Vec<u8>, MediaError> {
        fetch_mp4(&self.server, url, "Runway's clip").await
    }
}

#[cfg(test)]
mod tests {
    use coursegen_core::storyboard::Camera;

    use super::*;

    #[test]
    fn ratios_durations_and_states() {
        assert_eq!(ratio(FrameSize::FULL_HD), "1280:720");
        assert_eq!(ratio(FrameSize::PORTRAIT), "720:1280");
        assert_eq!(
            ratio(FrameSize {
                width: 512,
                height: 512
            }),
            "960:960"
        );
        for (ms, s) in [(0, 5), (4_000, 5), (5_000, 5), (5_001, 10), (60_000, 10)] {
            assert_eq!(duration_s(ms), s, "{ms} ms");
        }
        let running = state("t", &json!({"status": "RUNNING", "progress": 0.456})).unwrap();
        assert_eq!(running, ClipState::Running { percent: Some(46) });
        let running = state("t", &json!({"status": "RUNNING"})).unwrap();
        assert_eq!(running, ClipState::Running { percent: None });
        let failed = state("t", &json!({"status": "FAILED", "failure": "it broke"})).unwrap();
        assert_eq!(
            failed,
            ClipState::Failed {
                code: "FAILED".into(),
                message: "it broke".into(),
                safety: false
            }
        );
        let e = state("t", &json!({"status": "SUCCEEDED", "output": []})).unwrap_err();
        assert!(matches!(e, MediaError::Failed(_)), "{e:?}");
    }

    #[test]
    fn the_prompt_is_cut_at_a_word_and_keeps_the_camera_move() {
        let long = "word ".repeat(400);
        let request = ClipRequest {
            start: ClipImage {
                png: b"png",
                url: None,
            },
            end: None,
            prompt: &long,
            camera: Camera::PanLeft,
            duration_ms: 4_000,
            size: FrameSize::HD,
        };
        let prompt = motion_prompt(&request, PROMPT_LIMIT);
        assert!(prompt.encode_utf16().count() <= PROMPT_LIMIT, "{prompt}");
        assert!(prompt.ends_with("word. Camera: slow pan left."), "{prompt}");
        let said = ClipRequest {
            prompt: "The keeper turns.\n  Slow pan left across the lamp",
            ..request
        };
        assert_eq!(
            motion_prompt(&said, PROMPT_LIMIT),
            "The keeper turns. Slow pan left across the lamp"
        );
        let short = ClipRequest {
            prompt: "The keeper turns",
            ..request
        };
        assert_eq!(
            motion_prompt(&short, PROMPT_LIMIT),
            "The keeper turns. Camera: slow pan left."
        );
        let clipped = ClipRequest {
            prompt: "alpha beta gamma",
            ..request
        };
        // The camera move, ". ", and room for all but the last letter of
        // "alpha beta gamma": cut at the word.
        let move_ = "Camera: slow pan left.".len();
        assert_eq!(
            motion_prompt(&clipped, move_ + 2 + 15),
            "alpha beta. Camera: slow pan left."
        );
        assert_eq!(
            motion_prompt(&clipped, move_ + 2 + 16),
            "alpha beta gamma. Camera: slow pan left."
        );
    }
}
