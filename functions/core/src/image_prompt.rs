//! Image prompts: each storyboard frame described for an image model, under
//! one style guide per video so its frames look like one film. Engines
//! write them from the approved storyboard; a reviewer may edit them; the
//! images stage draws from the approved run.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::storyboard::Storyboard;
use crate::validation::{ValidationError, ensure};

/// Every video's prompts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PromptSet {
    pub videos: Vec<VideoPrompts>,
}

/// One video's style guide and a prompt per frame, in the storyboard's
/// frame order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct VideoPrompts {
    /// The storyboard video's number.
    pub video: u32,
    pub style: StyleGuide,
    pub frames: Vec<FramePrompt>,
}

/// What every frame of a video shares.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct StyleGuide {
    /// The medium and look ("flat vector illustration, soft grain").
    pub style: String,
    /// Colours by name or hex, most used first.
    pub palette: Vec<String>,
    pub lighting: String,
    /// What no frame may show.
    pub negative: String,
}

/// One frame's production prompt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FramePrompt {
    pub shot: u32,
    pub frame: u32,
    /// Who or what is in the picture, doing what, where.
    pub subject: String,
    /// Framing and layout ("wide establishing shot, subject left third").
    pub composition: String,
    /// Lens and depth of field ("35 mm, deep focus").
    pub lens: String,
    /// This frame's light, within the style guide's.
    pub lighting: String,
    /// What this frame must not show, beyond the style guide's.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub negative: String,
}

/// Bounds: an image provider takes a prompt of a few thousand characters.
pub const MAX_PROMPT_CHARS: usize = 1_500;
const MAX_FIELD_CHARS: usize = 600;

impl FramePrompt {
    /// The prompt an image model is sent: the frame's fields, then the
    /// video's style.
    pub fn text(&self, style: &StyleGuide) -> String {
        let palette = if style.palette.is_empty() {
            String::new()
        } else {
            format!(" Palette: {}.", style.palette.join(", "))
        };
        format!(
            "{}. {}; {}. {}; {}. {}.{}",
            self.subject.trim().trim_end_matches('.'),
            self.composition.trim().trim_end_matches('.'),
            self.lens.trim().trim_end_matches('.'),
            self.lighting.trim().trim_end_matches('.'),
            style.lighting.trim().trim_end_matches('.'),
            style.style.trim().trim_end_matches('.'),
            palette,
        )
    }

    /// What the picture must not show: the style guide's and the frame's.
    pub fn negative(&self, style: &StyleGuide) -> String {
        [style.negative.trim(), self.negative.trim()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl PromptSet {
    /// Video `number`'s prompts, if the set has them.
    pub fn video(&self, number: u32) -> Option<&VideoPrompts> {
        self.videos.iter().find(|v| v.video == number)
    }

    /// A prompt for every frame of `storyboard`, and no other, each within
    /// the bounds; the error names the field.
    pub fn validate(&self, storyboard: &Storyboard) -> Result<(), ValidationError> {
        ensure(
            self.videos.len() == storyboard.videos.len(),
            "videos",
            || {
                format!(
                    "the storyboard has {} videos; there are prompts for {}",
                    storyboard.videos.len(),
                    self.videos.len()
                )
            },
        )?;
        for (v, prompts) in self.videos.iter().enumerate() {
            let at = format!("videos[{v}]");
            let board = storyboard.video(prompts.video).ok_or_else(|| {
                ValidationError::new(
                    format!("{at}.video"),
                    format!("the storyboard has no video {}", prompts.video),
                )
            })?;
            field(&prompts.style.style, &format!("{at}.style.style"))?;
            let frames: Vec<(u32, u32)> = board.frames().map(|(s, f)| (s, f.number)).collect();
            let given: Vec<(u32, u32)> = prompts.frames.iter().map(|p| (p.shot, p.frame)).collect();
            ensure(given == frames, &format!("{at}.frames"), || {
                format!(
                    "one prompt per storyboard frame, in order: {} frames, {} prompts",
                    frames.len(),
                    given.len()
                )
            })?;
            for (f, prompt) in prompts.frames.iter().enumerate() {
                let at = format!("{at}.frames[{f}]");
                field(&prompt.subject, &format!("{at}.subject"))?;
                field(&prompt.composition, &format!("{at}.composition"))?;
                let length = prompt.text(&prompts.style).chars().count();
                ensure(length <= MAX_PROMPT_CHARS, &at, || {
                    format!("the prompt is {length} characters, more than {MAX_PROMPT_CHARS}")
                })?;
            }
        }
        Ok(())
    }
}

fn field(value: &str, at: &str) -> Result<(), ValidationError> {
    ensure(!value.trim().is_empty(), at, || "must not be empty".into())?;
    ensure(value.chars().count() <= MAX_FIELD_CHARS, at, || {
        format!("is longer than {MAX_FIELD_CHARS} characters")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storyboard::{Camera, Frame, Shot, VideoBoard};

    fn storyboard() -> Storyboard {
        let frame = |number| Frame {
            number,
            seen: "A tap".into(),
            on_screen_text: None,
            narration: vec!["Close the tap.".into()],
            duration_ms: 3_000,
            camera: Camera::Still,
        };
        Storyboard {
            title: "Water".into(),
            videos: vec![VideoBoard {
                number: 1,
                title: "Taps".into(),
                language: "en".into(),
                shots: vec![Shot {
                    number: 1,
                    scene: None,
                    frames: vec![frame(1), frame(2)],
                }],
            }],
        }
    }

    fn prompts() -> PromptSet {
        let prompt = |frame| FramePrompt {
            shot: 1,
            frame,
            subject: "A chrome kitchen tap, a drop forming at its lip".into(),
            composition: "close-up, tap in the right third".into(),
            lens: "85 mm, shallow depth of field".into(),
            lighting: "morning window light".into(),
            negative: String::new(),
        };
        PromptSet {
            videos: vec![VideoPrompts {
                video: 1,
                style: StyleGuide {
                    style: "flat vector illustration".into(),
                    palette: vec!["teal".into(), "sand".into()],
                    lighting: "soft, even".into(),
                    negative: "text, watermark".into(),
                },
                frames: vec![prompt(1), prompt(2)],
            }],
        }
    }

    #[test]
    fn a_prompt_reads_as_one_description_in_the_videos_style() {
        let set = prompts();
        let style = &set.videos[0].style;
        let mut frame = set.videos[0].frames[0].clone();
        assert_eq!(
            frame.text(style),
            "A chrome kitchen tap, a drop forming at its lip. close-up, tap in the right third; \
             85 mm, shallow depth of field. morning window light; soft, even. \
             flat vector illustration. Palette: teal, sand."
        );
        assert_eq!(frame.negative(style), "text, watermark");
        frame.negative = "people".into();
        assert_eq!(frame.negative(style), "text, watermark, people");
    }

    #[test]
    fn prompts_match_the_storyboard_frame_for_frame() {
        let board = storyboard();
        assert!(prompts().validate(&board).is_ok());
        let mut missing = prompts();
        missing.videos[0].frames.pop();
        assert_eq!(
            missing.validate(&board).unwrap_err().field,
            "videos[0].frames"
        );
        let mut other = prompts();
        other.videos[0].video = 2;
        assert_eq!(other.validate(&board).unwrap_err().field, "videos[0].video");
        let mut blank = prompts();
        blank.videos[0].frames[1].subject = String::new();
        assert_eq!(
            blank.validate(&board).unwrap_err().field,
            "videos[0].frames[1].subject"
        );
    }
}
