//! Which engine writes each stage of a job: the job's options choose per
//! stage (`engines`, else `default_engine`); the offline engine writes
//! whatever is not the LLM's. (AI-server stages never reach these ports:
//! the workflow sends them to the dispatch step.)

use std::sync::Arc;

use async_trait::async_trait;
use coursegen_core::course::{Assessment, Lesson};
use coursegen_core::image_prompt::VideoPrompts;
use coursegen_core::material::Material;
use coursegen_core::narration::Narration;
use coursegen_core::options::{EngineKind, Options};
use coursegen_core::outputs::{Outline, Segment, SegmentParams, Validation};
use coursegen_core::pipeline::Steps;
use coursegen_core::ports::{
    ArtifactStore, AssessmentWriter, CallbackStore, EngineError, JobStore, LessonRequest,
    LessonWriter, NarrationRequest, NarrationWriter, Notes, NotesWriter, Outliner, PromptWriter,
    Segmenter, StoryboardRequest, StoryboardWriter, Validator,
};
use coursegen_core::stage::Stage;
use coursegen_core::storyboard::{Storyboard, VideoBoard};

use crate::llm::{LlmConfig, LlmEngine};
use crate::offline::OfflineEngine;

#[derive(Debug)]
pub struct Engines {
    offline: OfflineEngine,
    llm: Option<LlmEngine>,
}

/// The engine of one stage.
enum Pick<'a> {
    Offline(&'a OfflineEngine),
    Llm(&'a LlmEngine),
}

impl Engines {
    pub fn new(llm: Option<LlmEngine>) -> Self {
        Engines {
            offline: OfflineEngine::new(),
            llm,
        }
    }

    fn pick(&self, stage: Stage, options: &Options) -> Result<Pick<'_>, EngineError> {
        match (options.engine_for(stage), &self.llm) {
            (EngineKind::Openai, Some(llm)) => Ok(Pick::Llm(llm)),
            (EngineKind::Openai, None) => Err(EngineError::Unsupported(format!(
                "stage {stage} asks for the LLM engine, and no LLM is configured here"
            ))),
            _ => Ok(Pick::Offline(&self.offline)),
        }
    }
}

/// The pipeline's steps with uploads parsed locally, and the LLM of
/// `llm` (if any) for the stages jobs give it; its replies are cached in
/// `artifacts`.
pub fn steps(
    jobs: Arc<dyn JobStore>,
    artifacts: Arc<dyn ArtifactStore>,
    callbacks: Arc<dyn CallbackStore>,
    llm: Option<LlmConfig>,
) -> Result<Steps, String> {
    let has_llm = llm.is_some();
    let llm = llm
        .map(|config| LlmEngine::new(config, artifacts.clone()))
        .transpose()?;
    Ok(steps_of(
        Arc::new(Engines::new(llm)),
        jobs,
        artifacts,
        callbacks,
        has_llm,
    ))
}

/// The pipeline's steps with `engine` behind every content port and
/// uploads parsed locally. Generic, so that a binary built on the offline
/// engine alone does not link the LLM client.
pub fn steps_of<E>(
    engine: Arc<E>,
    jobs: Arc<dyn JobStore>,
    artifacts: Arc<dyn ArtifactStore>,
    callbacks: Arc<dyn CallbackStore>,
    llm: bool,
) -> Steps
where
    E: Validator
        + Segmenter
        + Outliner
        + LessonWriter
        + AssessmentWriter
        + NotesWriter
        + NarrationWriter
        + StoryboardWriter
        + PromptWriter
        + 'static,
{
    Steps {
        jobs,
        artifacts,
        ingestor: Arc::new(crate::ingest::UploadIngestor::default()),
        validator: engine.clone(),
        segmenter: engine.clone(),
        outliner: engine.clone(),
        lesson_writer: engine.clone(),
        assessment_writer: engine.clone(),
        notes_writer: engine.clone(),
        narration_writer: engine.clone(),
        storyboard_writer: engine.clone(),
        prompt_writer: engine,
        renderer: None,
        visuals: None,
        clip_polling: Default::default(),
        callbacks,
        exporter: None,
        ai_server: None,
        llm,
        parsed: Default::default(),
    }
}

