//! One lesson: a call that sees the outline and the lesson's own span of
//! the material (nothing else of it), then the question guards, a
//! follow-up for only the exercises that failed them, and the offline
//! engine's questions for any type the model still did not supply.

use std::collections::BTreeMap;

use coursegen_core::course::{Lesson, Question, QuestionType};
use coursegen_core::options::Options;
use coursegen_core::outputs::Outline;
use coursegen_core::ports::{EngineError, LessonRequest};
use coursegen_core::stage::Stage;
use schemars::JsonSchema;
use serde::Deserialize;

use super::chat::Message;
use super::guards::{self, describe_missing};
use super::{LlmEngine, prompts, view};
use crate::offline::questions::{Scope, generate};
use crate::offline::summary::central_sentences;

/// The lesson call's reply.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct LessonDraft {
    pub title: String,
    pub objectives: Vec<String>,
    /// The lesson text, in Markdown.
    pub content_md: String,
    pub key_concepts: Vec<String>,
    pub exercises: Vec<Question>,
}

/// The follow-up's reply: replacements for the exercises that failed.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct Replacements {
    pub exercises: Vec<Question>,
}

/// "2 single_choice, 1 true_false".
pub fn mix(wanted: &BTreeMap<QuestionType, usize>) -> String {
    wanted
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(t, n)| format!("{n} {}", t.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// "remember 30%, understand 30%".
pub fn bloom(options: &Options) -> String {
    options
        .bloom
        .iter()
        .filter(|(_, s)| **s > 0)
        .map(|(l, s)| format!("{} {s}%", l.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Where a lesson sits in the outline, as its call sees it: its module,
/// and the lessons before and after it.
pub(super) fn outline_view(outline: &Outline, module: usize, lesson: usize) -> String {
    let all: Vec<&str> = outline.lessons().map(|l| l.title.as_str()).collect();
    let at = outline.modules[..module.min(outline.modules.len())]
        .iter()
        .map(|m| m.lessons.len())
        .sum::<usize>()
        + lesson;
    let mut lines = Vec::new();
    if let Some(m) = outline.modules.get(module) {
        lines.push(format!("Module {}: {}", module + 1, m.title));
    }
    if let Some(before) = at.checked_sub(1).and_then(|i| all.get(i)) {
        lines.push(format!("Previous lesson: {before}"));
    }
    if let Some(after) = all.get(at + 1) {
        lines.push(format!("Next lesson: {after}"));
    }
    lines.join("\n")
}

impl LlmEngine {
    pub(super) async fn write_lesson(
        &self,
        request: LessonRequest<'_>,
    ) -> Result<Lesson, EngineError> {
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
        let options = request.options;
        let knowledge = self.knowledge(request.material);
        let range = knowledge.span(plan.start_ms, plan.end_ms);
        let code: Vec<String> = knowledge
            .code
            .iter()
            .filter(|c| c.start_ms >= plan.start_ms && c.start_ms < plan.end_ms)
            .map(|c| {
                format!(
                    "```{}\n{}\n```",
                    c.language.as_deref().unwrap_or(""),
                    c.code
                )
            })
            .collect();
        let code = if code.is_empty() {
            String::new()
        } else {
            format!("Code shown in this part:\n{}\n", code.join("\n"))
        };
        let wanted: BTreeMap<QuestionType, usize> = options
            .question_mix
            .iter()
            .map(|(t, n)| (*t, usize::from(*n)))
            .collect();
        let user = prompts::render(
            prompts::LESSON,
            &[
                ("course", &request.outline.title),
                (
                    "outline",
                    &outline_view(request.outline, request.module, request.lesson),
                ),
                ("lesson", &plan.title),
                ("objectives", &plan.objectives.join("; ")),
                ("span", &view::span(&knowledge, plan.start_ms, plan.end_ms)),
                ("code", &code),
                ("mix", &mix(&wanted)),
                ("bloom", &bloom(options)),
                ("difficulty", options.difficulty.as_str()),
                ("language", options.course_language().unwrap_or("en")),
            ],
        );
        let answer = self
            .chat
            .ask::<LessonDraft>(
                Stage::Lessons,
                options,
                "lesson",
                vec![Message::system(prompts::SYSTEM), Message::user(user)],
                |d| {
                    let mut problems = Vec::new();
                    if d.content_md.trim().is_empty() {
                        problems.push("content_md must not be empty".to_owned());
                    }
                    problems
                },
            )
            .await?;
        let draft = answer.value;
        let id_prefix = format!("m{}-l{}", request.module + 1, request.lesson + 1);
        let scope = Scope {
            knowledge: &knowledge,
            range,
            start_ms: plan.start_ms,
            end_ms: plan.end_ms,
            title: &plan.title,
            id_prefix: id_prefix.clone(),
        };
        let exercises = self
            .guarded(
                Written {
                    stage: Stage::Lessons,
                    cached_at: answer.cached_at,
                    questions: draft.exercises,
                },
                Ground::Material(&scope),
                &wanted,
                options,
                &id_prefix,
            )
            .await?;
        Ok(Lesson {
            title: if draft.title.trim().is_empty() {
                plan.title.clone()
            } else {
                draft.title
            },
            objectives: if draft.objectives.is_empty() {
                plan.objectives.clone()
            } else {
                draft.objectives
            },
            content_md: draft.content_md,
            key_concepts: draft.key_concepts,
            source_video: request.video.map(str::to_owned),
            // The lesson's times are its video's own (a playlist's videos
            // follow one another in the material).
            start_ms: plan.start_ms.saturating_sub(request.video_start_ms),
            end_ms: plan.end_ms.saturating_sub(request.video_start_ms),
            exercises,
        })
    }

    /// The exercises that pass the guards (answers stated in the material,
    /// if there is some); one follow-up for only the ones that failed; then
    /// the offline engine's, from the material or the notes, for any still
    /// missing. Ordered by the mix and numbered `{prefix}-q1`, …
    pub(super) async fn guarded(
        &self,
        written: Written,
        ground: Ground<'_, '_>,
        wanted: &BTreeMap<QuestionType, usize>,
        options: &Options,
        prefix: &str,
    ) -> Result<Vec<Question>, EngineError> {
        let Written {
            stage,
            cached_at,
            questions,
        } = written;
        let source = ground.material();
        let sentences = source.map(|s| &s.knowledge.sentences[s.range.clone()]);
        let mut review = guards::review(questions, sentences, wanted, &options.bloom);
        if !review.missing.is_empty() {
            let problems = review.problems.join("\n");
            let count = review.missing.len().to_string();
            let wanted = describe_missing(&review.missing);
            let conversation = match ground {
                // A fresh call with the material's central statements: the
                // follow-up does not send the part, or the reply, again.
                Ground::Material(scope) => vec![
                    Message::system(prompts::SYSTEM),
                    Message::user(prompts::render(
                        prompts::REPLACE,
                        &[
                            ("title", scope.title),
                            ("problems", &problems),
                            ("count", &count),
                            ("wanted", &wanted),
                            ("statements", &statements(scope)),
                        ],
                    )),
                ],
                // Nothing to quote: the request again, with what to
                // replace. Not the reply, which a small model's context
                // may not hold beside it.
                Ground::Notes { request, .. } => vec![
                    Message::system(prompts::SYSTEM),
                    Message::user(format!(
                        "{request}\n\n{}",
                        prompts::render(
                            prompts::REGENERATE,
                            &[
                                ("problems", &problems),
                                ("count", &count),
                                ("wanted", &wanted),
                            ],
                        )
                    )),
                ],
            };
            let replacements = self
                .chat
                .ask::<Replacements>(stage, options, "replacements", conversation, |_| Vec::new())
                .await?;
            let still_wanted = missing_counts(&review.missing);
            let second = guards::review(
                replacements.value.exercises,
                sentences,
                &still_wanted,
                &options.bloom,
            );
            review.kept.extend(second.kept);
            review.missing = second.missing;
        }
        let mut exercises = review.kept;
        let scope = ground.filler();
        if !review.missing.is_empty() {
            tracing::info!(part = %scope.title, missing = review.missing.len(), "the offline engine fills questions the model could not");
            exercises.extend(offline_questions(scope, &review.missing, options));
        }
        // Where the material cannot carry another question of a missing
        // type, one of another type keeps the asked-for count.
        let short = wanted
            .values()
            .sum::<usize>()
            .saturating_sub(exercises.len());
        if short > 0 {
            let spare: Vec<Question> = generate(scope, options)
                .into_iter()
                .filter(|q| exercises.iter().all(|e| e.prompt != q.prompt))
                .take(short)
                .collect();
            exercises.extend(spare);
        }
        // From material, a part too short to ask about may have none (as
        // with the offline engine); otherwise a reply without one usable
        // question, and nothing to fill from, is a failure to retry.
        if source.is_none() && exercises.is_empty() {
            self.chat.forget(cached_at.as_deref()).await;
            let why = if review.problems.is_empty() {
                "it wrote none".to_owned()
            } else {
                review.problems.join("; ")
            };
            return Err(EngineError::Unavailable(format!(
                "the model wrote no usable questions: {why}"
            )));
        }
        let asked: usize = wanted.values().sum();
        if exercises.len() < asked {
            tracing::warn!(
                part = prefix,
                kept = exercises.len(),
                asked,
                "fewer usable questions than asked for: the model's and the material's ran out"
            );
        }
        order_and_number(&mut exercises, wanted, prefix);
        Ok(exercises)
    }
}

/// What a part's exercises stand on.
#[derive(Clone, Copy)]
pub enum Ground<'s, 'k> {
    /// The material: each answer must be stated in its span, a follow-up
    /// quotes it, and the offline engine fills from it what is missing.
    Material(&'s Scope<'k>),
    /// Only the model's own notes, written in the same reply to `request`
    /// (a topic course's assessment, written beside its chapters): nothing
    /// to hold the answers to, but the offline engine fills from them what
    /// the model could not write.
    Notes {
        notes: &'s Scope<'k>,
        request: &'s str,
    },
}

impl<'s, 'k> Ground<'s, 'k> {
    fn material(self) -> Option<&'s Scope<'k>> {
        match self {
            Ground::Material(scope) => Some(scope),
            Ground::Notes { .. } => None,
        }
    }

    fn filler(self) -> &'s Scope<'k> {
        match self {
            Ground::Material(scope) | Ground::Notes { notes: scope, .. } => scope,
        }
    }
}

/// Questions the model wrote.
pub struct Written {
    /// The stage asking, whose model writes the follow-up.
    pub stage: Stage,
    /// Where the reply is cached, to forget it if nothing in it is usable.
    pub cached_at: Option<String>,
    pub questions: Vec<Question>,
}

/// The statements a follow-up may ask about: the most central sixth of
/// the scope's sentences (3 to 8), in order.
fn statements(scope: &Scope<'_>) -> String {
    let k = scope.knowledge;
    let r = scope.range.clone();
    let count = (r.len() / 6).clamp(3, 8);
    let mut picked = central_sentences(&k.sentences[r.clone()], &k.stems[r.clone()], &k.idf, count);
    picked.sort_unstable();
    picked
        .into_iter()
        .map(|i| k.sentences[r.start + i].text.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Questions of a topic course point at no span of any media.
pub fn unspan(questions: &mut [Question]) {
    for q in questions {
        q.source = None;
    }
}

/// The count of each type among `missing`.
pub fn missing_counts(
    missing: &[(QuestionType, Option<coursegen_core::course::BloomLevel>)],
) -> BTreeMap<QuestionType, usize> {
    let mut counts = BTreeMap::new();
    for (t, _) in missing {
        *counts.entry(*t).or_default() += 1;
    }
    counts
}

/// The offline engine's questions of the missing types, from the same scope.
pub fn offline_questions(
    scope: &Scope<'_>,
    missing: &[(QuestionType, Option<coursegen_core::course::BloomLevel>)],
    options: &Options,
) -> Vec<Question> {
    let only = Options {
        question_mix: missing_counts(missing)
            .iter()
            .map(|(t, n)| (*t, u8::try_from(*n).unwrap_or(u8::MAX)))
            .collect(),
        ..options.clone()
    };
    let scope = Scope {
        id_prefix: format!("{}-offline", scope.id_prefix),
        range: scope.range.clone(),
        ..*scope
    };
    generate(&scope, &only)
}

/// In the mix's type order, numbered `{prefix}-q1`, `-q2`, …
pub fn order_and_number(
    questions: &mut [Question],
    wanted: &BTreeMap<QuestionType, usize>,
    prefix: &str,
) {
    let rank = |t: QuestionType| wanted.keys().position(|k| *k == t).unwrap_or(usize::MAX);
    questions.sort_by_key(|q| rank(q.question_type()));
    for (i, q) in questions.iter_mut().enumerate() {
        q.id = format!("{prefix}-q{}", i + 1);
        if q.points == 0 {
            q.points = 1;
        }
    }
}
