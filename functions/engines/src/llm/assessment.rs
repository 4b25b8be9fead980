//! The final assessment, with the glossary and flashcards, in one call
//! that sees the outline and a two-sentence summary of each lesson's span
//! (drawn locally, at no cost), never the transcript itself. The notes are
//! kept for the notes writer, which otherwise asks from the compact view.

use coursegen_core::course::{Assessment, Flashcard, GlossaryEntry, Question};
use coursegen_core::material::Material;
use coursegen_core::options::Options;
use coursegen_core::outputs::Outline;
use coursegen_core::ports::{EngineError, Notes};
use coursegen_core::stage::Stage;
use schemars::JsonSchema;
use serde::Deserialize;

use super::cache::address;
use super::chat::Message;
use super::guards::{self, apportion, describe_missing};
use super::lesson::{Replacements, bloom, missing_counts, mix, order_and_number};
use super::{LlmEngine, prompts, view};
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

/// Whether `questions` already ask what `q` asks.
fn questions_have(questions: &[Question], q: &Question) -> bool {
    questions.iter().any(|x| x.prompt == q.prompt)
}

fn notes_check(glossary: &[GlossaryEntry], flashcards: &[Flashcard]) -> Vec<String> {
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
        let knowledge = self.knowledge(material);
        let lessons: Vec<String> = outline
            .lessons()
            .enumerate()
            .map(|(n, l)| {
                let r = knowledge.span(l.start_ms, l.end_ms);
                let summary = summarise(
                    &knowledge.sentences[r.clone()],
                    &knowledge.stems[r],
                    &knowledge.idf,
                    2,
                );
                format!(
                    "{}. {} ({}): {}",
                    n + 1,
                    l.title,
                    l.objectives.join("; "),
                    summary
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
        let model = self
            .chat
            .config()
            .model_for(Stage::Assessment, options)
            .to_owned();
        let answer = self
            .chat
            .ask::<AssessmentDraft>(
                &model,
                "assessment",
                vec![Message::system(prompts::SYSTEM), Message::user(user)],
                |d| notes_check(&d.glossary, &d.flashcards),
            )
            .await?;
        let draft = answer.value;
        self.chat
            .cache()
            .put(
                "notes",
                &address(material),
                serde_json::to_vec(&Notes {
                    glossary: draft.glossary,
                    flashcards: draft.flashcards,
                })
                .expect("notes serialise"),
            )
            .await;
        let sentences = &knowledge.sentences;
        let mut review = guards::review(draft.questions, sentences, &wanted, &options.bloom);
        if !review.missing.is_empty() {
            let mut conversation = answer.conversation;
            conversation.push(Message::user(prompts::render(
                prompts::REGENERATE,
                &[
                    ("problems", &review.problems.join("\n")),
                    ("count", &review.missing.len().to_string()),
                    ("wanted", &describe_missing(&review.missing)),
                ],
            )));
            let replacements = self
                .chat
                .ask::<Replacements>(&model, "replacements", conversation, |_| Vec::new())
                .await?;
            let second = guards::review(
                replacements.value.exercises,
                sentences,
                &missing_counts(&review.missing),
                &options.bloom,
            );
            review.kept.extend(second.kept);
            review.missing = second.missing;
        }
        let mut questions = review.kept;
        if !review.missing.is_empty() {
            // The offline assessment supplies what the model could not.
            let counts = missing_counts(&review.missing);
            let offline = crate::offline::assessment::assessment(&knowledge, outline, &[], options);
            let (mut fitting, others): (Vec<_>, Vec<_>) = offline
                .into_iter()
                .flat_map(|a| a.questions)
                .partition(|q| counts.contains_key(&q.question_type()));
            let mut taken = std::collections::BTreeMap::new();
            fitting.retain(|q| {
                let n: &mut usize = taken.entry(q.question_type()).or_default();
                *n += 1;
                *n <= counts[&q.question_type()]
            });
            // Where the lecture cannot carry another question of a missing
            // type, one of another type keeps the asked-for count.
            let short = review.missing.len().saturating_sub(fitting.len());
            questions.extend(fitting);
            let extra: Vec<Question> = others
                .into_iter()
                .filter(|q| !questions_have(&questions, q))
                .take(short)
                .collect();
            questions.extend(extra);
        }
        order_and_number(&mut questions, &wanted, "final");
        Ok(Some(Assessment {
            questions,
            passing_score: options.assessment.passing_score,
            time_limit_s: options.assessment.time_limit_s,
        }))
    }

    /// The notes the assessment call wrote for this material, else a call
    /// of their own from the compact view.
    pub(super) async fn write_notes(
        &self,
        material: &Material,
        options: &Options,
    ) -> Result<Notes, EngineError> {
        if let Some(bytes) = self.chat.cache().get("notes", &address(material)).await
            && let Ok(notes) = serde_json::from_slice::<Notes>(&bytes)
        {
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
        let model = self
            .chat
            .config()
            .model_for(Stage::Assemble, options)
            .to_owned();
        let answer = self
            .chat
            .ask::<NotesDraft>(
                &model,
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
