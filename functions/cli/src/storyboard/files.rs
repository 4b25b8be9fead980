//! What a script job made, written out:
//!
//! - `storyboard.json`: videos → shots → frames, each frame with its image
//!   prompt and the files made of it;
//! - `prompts.json`: the style guide and prompt of every frame, as approved;
//! - `frames/v01-s01-f01.png`: each frame's picture as shown;
//! - `clips/v01-s01.mp4`: each shot's clip;
//! - `videos/v01.mp4` with `v01.vtt` and `v01.srt`: each video, narrated.

use std::path::Path;

use anyhow::{Context, anyhow};
use coursegen_core::artifact::ArtifactKey;
use coursegen_core::image_prompt::PromptSet;
use coursegen_core::job::Job;
use coursegen_core::pipeline::{Steps, output_key};
use coursegen_core::stage::Stage;
use coursegen_core::storyboard::{Storyboard, frame_name, shot_name};
use coursegen_core::visuals::{ClipSet, FilmSet, FrameImages};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

async fn output<T: DeserializeOwned>(steps: &Steps, job: &Job, stage: Stage) -> anyhow::Result<T> {
    let key =
        output_key(job.stage(stage)).ok_or_else(|| anyhow!("the {stage} stage has no output"))?;
    let bytes = steps.artifacts.get(&key).await?.bytes;
    serde_json::from_slice(&bytes).with_context(|| format!("the {stage} output {key}"))
}

async fn copy(steps: &Steps, key: &ArtifactKey, to: &Path) -> anyhow::Result<()> {
    let bytes = steps.artifacts.get(key).await?.bytes;
    std::fs::write(to, bytes).with_context(|| format!("cannot write {}", to.display()))
}

fn json_file(path: &Path, value: &impl serde::Serialize) -> anyhow::Result<()> {
    let text = serde_json::to_string_pretty(value)? + "\n";
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))?;
    println!("{}", path.display());
    Ok(())
}

pub async fn write(steps: &Steps, job: &Job, out: &Path) -> anyhow::Result<()> {
    let board: Storyboard = output(steps, job, Stage::Storyboard).await?;
    let prompts: PromptSet = output(steps, job, Stage::Prompts).await?;
    let images: FrameImages = output(steps, job, Stage::Images).await?;
    let clips: ClipSet = output(steps, job, Stage::Clips).await?;
    let films: FilmSet = output(steps, job, Stage::Film).await?;
    for dir in ["frames", "clips", "videos"] {
        let dir = out.join(dir);
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let mut videos = Vec::with_capacity(board.videos.len());
    for video in &board.videos {
        let guide = prompts
            .video(video.number)
            .ok_or_else(|| anyhow!("the prompts have none for video {}", video.number))?;
        let made = clips.video(video.number);
        let film = films.videos.iter().find(|f| f.number == video.number);
        let name = format!("v{:02}", video.number);
        let mut at = 0;
        let mut shots = Vec::with_capacity(video.shots.len());
        for (s, shot) in video.shots.iter().enumerate() {
            let mut frames = Vec::with_capacity(shot.frames.len());
            for frame in &shot.frames {
                let frame_file = frame_name(video.number, shot.number, frame.number);
                let prompt = &guide.frames[at];
                let image = images.get(&frame_file);
                if let Some(image) = image {
                    copy(
                        steps,
                        &image.key,
                        &out.join(format!("frames/{frame_file}.png")),
                    )
                    .await?;
                }
                let fallback = made
                    .and_then(|m| m.frames.get(at))
                    .and_then(|c| c.fallback.clone());
                let mut value = serde_json::to_value(frame)?;
                value["name"] = json!(frame_file);
                value["image"] = json!(image.map(|_| format!("frames/{frame_file}.png")));
                value["prompt"] = json!({
                    "subject": prompt.subject,
                    "composition": prompt.composition,
                    "lens": prompt.lens,
                    "lighting": prompt.lighting,
                    "text": prompt.text(&guide.style),
                    "negative": prompt.negative(&guide.style),
                });
                if let Some(why) = fallback {
                    value["clip_made_here"] = json!(why);
                }
                frames.push(value);
                at += 1;
            }
            let shot_file = shot_name(video.number, shot.number);
            let clip = match film.and_then(|f| f.shots.get(s)) {
                Some(key) => {
                    copy(steps, key, &out.join(format!("clips/{shot_file}.mp4"))).await?;
                    Some(format!("clips/{shot_file}.mp4"))
                }
                None => None,
            };
            shots.push(json!({
                "number": shot.number,
                "scene": shot.scene,
                "clip": clip,
                "frames": frames,
            }));
        }
        let file = match film {
            Some(film) => {
                for (key, ext) in [(&film.mp4, "mp4"), (&film.vtt, "vtt"), (&film.srt, "srt")] {
                    let path = out.join(format!("videos/{name}.{ext}"));
                    copy(steps, key, &path).await?;
                    if ext == "mp4" {
                        println!("{}", path.display());
                    }
                }
                Some(format!("videos/{name}.mp4"))
            }
            None => None,
        };
        videos.push(json!({
            "number": video.number,
            "title": video.title,
            "language": video.language,
            "duration_ms": film.map(|f| f.duration_ms),
            "video": file,
            "style": guide.style,
            "shots": shots,
        }));
    }
    let document: Value = json!({"title": board.title, "videos": videos});
    json_file(&out.join("storyboard.json"), &document)?;
    json_file(&out.join("prompts.json"), &prompts)
}
