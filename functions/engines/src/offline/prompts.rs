//! Image prompts from templates: one house style per video (a palette of
//! its own, so the videos of a course are told apart and the frames of one
//! belong together), and per frame its storyboard description framed by
//! where it stands in its shot — wide as a shot opens, closer as it goes.

use coursegen_core::image_prompt::{FramePrompt, StyleGuide, VideoPrompts};
use coursegen_core::storyboard::VideoBoard;

/// Palettes the videos take in turn: colours that stay legible under
/// white and dark text alike.
const PALETTES: [[&str; 4]; 6] = [
    ["#1f6f8b", "#99a8b2", "#e6d5b8", "#f5f1e9"],
    ["#2d6a4f", "#74c69d", "#e9c46a", "#f4f1de"],
    ["#5a189a", "#9d4edd", "#f4a261", "#fdf0d5"],
    ["#9b2226", "#ca6702", "#e9d8a6", "#fefae0"],
    ["#264653", "#2a9d8f", "#e76f51", "#f8f4ec"],
    ["#3d405b", "#81b29a", "#f2cc8f", "#f4f1de"],
];

const STYLE: &str = "flat vector illustration, simple rounded shapes, soft grain texture, \
    generous negative space, the same characters and props in every frame";
const LIGHTING: &str = "soft, even daylight";
/// Text is laid over the picture afterwards, legibly and in the right
/// script; text an image model draws is neither.
const NEGATIVE: &str = "text, letters, captions, watermark, logo, signature, blurry, \
    distorted anatomy, extra fingers";

/// The style guide of video `number`.
pub fn style_guide(number: u32) -> StyleGuide {
    let palette = PALETTES[(number.saturating_sub(1) as usize) % PALETTES.len()];
    StyleGuide {
        style: STYLE.into(),
        palette: palette.iter().map(|c| (*c).to_owned()).collect(),
        lighting: LIGHTING.into(),
        negative: NEGATIVE.into(),
    }
}

/// A prompt per frame of `video`, in order.
pub fn prompts(video: &VideoBoard) -> VideoPrompts {
    let frames = video
        .shots
        .iter()
        .flat_map(|shot| {
            let count = shot.frames.len();
            shot.frames.iter().enumerate().map(move |(f, frame)| {
                let (composition, lens, lighting) =
                    framing(f, count, frame.on_screen_text.is_some());
                FramePrompt {
                    shot: shot.number,
                    frame: frame.number,
                    subject: format!(
                        "{}, in a video about {}",
                        frame.seen.trim().trim_end_matches('.'),
                        video.title.trim()
                    ),
                    composition,
                    lens: lens.into(),
                    lighting: lighting.into(),
                    negative: String::new(),
                }
            })
        })
        .collect();
    VideoPrompts {
        video: video.number,
        style: style_guide(video.number),
        frames,
    }
}

/// Composition, lens and light for frame `f` of a shot of `count`.
fn framing(f: usize, count: usize, captioned: bool) -> (String, &'static str, &'static str) {
    let (shot, lens, light) = if f == 0 {
        (
            "wide shot, the whole setting in view",
            "24 mm, deep focus",
            "light from behind the viewer",
        )
    } else if f + 1 == count {
        (
            "close-up on one telling detail",
            "85 mm, shallow depth of field",
            "soft key light, gentle rim light",
        )
    } else {
        (
            "medium shot, the subject centred",
            "50 mm, natural perspective",
            "soft key light from one side",
        )
    };
    let room = if captioned {
        ", the lower third kept calm for a caption"
    } else {
        ""
    };
    (format!("{shot}{room}"), lens, light)
}

#[cfg(test)]
mod tests {
    use super::*;
    use coursegen_core::storyboard::{Camera, Frame, Shot, Storyboard};

    fn video(number: u32, frames: u32) -> VideoBoard {
        VideoBoard {
            number,
            title: "Leaks".into(),
            language: "en".into(),
            shots: vec![Shot {
                number: 1,
                scene: None,
                frames: (1..=frames)
                    .map(|n| Frame {
                        number: n,
                        seen: format!("Medium view: a tap, drop {n}."),
                        on_screen_text: (n == 1).then(|| "Leaks".into()),
                        narration: vec!["Taps drip.".into()],
                        duration_ms: 3_000,
                        camera: Camera::Still,
                    })
                    .collect(),
            }],
        }
    }

    #[test]
    fn a_prompt_per_frame_framed_by_its_place_in_the_shot() {
        let board = Storyboard {
            title: "Water".into(),
            videos: vec![video(1, 3), video(2, 1)],
        };
        let set = coursegen_core::image_prompt::PromptSet {
            videos: board.videos.iter().map(prompts).collect(),
        };
        set.validate(&board).expect("one prompt per frame");
        let first = &set.videos[0];
        assert!(first.frames[0].composition.starts_with("wide shot"));
        assert!(
            first.frames[0].composition.contains("caption"),
            "the title is laid over it"
        );
        assert!(first.frames[1].composition.starts_with("medium shot"));
        assert!(first.frames[2].composition.starts_with("close-up"));
        assert!(!first.frames[2].composition.contains("caption"));
        assert_eq!(
            first.frames[1].subject,
            "Medium view: a tap, drop 2, in a video about Leaks"
        );
        assert!(
            first.frames[0]
                .negative(&first.style)
                .starts_with("text, letters")
        );
        // Each video its own palette, the same for all its frames.
        assert_ne!(set.videos[0].style.palette, set.videos[1].style.palette);
        assert_eq!(style_guide(7), style_guide(1));
    }
}
