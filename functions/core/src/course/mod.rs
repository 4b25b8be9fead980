//! The course document: what a job produces. Its JSON Schema
//! (`schema/course.v1.schema.json`) is generated from these types, and other
//! tools rely on the field names, so renaming a field is a breaking change.

mod levels;
mod question;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use levels::{BloomLevel, Difficulty};
pub use question::{
    ChoiceOption, CodeTest, ExportCode, NumericRange, ParameterKind, Question, QuestionBody,
    QuestionParameter, QuestionType, RubricItem,
};

use crate::validation::{ValidationError, ensure};

/// The version of the course document format. Bump it, and the schema file's
/// name, on any incompatible change.
pub const COURSE_SCHEMA_VERSION: u32 = 1;

/// Whether text in language `lang` (a BCP 47 tag) is written right to
/// left: Arabic, Hebrew, Persian, Urdu and their kin.
pub fn right_to_left(lang: &str) -> bool {
    let primary = lang.split(['-', '_']).next().unwrap_or(lang);
    matches!(
        primary.to_ascii_lowercase().as_str(),
        "ar" | "he" | "fa" | "ur" | "ps" | "sd" | "ug" | "yi" | "dv" | "ckb"
    )
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Course {
    pub schema_version: u32,
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// BCP 47 tag of the language the course is written in.
    pub language: String,
    #[serde(default)]
    pub modules: Vec<Module>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assessment: Option<Assessment>,
    #[serde(default)]
    pub glossary: Vec<GlossaryEntry>,
    #[serde(default)]
    pub flashcards: Vec<Flashcard>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Module {
    pub title: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub lessons: Vec<Lesson>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Lesson {
    pub title: String,
    #[serde(default)]
    pub objectives: Vec<String>,
    /// The lesson text, in Markdown.
    pub content_md: String,
    #[serde(default)]
    pub key_concepts: Vec<String>,
    /// The video the lesson comes from, when the material is a video.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_video: Option<String>,
    /// Where the lesson starts and ends in the material, in milliseconds.
    pub start_ms: u64,
    pub end_ms: u64,
    #[serde(default)]
    pub exercises: Vec<Question>,
}

impl Lesson {
    /// Whether the lesson has nothing to teach from: no objective, text or
    /// key concept (an engine or a reviewer left it empty).
    pub fn is_empty(&self) -> bool {
        let blank = |s: &String| s.trim().is_empty();
        self.objectives.iter().all(blank)
            && blank(&self.content_md)
            && self.key_concepts.iter().all(blank)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Assessment {
    pub questions: Vec<Question>,
    /// Percentage of points needed to pass, 0–100.
    #[schemars(range(max = 100))]
    pub passing_score: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_limit_s: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct GlossaryEntry {
    pub term: String,
    pub definition: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<SourceSpan>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Flashcard {
    pub front: String,
    pub back: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<SourceSpan>,
}

/// A span of the material, in milliseconds from its start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SourceSpan {
    pub start_ms: u64,
    pub end_ms: u64,
}

impl SourceSpan {
    pub fn validate(&self) -> Result<(), ValidationError> {
        ensure(self.start_ms <= self.end_ms, "end_ms", || {
            format!("{} is before start_ms {}", self.end_ms, self.start_ms)
        })
    }
}

impl Course {
    /// Checks what the types cannot: versions, spans, passing score, question
    /// structure and unique question ids. The error names the offending field.
    pub fn validate(&self) -> Result<(), ValidationError> {
        ensure(
            self.schema_version == COURSE_SCHEMA_VERSION,
            "schema_version",
            || {
                format!(
                    "is {}, this build reads {COURSE_SCHEMA_VERSION}",
                    self.schema_version
                )
            },
        )?;
        ensure(!self.title.trim().is_empty(), "title", || {
            "must not be empty".into()
        })?;
        let mut ids = std::collections::HashSet::new();
        let mut check = |q: &Question, path: String| {
            q.validate().map_err(|e| e.within(&path))?;
            ensure(ids.insert(q.id.clone()), &format!("{path}.id"), || {
                format!("{:?} is used by another question", q.id)
            })
        };
        for (m, module) in self.modules.iter().enumerate() {
            for (l, lesson) in module.lessons.iter().enumerate() {
                let path = format!("modules[{m}].lessons[{l}]");
                ensure(
                    lesson.start_ms <= lesson.end_ms,
                    &format!("{path}.end_ms"),
                    || "is before start_ms".into(),
                )?;
                for (e, q) in lesson.exercises.iter().enumerate() {
                    check(q, format!("{path}.exercises[{e}]"))?;
                }
            }
        }
        if let Some(a) = &self.assessment {
            ensure(a.passing_score <= 100, "assessment.passing_score", || {
                "must be a percentage, 0–100".into()
            })?;
            for (i, q) in a.questions.iter().enumerate() {
                check(q, format!("assessment.questions[{i}]"))?;
            }
        }
        Ok(())
    }

    /// Every question of the course: lesson exercises, then the assessment.
    pub fn questions(&self) -> impl Iterator<Item = &Question> {
        self.modules
            .iter()
            .flat_map(|m| &m.lessons)
            .flat_map(|l| &l.exercises)
            .chain(self.assessment.iter().flat_map(|a| &a.questions))
    }
}

/// The JSON Schema of the course document, as checked into
/// `schema/course.v1.schema.json`.
pub fn course_schema() -> serde_json::Value {
    let mut schema = serde_json::to_value(schemars::schema_for!(Course))
        .expect("a generated schema is always valid JSON");
    schema["$id"] = serde_json::json!(format!(
        "urn:coursegen:schema:course:v{COURSE_SCHEMA_VERSION}"
    ));
    schema
}
