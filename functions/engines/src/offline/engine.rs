//! The offline engine behind every content port.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use coursegen_core::course::{Assessment, Lesson};
use coursegen_core::image_prompt::VideoPrompts;
use coursegen_core::material::{Material, Sentence};
use coursegen_core::narration::Narration;
use coursegen_core::options::Options;
use coursegen_core::outputs::{Outline, Segment, SegmentParams, Validation};
use coursegen_core::ports::{
    AssessmentWriter, EngineError, LessonRequest, LessonWriter, NarrationRequest, NarrationWriter,
    Notes, NotesWriter, Outliner, PromptWriter, Segmenter, StoryboardRequest, StoryboardWriter,
    Validator,
};
use coursegen_core::storyboard::{Storyboard, VideoBoard};

use super::knowledge::Knowledge;
use super::{assessment, lesson, notes, outline, segment, validate};

/// Deterministic NLP over the material: no network, no model, no key.
///
/// Every step reads the whole material, and the lessons of a job run one
/// step each, so the engine keeps the analysis of the last material it saw
/// and reuses it while the material is the same (one process runs a job's
/// steps locally; a warm Lambda often runs several).
#[derive(Debug, Default)]
pub struct OfflineEngine {
    last: Mutex<Option<Arc<Knowledge>>>,
}

impl OfflineEngine {
    pub fn new() -> Self {
        Self::default()
    }

    /// The analysis of `material`, built once per distinct material.
    pub(crate) fn knowledge(&self, material: &Material) -> Arc<Knowledge> {
        let last = || self.last.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(knowledge) = last().as_ref().filter(|k| k.is_of(material)) {
            return knowledge.clone();
        }
        // Built without the lock, so other jobs' steps need not wait for it.
        let knowledge = Arc::new(Knowledge::new(material.clone()));
        *last() = Some(knowledge.clone());
        knowledge
    }
}

fn require(sentences: &[Sentence]) -> Result<(), EngineError> {
    if sentences.is_empty() {
        Err(EngineError::Invalid("the material has no sentences".into()))
    } else {
        Ok(())
    }
}

#[async_trait]
impl Validator for OfflineEngine {
    async fn validate(
        &self,
        material: &Material,
        options: &Options,
    ) -> Result<Validation, EngineError> {
        let for_video = options.storyboard.is_some();
        Ok(validate::validate(&material.sentences, for_video))
    }
}

#[async_trait]
impl Segmenter for OfflineEngine {
    async fn segment(
        &self,
        material: &Material,
        params: &SegmentParams,
        _options: &Options,
    ) -> Result<Vec<Segment>, EngineError> {
        require(&material.sentences)?;
        params
            .validate()
            .map_err(|e| EngineError::Invalid(format!("segment parameters: {e}")))?;
        // The analysis the later steps reuse has the stems segmentation needs.
        let knowledge = self.knowledge(material);
        Ok(segment::segment_stemmed(
            &knowledge.sentences,
            &knowledge.stems,
            params,
        ))
    }
}

#[async_trait]
impl Outliner for OfflineEngine {
    async fn outline(
        &self,
        material: &Material,
        segments: &[Segment],
        title: Option<&str>,
        _options: &Options,
    ) -> Result<Outline, EngineError> {
        require(&material.sentences)?;
        if segments.is_empty() {
            return Err(EngineError::Invalid(
                "there are no segments to outline".into(),
            ));
        }
        Ok(outline::outline(&self.knowledge(material), segments, title))
    }
}

#[async_trait]
impl LessonWriter for OfflineEngine {
    async fn lesson(&self, request: LessonRequest<'_>) -> Result<Lesson, EngineError> {
        require(&request.material.sentences)?;
        let plan = request
            .outline
            .modules
            .get(request.module)
            .and_then(|m| m.lessons.get(request.lesson))
            .ok_or_else(|| {
                EngineError::Invalid(format!(
                    "the outline has no lesson {} in module {}",
                    request.lesson + 1,
                    request.module + 1
                ))
            })?;
        let knowledge = self.knowledge(request.material);
        let id = format!("m{}-l{}", request.module + 1, request.lesson + 1);
        Ok(lesson::lesson(
            &knowledge,
            plan,
            &id,
            request.video,
            request.video_start_ms,
            request.options,
        ))
    }
}

#[async_trait]
impl AssessmentWriter for OfflineEngine {
    async fn assessment(
        &self,
        material: &Material,
        outline: &Outline,
        lessons: &[Lesson],
        options: &Options,
    ) -> Result<Option<Assessment>, EngineError> {
        require(&material.sentences)?;
        let knowledge = self.knowledge(material);
        // The assessment runs beside the lessons, so it may be asked before
        // they exist: the offline lessons are deterministic, so it writes them
        // here too, to keep the assessment from repeating their exercises.
        let written;
        let lessons = if lessons.is_empty() {
            written = outline
                .modules
                .iter()
                .enumerate()
                .flat_map(|(m, module)| {
                    module
                        .lessons
                        .iter()
                        .enumerate()
                        .map(move |(l, plan)| (m, l, plan))
                })
                .map(|(m, l, plan)| {
                    lesson::lesson(
                        &knowledge,
                        plan,
                        &format!("m{}-l{}", m + 1, l + 1),
                        None,
                        0,
                        options,
                    )
                })
                .collect::<Vec<_>>();
            &written[..]
        } else {
            lessons
        };
        Ok(assessment::assessment(
            &knowledge, outline, lessons, options,
        ))
    }
}

#[async_trait]
impl NotesWriter for OfflineEngine {
    async fn notes(&self, material: &Material, _options: &Options) -> Result<Notes, EngineError> {
        let knowledge = self.knowledge(material);
        Ok(Notes {
            glossary: notes::glossary(&knowledge),
            flashcards: notes::flashcards(&knowledge),
        })
    }
}

#[async_trait]
impl NarrationWriter for OfflineEngine {
    async fn narration(&self, request: NarrationRequest<'_>) -> Result<Narration, EngineError> {
        Ok(super::narration::narration(
            request.lesson,
            request.module_title,
            request.language,
        ))
    }
}

#[async_trait]
impl StoryboardWriter for OfflineEngine {
    async fn storyboard(&self, request: StoryboardRequest<'_>) -> Result<Storyboard, EngineError> {
        super::storyboard::storyboard(request)
    }
}

#[async_trait]
impl PromptWriter for OfflineEngine {
    async fn prompts(
        &self,
        video: &VideoBoard,
        _options: &Options,
    ) -> Result<VideoPrompts, EngineError> {
        Ok(super::prompts::prompts(video))
    }
}

/// The pipeline's steps with the offline engine behind every content port
/// and uploads parsed locally: what runs with no network and no key.
pub fn offline_steps(
    jobs: Arc<dyn coursegen_core::ports::JobStore>,
    artifacts: Arc<dyn coursegen_core::ports::ArtifactStore>,
    callbacks: Arc<dyn coursegen_core::ports::CallbackStore>,
) -> coursegen_core::pipeline::Steps {
    crate::router::steps_of(
        Arc::new(OfflineEngine::new()),
        jobs,
        artifacts,
        callbacks,
        false,
    )
}
