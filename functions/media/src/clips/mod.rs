//! Clips for storyboard frames, behind core's `Clips` port: a frame's
//! picture animated by an image-to-video provider, as a task submitted
//! once, polled until it ends, and fetched as MP4.
//!
//! - [`runway`]: Runway's `image_to_video` (gen4_turbo by default).
//! - [`offline`]: no provider: ffmpeg's Ken Burns move over the picture.
//! - [`luma`]: Luma's Dream Machine `generations` (ray-2 by default), which
//!   takes pictures only by URL.

pub mod luma;
pub mod offline;
pub mod runway;

pub use luma::LumaClips;
pub use offline::OfflineClips;
pub use runway::RunwayClips;

use coursegen_core::ports::{ClipRequest, MediaError};
use reqwest::StatusCode;
use serde_json::Value;

use crate::http_retry::{Failure, Server};

/// The prompt a provider is sent: the request's, its whitespace folded,
/// with the camera move as a sentence of its own unless it already says it;
/// cut at a word to at most `limit` UTF-16 units (how web APIs count
/// characters), the camera move kept.
pub(crate) fn motion_prompt(request: &ClipRequest<'_>, limit: usize) -> String {
    let units = |s: &str| s.encode_utf16().count();
    let camera = request.camera.describe();
    let text = request
        .prompt
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if text.to_lowercase().contains(camera) {
        return cut_at_word(&text, limit).to_owned();
    }
    let move_ = format!("Camera: {camera}.");
    let text = cut_at_word(&text, limit.saturating_sub(units(&move_) + 2));
    match text.chars().last() {
        None => move_,
        Some('.' | '!' | '?') => format!("{text} {move_}"),
        Some(_) => format!("{text}. {move_}"),
    }
}

/// `text` cut to at most `limit` UTF-16 units, at a word when there is one.
fn cut_at_word(text: &str, limit: usize) -> &str {
    let mut used = 0;
    let Some((end, _)) = text.char_indices().find(|(_, c)| {
        used += c.len_utf16();
        used > limit
    }) else {
        return text;
    };
    let at_word = text[end..].starts_with(char::is_whitespace);
    let cut = match text[..end].rfind(char::is_whitespace) {
        Some(space) if !at_word => &text[..space],
        _ => &text[..end],
    };
    cut.trim_end()
}

/// A provider's tasks as its API names them: who it is ("Runway"), where
/// its tasks live ("tasks") and what it calls one ("task"). Submitting,
/// reading and cancelling are the same calls for every provider.
pub(crate) struct TaskApi {
    pub who: &'static str,
    pub path: &'static str,
    pub noun: &'static str,
}

impl TaskApi {
    /// One submission of `body`: the new task's id.
    pub(crate) async fn submit_once(
        &self,
        server: &Server,
        body: &Value,
    ) -> Result<String, Failure> {
        let answer = server.submit(body).await?;
        if !answer.status.is_success() {
            return Err(Failure::Final(server.refusal(&answer)));
        }
        let id = serde_json::from_slice::<Value>(&answer.body)
            .ok()
            .and_then(|v| v.get("id").and_then(Value::as_str).map(str::to_owned));
        id.ok_or_else(|| {
            Failure::Final(MediaError::Failed(format!(
                "{} accepted the clip but named no {}: {}",
                self.who,
                self.noun,
                server.message(&answer.body)
            )))
        })
    }

    /// One look at task `id`: the provider's JSON about it.
    pub(crate) async fn read_once(&self, server: &Server, id: &str) -> Result<Value, Failure> {
        let answer = server.get(&format!("{}/{id}", self.path)).await?;
        if !answer.status.is_success() {
            return Err(Failure::Final(server.refusal(&answer)));
        }
        serde_json::from_slice(&answer.body).map_err(|_| {
            Failure::Final(MediaError::Failed(format!(
                "{}'s answer about {} {id} was not JSON: {}",
                self.who,
                self.noun,
                server.message(&answer.body)
            )))
        })
    }

    /// One request to stop and forget task `id` (one already gone is fine).
    pub(crate) async fn cancel_once(&self, server: &Server, id: &str) -> Result<(), Failure> {
        let answer = server.delete(&format!("{}/{id}", self.path)).await?;
        if answer.status.is_success() || answer.status == StatusCode::NOT_FOUND {
            return Ok(());
        }
        Err(Failure::Final(server.refusal(&answer)))
    }
}

/// `task` as a path segment: provider ids are UUIDs, and anything else
/// (a slash, a query) must not reach the URL.
pub(crate) fn task_id<'a>(task: &'a str, who: &str) -> Result<&'a str, MediaError> {
    if !task.is_empty()
        && task.len() <= 128
        && task
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        Ok(task)
    } else {
        Err(MediaError::Invalid(format!(
            "{task:?} is not a {who} task id"
        )))
    }
}

/// The clip at `url` (a provider's signed link, sent no key or header),
/// retried while the failure is transient; `Failed` unless it is an MP4.
pub(crate) async fn fetch_mp4(
    server: &Server,
    url: &str,
    who: &'static str,
) -> Result<Vec<u8>, MediaError> {
    let bytes = server
        .retrying(|| async {
            let answer = server.download(url, who).await?;
            if answer.status.is_success() {
                return Ok(answer.body);
            }
            Err(Failure::Final(MediaError::Invalid(format!(
                "{who} could not be fetched ({}): {}; a provider's links expire \
                 within a day or two: poll the task again for a fresh link, or make the clip again",
                answer.status,
                server.message(&answer.body)
            ))))
        })
        .await?;
    if bytes.len() >= 8 && &bytes[4..8] == b"ftyp" {
        return Ok(bytes);
    }
    let start: Vec<String> = bytes.iter().take(8).map(|b| format!("{b:02x}")).collect();
    Err(MediaError::Failed(format!(
        "{who} is no MP4: {} bytes beginning {}",
        bytes.len(),
        if start.is_empty() {
            "nowhere".to_owned()
        } else {
            start.join(" ")
        }
    )))
}
