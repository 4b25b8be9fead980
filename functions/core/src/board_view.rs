//! A script job's storyboard as people read it (`storyboard.json`, `GET
//! /v1/jobs/{id}/storyboard`): videos → shots → frames, each frame with its
//! prompt and links to what was made of it, as far as the job has got.

use schemars::JsonSchema;
use serde::Serialize;

use crate::image_prompt::{PromptSet, StyleGuide};
use crate::storyboard::{Frame, Storyboard, frame_name, shot_name};
use crate::visuals::{ClipSet, FilmSet, FrameImages};

/// What a link points at: the caller names its place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Made {
    /// A frame's picture, `v01-s01-f01.png`.
    Frame,
    /// A shot's clip, `v01-s01.mp4`.
    Shot,
    /// A video, `v01.mp4`.
    Video,
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct BoardView {
    pub title: String,
    pub videos: Vec<VideoView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct VideoView {
    pub number: u32,
    pub title: String,
    pub language: String,
    /// How long the narration plays, once spoken.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<u64>,
    /// The video, once filmed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub video: Option<String>,
    /// The style guide its prompts share, once written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub style: Option<StyleGuide>,
    pub shots: Vec<ShotView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ShotView {
    pub number: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scene: Option<String>,
    /// The shot's clip, once filmed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clip: Option<String>,
    pub frames: Vec<FrameView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct FrameView {
    #[serde(flatten)]
    pub frame: Frame,
    /// `v01-s02-f03`.
    pub name: String,
    /// The picture, once drawn.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prompt: Option<PromptView>,
    /// Why the clip was made here rather than by the provider.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clip_made_here: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct PromptView {
    pub subject: String,
    pub composition: String,
    pub lens: String,
    pub lighting: String,
    /// The whole prompt an image model is sent, and what it must not show.
    pub text: String,
    pub negative: String,
}

/// What a script job has made so far.
#[derive(Debug, Clone, Copy)]
pub struct Outputs<'a> {
    pub board: &'a Storyboard,
    pub prompts: Option<&'a PromptSet>,
    pub images: Option<&'a FrameImages>,
    pub clips: Option<&'a ClipSet>,
    pub films: Option<&'a FilmSet>,
}

/// The view of `made`, with `link` naming where each file is (`None`
/// where nothing was made).
pub fn view(made: Outputs<'_>, link: impl Fn(Made, &str) -> String) -> BoardView {
    let videos = made
        .board
        .videos
        .iter()
        .map(|video| {
            let guide = made.prompts.and_then(|p| p.video(video.number));
            let clips = made.clips.and_then(|c| c.video(video.number));
            let film = made
                .films
                .and_then(|f| f.videos.iter().find(|v| v.number == video.number));
            let mut at = 0;
            let shots = video
                .shots
                .iter()
                .map(|shot| {
                    let frames = shot
                        .frames
                        .iter()
                        .map(|frame| {
                            let name = frame_name(video.number, shot.number, frame.number);
                            let prompt = guide.and_then(|g| {
                                let p = g.frames.get(at)?;
                                Some(PromptView {
                                    subject: p.subject.clone(),
                                    composition: p.composition.clone(),
                                    lens: p.lens.clone(),
                                    lighting: p.lighting.clone(),
                                    text: p.text(&g.style),
                                    negative: p.negative(&g.style),
                                })
                            });
                            let drawn = made.images.and_then(|i| i.get(&name)).is_some();
                            let clip_made_here = clips
                                .and_then(|c| c.frames.get(at))
                                .and_then(|c| c.fallback.clone());
                            at += 1;
                            FrameView {
                                frame: frame.clone(),
                                image: drawn.then(|| link(Made::Frame, &format!("{name}.png"))),
                                name,
                                prompt,
                                clip_made_here,
                            }
                        })
                        .collect();
                    let filmed = film.is_some_and(|f| f.shots.len() == video.shots.len());
                    ShotView {
                        number: shot.number,
                        scene: shot.scene.clone(),
                        clip: filmed.then(|| {
                            link(
                                Made::Shot,
                                &format!("{}.mp4", shot_name(video.number, shot.number)),
                            )
                        }),
                        frames,
                    }
                })
                .collect();
            VideoView {
                number: video.number,
                title: video.title.clone(),
                language: video.language.clone(),
                duration_ms: clips.map(|c| c.narration.duration_ms),
                video: film.map(|_| link(Made::Video, &format!("v{:02}.mp4", video.number))),
                style: guide.map(|g| g.style.clone()),
                shots,
            }
        })
        .collect();
    BoardView {
        title: made.board.title.clone(),
        videos,
    }
}
