//! Topic-only courses (seed 004): the material is a brief — topic, kind of
//! course, level — and the model writes everything from it: the outline
//! (modules of chapters, each with its topics), then each chapter's notes
//! with its exercises (the workflow's lesson Map: chapters in parallel,
//! each retried on its own) and, beside them, the final assessment,
//! glossary and flashcards from the outline. The guards hold the model to
//! its own notes: an exercise's answer must be stated in its chapter, and
//! what the model could not write the offline engine fills from the
//! chapter's notes (or, for the assessment, from its glossary and cards).

use coursegen_core::course::Lesson;
use coursegen_core::material::{Material, Sentence, TopicBrief};
use coursegen_core::options::Options;
use coursegen_core::outputs::{Outline, OutlineLesson, OutlineModule};
use coursegen_core::ports::{EngineError, LessonRequest, Notes};
use coursegen_core::source::TranscriptFormat;
use coursegen_core::stage::Stage;
use schemars::JsonSchema;
use serde::Deserialize;

use super::chat::Message;
use super::lesson::{Ground, LessonDraft, Written, bloom, mix, outline_view};
use super::{LlmEngine, prompts};
use crate::offline::knowledge::Knowledge;
use crate::offline::questions::Scope;

/// The most chapters one course takes (each is a call and a lesson).
pub const MAX_CHAPTERS: usize = 12;

