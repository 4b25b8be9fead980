//! A lesson's narration, written by the model as slides and the sentences
//! said over each; we put the title and summary slides around them.

use coursegen_core::narration::{Beat, MAX_SENTENCE_CHARS, Narration, Slide, subtitle};
use coursegen_core::ports::{EngineError, NarrationRequest};
use coursegen_core::stage::Stage;
use schemars::JsonSchema;
use serde::Deserialize;

use super::LlmEngine;
use super::chat::Message;
use super::prompts;

/// Words a narration runs to: one to four minutes at about 140 words a
/// minute.
const MIN_WORDS: usize = 140;
const MAX_WORDS: usize = 560;

#[derive(Debug, Deserialize, JsonSchema)]
struct NarrationDraft {
    opening: Vec<String>,
    beats: Vec<BeatDraft>,
    summary: SummaryDraft,
}

#[derive(Debug, Deserialize, JsonSchema)]
struct BeatDraft {
    heading: String,
    bullets: Vec<String>,
    terms: Vec<String>,
    sentences: Vec<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
struct SummaryDraft {
    points: Vec<String>,
    sentences: Vec<String>,
}

impl NarrationDraft {
    fn sentences(&self) -> impl Iterator<Item = &String> {
        self.opening
            .iter()
            .chain(self.beats.iter().flat_map(|b| &b.sentences))
            .chain(&self.summary.sentences)
    }
}

/// What is wrong with a draft, for the model to put right.
fn problems(draft: &NarrationDraft) -> Vec<String> {
    let mut problems = Vec::new();
    let words: usize = draft
        .sentences()
        .map(|s| s.split_whitespace().count())
        .sum();
    if !(MIN_WORDS..=MAX_WORDS + MAX_WORDS / 5).contains(&words) {
        problems.push(format!(
            "the narration has {words} words; write {MIN_WORDS}–{MAX_WORDS}"
        ));
    }
    if draft.opening.is_empty() || draft.summary.sentences.is_empty() {
        problems.push("the opening and the summary each say at least one sentence".into());
    }
    if draft.beats.is_empty() || draft.beats.iter().any(|b| b.sentences.is_empty()) {
        problems.push("write at least one beat, and sentences for every beat".into());
    }
    if let Some(long) = draft
        .sentences()
        .find(|s| s.trim().is_empty() || s.chars().count() > MAX_SENTENCE_CHARS / 3)
    {
        problems.push(format!("{long:?} is not one short spoken sentence"));
    }
    problems
}

impl LlmEngine {
    pub(super) async fn write_narration(
        &self,
        request: NarrationRequest<'_>,
    ) -> Result<Narration, EngineError> {
        let lesson = request.lesson;
        let objectives: Vec<String> = lesson.objectives.iter().map(|o| format!("- {o}")).collect();
        let user = prompts::render(
            prompts::NARRATION,
            &[
                ("module", request.module_title),
                ("title", &lesson.title),
                ("objectives", &objectives.join("\n")),
                ("concepts", &lesson.key_concepts.join(", ")),
                ("content", &lesson.content_md),
                ("min_words", &MIN_WORDS.to_string()),
                ("max_words", &MAX_WORDS.to_string()),
                ("language", request.language),
            ],
        );
        let answer = self
            .chat
            .ask::<NarrationDraft>(
                Stage::Videos,
                request.options,
                "narration",
                vec![Message::system(prompts::SYSTEM), Message::user(user)],
                problems,
            )
            .await?;
        let draft = answer.value;
        let mut beats = vec![Beat {
            slide: Slide::Title {
                title: lesson.title.clone(),
                subtitle: subtitle(request.module_title, &lesson.title),
            },
            sentences: draft.opening,
        }];
        beats.extend(draft.beats.into_iter().map(|b| Beat {
            slide: Slide::Points {
                heading: b.heading,
                bullets: b.bullets,
                terms: b.terms,
            },
            sentences: b.sentences,
        }));
        beats.push(Beat {
            slide: Slide::Summary {
                heading: lesson.title.clone(),
                points: draft.summary.points,
            },
            sentences: draft.summary.sentences,
        });
        beats.retain(|b| !b.sentences.is_empty());
        Ok(Narration {
            title: lesson.title.clone(),
            language: request.language.to_owned(),
            beats,
        })
    }
}
