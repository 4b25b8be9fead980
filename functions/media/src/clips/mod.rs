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
