//! The images stage: a picture per storyboard frame, drawn from its prompt
//! under its video's style guide, with its on-screen text laid over it.
//! Pictures are kept under the run as they are made, so a call that runs
//! out of time (or a process that dies) goes on from the next frame.

use std::time::Instant;

use serde_json::Value;

use super::storyboard::{frame_params, media_failure, script_options, spent, stepped_answer};
use super::{StepError, Stepped, Steps, run_file};
use crate::ids::JobId;
use crate::image_prompt::PromptSet;
use crate::ports::ImageRequest;
use crate::stage::Stage;
use crate::storyboard::{Storyboard, frame_name};
use crate::visuals::{FrameImage, FrameImages};

impl Steps {
    pub(super) async fn images(&self, id: JobId) -> Result<Value, StepError> {
        let visuals = self.visuals()?;
        let stepped = self
            .run_stage_in_steps(id, Stage::Images, |job, n| async move {
                let board: Storyboard = self.stage_output(&job, Stage::Storyboard).await?;
                let prompts: PromptSet = self.stage_output(&job, Stage::Prompts).await?;
                let options = script_options(&job)?;
                let params = frame_params(&job, Stage::Images)?;
                let kept: Option<FrameImages> = match params.frames {
                    Some(_) => self.earlier_output(&job, Stage::Images, n).await?,
                    None => None,
                };
                let size = options.video.frame_size();
                let total: usize = board.videos.iter().map(|v| v.frames().count()).sum();
                let started = Instant::now();
                let mut frames = Vec::with_capacity(total);
                for video in &board.videos {
                    let guide = prompts.video(video.number).ok_or_else(|| {
                        StepError::new(
                            "MissingInput",
                            format!("the prompts have none for video {}", video.number),
                        )
                    })?;
                    for ((shot, frame), prompt) in video.frames().zip(&guide.frames) {
                        let name = frame_name(video.number, shot, frame.number);
                        let earlier = kept.as_ref().and_then(|k| k.get(&name));
                        if let Some(earlier) = earlier.filter(|_| !params.remakes(&name)) {
                            frames.push(earlier.clone());
                            continue;
                        }
                        let key = run_file(id, Stage::Images, n, &format!("{name}.png"))?;
                        if self.artifacts.head(&key).await?.is_none() {
                            if spent(started) {
                                let message = format!("drawing {name}");
                                self.report(id, Stage::Images, frames.len(), total, message)
                                    .await?;
                                return Ok(Stepped::More { wait_s: 0 });
                            }
                            let request = ImageRequest {
                                prompt,
                                style: &guide.style,
                                frame,
                                size,
                                direction: video.direction(),
                            };
                            let png = visuals
                                .picture(options.images, request)
                                .await
                                .map_err(|e| media_failure(&format!("the picture of {name}"), e))?;
                            self.artifacts.put(&key, png, "image/png").await?;
                        }
                        frames.push(FrameImage { name, key });
                    }
                }
                Ok(Stepped::Done(FrameImages { frames }))
            })
            .await?;
        Ok(stepped_answer(&stepped))
    }
}