#[async_trait]
impl Validator for Engines {
    async fn validate(
        &self,
        material: &Material,
        options: &Options,
    ) -> Result<Validation, EngineError> {
        match self.pick(Stage::Validate, options)? {
            Pick::Offline(e) => e.validate(material, options).await,
            Pick::Llm(e) => e.validate(material, options).await,
        }
    }
}

#[async_trait]
impl Segmenter for Engines {
    async fn segment(
        &self,
        material: &Material,
        params: &SegmentParams,
        options: &Options,
    ) -> Result<Vec<Segment>, EngineError> {
        match self.pick(Stage::Segment, options)? {
            Pick::Offline(e) => e.segment(material, params, options).await,
            Pick::Llm(e) => e.segment(material, params, options).await,
        }
    }
}

#[async_trait]
impl Outliner for Engines {
    async fn outline(
        &self,
        material: &Material,
        segments: &[Segment],
        title: Option<&str>,
        options: &Options,
    ) -> Result<Outline, EngineError> {
        match self.pick(Stage::Outline, options)? {
            Pick::Offline(e) => e.outline(material, segments, title, options).await,
            Pick::Llm(e) => e.outline(material, segments, title, options).await,
        }
    }
}

#[async_trait]
impl LessonWriter for Engines {
    async fn lesson(&self, request: LessonRequest<'_>) -> Result<Lesson, EngineError> {
        match self.pick(Stage::Lessons, request.options)? {
            Pick::Offline(e) => e.lesson(request).await,
            Pick::Llm(e) => e.lesson(request).await,
        }
    }
}

#[async_trait]
impl AssessmentWriter for Engines {
    async fn assessment(
        &self,
        material: &Material,
        outline: &Outline,
        lessons: &[Lesson],
        options: &Options,
    ) -> Result<Option<Assessment>, EngineError> {
        match self.pick(Stage::Assessment, options)? {
            Pick::Offline(e) => e.assessment(material, outline, lessons, options).await,
            Pick::Llm(e) => e.assessment(material, outline, lessons, options).await,
        }
    }
}

/// The glossary and flashcards come from the assessment's engine (the LLM
/// writes them in the assessment's call).
#[async_trait]
impl NotesWriter for Engines {
    async fn notes(&self, material: &Material, options: &Options) -> Result<Notes, EngineError> {
        match self.pick(Stage::Assessment, options)? {
            Pick::Offline(e) => e.notes(material, options).await,
            Pick::Llm(e) => e.notes(material, options).await,
        }
    }
}

#[async_trait]
impl NarrationWriter for Engines {
    async fn narration(&self, request: NarrationRequest<'_>) -> Result<Narration, EngineError> {
        match self.pick(Stage::Videos, request.options)? {
            Pick::Offline(e) => e.narration(request).await,
            Pick::Llm(e) => e.narration(request).await,
        }
    }
}

#[async_trait]
impl StoryboardWriter for Engines {
    async fn storyboard(&self, request: StoryboardRequest<'_>) -> Result<Storyboard, EngineError> {
        match self.pick(Stage::Storyboard, request.options)? {
            Pick::Offline(e) => e.storyboard(request).await,
            Pick::Llm(e) => e.storyboard(request).await,
        }
    }
}

#[async_trait]
impl PromptWriter for Engines {
    async fn prompts(
        &self,
        video: &VideoBoard,
        options: &Options,
    ) -> Result<VideoPrompts, EngineError> {
        match self.pick(Stage::Prompts, options)? {
            Pick::Offline(e) => e.prompts(video, options).await,
            Pick::Llm(e) => e.prompts(video, options).await,
        }
    }
}
