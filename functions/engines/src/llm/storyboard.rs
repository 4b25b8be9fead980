//! Storyboards and image prompts by the model. The narration's cut into
//! shots and frames stays the offline engine's — timed at the speaking
//! rate, whole sentences, never across a scene — since it must match the
//! speech to the frame; the model describes each frame (what is seen, the
//! words on screen, the camera), then writes each video's style guide and
//! a production prompt per frame, as structured output checked like a
//! reviewer's edit.

use coursegen_core::image_prompt::{FramePrompt, PromptSet, StyleGuide, VideoPrompts};
use coursegen_core::options::Options;
use coursegen_core::ports::{EngineError, StoryboardRequest};
use coursegen_core::stage::Stage;
use coursegen_core::storyboard::{Camera, Storyboard, VideoBoard};
use schemars::JsonSchema;
use serde::Deserialize;

use super::LlmEngine;
use super::chat::Message;
use super::prompts;

/// Words shown over a frame at most.
const MAX_SHOWN_WORDS: usize = 8;

#[derive(Debug, Deserialize, JsonSchema)]
struct BoardDraft {
    frames: Vec<FrameDraft>,
}

#[derive(Debug, Deserialize, JsonSchema)]
struct FrameDraft {
    seen: String,
    on_screen_text: String,
    camera: Camera,
}

#[derive(Debug, Deserialize, JsonSchema)]
struct PromptsDraft {
    style: StyleGuide,
    frames: Vec<FramePromptDraft>,
}

#[derive(Debug, Deserialize, JsonSchema)]
struct FramePromptDraft {
    subject: String,
    composition: String,
    lens: String,
    lighting: String,
    negative: String,
}

/// `video`'s frames as the prompts list them: "2.1: what is said".
fn said(video: &VideoBoard) -> String {
    video
        .frames()
        .map(|(shot, f)| format!("{shot}.{}: {}", f.number, f.narration.join(" ")))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `video`'s frames with what each shows: "2.1: seen | on screen".
fn shown(video: &VideoBoard) -> String {
    video
        .frames()
        .map(|(shot, f)| {
            let text = f.on_screen_text.as_deref().unwrap_or("");
            format!("{shot}.{}: {} | {text}", f.number, f.seen)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn count_problem(count: usize, asked: usize) -> Option<String> {
    (count != asked).then(|| format!("answer exactly {asked} frames, not {count}"))
}

impl LlmEngine {
    pub(super) async fn write_storyboard(
        &self,
        request: StoryboardRequest<'_>,
    ) -> Result<Storyboard, EngineError> {
        let mut board = crate::offline::storyboard::storyboard(request)?;
        for video in &mut board.videos {
            let count = video.frames().count();
            let user = prompts::render(
                prompts::STORYBOARD,
                &[
                    ("number", &video.number.to_string()),
                    ("title", &video.title),
                    ("language", &video.language),
                    ("count", &count.to_string()),
                    ("frames", &said(video)),
                    ("max_words", &MAX_SHOWN_WORDS.to_string()),
                ],
            );
            let check = |draft: &BoardDraft| {
                let mut problems: Vec<String> = count_problem(draft.frames.len(), count)
                    .into_iter()
                    .collect();
                for (i, f) in draft.frames.iter().enumerate() {
                    if f.seen.trim().is_empty() {
                        problems.push(format!("frame {} has no picture (seen)", i + 1));
                    }
                    let words = f.on_screen_text.split_whitespace().count();
                    if words > MAX_SHOWN_WORDS {
                        problems.push(format!(
                            "frame {} shows {words} words; show at most {MAX_SHOWN_WORDS}",
                            i + 1
                        ));
                    }
                }
                problems
            };
            let answer = self
                .chat
                .ask::<BoardDraft>(
                    Stage::Storyboard,
                    request.options,
                    "storyboard",
                    vec![Message::system(prompts::SYSTEM), Message::user(user)],
                    check,
                )
                .await?;
            let drafts = answer.value.frames.into_iter();
            let frames = video.shots.iter_mut().flat_map(|s| s.frames.iter_mut());
            for (frame, draft) in frames.zip(drafts) {
                frame.seen = draft.seen.trim().to_owned();
                let text = draft.on_screen_text.trim();
                frame.on_screen_text = (!text.is_empty()).then(|| text.to_owned());
                frame.camera = draft.camera;
            }
        }
        board
            .validate()
            .map_err(|e| EngineError::Invalid(format!("the storyboard written: {e}")))?;
        Ok(board)
    }

    pub(super) async fn write_prompts(
        &self,
        video: &VideoBoard,
        options: &Options,
    ) -> Result<VideoPrompts, EngineError> {
        let count = video.frames().count();
        let user = prompts::render(
            prompts::IMAGE_PROMPTS,
            &[
                ("number", &video.number.to_string()),
                ("title", &video.title),
                ("language", &video.language),
                ("count", &count.to_string()),
                ("frames", &shown(video)),
                (
                    "max_chars",
                    &coursegen_core::image_prompt::MAX_PROMPT_CHARS.to_string(),
                ),
            ],
        );
        let board = Storyboard {
            title: video.title.clone(),
            videos: vec![video.clone()],
        };
        let check = |draft: &PromptsDraft| {
            if let Some(problem) = count_problem(draft.frames.len(), count) {
                return vec![problem];
            }
            let set = PromptSet {
                videos: vec![prompts_of(video, draft)],
            };
            match set.validate(&board) {
                Ok(()) => Vec::new(),
                Err(e) => vec![e.to_string()],
            }
        };
        let answer = self
            .chat
            .ask::<PromptsDraft>(
                Stage::Prompts,
                options,
                "image_prompts",
                vec![Message::system(prompts::SYSTEM), Message::user(user)],
                check,
            )
            .await?;
        Ok(prompts_of(video, &answer.value))
    }
}

/// A draft's prompts, numbered by `video`'s frames.
fn prompts_of(video: &VideoBoard, draft: &PromptsDraft) -> VideoPrompts {
    VideoPrompts {
        video: video.number,
        style: draft.style.clone(),
        frames: video
            .frames()
            .zip(&draft.frames)
            .map(|((shot, frame), d)| FramePrompt {
                shot,
                frame: frame.number,
                subject: d.subject.trim().to_owned(),
                composition: d.composition.trim().to_owned(),
                lens: d.lens.trim().to_owned(),
                lighting: d.lighting.trim().to_owned(),
                negative: d.negative.trim().to_owned(),
            })
            .collect(),
    }
}
