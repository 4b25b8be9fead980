//! Job options: how a course is made. Every field has a sensible default, so
//! `{}` is a valid set of options.

use std::collections::{BTreeMap, BTreeSet};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::course::{BloomLevel, Difficulty, QuestionType};
use crate::stage::Stage;
use crate::validation::{ValidationError, ensure};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Options {
    /// BCP 47 tag of the material's language; absent = detect.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_language: Option<String>,
    /// BCP 47 tag of the course's language; absent = the source language.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_language: Option<String>,
    pub difficulty: Difficulty,
    /// How many questions of each type every lesson gets.
    pub question_mix: BTreeMap<QuestionType, u8>,
    /// Share of questions per Bloom level, in percent; adds up to 100.
    pub bloom: BTreeMap<BloomLevel, u8>,
    pub assessment: AssessmentOptions,
    /// The stages a human must approve. `"auto"` = none.
    pub approvals: Approvals,
    /// The engine per stage; stages not named use `default_engine`.
    pub default_engine: EngineKind,
    pub engines: BTreeMap<Stage, EngineKind>,
    /// The LLM model per stage, for the LLM engine.
    pub models: BTreeMap<Stage, String>,
    pub render_videos: bool,
    /// How the lesson videos are made (voice, pace, size, subtitles).
    pub videos: crate::videos::VideoOptions,
    /// Continue even when validation finds the material unsuitable.
    pub force: bool,
    /// Ask the LLM anew: replies cached from earlier runs of the same
    /// request are not reused (a rerun with the same input then differs).
    pub fresh: bool,
    /// How many lessons are generated at once.
    pub max_concurrency: u8,
    /// Packages and question banks written when the course is made (after
    /// its videos), kept for download: e.g. `["scorm12", "cc13"]`.
    #[serde(skip_serializing_if = "BTreeSet::is_empty")]
    pub exports: BTreeSet<crate::exports::format::Format>,
    /// Makes the job a script job: the script's videos storyboarded,
    /// pictured, animated and filmed, instead of a course.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storyboard: Option<crate::visuals::StoryboardOptions>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct AssessmentOptions {
    pub enabled: bool,
    pub questions: u8,
    /// Percentage of points needed to pass.
    pub passing_score: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_limit_s: Option<u32>,
}

