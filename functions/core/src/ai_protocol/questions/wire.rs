//! The items of a questions file, field for field as the AI server writes
//! them. Reading ignores unknown keys and accepts a missing or `null`
//! optional key.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use crate::course::{
    CodeTest, Difficulty, ExportCode, NumericRange, ParameterKind, QuestionParameter, RubricItem,
    SourceSpan,
};

/// One entry of the questions file's top-level array.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QuestionItem {
    pub question: ItemQuestion,
    pub solution: Solution,
    /// The end, in seconds, of the segment the question belongs to: an
    /// entry of the segment map.
    pub segment_id: f64,
    pub question_type: ExportCode,
    /// The Bloom level; coursegen writes a name here. Other writers use any
    /// of the four places [`QuestionItem::bloom_levels`] lists, as a name,
    /// `1`–`6` or `L1`–`L6`, hence a raw value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bloom_level: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<ItemMetadata>,
}

/// The `question` object of an item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemQuestion {
    pub text: String,
    #[serde(rename = "type")]
    pub kind: ItemQuestionType,
    #[serde(default, deserialize_with = "nullable")]
    pub is_parameterized: bool,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub parameters: Vec<ItemParameter>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// 0 when the question has no time limit.
    #[serde(default, deserialize_with = "nullable")]
    pub time_limit_seconds: u32,
    pub points: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bloom_level: Option<Value>,
}

/// The LMS question types (`question.type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ItemQuestionType {
    SelectOneInLot,
    SelectManyInLot,
    NumericAnswerType,
    Descriptive,
    OrderTheLots,
}

impl ItemQuestionType {
    /// The type a `questionType` code goes with: BIN questions are
    /// select-one questions with True and False as the lot.
    pub fn of(code: ExportCode) -> ItemQuestionType {
        match code {
            ExportCode::Sol | ExportCode::Bin => ItemQuestionType::SelectOneInLot,
            ExportCode::Sml => ItemQuestionType::SelectManyInLot,
            ExportCode::Nat => ItemQuestionType::NumericAnswerType,
            ExportCode::Des => ItemQuestionType::Descriptive,
            ExportCode::Otl => ItemQuestionType::OrderTheLots,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemParameter {
    pub name: String,
    pub possible_values: Vec<String>,
    #[serde(rename = "type")]
    pub kind: ParameterKind,
}

impl From<&QuestionParameter> for ItemParameter {
    fn from(p: &QuestionParameter) -> Self {
        ItemParameter {
            name: p.name.clone(),
            possible_values: p.possible_values.clone(),
            kind: p.kind,
        }
    }
}

impl From<&ItemParameter> for QuestionParameter {
    fn from(p: &ItemParameter) -> Self {
        QuestionParameter {
            name: p.name.clone(),
            possible_values: p.possible_values.clone(),
            kind: p.kind,
        }
    }
}

/// The `solution` object; its shape follows `questionType`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Solution {
    /// SOL and BIN.
    Sol(SolSolution),
    Sml(SmlSolution),
    Nat(NatSolution),
    Des(DesSolution),
    Otl(OtlSolution),
}

/// An option of a choice or ordering question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LotItem {
    pub text: String,
    /// Spelled as the format spells it.
    #[serde(default, deserialize_with = "nullable")]
    pub explaination: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SolSolution {
    pub correct_lot_item: LotItem,
    #[serde(default, deserialize_with = "nullable")]
    pub incorrect_lot_items: Vec<LotItem>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SmlSolution {
    pub correct_lot_items: Vec<LotItem>,
    #[serde(default, deserialize_with = "nullable")]
    pub incorrect_lot_items: Vec<LotItem>,
}

/// A numeric answer: anything from `lowerLimit` to `upperLimit`, `value`
/// being the exact answer when there is one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NatSolution {
    pub decimal_precision: u8,
    pub upper_limit: f64,
    pub lower_limit: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expression: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DesSolution {
    pub solution_text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OtlSolution {
    pub ordering: Vec<LotOrder>,
}

/// A lot item and its place, counted from 1, in the correct order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LotOrder {
    pub lot_item: LotItem,
    pub order: u32,
}

/// The item's `metadata` object. Readers of the format ignore it; other
/// writers may put a Bloom level here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemMetadata {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bloom_level: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coursegen: Option<CoursegenMetadata>,
}

/// What the format cannot express about a coursegen question, so that
/// importing an exported file gives the same questions back. Fields the
/// LMS also carries (time limit, source, explanation of a BIN question) are
/// used only while they agree with the LMS fields, which a person may have
/// edited since.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoursegenMetadata {
    pub id: String,
    pub difficulty: Difficulty,
    /// The exact span; `null` when the question has none (the item then
    /// sits in the first segment).
    pub source: Option<SourceSpan>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
    /// A time limit of 0 s, which `timeLimitSeconds: 0` cannot tell from
    /// none.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub zero_time_limit: bool,
    pub remainder: Remainder,
}

/// The type-specific fields that the solution object cannot hold, tagged
/// with coursegen's question type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Remainder {
    SingleChoice(ChoiceRemainder),
    MultiChoice(ChoiceRemainder),
    TrueFalse,
    Numeric {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        tolerance: Option<f64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        range: Option<NumericRange>,
    },
    Descriptive {
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        rubric: Vec<RubricItem>,
    },
    Ordering,
    /// The format has no fill-in, short-answer or code type: these export
    /// as DES with a readable `solutionText`, and keep their fields here.
    FillBlank {
        accepted: Vec<String>,
        case_sensitive: bool,
    },
    ShortAnswer {
        accepted: Vec<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        model_answer: Option<String>,
    },
    Code {
        language: String,
        template: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        tests: Vec<CodeTest>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        solution: Option<String>,
    },
}

/// Choice options as the format cannot keep them: the lot lists correct
/// items first, and an empty `explaination` reads as none.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChoiceRemainder {
    /// For each option in coursegen's order, its index in the lot (the
    /// correct lot items, then the incorrect ones). Empty when the order is
    /// the lot's own.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub option_order: Vec<usize>,
    /// Options whose explanation is the empty string rather than none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub blank_explanations: Vec<usize>,
}

impl QuestionItem {
    /// The places a Bloom level may sit, by precedence, with their paths.
    pub fn bloom_levels(&self) -> [(&'static str, Option<&Value>); 4] {
        [
            ("bloomLevel", self.bloom_level.as_ref()),
            ("question.bloomLevel", self.question.bloom_level.as_ref()),
            ("level", self.level.as_ref()),
            (
                "metadata.bloomLevel",
                self.metadata.as_ref().and_then(|m| m.bloom_level.as_ref()),
            ),
        ]
    }
}

/// `null` reads as the type's default, as a missing key does.
fn nullable<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Option::<T>::deserialize(deserializer).map(Option::unwrap_or_default)
}
