//! A script job's visual pipeline (seed 003), past its storyboard and
//! prompts: how its pictures and clips are made (the job's options), and
//! what the images, clips and film stages store as their runs' outputs —
//! keys into the artifact store, never the media themselves.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::artifact::ArtifactKey;
use crate::generation::GenerationJob;
use crate::validation::{ValidationError, ensure};
use crate::videos::{Subtitles, VideoOptions};

/// Who draws the frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImageSource {
    /// Drawn here from the frame's description (no network).
    #[default]
    Offline,
    /// An OpenAI-compatible images endpoint.
    Openai,
}

/// Who animates the frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClipSource {
    /// A camera move over the still, made here with ffmpeg.
    #[default]
    Offline,
    Runway,
    Luma,
}

impl ClipSource {
    pub fn as_str(self) -> &'static str {
        match self {
            ClipSource::Offline => "offline",
            ClipSource::Runway => "runway",
            ClipSource::Luma => "luma",
        }
    }
}

/// How a script job's videos are made. Present on a job's options, it
/// makes the job a script job: storyboard → prompts → images → clips →
/// film instead of a course.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct StoryboardOptions {
    pub images: ImageSource,
    pub clips: ClipSource,
    /// The films' voice, pace, resolution and aspect (subtitles are a soft
    /// track; `concurrency` is how many videos are filmed at once).
    pub video: VideoOptions,
}

impl StoryboardOptions {
    pub fn validate(&self) -> Result<(), ValidationError> {
        self.video.validate().map_err(|e| e.within("video"))?;
        ensure(
            self.video.subtitles == Subtitles::Soft,
            "video.subtitles",
            || "a storyboard's films carry their subtitles as a soft track (\"soft\")".into(),
        )
    }
}

/// The images stage's output: a picture per frame, in the storyboard's
/// order, as shown (the on-screen text drawn in).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct FrameImages {
    pub frames: Vec<FrameImage>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FrameImage {
    /// `v01-s02-f03`.
    pub name: String,
    /// The PNG.
    pub key: ArtifactKey,
}

impl FrameImages {
    pub fn get(&self, name: &str) -> Option<&FrameImage> {
        self.frames.iter().find(|f| f.name == name)
    }
}

/// The clips stage's output: per video, its narration as spoken and a
/// clip per frame.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct ClipSet {
    pub videos: Vec<VideoClips>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct VideoClips {
    /// The storyboard video's number.
    pub number: u32,
    pub narration: SpokenNarration,
    pub frames: Vec<FrameClip>,
}

/// A video's narration, spoken once for the clips (which it times) and
/// the film (which it plays under).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SpokenNarration {
    pub wav: ArtifactKey,
    pub vtt: ArtifactKey,
    pub srt: ArtifactKey,
    pub duration_ms: u64,
    /// How long each frame shows, in the storyboard's order.
    pub frame_ms: Vec<u64>,
}

/// One frame's clip and how it was made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FrameClip {
    pub name: String,
    /// The MP4, once made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<ArtifactKey>,
    /// The provider's task, as last seen.
    pub generation: GenerationJob,
    /// Why the provider's clip was not used and the still was moved here
    /// instead (a refusal, a failure, the time limit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fallback: Option<String>,
}

impl ClipSet {
    pub fn video(&self, number: u32) -> Option<&VideoClips> {
        self.videos.iter().find(|v| v.number == number)
    }
}

/// The film stage's output: a video per storyboard video.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct FilmSet {
    pub videos: Vec<FilmedVideo>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FilmedVideo {
    pub number: u32,
    pub title: String,
    pub language: String,
    pub mp4: ArtifactKey,
    pub vtt: ArtifactKey,
    pub srt: ArtifactKey,
    pub duration_ms: u64,
    /// A clip per shot, in order.
    pub shots: Vec<ArtifactKey>,
}

/// The parameters a rerun of the images or clips stage may take: which
/// frames to make again (the others are kept from the run before).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct FrameParams {
    /// Frame names (`v01-s02-f03`); absent: every frame.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frames: Option<Vec<String>>,
}

impl FrameParams {
    /// Whether frame `name` is made anew (rather than kept).
    pub fn remakes(&self, name: &str) -> bool {
        self.frames
            .as_ref()
            .is_none_or(|names| names.iter().any(|n| n == name))
    }
}

/// How much longer than its frame a clip is asked to be: the crossfade
/// into the next frame plays over it.
pub const CLIP_OVERLAP_MS: u64 = 400;