impl Default for AssessmentOptions {
    fn default() -> Self {
        AssessmentOptions {
            enabled: true,
            questions: 10,
            passing_score: 70,
            time_limit_s: Some(30 * 60),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum EngineKind {
    #[default]
    Offline,
    Openai,
    AiServer,
}

/// The set of stages that wait for a human. Reads `"auto"` (none),
/// `"default"`, or a list of gateable stage names; writes the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(try_from = "ApprovalsInput", into = "BTreeSet<Stage>")]
pub struct Approvals(BTreeSet<Stage>);

#[derive(Deserialize, JsonSchema)]
#[serde(untagged)]
enum ApprovalsInput {
    Keyword(String),
    Stages(BTreeSet<Stage>),
}

impl Approvals {
    pub fn none() -> Self {
        Approvals(BTreeSet::new())
    }
    pub fn requires(&self, stage: Stage) -> bool {
        self.0.contains(&stage)
    }
    pub fn stages(&self) -> impl Iterator<Item = Stage> + '_ {
        self.0.iter().copied()
    }
}

impl Default for Approvals {
    fn default() -> Self {
        Approvals(Stage::GATEABLE.into_iter().collect())
    }
}

impl TryFrom<ApprovalsInput> for Approvals {
    type Error = String;
    fn try_from(input: ApprovalsInput) -> Result<Self, String> {
        match input {
            ApprovalsInput::Keyword(k) if k == "auto" => Ok(Approvals::none()),
            ApprovalsInput::Keyword(k) if k == "default" => Ok(Approvals::default()),
            ApprovalsInput::Keyword(k) => Err(format!(
                "approvals: {k:?} is not \"auto\", \"default\" or a list of stages"
            )),
            ApprovalsInput::Stages(stages) => match stages.iter().find(|s| !s.is_gateable()) {
                Some(s) => Err(format!(
                    "approvals: stage {s} has no approval gate (segment, outline and questions do)"
                )),
                None => Ok(Approvals(stages)),
            },
        }
    }
}

impl From<Approvals> for BTreeSet<Stage> {
    fn from(a: Approvals) -> Self {
        a.0
    }
}

impl Default for Options {
    fn default() -> Self {
        use BloomLevel::*;
        use QuestionType::*;
        Options {
            source_language: None,
            target_language: None,
            difficulty: Difficulty::Medium,
            // Every type that fits any material; code questions are asked
            // for only of material that shows code.
            question_mix: [
                (SingleChoice, 2),
                (MultiChoice, 1),
                (TrueFalse, 1),
                (FillBlank, 1),
                (ShortAnswer, 1),
                (Numeric, 1),
                (Ordering, 1),
                (Descriptive, 1),
            ]
            .into_iter()
            .collect(),
            bloom: [(Remember, 30), (Understand, 30), (Apply, 20), (Analyze, 20)]
                .into_iter()
                .collect(),
            assessment: AssessmentOptions::default(),
            approvals: Approvals::default(),
            default_engine: EngineKind::Offline,
            engines: BTreeMap::new(),
            models: BTreeMap::new(),
            render_videos: false,
            videos: crate::videos::VideoOptions::default(),
            force: false,
            fresh: false,
            max_concurrency: 8,
            exports: BTreeSet::new(),
            storyboard: None,
        }
    }
}

/// The options a rerun of the questions review may change: they shape the
/// lessons' exercises and the final assessment.
/// `fresh` asks the LLM for new questions even with the same options.
pub const QUESTION_OPTIONS: [&str; 5] =
    ["difficulty", "question_mix", "bloom", "assessment", "fresh"];

/// Limits that keep one job's work bounded.
pub const MAX_QUESTIONS_PER_TYPE: u8 = 20;
pub const MAX_ASSESSMENT_QUESTIONS: u8 = 100;
pub const MAX_CONCURRENCY: u8 = 40;

impl Options {
    pub fn engine_for(&self, stage: Stage) -> EngineKind {
        self.engines
            .get(&stage)
            .copied()
            .unwrap_or(self.default_engine)
    }

    /// The language the course is written in.
    pub fn course_language(&self) -> Option<&str> {
        self.target_language
            .as_deref()
            .or(self.source_language.as_deref())
    }

    /// These options with a rerun's `parameters` laid over them. Each key
    /// given replaces that option, except `assessment`, which is merged field
    /// by field; only `allowed` keys may appear, and the result is validated.
    pub fn overlaid(
        &self,
        parameters: &serde_json::Value,
        allowed: &[&str],
    ) -> Result<Options, ValidationError> {
        use serde_json::Value;
        let Value::Object(given) = parameters else {
            return Err(ValidationError::new("", "must be a JSON object"));
        };
        let mut merged =
            serde_json::to_value(self).map_err(|e| ValidationError::new("", e.to_string()))?;
        for (key, value) in given {
            if !allowed.contains(&key.as_str()) {
                return Err(ValidationError::new(
                    key.as_str(),
                    format!("cannot be changed here; these can: {}", allowed.join(", ")),
                ));
            }
            match (&mut merged[key.as_str()], value) {
                (Value::Object(old), Value::Object(new)) if key == "assessment" => {
                    old.extend(new.clone());
                }
                (slot, _) => *slot = value.clone(),
            }
        }
        let options: Options =
            serde_json::from_value(merged).map_err(|e| ValidationError::new("", e.to_string()))?;
        options.validate()?;
        Ok(options)
    }

    pub fn validate(&self) -> Result<(), ValidationError> {
        for (field, lang) in [
            ("source_language", &self.source_language),
            ("target_language", &self.target_language),
        ] {
            if let Some(lang) = lang {
                ensure(is_language_tag(lang), field, || {
                    format!("{lang:?} is not a language tag like \"en\" or \"pt-BR\"")
                })?;
            }
        }
        for (ty, n) in &self.question_mix {
            ensure(
                *n <= MAX_QUESTIONS_PER_TYPE,
                &format!("question_mix.{}", ty.as_str()),
                || format!("at most {MAX_QUESTIONS_PER_TYPE} per lesson"),
            )?;
        }
        ensure(
            self.question_mix.values().any(|n| *n > 0),
            "question_mix",
            || "ask for at least one question per lesson".into(),
        )?;
        let bloom_total: u32 = self.bloom.values().map(|v| u32::from(*v)).sum();
        ensure(bloom_total == 100, "bloom", || {
            format!("percentages must add up to 100, not {bloom_total}")
        })?;
        let a = &self.assessment;
        ensure(a.passing_score <= 100, "assessment.passing_score", || {
            "must be 0–100".into()
        })?;
        ensure(
            a.questions <= MAX_ASSESSMENT_QUESTIONS,
            "assessment.questions",
            || format!("at most {MAX_ASSESSMENT_QUESTIONS}"),
        )?;
        ensure(
            !a.enabled || a.questions > 0,
            "assessment.questions",
            || "an enabled assessment needs at least one question".into(),
        )?;
        ensure(a.time_limit_s != Some(0), "assessment.time_limit_s", || {
            "must be positive (leave it out for no limit)".into()
        })?;
        self.videos.validate().map_err(|e| e.within("videos"))?;
        if let Some(storyboard) = &self.storyboard {
            storyboard.validate().map_err(|e| e.within("storyboard"))?;
            ensure(!self.render_videos, "render_videos", || {
                "a script job makes storyboard videos, not a course with lesson videos".into()
            })?;
        }
        for (stage, model) in &self.models {
            ensure(!model.trim().is_empty(), &format!("models.{stage}"), || {
                "must not be empty".into()
            })?;
        }
        ensure(
            self.default_engine != EngineKind::AiServer,
            "default_engine",
            || {
                "the AI server is chosen per stage (engines.ingest, engines.segment, engines.questions)".into()
            },
        )?;
        for (stage, engine) in &self.engines {
            ensure(
                *engine != EngineKind::AiServer || AI_SERVER_STAGES.contains(stage),
                &format!("engines.{stage}"),
                || {
                    "the AI server does only transcription (ingest), segmentation and question generation".into()
                },
            )?;
        }
        ensure(
            (1..=MAX_CONCURRENCY).contains(&self.max_concurrency),
            "max_concurrency",
            || format!("must be 1–{MAX_CONCURRENCY}"),
        )
    }

    /// Whether `stage`'s work goes to the external AI server.
    pub fn sends_to_ai_server(&self, stage: Stage) -> bool {
        AI_SERVER_STAGES.contains(&stage) && self.engine_for(stage) == EngineKind::AiServer
    }
}

/// The stages the external AI server can do.
pub const AI_SERVER_STAGES: [Stage; 3] = [Stage::Ingest, Stage::Segment, Stage::Questions];

/// A pragmatic BCP 47 check: a 2–3 letter language, then optional subtags of
/// 2–8 letters or digits (`en`, `pt-BR`, `zh-Hant-TW`, `es-419`).
fn is_language_tag(s: &str) -> bool {
    let mut parts = s.split('-');
    let lang_ok = parts
        .next()
        .is_some_and(|l| (2..=3).contains(&l.len()) && l.bytes().all(|b| b.is_ascii_alphabetic()));
    lang_ok
        && parts.all(|p| (2..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_object_is_the_valid_default() {
        let o: Options = serde_json::from_str("{}").unwrap();
        assert_eq!(o, Options::default());
        o.validate().unwrap();
        assert!(o.approvals.requires(Stage::Segment));
        assert_eq!(o.engine_for(Stage::Lessons), EngineKind::Offline);
    }

    #[test]
    fn the_ai_server_takes_only_its_own_stages() {
        let o: Options = serde_json::from_value(
            serde_json::json!({"engines": {"segment": "ai-server", "questions": "ai-server"}}),
        )
        .unwrap();
        o.validate().unwrap();
        assert!(o.sends_to_ai_server(Stage::Segment));
        assert!(!o.sends_to_ai_server(Stage::Outline));
        let outline: Options =
            serde_json::from_value(serde_json::json!({"engines": {"outline": "ai-server"}}))
                .unwrap();
        assert_eq!(outline.validate().unwrap_err().field, "engines.outline");
        let default: Options =
            serde_json::from_value(serde_json::json!({"default_engine": "ai-server"})).unwrap();
        assert_eq!(default.validate().unwrap_err().field, "default_engine");
    }

    #[test]
    fn approvals_accept_auto_default_and_lists() {
        let auto: Options = serde_json::from_str(r#"{"approvals":"auto"}"#).unwrap();
        assert!(Stage::ALL.iter().all(|s| !auto.approvals.requires(*s)));
        let some: Options = serde_json::from_str(r#"{"approvals":["outline"]}"#).unwrap();
        assert!(
            some.approvals.requires(Stage::Outline) && !some.approvals.requires(Stage::Segment)
        );
        let err = serde_json::from_str::<Options>(r#"{"approvals":["lessons"]}"#).unwrap_err();
        assert!(err.to_string().contains("no approval gate"), "{err}");
        assert!(serde_json::from_str::<Options>(r#"{"approvals":"sometimes"}"#).is_err());
        // Round trip writes the list.
        let json = serde_json::to_value(&some).unwrap();
        assert_eq!(json["approvals"], serde_json::json!(["outline"]));
    }

    #[test]
    fn validation_names_the_field() {
        let cases: Vec<(&str, &str)> = vec![
            (r#"{"bloom":{"remember":50}}"#, "bloom"),
            (r#"{"source_language":"english!"}"#, "source_language"),
            (r#"{"question_mix":{"numeric":21}}"#, "question_mix.numeric"),
            (r#"{"question_mix":{"numeric":0}}"#, "question_mix"),
            (
                r#"{"assessment":{"passing_score":101}}"#,
                "assessment.passing_score",
            ),
            (
                r#"{"assessment":{"enabled":true,"questions":0}}"#,
                "assessment.questions",
            ),
            (r#"{"max_concurrency":0}"#, "max_concurrency"),
            (r#"{"models":{"lessons":" "}}"#, "models.lessons"),
        ];
        for (json, field) in cases {
            let o: Options = serde_json::from_str(json).unwrap();
            assert_eq!(o.validate().unwrap_err().field, field, "{json}");
        }
        assert!(serde_json::from_str::<Options>(r#"{"colour":"red"}"#).is_err());
        assert!(is_language_tag("pt-BR") && is_language_tag("es-419") && !is_language_tag("e"));
    }

    #[test]
    fn a_rerun_overlays_only_the_allowed_options() {
        let base = Options::default();
        let changed = base
            .overlaid(
                &serde_json::json!({"question_mix": {"true_false": 4}, "assessment": {"questions": 7}}),
                &QUESTION_OPTIONS,
            )
            .unwrap();
        assert_eq!(
            changed.question_mix.len(),
            1,
            "a given option replaces the old one"
        );
        assert_eq!(changed.assessment.questions, 7);
        assert_eq!(
            changed.assessment.passing_score, base.assessment.passing_score,
            "assessment merges field by field"
        );
        let refused =
            |json: serde_json::Value| base.overlaid(&json, &QUESTION_OPTIONS).unwrap_err().field;
        assert_eq!(refused(serde_json::json!({"force": true})), "force");
        assert_eq!(
            refused(serde_json::json!({"bloom": {"remember": 10}})),
            "bloom"
        );
        assert_eq!(
            refused(serde_json::json!({"question_mix": {"essay": 1}})),
            ""
        );
        assert_eq!(refused(serde_json::json!([1])), "");
    }
}
