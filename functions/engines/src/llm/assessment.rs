//! The final assessment, with the glossary and flashcards, in one call
//! that sees the outline and a two-sentence summary of each lesson's span
//! (drawn locally, at no cost), never the transcript itself. The notes are
//! kept for the notes writer, which otherwise asks from the compact view.

use std::sync::Arc;

use coursegen_core::course::{Assessment, Flashcard, GlossaryEntry, Question};
use coursegen_core::material::{Material, Sentence};
use coursegen_core::options::Options;
use coursegen_core::outputs::Outline;
use coursegen_core::ports::{EngineError, Notes};
use coursegen_core::stage::Stage;
use schemars::JsonSchema;
use serde::Deserialize;

use super::cache::address;
use super::chat::Message;
use super::guards::apportion;
use super::lesson::{Ground, Written, bloom, mix, unspan};
use super::topic::notes_sentences;
use super::{LlmEngine, prompts, view};
use crate::offline::knowledge::Knowledge;
use crate::offline::questions::Scope;
use crate::offline::summary::summarise;

/// The assessment call's reply.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct AssessmentDraft {
    pub questions: Vec<Question>,
    pub glossary: Vec<GlossaryEntry>,
    pub flashcards: Vec<Flashcard>,
}

/// The notes call's reply.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct NotesDraft {
    pub glossary: Vec<GlossaryEntry>,
    pub flashcards: Vec<Flashcard>,
}

pub(super) fn notes_check(glossary: &[GlossaryEntry], flashcards: &[Flashcard]) -> Vec<String> {
    let mut problems = Vec::new();
    if glossary
        .iter()
        .any(|g| g.term.trim().is_empty() || g.definition.trim().is_empty())
    {
        problems.push("every glossary entry needs a term and a definition".to_owned());
    }
    if flashcards
        .iter()
        .any(|f| f.front.trim().is_empty() || f.back.trim().is_empty())
    {
        problems.push("every flashcard needs a front and a back".to_owned());
    }
    problems
}

/// The glossary's definitions and the flashcards' answers as sentences:
/// what the offline engine may ask about when the model's own questions
/// do not pass.
fn notes_material(glossary: &[GlossaryEntry], flashcards: &[Flashcard]) -> Vec<Sentence> {
    let mut text = String::new();
    for g in glossary {
        text.push_str(&format!("{}: {}\n\n", g.term.trim(), g.definition.trim()));
    }
    for f in flashcards {
        text.push_str(&format!("{}\n\n", f.back.trim()));
    }
    notes_sentences(&text)
}

impl LlmEngine {
    pub(super) async fn write_assessment(
        &self,
        material: &Material,
        outline: &Outline,
        options: &Options,
    ) -> Result<Option<Assessment>, EngineError> {
        if !options.assessment.enabled || options.assessment.questions == 0 {
            return Ok(None);
        }
        // A topic course has no material, and its assessment runs beside
        // its chapters (the workflow's Parallel): it is written from the
        // outline, each chapter with its topics.
        let knowledge = material.topic.is_none().then(|| self.knowledge(material));
        let lessons: Vec<String> = outline
            .lessons()
            .enumerate()
            .map(|(n, l)| {
                let what = match &knowledge {
                    Some(k) => {
                        let r = k.span(l.start_ms, l.end_ms);
                        summarise(&k.sentences[r.clone()], &k.stems[r], &k.idf, 2)
                    }
                    None => String::new(),
                };
                format!(
                    "{}. {} ({}): {what}",
                    n + 1,
                    l.title,
                    l.objectives.join("; ")
                )
            })
            .collect();
        let wanted = apportion(
            &options.question_mix,
            usize::from(options.assessment.questions),
        );
        let user = prompts::render(
            prompts::ASSESSMENT,
            &[
                ("course", &outline.title),
                ("lessons", &lessons.join("\n")),
                ("count", &options.assessment.questions.to_string()),
                ("types", &mix(&wanted)),
                ("bloom", &bloom(options)),
                ("difficulty", options.difficulty.as_str()),
                ("language", options.course_language().unwrap_or("en")),
            ],
        );
        let answer = self
            .chat
            .ask::<AssessmentDraft>(
                Stage::Assessment,
                options,
                "assessment",
                vec![Message::system(prompts::SYSTEM), Message::user(&user)],
                |d| notes_check(&d.glossary, &d.flashcards),
            )
            .await?;
        let draft = answer.value;
        // A topic course's assessment has no material to stand on but the
        // notes of this same reply.
        let ground_knowledge = match &knowledge {
            Some(k) => Arc::clone(k),
            None => Arc::new(Knowledge::new(Material::from(notes_material(
                &draft.glossary,
                &draft.flashcards,
            )))),
        };
        self.keep_notes(material, draft.glossary, draft.flashcards)
            .await;
        let scope = Scope {
            knowledge: &ground_knowledge,
            range: 0..ground_knowledge.sentences.len(),
            start_ms: 0,
            end_ms: u64::MAX,
            title: &outline.title,
            id_prefix: "final".into(),
        };
        let ground = match knowledge {
            Some(_) => Ground::Material(&scope),
            None => Ground::Notes {
                notes: &scope,
                request: &user,
            },
        };
        let written = Written {
            stage: Stage::Assessment,
            cached_at: answer.cached_at,
            questions: draft.questions,
        };
        let mut questions = self
            .guarded(written, ground, &wanted, options, "final")
            .await?;
        if knowledge.is_none() {
            unspan(&mut questions);
        }
        Ok(Some(Assessment {
            questions,
            passing_score: options.assessment.passing_score,
            time_limit_s: options.assessment.time_limit_s,
        }))
    }

    /// Keeps the notes an assessment call wrote, for the notes writer.
    pub(super) async fn keep_notes(
        &self,
        material: &Material,
        glossary: Vec<GlossaryEntry>,
        flashcards: Vec<Flashcard>,
    ) {
        let notes = Notes {
            glossary,
            flashcards,
        };
        let bytes = serde_json::to_vec(&notes).expect("notes serialise");
        self.chat
            .cache()
            .put("notes", &address(material), bytes)
            .await;
    }

    /// The notes an assessment call wrote for `material`, if any.
    pub(super) async fn kept_notes(&self, material: &Material) -> Option<Notes> {
        let bytes = self.chat.cache().get("notes", &address(material)).await?;
        serde_json::from_slice(&bytes).ok()
    }

    /// The notes the assessment call wrote for this material, else a call
    /// of their own from the compact view.
    pub(super) async fn write_notes(
        &self,
        material: &Material,
        options: &Options,
    ) -> Result<Notes, EngineError> {
        if let Some(notes) = self.kept_notes(material).await {
            return Ok(notes);
        }
        let knowledge = self.knowledge(material);
        let blocks = view::blocks(&knowledge, None);
        let user = prompts::render(
            prompts::NOTES,
            &[
                ("blocks", &view::compact(&knowledge, &blocks)),
                ("language", options.course_language().unwrap_or("en")),
            ],
        );
        self.ask_notes(user, options).await
    }

    /// The glossary and flashcards, in a call of their own.
    pub(super) async fn ask_notes(
        &self,
        user: String,
        options: &Options,
    ) -> Result<Notes, EngineError> {
        let answer = self
            .chat
            .ask::<NotesDraft>(
                Stage::Assemble,
                options,
                "notes",
                vec![Message::system(prompts::SYSTEM), Message::user(user)],
                |d| notes_check(&d.glossary, &d.flashcards),
            )
            .await?;
        Ok(Notes {
            glossary: answer.value.glossary,
            flashcards: answer.value.flashcards,
        })
    }
}
