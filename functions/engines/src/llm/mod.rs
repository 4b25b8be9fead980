//! The LLM engine: every content port, on any OpenAI-compatible chat
//! completions endpoint (OpenAI, Azure OpenAI, vLLM, Ollama, llama.cpp's
//! server) through async-openai.
//!
//! The calls, and what each sees:
//! - validate: three short excerpts;
//! - segment: the compact view (see `view`), planning the outline in the
//!   same call, so the outline stage costs nothing unless a human changed
//!   the segments (then one call on the segments' summaries);
//! - each lesson: the outline's titles and its own span, in full;
//! - the assessment (with glossary and flashcards): lesson summaries.
//!
//! Each transcript word is sent about once; lessons run side by side (the
//! workflow's Map) under one bound on calls in flight (`config`). A
//! topic-only course has no transcript: see `topic`.

mod assessment;
mod cache;
mod chat;
pub mod config;
mod guards;
mod lesson;
mod narration;
mod plan;
mod prompts;
mod retry;
mod schema;
mod storyboard;
mod topic;
mod validate;
mod view;

use std::sync::Arc;

use async_trait::async_trait;
use coursegen_core::course::{Assessment, Lesson};
use coursegen_core::image_prompt::VideoPrompts;
use coursegen_core::material::Material;
use coursegen_core::narration::Narration;
use coursegen_core::options::Options;
use coursegen_core::outputs::{Outline, Segment, SegmentParams, Validation};
use coursegen_core::ports::{
    ArtifactStore, AssessmentWriter, EngineError, LessonRequest, LessonWriter, NarrationRequest,
    NarrationWriter, Notes, NotesWriter, Outliner, PromptWriter, Segmenter, StoryboardRequest,
    StoryboardWriter, Validator,
};
use coursegen_core::stage::Stage;
use coursegen_core::storyboard::{Storyboard, VideoBoard};

pub use config::{LlmConfig, Price, RetryPolicy, Structured};
pub use schema::strict as strict_schema;

use self::cache::address;
use self::chat::{Chat, Message};
use self::plan::{OutlinePlan, Plan};
use crate::offline::OfflineEngine;
use crate::offline::knowledge::Knowledge;

#[derive(Debug)]
pub struct LlmEngine {
    chat: Chat,
    /// Its analysis of the material (sentences, stems, key phrases) builds
    /// the views the model sees and checks what the model wrote.
    offline: OfflineEngine,
}

impl LlmEngine {
    /// The engine on `config`'s endpoint, caching replies in `store`.
    pub fn new(config: LlmConfig, store: Arc<dyn ArtifactStore>) -> Result<Self, String> {
        Ok(LlmEngine {
            chat: Chat::new(config, store)?,
            offline: OfflineEngine::new(),
        })
    }

    fn knowledge(&self, material: &Material) -> Arc<Knowledge> {
        self.offline.knowledge(material)
    }

    /// Where the plan made with `segments` is kept for the outline stage.
    fn plan_address(material: &Material, segments: &[Segment]) -> String {
        address(&(address(material), segments))
    }
}

fn require(material: &Material) -> Result<(), EngineError> {
    if material.sentences.is_empty() {
        Err(EngineError::Invalid("the material has no sentences".into()))
    } else {
        Ok(())
    }
}

#[async_trait]
impl Validator for LlmEngine {
    async fn validate(
        &self,
        material: &Material,
        options: &Options,
    ) -> Result<Validation, EngineError> {
        require(material)?;
        self.judge(material, options).await
    }
}

