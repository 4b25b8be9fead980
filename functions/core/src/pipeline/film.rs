//! The film stage: per video, its frames' clips joined into shots and put
//! together under the narration and its subtitles. A video at a time, kept
//! under the run as it is made, so a call that runs out of time goes on
//! from the next video.

use std::time::Instant;

use serde_json::Value;
use tokio::sync::watch;

use super::storyboard::{media_failure, script_options, spent, stepped_answer};
use super::{StepError, Stepped, Steps, run_file};
use crate::ids::JobId;
use crate::ports::SpokenVideo;
use crate::stage::Stage;
use crate::storyboard::{Storyboard, shot_name};
use crate::visuals::{ClipSet, FilmSet, FilmedVideo};

impl Steps {
    pub(super) async fn film(&self, id: JobId) -> Result<Value, StepError> {
        let visuals = self.visuals()?;
        let stepped = self
            .run_stage_in_steps(id, Stage::Film, |job, n| async move {
                let board: Storyboard = self.stage_output(&job, Stage::Storyboard).await?;
                let clips: ClipSet = self.stage_output(&job, Stage::Clips).await?;
                let options = script_options(&job)?;
                let size = options.video.frame_size();
                let started = Instant::now();
                let mut videos = Vec::with_capacity(board.videos.len());
                for video in &board.videos {
                    let file = |name: &str| run_file(id, Stage::Film, n, name);
                    let name = format!("v{:02}", video.number);
                    let (mp4, vtt, srt) = (
                        file(&format!("{name}.mp4"))?,
                        file(&format!("{name}.vtt"))?,
                        file(&format!("{name}.srt"))?,
                    );
                    let shots = video
                        .shots
                        .iter()
                        .map(|s| file(&format!("{}.mp4", shot_name(video.number, s.number))))
                        .collect::<Result<Vec<_>, _>>()?;
                    let made = clips.video(video.number).ok_or_else(|| {
                        StepError::new(
                            "MissingInput",
                            format!("the clips stage has none for video {}", video.number),
                        )
                    })?;
                    let filmed = FilmedVideo {
                        number: video.number,
                        title: video.title.clone(),
                        language: video.language.clone(),
                        mp4: mp4.clone(),
                        vtt: vtt.clone(),
                        srt: srt.clone(),
                        duration_ms: made.narration.duration_ms,
                        shots: shots.clone(),
                    };
                    if self.artifacts.head(&mp4).await?.is_some() {
                        videos.push(filmed);
                        continue;
                    }
                    if spent(started) {
                        let message = format!("filming video {}", video.number);
                        self.report(id, Stage::Film, videos.len(), board.videos.len(), message)
                            .await?;
                        return Ok(Stepped::More { wait_s: 0 });
                    }
                    let mut frame_clips = Vec::with_capacity(made.frames.len());
                    for clip in &made.frames {
                        let key = clip.key.as_ref().ok_or_else(|| {
                            StepError::new("MissingInput", format!("{} has no clip", clip.name))
                        })?;
                        frame_clips.push(self.artifacts.get(key).await?.bytes);
                    }
                    let narration = &made.narration;
                    let spoken = SpokenVideo {
                        wav: self.artifacts.get(&narration.wav).await?.bytes,
                        duration_ms: narration.duration_ms,
                        vtt: text(self.artifacts.get(&narration.vtt).await?.bytes),
                        srt: text(self.artifacts.get(&narration.srt).await?.bytes),
                        frame_ms: narration.frame_ms.clone(),
                    };
                    let never = watch::channel(false).1;
                    let media = visuals
                        .film(video, &frame_clips, &spoken, size, never)
                        .await
                        .map_err(|e| {
                            media_failure(&format!("the film of video {}", video.number), e)
                        })?;
                    for (key, bytes) in shots.iter().zip(media.shots) {
                        self.artifacts.put(key, bytes, "video/mp4").await?;
                    }
                    self.artifacts
                        .put(&vtt, spoken.vtt.into_bytes(), "text/vtt")
                        .await?;
                    self.artifacts
                        .put(&srt, spoken.srt.into_bytes(), "application/x-subrip")
                        .await?;
                    // Last: its presence says the video is whole.
                    self.artifacts.put(&mp4, media.mp4, "video/mp4").await?;
                    videos.push(filmed);
                }
                Ok(Stepped::Done(FilmSet { videos }))
            })
            .await?;
        Ok(stepped_answer(&stepped))
    }
}

fn text(bytes: Vec<u8>) -> String {
    String::from_utf8_lossy(&bytes).into_owned()
}
