//! Questions of every type, and the LMS-style export codes they map to.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::SourceSpan;
use super::levels::{BloomLevel, Difficulty};
use crate::validation::{ValidationError, ensure};

/// One question, in a lesson's exercises or in the final assessment. The
/// fields every type shares sit at the top level; `type` selects the
/// type-specific fields, which sit beside them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Question {
    pub id: String,
    pub prompt: String,
    /// Where in the material the question comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<SourceSpan>,
    pub bloom: BloomLevel,
    pub difficulty: Difficulty,
    pub points: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_limit_s: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
    /// Placeholders in the prompt that the LMS fills with one of each
    /// parameter's values when it shows the question.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parameters: Vec<QuestionParameter>,
    #[serde(flatten)]
    pub body: QuestionBody,
}

/// One placeholder of a parameterised question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct QuestionParameter {
    pub name: String,
    pub possible_values: Vec<String>,
    pub kind: ParameterKind,
}

/// How the LMS treats a parameter's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ParameterKind {
    Number,
    String,
}

/// The type-specific part of a question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum QuestionBody {
    /// Exactly one option is correct.
    SingleChoice {
        options: Vec<ChoiceOption>,
    },
    /// One or more options are correct.
    MultiChoice {
        options: Vec<ChoiceOption>,
    },
    TrueFalse {
        answer: bool,
    },
    /// A number: exact `value` within `tolerance`, or anything in `range`.
    Numeric {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        value: Option<f64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        tolerance: Option<f64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        range: Option<NumericRange>,
        decimal_precision: u8,
        /// A formula the value comes from, for parameterised questions.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expression: Option<String>,
    },
    /// A free-text answer graded against a model answer and a rubric.
    Descriptive {
        model_answer: String,
        #[serde(default)]
        rubric: Vec<RubricItem>,
    },
    /// `items` in their correct order; learners see them shuffled.
    Ordering {
        items: Vec<String>,
    },
    /// `prompt` holds the sentence with `____` where the answer goes.
    FillBlank {
        accepted: Vec<String>,
        #[serde(default)]
        case_sensitive: bool,
    },
    /// A short free-text answer matched against accepted answers.
    ShortAnswer {
        accepted: Vec<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        model_answer: Option<String>,
    },
    Code {
        language: String,
        template: String,
        #[serde(default)]
        tests: Vec<CodeTest>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        solution: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ChoiceOption {
    pub text: String,
    pub correct: bool,
    /// Why this option is right or wrong.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct NumericRange {
    pub min: f64,
    pub max: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RubricItem {
    pub criterion: String,
    pub points: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CodeTest {
    #[serde(default)]
    pub input: String,
    pub expected_output: String,
    /// Hidden tests are run but not shown to learners.
    #[serde(default)]
    pub hidden: bool,
}

/// The question types, by their `type` tag.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum QuestionType {
    SingleChoice,
    MultiChoice,
    TrueFalse,
    Numeric,
    Descriptive,
    Ordering,
    FillBlank,
    ShortAnswer,
    Code,
}

impl QuestionType {
    pub const ALL: [QuestionType; 9] = [
        QuestionType::SingleChoice,
        QuestionType::MultiChoice,
        QuestionType::TrueFalse,
        QuestionType::Numeric,
        QuestionType::Descriptive,
        QuestionType::Ordering,
        QuestionType::FillBlank,
        QuestionType::ShortAnswer,
        QuestionType::Code,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            QuestionType::SingleChoice => "single_choice",
            QuestionType::MultiChoice => "multi_choice",
            QuestionType::TrueFalse => "true_false",
            QuestionType::Numeric => "numeric",
            QuestionType::Descriptive => "descriptive",
            QuestionType::Ordering => "ordering",
            QuestionType::FillBlank => "fill_blank",
            QuestionType::ShortAnswer => "short_answer",
            QuestionType::Code => "code",
        }
    }

    /// The LMS-style code this type exports as. The LMS codes have no
    /// fill-in, short-answer or code type, so those export as descriptive
    /// questions whose solution text is the accepted answer(s) or solution.
    pub fn export_code(self) -> ExportCode {
        match self {
            QuestionType::SingleChoice => ExportCode::Sol,
            QuestionType::MultiChoice => ExportCode::Sml,
            QuestionType::TrueFalse => ExportCode::Bin,
            QuestionType::Numeric => ExportCode::Nat,
            QuestionType::Ordering => ExportCode::Otl,
            QuestionType::Descriptive
            | QuestionType::FillBlank
            | QuestionType::ShortAnswer
            | QuestionType::Code => ExportCode::Des,
        }
    }
}

/// LMS question codes: select one, select many, binary (true/false),
/// numeric answer, descriptive, order the lots.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum ExportCode {
    Sol,
    Sml,
    Bin,
    Nat,
    Des,
    Otl,
}

impl ExportCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ExportCode::Sol => "SOL",
            ExportCode::Sml => "SML",
            ExportCode::Bin => "BIN",
            ExportCode::Nat => "NAT",
            ExportCode::Des => "DES",
            ExportCode::Otl => "OTL",
        }
    }

    /// The question type a code imports as (the inverse of
    /// [`QuestionType::export_code`] where it is one-to-one).
    pub fn import_type(self) -> QuestionType {
        match self {
            ExportCode::Sol => QuestionType::SingleChoice,
            ExportCode::Sml => QuestionType::MultiChoice,
            ExportCode::Bin => QuestionType::TrueFalse,
            ExportCode::Nat => QuestionType::Numeric,
            ExportCode::Des => QuestionType::Descriptive,
            ExportCode::Otl => QuestionType::Ordering,
        }
    }
}