/// The outline call's reply.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct TopicOutline {
    pub title: String,
    pub description: String,
    pub modules: Vec<TopicModule>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct TopicModule {
    pub title: String,
    pub summary: String,
    pub chapters: Vec<Chapter>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct Chapter {
    pub title: String,
    /// What the chapter covers, each a short phrase.
    pub topics: Vec<String>,
}

/// What is wrong with a topic outline.
pub fn check_outline(outline: &TopicOutline) -> Vec<String> {
    let mut problems = Vec::new();
    if outline.title.trim().is_empty() {
        problems.push("title must not be empty".to_owned());
    }
    if outline.modules.is_empty() {
        problems.push("modules: write at least one".to_owned());
    }
    let chapters: usize = outline.modules.iter().map(|m| m.chapters.len()).sum();
    if !(1..=MAX_CHAPTERS).contains(&chapters) {
        problems.push(format!(
            "chapters: write 1–{MAX_CHAPTERS} in all, not {chapters}"
        ));
    }
    for (m, module) in outline.modules.iter().enumerate() {
        if module.chapters.is_empty() {
            problems.push(format!("modules[{m}]: a module needs a chapter"));
        }
        for (c, chapter) in module.chapters.iter().enumerate() {
            if chapter.title.trim().is_empty() || chapter.topics.is_empty() {
                problems.push(format!(
                    "modules[{m}].chapters[{c}]: a chapter needs a title and topics"
                ));
            }
        }
    }
    problems
}

/// A topic outline put right: chapters without a title dropped, a chapter
/// without topics covering its title, at most [`MAX_CHAPTERS`], empty
/// modules dropped, the topic as the title if there is none, and if no
/// chapter is left, one chapter on the whole topic (its notes are still the
/// model's to write).
pub fn mend_outline(outline: TopicOutline, brief: &TopicBrief) -> TopicOutline {
    let mut left = MAX_CHAPTERS;
    let modules: Vec<TopicModule> = outline
        .modules
        .into_iter()
        .filter_map(|module| {
            let chapters: Vec<Chapter> = module
                .chapters
                .into_iter()
                .filter(|c| !c.title.trim().is_empty())
                .map(|c| Chapter {
                    topics: if c.topics.iter().any(|t| !t.trim().is_empty()) {
                        c.topics
                    } else {
                        vec![c.title.clone()]
                    },
                    title: c.title,
                })
                .take(left)
                .collect();
            left -= chapters.len();
            (!chapters.is_empty()).then_some(TopicModule { chapters, ..module })
        })
        .collect();
    let title = if outline.title.trim().is_empty() {
        brief.topic.clone()
    } else {
        outline.title
    };
    let modules = if modules.is_empty() {
        vec![TopicModule {
            title: brief.topic.clone(),
            summary: String::new(),
            chapters: vec![Chapter {
                title: brief.topic.clone(),
                topics: vec![brief.topic.clone()],
            }],
        }]
    } else {
        modules
    };
    TopicOutline {
        title,
        description: outline.description,
        modules,
    }
}

/// The outline the pipeline reads: a lesson per chapter, its topics as
/// its objectives, and no span of any material.
pub fn to_outline(plan: TopicOutline) -> Outline {
    Outline {
        title: plan.title,
        description: plan.description,
        modules: plan
            .modules
            .into_iter()
            .map(|m| OutlineModule {
                title: m.title,
                summary: m.summary,
                lessons: m
                    .chapters
                    .into_iter()
                    .map(|c| OutlineLesson {
                        title: c.title,
                        segments: Vec::new(),
                        start_ms: 0,
                        end_ms: 0,
                        objectives: c.topics,
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// The sentences of notes the model wrote (prose only: code blocks,
/// heading marks and list bullets removed), for the guards and the
/// offline engine to read as material.
pub fn notes_sentences(markdown: &str) -> Vec<Sentence> {
    let mut prose = String::new();
    let mut in_code = false;
    for line in markdown.lines() {
        let line = line.trim();
        if line.starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code || line.is_empty() {
            prose.push('\n');
            continue;
        }
        let line = line.trim_start_matches(['#', '-', '*', '>', ' ']);
        prose.push_str(&line.replace(['*', '`', '_'], ""));
        // A heading or item without a full stop still ends there.
        if !line.ends_with(['.', '!', '?', ':']) {
            prose.push('.');
        }
        prose.push('\n');
    }
    crate::ingest::transcript(prose.as_bytes(), TranscriptFormat::Txt)
        .map(|t| crate::ingest::sentences(&t))
        .unwrap_or_default()
}

/// Whether the course is about code, so its chapters show code.
fn is_technical(brief: &TopicBrief) -> bool {
    let kind = brief.course_type.to_lowercase();
    [
        "programming",
        "code",
        "coding",
        "software",
        "data",
        "computer",
        "engineering",
    ]
    .iter()
    .any(|k| kind.contains(k))
}

impl LlmEngine {
    pub(super) async fn topic_outline(
        &self,
        brief: &TopicBrief,
        options: &Options,
    ) -> Result<Outline, EngineError> {
        let user = prompts::render(
            prompts::TOPIC_OUTLINE,
            &[
                ("topic", &brief.topic),
                ("course_type", &brief.course_type),
                ("difficulty", brief.difficulty.as_str()),
                ("language", options.course_language().unwrap_or("en")),
            ],
        );
        let plan = self
            .chat
            .ask_or_mend::<TopicOutline>(
                Stage::Outline,
                options,
                "topic_outline",
                vec![Message::system(prompts::SYSTEM), Message::user(user)],
                check_outline,
                |o| Some(mend_outline(o, brief)),
            )
            .await?
            .value;
        Ok(to_outline(plan))
    }

    /// One chapter's notes and exercises.
    pub(super) async fn write_chapter(
        &self,
        brief: &TopicBrief,
        request: LessonRequest<'_>,
    ) -> Result<Lesson, EngineError> {
        let plan = request
            .outline
            .modules
            .get(request.module)
            .and_then(|m| m.lessons.get(request.lesson))
            .ok_or_else(|| EngineError::Invalid("the outline has no such chapter".into()))?;
        let options = request.options;
        let wanted = options
            .question_mix
            .iter()
            .map(|(t, n)| (*t, usize::from(*n)))
            .collect();
        let code_rule = if is_technical(brief) {
            "Show each topic with a short, correct code example in a fenced block naming its language."
        } else {
            "Include a code example only where the topic itself involves code."
        };
        let user = prompts::render(
            prompts::CHAPTER,
            &[
                ("course", &request.outline.title),
                ("course_type", &brief.course_type),
                (
                    "outline",
                    &outline_view(request.outline, request.module, request.lesson),
                ),
                ("chapter", &plan.title),
                ("topics", &plan.objectives.join("; ")),
                ("code_rule", code_rule),
                ("mix", &mix(&wanted)),
                ("bloom", &bloom(options)),
                ("difficulty", brief.difficulty.as_str()),
                ("language", options.course_language().unwrap_or("en")),
            ],
        );
        let answer = self
            .chat
            .ask::<LessonDraft>(
                Stage::Lessons,
                options,
                "chapter",
                vec![Message::system(prompts::SYSTEM), Message::user(user)],
                |d| {
                    let mut problems = Vec::new();
                    if notes_sentences(&d.content_md).len() < 3 {
                        problems.push(
                            "content_md: write the chapter's notes, in full sentences".to_owned(),
                        );
                    }
                    problems
                },
            )
            .await?;
        let draft = answer.value;
        let knowledge = Knowledge::new(Material::from(notes_sentences(&draft.content_md)));
        let scope = Scope {
            knowledge: &knowledge,
            range: 0..knowledge.sentences.len(),
            start_ms: 0,
            end_ms: 0,
            title: &plan.title,
            id_prefix: format!("m{}-l{}", request.module + 1, request.lesson + 1),
        };
        let mut exercises = self
            .guarded(
                Written {
                    stage: Stage::Lessons,
                    cached_at: answer.cached_at,
                    questions: draft.exercises,
                },
                Ground::Material(&scope),
                &wanted,
                options,
                &scope.id_prefix,
            )
            .await?;
        super::lesson::unspan(&mut exercises);
        Ok(Lesson {
            title: plan.title.clone(),
            objectives: plan.objectives.clone(),
            content_md: draft.content_md,
            key_concepts: draft.key_concepts,
            source_video: None,
            start_ms: 0,
            end_ms: 0,
            exercises,
        })
    }

    /// The glossary and flashcards: the assessment call's, else a call of
    /// their own from the brief.
    pub(super) async fn topic_notes(
        &self,
        material: &Material,
        brief: &TopicBrief,
        options: &Options,
    ) -> Result<Notes, EngineError> {
        if let Some(notes) = self.kept_notes(material).await {
            return Ok(notes);
        }
        let user = prompts::render(
            prompts::TOPIC_NOTES,
            &[
                ("topic", &brief.topic),
                ("course_type", &brief.course_type),
                ("language", options.course_language().unwrap_or("en")),
            ],
        );
        self.ask_notes(user, options).await
    }
}

#[cfg(test)]
mod tests {
    use coursegen_core::course::Difficulty;

    use super::*;

    fn chapter(title: &str, topics: &[&str]) -> Chapter {
        Chapter {
            title: title.into(),
            topics: topics.iter().map(|t| (*t).to_owned()).collect(),
        }
    }

    #[test]
    fn any_topic_outline_is_mended_into_one_that_passes_the_check() {
        let brief = TopicBrief {
            topic: "Rust".into(),
            course_type: "programming".into(),
            difficulty: Difficulty::Easy,
        };
        let module = |chapters| TopicModule {
            title: "M".into(),
            summary: String::new(),
            chapters,
        };
        let outline = TopicOutline {
            title: " ".into(),
            description: String::new(),
            modules: vec![
                module(vec![chapter("", &["a"]), chapter("Ownership", &[])]),
                module(vec![]),
                module((0..20).map(|i| chapter(&format!("C{i}"), &["t"])).collect()),
            ],
        };
        assert!(!check_outline(&outline).is_empty());
        let mended = mend_outline(outline, &brief);
        assert!(check_outline(&mended).is_empty(), "{mended:?}");
        assert_eq!(mended.title, "Rust");
        assert_eq!(mended.modules[0].chapters[0].topics, ["Ownership"]);
        let chapters: usize = mended.modules.iter().map(|m| m.chapters.len()).sum();
        assert_eq!(chapters, MAX_CHAPTERS);

        let empty = TopicOutline {
            title: "T".into(),
            description: String::new(),
            modules: vec![module(vec![chapter(" ", &["x"])])],
        };
        let mended = mend_outline(empty, &brief);
        assert!(check_outline(&mended).is_empty(), "{mended:?}");
        assert_eq!(mended.modules[0].chapters[0].title, "Rust");
    }
}
