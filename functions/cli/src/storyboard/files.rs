//! What a script job made, written out:
//!
//! - `storyboard.json`: videos → shots → frames, each frame with its image
//!   prompt and the files made of it (the API's `GET …/storyboard`);
//! - `prompts.json`: the style guide and prompt of every frame, as approved;
//! - `frames/v01-s01-f01.png`: each frame's picture as shown;
//! - `clips/v01-s01.mp4`: each shot's clip;
//! - `videos/v01.mp4` with `v01.vtt` and `v01.srt`: each video, narrated.

use std::path::Path;

use anyhow::{Context, anyhow};
use coursegen_core::artifact::ArtifactKey;
use coursegen_core::board_view::{self, Made};
use coursegen_core::job::Job;
use coursegen_core::pipeline::Steps;
use coursegen_core::storyboard::shot_name;

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
    let made = steps
        .visual_outputs(job)
        .await?
        .ok_or_else(|| anyhow!("job {} has no storyboard", job.id))?;
    for dir in ["frames", "clips", "videos"] {
        let dir = out.join(dir);
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
    }
    for image in made.images.iter().flat_map(|i| &i.frames) {
        copy(
            steps,
            &image.key,
            &out.join(format!("frames/{}.png", image.name)),
        )
        .await?;
    }
    for film in made.films.iter().flat_map(|f| &f.videos) {
        for (s, key) in film.shots.iter().enumerate() {
            let name = shot_name(film.number, s as u32 + 1);
            copy(steps, key, &out.join(format!("clips/{name}.mp4"))).await?;
        }
        for (key, ext) in [(&film.mp4, "mp4"), (&film.vtt, "vtt"), (&film.srt, "srt")] {
            let path = out.join(format!("videos/v{:02}.{ext}", film.number));
            copy(steps, key, &path).await?;
            if ext == "mp4" {
                println!("{}", path.display());
            }
        }
    }
    let view = board_view::view(made.outputs(), |kind, name| {
        let dir = match kind {
            Made::Frame => "frames",
            Made::Shot => "clips",
            Made::Video => "videos",
        };
        format!("{dir}/{name}")
    });
    json_file(&out.join("storyboard.json"), &view)?;
    if let Some(prompts) = &made.prompts {
        json_file(&out.join("prompts.json"), prompts)?;
    }
    Ok(())
}
