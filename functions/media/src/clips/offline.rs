//! Clips with no provider: the frame's picture animated by its camera move
//! with ffmpeg (see [`crate::motion`]), behind the same task-shaped port as
//! the providers, so the workflow drives every source alike. The work is
//! done at submission; a task's id is the hash of what it was asked, so a
//! resubmission after a crash finds the clip already made instead of
//! making it twice.

use std::path::{Path, PathBuf};

use async_trait::async_trait;
use coursegen_core::ports::{ClipRequest, ClipState, Clips, MediaError};
use sha2::{Digest, Sha256};
use tokio::sync::watch;

use crate::encoder::Ffmpeg;

/// Animates frames into clips kept in a working directory.
#[derive(Debug, Clone)]
pub struct OfflineClips {
    ffmpeg: Ffmpeg,
    dir: PathBuf,
}

impl OfflineClips {
    /// Clips kept in `dir` (made when first needed).
    pub fn new(ffmpeg: Ffmpeg, dir: impl Into<PathBuf>) -> Self {
        OfflineClips {
            ffmpeg,
            dir: dir.into(),
        }
    }

    fn clip(&self, task: &str) -> Result<PathBuf, MediaError> {
        if task.len() != 64 || !task.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(MediaError::Invalid(format!(
                "{task:?} is no offline clip task"
            )));
        }
        Ok(self.dir.join(format!("{task}.mp4")))
    }
}

/// The task id of `request`: the same request, the same id.
fn task_id(request: &ClipRequest<'_>) -> String {
    let mut hash = Sha256::new();
    hash.update(request.start.png);
    hash.update(format!(
        "|{:?}|{}|{}x{}|{}",
        request.camera,
        request.duration_ms,
        request.size.width,
        request.size.height,
        request.prompt
    ));
    hex::encode(hash.finalize())
}

fn io(what: &str) -> impl Fn(std::io::Error) -> MediaError + '_ {
    move |e| MediaError::Failed(format!("{what}: {e}"))
}

#[async_trait]
impl Clips for OfflineClips {
    fn provider(&self) -> &'static str {
        "offline"
    }

    /// Makes the clip now (seconds of ffmpeg work); an end picture is not
    /// used, as a camera move over one still has no second.
    async fn submit(&self, request: ClipRequest<'_>) -> Result<String, MediaError> {
        let task = task_id(&request);
        let clip = self.clip(&task)?;
        if tokio::fs::try_exists(&clip).await.unwrap_or(false) {
            return Ok(task);
        }
        tokio::fs::create_dir_all(&self.dir)
            .await
            .map_err(io("making the clips' directory"))?;
        let still = self.dir.join(format!("{task}.png"));
        tokio::fs::write(&still, request.start.png)
            .await
            .map_err(io("writing the frame's picture"))?;
        let never = watch::channel(false).1;
        let made = self
            .ffmpeg
            .animate(
                &still,
                request.camera,
                request.duration_ms,
                request.size,
                &clip,
                never,
            )
            .await;
        let _ = tokio::fs::remove_file(&still).await;
        made.map(|()| task)
    }

    async fn poll(&self, task: &str) -> Result<ClipState, MediaError> {
        let clip = self.clip(task)?;
        if tokio::fs::try_exists(&clip).await.unwrap_or(false) {
            Ok(ClipState::Succeeded {
                url: format!("file://{}", clip.display()),
            })
        } else {
            // Made at submission, so a clip that is not there was cancelled
            // (or its directory cleared).
            Ok(ClipState::Cancelled)
        }
    }

    async fn cancel(&self, task: &str) -> Result<(), MediaError> {
        match tokio::fs::remove_file(self.clip(task)?).await {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(MediaError::Failed(format!("cannot remove the clip: {e}")))
            }
            _ => Ok(()),
        }
    }

    async fn fetch(&self, url: &str) -> Result<Vec<u8>, MediaError> {
        let path = url.strip_prefix("file://").map(Path::new);
        let Some(task) = path
            .filter(|p| p.parent() == Some(self.dir.as_path()))
            .and_then(|p| p.file_stem())
            .and_then(|s| s.to_str())
        else {
            return Err(MediaError::Invalid(format!(
                "{url:?} is no clip of this offline clip maker"
            )));
        };
        tokio::fs::read(self.clip(task)?)
            .await
            .map_err(io("reading the clip"))
    }
}
