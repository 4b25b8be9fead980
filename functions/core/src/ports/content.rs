//! Content ports: one per capability an engine provides. The offline engine
//! implements them all from the material itself; LLM and AI-server engines
//! implement them too, so the pipeline can pick an engine per stage.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::course::{Assessment, Flashcard, GlossaryEntry, Lesson};
use crate::image_prompt::VideoPrompts;
use crate::material::{Material, ScriptSection};
use crate::narration::Narration;
use crate::options::Options;
use crate::outputs::{Outline, Segment, SegmentParams, Validation};
use crate::storyboard::{Storyboard, VideoBoard};

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EngineError {
    /// The input cannot be worked with (the stage fails; no retry helps).
    #[error("the material cannot be used: {0}")]
    Invalid(String),
    /// This engine cannot do this (e.g. a topic-only course offline).
    #[error("not supported by this engine: {0}")]
    Unsupported(String),
    /// A transient failure; retrying later may succeed.
    #[error("the engine is unavailable: {0}")]
    Unavailable(String),
}

/// What one lesson is written from.
#[derive(Debug, Clone, Copy)]
pub struct LessonRequest<'a> {
    pub material: &'a Material,
    pub outline: &'a Outline,
    pub module: usize,
    pub lesson: usize,
    /// The video the lesson links back into (its URL), if any.
    pub video: Option<&'a str>,
    /// Where that video begins in the material (a playlist's second video
    /// begins where the first ends): links and times in the lesson are the
    /// video's own, this much earlier than the material's.
    pub video_start_ms: u64,
    pub options: &'a Options,
}

/// The glossary and flashcards of a course.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Notes {
    pub glossary: Vec<GlossaryEntry>,
    pub flashcards: Vec<Flashcard>,
}

#[async_trait]
pub trait Validator: Send + Sync + std::fmt::Debug {
    async fn validate(
        &self,
        material: &Material,
        options: &Options,
    ) -> Result<Validation, EngineError>;
}

#[async_trait]
pub trait Segmenter: Send + Sync + std::fmt::Debug {
    async fn segment(
        &self,
        material: &Material,
        params: &SegmentParams,
        options: &Options,
    ) -> Result<Vec<Segment>, EngineError>;
}

#[async_trait]
pub trait Outliner: Send + Sync + std::fmt::Debug {
    async fn outline(
        &self,
        material: &Material,
        segments: &[Segment],
        title: Option<&str>,
        options: &Options,
    ) -> Result<Outline, EngineError>;
}

#[async_trait]
pub trait LessonWriter: Send + Sync + std::fmt::Debug {
    async fn lesson(&self, request: LessonRequest<'_>) -> Result<Lesson, EngineError>;
}

#[async_trait]
pub trait AssessmentWriter: Send + Sync + std::fmt::Debug {
    /// `None` when the options switch the assessment off.
    async fn assessment(
        &self,
        material: &Material,
        outline: &Outline,
        lessons: &[Lesson],
        options: &Options,
    ) -> Result<Option<Assessment>, EngineError>;
}

#[async_trait]
pub trait NotesWriter: Send + Sync + std::fmt::Debug {
    async fn notes(&self, material: &Material, options: &Options) -> Result<Notes, EngineError>;
}

/// What a lesson's narration is written from.
#[derive(Debug, Clone, Copy)]
pub struct NarrationRequest<'a> {
    pub lesson: &'a Lesson,
    /// The title of the lesson's module, for the title slide.
    pub module_title: &'a str,
    /// BCP 47 tag of the course's language.
    pub language: &'a str,
    pub options: &'a Options,
}

#[async_trait]
pub trait NarrationWriter: Send + Sync + std::fmt::Debug {
    /// The lesson told as a narration of whole spoken sentences over
    /// slides, about one to four minutes long.
    async fn narration(&self, request: NarrationRequest<'_>) -> Result<Narration, EngineError>;
}

/// What a storyboard is made from: the script's videos, as its headers
/// split them.
#[derive(Debug, Clone, Copy)]
pub struct StoryboardRequest<'a> {
    /// The script's title.
    pub title: &'a str,
    pub videos: &'a [ScriptSection],
    /// BCP 47 tag of the course's language, for videos whose own script
    /// does not say (an Arabic video is Arabic whatever the course says).
    pub language: &'a str,
    pub options: &'a Options,
}

#[async_trait]
pub trait StoryboardWriter: Send + Sync + std::fmt::Debug {
    /// Per video, shots of frames covering all of its narration, in order.
    async fn storyboard(&self, request: StoryboardRequest<'_>) -> Result<Storyboard, EngineError>;
}

#[async_trait]
pub trait PromptWriter: Send + Sync + std::fmt::Debug {
    /// A style guide for `video` and a production prompt per frame.
    async fn prompts(
        &self,
        video: &VideoBoard,
        options: &Options,
    ) -> Result<VideoPrompts, EngineError>;
}
