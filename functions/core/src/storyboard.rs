//! A course script's visual plan (seed 003): per video, shots of frames.
//! Each frame says what is seen, what text is on screen, which whole
//! sentences of the narration play over it, how long, and how the camera
//! moves. Engines write it from the script's videos; a reviewer may edit it;
//! the prompts, images and clips stages are made from the approved run.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::narration::Direction;
use crate::validation::{ValidationError, ensure};

/// The whole script's storyboard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Storyboard {
    /// The script's title.
    pub title: String,
    /// In the script's order.
    pub videos: Vec<VideoBoard>,
}

/// One video of the script.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct VideoBoard {
    /// 1-based, in the script's order.
    pub number: u32,
    pub title: String,
    /// BCP 47 tag of what is spoken and shown ("en", "ar").
    pub language: String,
    pub shots: Vec<Shot>,
}

/// A continuous piece of the video: one setting, seen in a few frames.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Shot {
    /// 1-based within its video.
    pub number: u32,
    /// The script's scene heading the shot belongs to, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scene: Option<String>,
    pub frames: Vec<Frame>,
}

/// One picture, animated into a clip while its sentences are spoken.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Frame {
    /// 1-based within its shot.
    pub number: u32,
    /// What is seen: the picture described for an illustrator.
    pub seen: String,
    /// Text shown over the picture, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_screen_text: Option<String>,
    /// The whole sentences spoken over it, each one subtitle cue.
    pub narration: Vec<String>,
    /// How long it shows, as planned from the narration's length; the
    /// video is timed to the narration as spoken.
    pub duration_ms: u64,
    pub camera: Camera,
}

/// How the camera moves over a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Camera {
    Still,
    PushIn,
    PullOut,
    PanLeft,
    PanRight,
    TiltUp,
    TiltDown,
}

impl Camera {
    /// The move as a person would say it.
    pub fn describe(self) -> &'static str {
        match self {
            Camera::Still => "still camera",
            Camera::PushIn => "slow push in",
            Camera::PullOut => "slow pull out",
            Camera::PanLeft => "slow pan left",
            Camera::PanRight => "slow pan right",
            Camera::TiltUp => "slow tilt up",
            Camera::TiltDown => "slow tilt down",
        }
    }
}

/// Bounds a storyboard is held to: a video is minutes long, and every
/// frame becomes a request to an image provider.
pub const MAX_VIDEOS: usize = 100;
pub const MAX_FRAMES_PER_VIDEO: usize = 300;
pub const MAX_TEXT_CHARS: usize = 2_000;
/// A frame shows at least this long, and at most this long.
pub const MIN_FRAME_MS: u64 = 500;
pub const MAX_FRAME_MS: u64 = 120_000;

impl VideoBoard {
    pub fn direction(&self) -> Direction {
        Direction::of(&self.language)
    }

    /// Every frame with its shot's number, in order.
    pub fn frames(&self) -> impl Iterator<Item = (u32, &Frame)> {
        self.shots
            .iter()
            .flat_map(|s| s.frames.iter().map(move |f| (s.number, f)))
    }

    /// How long the video plays as planned.
    pub fn duration_ms(&self) -> u64 {
        self.frames().map(|(_, f)| f.duration_ms).sum()
    }
}

/// The name a frame's files go by: `v01-s02-f03`.
pub fn frame_name(video: u32, shot: u32, frame: u32) -> String {
    format!("v{video:02}-s{shot:02}-f{frame:02}")
}

/// The name a shot's files go by: `v01-s02`.
pub fn shot_name(video: u32, shot: u32) -> String {
    format!("v{video:02}-s{shot:02}")
}

impl Storyboard {
    /// Video `number`, if the storyboard has it.
    pub fn video(&self, number: u32) -> Option<&VideoBoard> {
        self.videos.iter().find(|v| v.number == number)
    }

    /// What the later stages need: something to show and say in every
    /// frame, numbered in order, within the bounds; the error names the
    /// field (a reviewer's edit is checked the same way).
    pub fn validate(&self) -> Result<(), ValidationError> {
        ensure(!self.title.trim().is_empty(), "title", || {
            "must not be empty".into()
        })?;
        ensure(!self.videos.is_empty(), "videos", || {
            "a storyboard has at least one video".into()
        })?;
        ensure(self.videos.len() <= MAX_VIDEOS, "videos", || {
            format!("{} videos is more than {MAX_VIDEOS}", self.videos.len())
        })?;
        for (v, video) in self.videos.iter().enumerate() {
            validate_video(video, &format!("videos[{v}]"))?;
            ensure(
                self.videos[..v].iter().all(|o| o.number != video.number),
                &format!("videos[{v}].number"),
                || format!("video {} appears twice", video.number),
            )?;
        }
        Ok(())
    }
}