#[async_trait]
impl Segmenter for LlmEngine {
    async fn segment(
        &self,
        material: &Material,
        params: &SegmentParams,
        options: &Options,
    ) -> Result<Vec<Segment>, EngineError> {
        require(material)?;
        params
            .validate()
            .map_err(|e| EngineError::Invalid(format!("segment parameters: {e}")))?;
        let knowledge = self.knowledge(material);
        let fixed_ends = params.segment_ends_ms.as_deref();
        let blocks = view::blocks(&knowledge, fixed_ends);
        // With fixed ends, segment i starts at the block after the one
        // ending at or before end i-1.
        let fixed: Option<Vec<usize>> = fixed_ends.map(|ends| {
            let mut starts = vec![1];
            for end in &ends[..ends.len().saturating_sub(1)] {
                let next = blocks
                    .iter()
                    .position(|b| b.start_ms >= *end)
                    .map_or(blocks.len(), |i| i + 1);
                if next > *starts.last().expect("starts with 1") && next <= blocks.len() {
                    starts.push(next);
                }
            }
            starts
        });
        let rule = match &fixed {
            Some(starts) => format!(
                "they are fixed: {} segments, starting at blocks {}.",
                starts.len(),
                starts
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            None => format!(
                "split the lecture where its topic changes, into segments of {}–{} minutes.",
                params.min_duration_s.div_ceil(60),
                params.max_duration_s / 60
            ),
        };
        let title = material_title(options, None);
        let user = prompts::render(
            prompts::PLAN,
            &[
                ("blocks", &view::compact(&knowledge, &blocks)),
                ("segment_rule", &rule),
                ("language", options.course_language().unwrap_or("en")),
                ("title", &title),
            ],
        );
        let plan = self
            .chat
            .ask_or_mend::<Plan>(
                Stage::Segment,
                options,
                "plan",
                vec![Message::system(prompts::SYSTEM), Message::user(user)],
                |p| {
                    let mut problems = plan::check_segments(p, &blocks, params, fixed.as_deref());
                    problems.extend(plan::check_outline(&p.modules, p.segments.len()));
                    problems
                },
                |p| Some(plan::mend(p, &blocks, params, fixed.as_deref())),
            )
            .await?
            .value;
        let segments = plan::segments(&plan, &blocks);
        let outline = plan::outline(
            &OutlinePlan {
                title: plan.title,
                description: plan.description,
                modules: plan.modules,
            },
            &segments,
        );
        self.chat
            .cache()
            .put(
                "plans",
                &Self::plan_address(material, &segments),
                serde_json::to_vec(&outline).expect("outlines serialise"),
            )
            .await;
        Ok(segments)
    }
}

/// The prompt's note of the material's own title, if it has one.
fn material_title(_options: &Options, title: Option<&str>) -> String {
    title.map_or(String::new(), |t| {
        format!("\nThe material's own title: {t}")
    })
}

#[async_trait]
impl Outliner for LlmEngine {
    async fn outline(
        &self,
        material: &Material,
        segments: &[Segment],
        title: Option<&str>,
        options: &Options,
    ) -> Result<Outline, EngineError> {
        if let Some(brief) = &material.topic {
            return self.topic_outline(brief, options).await;
        }
        require(material)?;
        if segments.is_empty() {
            return Err(EngineError::Invalid(
                "there are no segments to outline".into(),
            ));
        }
        if let Some(bytes) = self
            .chat
            .cache()
            .get("plans", &Self::plan_address(material, segments))
            .await
            && let Ok(outline) = serde_json::from_slice::<Outline>(&bytes)
        {
            return Ok(outline);
        }
        let user = prompts::render(
            prompts::OUTLINE,
            &[
                ("segments", &plan::listing(segments)),
                ("language", options.course_language().unwrap_or("en")),
                ("title", &material_title(options, title)),
            ],
        );
        let planned = self
            .chat
            .ask_or_mend::<OutlinePlan>(
                Stage::Outline,
                options,
                "outline",
                vec![Message::system(prompts::SYSTEM), Message::user(user)],
                |p| plan::check_outline(&p.modules, segments.len()),
                |p| {
                    let titles: Vec<String> = segments.iter().map(|s| s.title.clone()).collect();
                    Some(OutlinePlan {
                        modules: plan::mend_modules(p.modules, &titles),
                        ..p
                    })
                },
            )
            .await?
            .value;
        Ok(plan::outline(&planned, segments))
    }
}

#[async_trait]
impl LessonWriter for LlmEngine {
    async fn lesson(&self, request: LessonRequest<'_>) -> Result<Lesson, EngineError> {
        if let Some(brief) = &request.material.topic {
            return self.write_chapter(brief, request).await;
        }
        require(request.material)?;
        self.write_lesson(request).await
    }
}

#[async_trait]
impl AssessmentWriter for LlmEngine {
    async fn assessment(
        &self,
        material: &Material,
        outline: &Outline,
        _lessons: &[Lesson],
        options: &Options,
    ) -> Result<Option<Assessment>, EngineError> {
        if material.topic.is_none() {
            require(material)?;
        }
        self.write_assessment(material, outline, options).await
    }
}

#[async_trait]
impl NotesWriter for LlmEngine {
    async fn notes(&self, material: &Material, options: &Options) -> Result<Notes, EngineError> {
        if let Some(brief) = &material.topic {
            return self.topic_notes(material, brief, options).await;
        }
        require(material)?;
        self.write_notes(material, options).await
    }
}

#[async_trait]
impl StoryboardWriter for LlmEngine {
    async fn storyboard(&self, request: StoryboardRequest<'_>) -> Result<Storyboard, EngineError> {
        self.write_storyboard(request).await
    }
}

#[async_trait]
impl PromptWriter for LlmEngine {
    async fn prompts(
        &self,
        video: &VideoBoard,
        options: &Options,
    ) -> Result<VideoPrompts, EngineError> {
        self.write_prompts(video, options).await
    }
}

#[async_trait]
impl NarrationWriter for LlmEngine {
    async fn narration(&self, request: NarrationRequest<'_>) -> Result<Narration, EngineError> {
        self.write_narration(request).await
    }
}
