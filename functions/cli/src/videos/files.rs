//! The lesson videos a job made, written beside the course (by `generate
//! --videos` and by `videos`): `DIR/videos/` holds `m1-l1.mp4` with its
//! `m1-l1.vtt` and `m1-l1.srt` for each lesson rendered. A lesson whose
//! render failed is named with the reason; the course stands without it.

use std::path::Path;

use anyhow::Context;
use coursegen_core::artifact::ArtifactKey;
use coursegen_core::ids::JobId;
use coursegen_core::pipeline::Steps;
use coursegen_core::videos::VideoStatus;

pub async fn write(steps: &Steps, id: JobId, out: &Path) -> anyhow::Result<()> {
    let job = steps.jobs.get(id).await?;
    if job.videos.is_empty() {
        return Ok(());
    }
    let dir = out.join("videos");
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    for video in &job.videos {
        let name = video.lesson_path.replace('/', "-");
        match (&video.status, &video.output_key) {
            (VideoStatus::Completed, Some(mp4)) => {
                for (key, ext) in [
                    (mp4.clone(), "mp4"),
                    (beside(mp4, "vtt")?, "vtt"),
                    (beside(mp4, "srt")?, "srt"),
                ] {
                    let bytes = steps.artifacts.get(&key).await?.bytes;
                    let path = dir.join(format!("{name}.{ext}"));
                    std::fs::write(&path, bytes)
                        .with_context(|| format!("cannot write {}", path.display()))?;
                    if ext == "mp4" {
                        println!("{}", path.display());
                    }
                }
            }
            _ => eprintln!(
                "video of lesson {} ({}) was not made: {}",
                video.lesson_path,
                video.title,
                video.error.as_deref().unwrap_or(video.status.as_str())
            ),
        }
    }
    Ok(())
}

/// The subtitles stored beside a video: its key with another extension.
fn beside(mp4: &ArtifactKey, ext: &str) -> anyhow::Result<ArtifactKey> {
    let key = mp4.as_str();
    let stem = key.strip_suffix(".mp4").unwrap_or(key);
    Ok(format!("{stem}.{ext}").parse()?)
}