fn validate_video(video: &VideoBoard, at: &str) -> Result<(), ValidationError> {
    text(&video.title, &format!("{at}.title"))?;
    ensure(
        !video.language.trim().is_empty(),
        &format!("{at}.language"),
        || "must not be empty".into(),
    )?;
    ensure(!video.shots.is_empty(), &format!("{at}.shots"), || {
        "a video has at least one shot".into()
    })?;
    let frames = video.frames().count();
    ensure(
        frames <= MAX_FRAMES_PER_VIDEO,
        &format!("{at}.shots"),
        || format!("{frames} frames is more than {MAX_FRAMES_PER_VIDEO}"),
    )?;
    for (s, shot) in video.shots.iter().enumerate() {
        let at = format!("{at}.shots[{s}]");
        ensure(
            shot.number as usize == s + 1,
            &format!("{at}.number"),
            || format!("shots are numbered from 1 in order: this is shot {}", s + 1),
        )?;
        ensure(!shot.frames.is_empty(), &format!("{at}.frames"), || {
            "a shot has at least one frame".into()
        })?;
        for (f, frame) in shot.frames.iter().enumerate() {
            let at = format!("{at}.frames[{f}]");
            ensure(
                frame.number as usize == f + 1,
                &format!("{at}.number"),
                || {
                    format!(
                        "frames are numbered from 1 in order: this is frame {}",
                        f + 1
                    )
                },
            )?;
            text(&frame.seen, &format!("{at}.seen"))?;
            if let Some(shown) = &frame.on_screen_text {
                text(shown, &format!("{at}.on_screen_text"))?;
            }
            ensure(
                !frame.narration.is_empty(),
                &format!("{at}.narration"),
                || "every frame has something said over it".into(),
            )?;
            for (n, sentence) in frame.narration.iter().enumerate() {
                text(sentence, &format!("{at}.narration[{n}]"))?;
            }
            ensure(
                (MIN_FRAME_MS..=MAX_FRAME_MS).contains(&frame.duration_ms),
                &format!("{at}.duration_ms"),
                || format!("must be between {MIN_FRAME_MS} and {MAX_FRAME_MS}"),
            )?;
        }
    }
    Ok(())
}

/// Not blank, not over [`MAX_TEXT_CHARS`].
fn text(value: &str, field: &str) -> Result<(), ValidationError> {
    ensure(!value.trim().is_empty(), field, || {
        "must not be empty".into()
    })?;
    ensure(value.chars().count() <= MAX_TEXT_CHARS, field, || {
        format!("is longer than {MAX_TEXT_CHARS} characters")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(number: u32) -> Frame {
        Frame {
            number,
            seen: "A kitchen tap dripping into a glass.".into(),
            on_screen_text: Some("1 drip a second = 20 litres a day".into()),
            narration: vec!["A dripping tap wastes more than you think.".into()],
            duration_ms: 4_000,
            camera: Camera::PushIn,
        }
    }

    fn board() -> Storyboard {
        Storyboard {
            title: "Saving water".into(),
            videos: vec![VideoBoard {
                number: 1,
                title: "Leaks".into(),
                language: "en".into(),
                shots: vec![
                    Shot {
                        number: 1,
                        scene: None,
                        frames: vec![frame(1), frame(2)],
                    },
                    Shot {
                        number: 2,
                        scene: Some("Scene two".into()),
                        frames: vec![frame(1)],
                    },
                ],
            }],
        }
    }

    #[test]
    fn a_whole_storyboard_passes_and_each_fault_names_its_field() {
        let good = board();
        assert!(good.validate().is_ok());
        assert_eq!(good.videos[0].duration_ms(), 12_000);
        assert_eq!(
            good.videos[0]
                .frames()
                .map(|(s, f)| (s, f.number))
                .collect::<Vec<_>>(),
            [(1, 1), (1, 2), (2, 1)]
        );
        let fault = |edit: fn(&mut Storyboard)| {
            let mut b = board();
            edit(&mut b);
            b.validate().unwrap_err().field
        };
        assert_eq!(fault(|b| b.videos.clear()), "videos");
        assert_eq!(
            fault(|b| b.videos[0].shots[1].frames[0].narration.clear()),
            "videos[0].shots[1].frames[0].narration"
        );
        assert_eq!(
            fault(|b| b.videos[0].shots[0].frames[1].seen = " ".into()),
            "videos[0].shots[0].frames[1].seen"
        );
        assert_eq!(
            fault(|b| b.videos[0].shots[0].frames[1].number = 3),
            "videos[0].shots[0].frames[1].number"
        );
        assert_eq!(
            fault(|b| b.videos[0].shots[0].frames[0].duration_ms = 0),
            "videos[0].shots[0].frames[0].duration_ms"
        );
        assert_eq!(
            fault(|b| {
                let twin = b.videos[0].clone();
                b.videos.push(twin)
            }),
            "videos[1].number"
        );
    }

    #[test]
    fn files_are_named_so_they_sort_in_playing_order() {
        assert_eq!(frame_name(1, 2, 3), "v01-s02-f03");
        assert_eq!(shot_name(12, 3), "v12-s03");
        let mut names = [frame_name(1, 10, 1), frame_name(1, 2, 1)];
        names.sort();
        assert_eq!(names[0], "v01-s02-f01");
    }
}