impl Question {
    pub fn question_type(&self) -> QuestionType {
        self.body.question_type()
    }

    pub fn export_code(&self) -> ExportCode {
        self.question_type().export_code()
    }

    /// Structural checks every question must pass, whichever engine wrote it.
    pub fn validate(&self) -> Result<(), ValidationError> {
        ensure(!self.id.trim().is_empty(), "id", || {
            "must not be empty".into()
        })?;
        ensure(!self.prompt.trim().is_empty(), "prompt", || {
            "must not be empty".into()
        })?;
        if let Some(span) = &self.source {
            span.validate().map_err(|e| e.within("source"))?;
        }
        self.parameters.iter().enumerate().try_for_each(|(i, p)| {
            p.validate()
                .map_err(|e| e.within(&format!("parameters[{i}]")))
        })?;
        let names: Vec<String> = self.parameters.iter().map(|p| p.name.clone()).collect();
        ensure(all_distinct(&names), "parameters", || {
            "parameter names must be distinct".into()
        })?;
        self.body.validate()
    }
}

impl QuestionParameter {
    fn validate(&self) -> Result<(), ValidationError> {
        ensure(!self.name.trim().is_empty(), "name", || {
            "must not be empty".into()
        })?;
        ensure(!self.possible_values.is_empty(), "possible_values", || {
            "needs at least one value".into()
        })
    }
}

impl QuestionBody {
    pub fn question_type(&self) -> QuestionType {
        match self {
            QuestionBody::SingleChoice { .. } => QuestionType::SingleChoice,
            QuestionBody::MultiChoice { .. } => QuestionType::MultiChoice,
            QuestionBody::TrueFalse { .. } => QuestionType::TrueFalse,
            QuestionBody::Numeric { .. } => QuestionType::Numeric,
            QuestionBody::Descriptive { .. } => QuestionType::Descriptive,
            QuestionBody::Ordering { .. } => QuestionType::Ordering,
            QuestionBody::FillBlank { .. } => QuestionType::FillBlank,
            QuestionBody::ShortAnswer { .. } => QuestionType::ShortAnswer,
            QuestionBody::Code { .. } => QuestionType::Code,
        }
    }

    fn validate(&self) -> Result<(), ValidationError> {
        let non_empty = |items: &[String], field: &str| {
            ensure(
                !items.is_empty() && items.iter().all(|s| !s.trim().is_empty()),
                field,
                || "needs at least one non-empty entry".into(),
            )
        };
        match self {
            QuestionBody::SingleChoice { options } => {
                validate_options(options)?;
                let correct = options.iter().filter(|o| o.correct).count();
                ensure(correct == 1, "options", || {
                    format!(
                        "a single-choice question needs exactly one correct option, found {correct}"
                    )
                })
            }
            QuestionBody::MultiChoice { options } => {
                validate_options(options)?;
                ensure(options.iter().any(|o| o.correct), "options", || {
                    "a multi-choice question needs at least one correct option".into()
                })
            }
            QuestionBody::TrueFalse { .. } => Ok(()),
            QuestionBody::Numeric {
                value,
                tolerance,
                range,
                ..
            } => {
                ensure(value.is_some() || range.is_some(), "value", || {
                    "a numeric question needs a value or a range".into()
                })?;
                ensure(value.is_none_or(f64::is_finite), "value", || {
                    "must be finite".into()
                })?;
                ensure(
                    tolerance.is_none_or(|t| t.is_finite() && t >= 0.0),
                    "tolerance",
                    || "must be a finite number ≥ 0".into(),
                )?;
                ensure(
                    range.is_none_or(|r| r.min.is_finite() && r.max.is_finite() && r.min <= r.max),
                    "range",
                    || "needs finite min ≤ max".into(),
                )
            }
            QuestionBody::Descriptive { model_answer, .. } => {
                ensure(!model_answer.trim().is_empty(), "model_answer", || {
                    "must not be empty".into()
                })
            }
            QuestionBody::Ordering { items } => {
                non_empty(items, "items")?;
                ensure(items.len() >= 2, "items", || {
                    "ordering needs at least two items".into()
                })?;
                ensure(all_distinct(items), "items", || {
                    "items must be distinct".into()
                })
            }
            QuestionBody::FillBlank { accepted, .. }
            | QuestionBody::ShortAnswer { accepted, .. } => non_empty(accepted, "accepted"),
            QuestionBody::Code { language, .. } => {
                ensure(!language.trim().is_empty(), "language", || {
                    "must not be empty".into()
                })
            }
        }
    }
}

fn validate_options(options: &[ChoiceOption]) -> Result<(), ValidationError> {
    ensure(options.len() >= 2, "options", || {
        "needs at least two options".into()
    })?;
    ensure(
        options.iter().all(|o| !o.text.trim().is_empty()),
        "options",
        || "option text must not be empty".into(),
    )?;
    let texts: Vec<String> = options
        .iter()
        .map(|o| o.text.trim().to_lowercase())
        .collect();
    ensure(all_distinct(&texts), "options", || {
        "options must be distinct".into()
    })
}

fn all_distinct(items: &[String]) -> bool {
    let set: std::collections::HashSet<&String> = items.iter().collect();
    set.len() == items.len()
}
