//! Clips by Luma's Dream Machine: `POST {base}/generations`, then
//! `GET {base}/generations/{id}` until it ends, `DELETE` of the same to
//! cancel it. Luma takes a picture only by URL: a frame whose picture has
//! none cannot be sent.

use std::time::Duration;

use async_trait::async_trait;
use coursegen_core::ports::{ClipImage, ClipRequest, ClipState, Clips, FrameSize, MediaError};
use serde_json::{Value, json};

use super::{TaskApi, fetch_mp4, motion_prompt, task_id};
use crate::http_retry::{Failure, Server};

/// Where its tasks live and what it calls them.
const API: TaskApi = TaskApi {
    who: "Luma",
    path: "generations",
    noun: "generation",
};

/// The default model. Luma retires models: set it by configuration.
const DEFAULT_MODEL: &str = "ray-2";

/// Luma's Dream Machine API.
#[derive(Clone)]
pub struct LumaClips {
    server: Server,
    model: String,
}

// By hand: the API key must never reach a log line.
impl std::fmt::Debug for LumaClips {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LumaClips")
            .field("endpoint", &self.server.endpoint)
            .field("api_key", &self.server.redacted_key())
            .field("model", &self.model)
            .field("attempts", &self.server.retry.attempts)
            .field("timeout", &self.server.timeout)
            .finish_non_exhaustive()
    }
}

impl LumaClips {
    /// Luma's API.
    pub const DEFAULT_BASE_URL: &'static str = "https://api.lumalabs.ai/dream-machine/v1";

    /// A client of Luma's API at `base_url` (e.g. [`Self::DEFAULT_BASE_URL`]),
    /// sending `api_key` as a bearer token when there is one. Defaults: model
    /// `ray-2`, 4 attempts per request from a 500 ms backoff, 60 s per
    /// request.
    pub fn new(base_url: impl Into<String>, api_key: Option<String>) -> Result<Self, MediaError> {
        Ok(LumaClips {
            server: Server::new(
                base_url.into(),
                "generations",
                api_key,
                "Luma",
                Duration::from_secs(60),
            )?,
            model: DEFAULT_MODEL.into(),
        })
    }

    pub fn with_model(mut self, model: impl Into<String>) -> Self {
        self.model = model.into();
        self
    }

    crate::http_retry::retry_builders!("call");

    /// What `request` is submitted as; `Invalid` when a picture has no URL.
    fn body(&self, request: &ClipRequest<'_>) -> Result<Value, MediaError> {
        let mut keyframes = json!({ "frame0": keyframe(&request.start, "start")? });
        if let Some(end) = &request.end {
            keyframes["frame1"] = keyframe(end, "end")?;
        }
        Ok(json!({
            "prompt": motion_prompt(request, usize::MAX),
            "model": self.model,
            "keyframes": keyframes,
            "aspect_ratio": aspect_ratio(request.size),
            "duration": duration(request.duration_ms),
            "loop": false,
        }))
    }
}

/// A picture as Luma takes it: by URL only.
fn keyframe(image: &ClipImage<'_>, which: &str) -> Result<Value, MediaError> {
    match image.url {
        Some(url) => Ok(json!({"type": "image", "url": url})),
        None => Err(MediaError::Invalid(format!(
            "Luma takes pictures only by URL, and the clip's {which} picture has none: \
             Luma needs the frame's picture at a public URL it can fetch (a pre-signed \
             store URL, say)"
        ))),
    }
}

/// Luma's aspect ratio for a frame of `size`.
fn aspect_ratio(size: FrameSize) -> &'static str {
    match size.width.cmp(&size.height) {
        std::cmp::Ordering::Greater => "16:9",
        std::cmp::Ordering::Less => "9:16",
        std::cmp::Ordering::Equal => "1:1",
    }
}

/// The clip's length as Luma makes them (5 s or 9 s): at least as long as
/// asked when it can be.
fn duration(ms: u64) -> &'static str {
    if ms <= 5_000 { "5s" } else { "9s" }
}

/// Generation `id` as Luma describes it.
fn state(id: &str, generation: &Value) -> Result<ClipState, MediaError> {
    let state = generation
        .get("state")
        .and_then(Value::as_str)
        .unwrap_or_default();
    Ok(match state {
        "queued" => ClipState::Queued,
        "dreaming" => ClipState::Running { percent: None },
        "completed" => match generation.pointer("/assets/video").and_then(Value::as_str) {
            Some(url) => ClipState::Succeeded { url: url.into() },
            None => {
                return Err(MediaError::Failed(format!(
                    "Luma says generation {id} completed but gives no video"
                )));
            }
        },
        "failed" => {
            let reason = generation
                .get("failure_reason")
                .and_then(Value::as_str)
                .unwrap_or("no reason given");
            let lower = reason.to_lowercase();
            ClipState::Failed {
                code: "failed".into(),
                safety: ["moderation", "safety", "policy"]
                    .iter()
                    .any(|w| lower.contains(w)),
                message: reason.into(),
            }
        }
        other => {
            return Err(MediaError::Failed(format!(
                "Luma describes generation {id} as {other:?}, a state coursegen does not know"
            )));
        }
    })
}

#[async_trait]
impl Clips for LumaClips {
    fn provider(&self) -> &'static str {
        "luma"
    }

    async fn submit(&self, request: ClipRequest<'_>) -> Result<String, MediaError> {
        let body = self.body(&request)?;
        self.server
            .retrying(|| API.submit_once(&self.server, &body))
            .await
    }

    async fn poll(&self, task: &str) -> Result<ClipState, MediaError> {
        let id = task_id(task, "Luma")?;
        self.server
            .retrying(|| async {
                state(id, &API.read_once(&self.server, id).await?).map_err(Failure::Final)
            })
            .await
    }

    async fn cancel(&self, task: &str) -> Result<(), MediaError> {
        let id = task_id(task, "Luma")?;
        self.server
            .retrying(|| API.cancel_once(&self.server, id))
            .await
    }

    async fn fetch(&self, url: &str) -> Result<Vec<u8>, MediaError> {
        fetch_mp4(&self.server, url, "Luma's clip").await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aspects_durations_and_states() {
        assert_eq!(aspect_ratio(FrameSize::HD), "16:9");
        assert_eq!(aspect_ratio(FrameSize::PORTRAIT), "9:16");
        assert_eq!(
            aspect_ratio(FrameSize {
                width: 9,
                height: 9
            }),
            "1:1"
        );
        assert_eq!(duration(5_000), "5s");
        assert_eq!(duration(5_001), "9s");
        assert_eq!(duration(30_000), "9s");
        let failed = state("g", &json!({"state": "failed", "failure_reason": null})).unwrap();
        assert!(
            matches!(&failed, ClipState::Failed { safety: false, message, .. } if message == "no reason given"),
            "{failed:?}"
        );
        let e = state("g", &json!({"state": "completed", "assets": {}})).unwrap_err();
        assert!(matches!(e, MediaError::Failed(_)), "{e:?}");
        let e = state("g", &json!({"state": "exploded"})).unwrap_err();
        assert!(
            matches!(&e, MediaError::Failed(m) if m.contains("exploded")),
            "{e:?}"
        );
    }
}
