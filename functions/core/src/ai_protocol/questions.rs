//! The AI server's questions file: a JSON array of items, one per question,
//! each placed in a segment of the material by `segmentId` (a segment's end
//! time, in seconds). [`export`] writes coursegen questions in this format
//! and [`import`] reads it back, whether coursegen or the AI server wrote it.
//!
//! The LMS fields carry all they can. What they cannot (the id, difficulty,
//! exact source span, the question's explanation, and per type the option
//! order, tolerance, rubric, or the whole body of fill-in, short-answer and
//! code questions) goes under `metadata.coursegen` ([`CoursegenMetadata`]),
//! which readers of the format ignore; `import(export(qs)) == qs`. Import
//! uses that metadata only where it agrees with the LMS fields, which a
//! person may have edited in the LMS since.
//!
//! Choices where the format is ambiguous:
//! - The question's explanation stays in the metadata rather than in the
//!   correct lot item's `explaination`, which explains that option; only a
//!   BIN item, whose lot coursegen does not keep, carries it there.
//! - A NAT item with a `value` imports as that value and, unless both limits
//!   equal it, the range of its limits: the file's numbers are kept, not
//!   guessed into a tolerance.
//! - Fill-in, short-answer and code questions export as DES, with the
//!   accepted answers (joined by `; `) or the code solution as the
//!   solution text; without metadata they import as descriptive.
//! - Numbers are exact through a [`Value`]. Through JSON text they are as
//!   exact as serde_json's float parsing, which without its
//!   `float_roundtrip` feature may change the last digit; import then still
//!   restores the same structure (a tolerance stays a tolerance).

mod answer;
mod read;
mod wire;

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::fmt;

use serde_json::Value;

use self::answer::Answer;
pub use self::wire::{
    ChoiceRemainder, CoursegenMetadata, DesSolution, ItemMetadata, ItemParameter, ItemQuestion,
    ItemQuestionType, LotItem, LotOrder, NatSolution, OtlSolution, QuestionItem, Remainder,
    SmlSolution, SolSolution, Solution,
};
use crate::course::{BloomLevel, Difficulty, ExportCode, Question, SourceSpan};

/// What is wrong with a questions file, or with questions to export, and
/// where: `[3].solution.correctLotItem.text` is item 3's field (a question's
/// field for export), `segmentMap[1]` an entry of the segment map.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct FormatError {
    pub path: String,
    pub message: String,
}

pub type ImportError = FormatError;
pub type ExportError = FormatError;

impl FormatError {
    fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        FormatError {
            path: path.into(),
            message: message.into(),
        }
    }

    fn in_item(mut self, index: usize) -> Self {
        self.path = match self.path.as_str() {
            "" => format!("[{index}]"),
            path => format!("[{index}].{path}"),
        };
        self
    }
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.path.as_str() {
            "" => f.write_str(&self.message),
            path => write!(f, "{path}: {}", self.message),
        }
    }
}

/// One item per question, in order. A question goes to the segment its
/// source span starts in, or to the first segment when it has none.
pub fn export(
    questions: &[Question],
    segment_ends_s: &[f64],
) -> Result<Vec<QuestionItem>, ExportError> {
    let segments = Segments::new(segment_ends_s)?;
    if let Some((first, again)) = duplicate_id(questions) {
        let message = format!("is also the id of question [{first}]");
        return Err(FormatError::new("id", message).in_item(again));
    }
    questions
        .iter()
        .enumerate()
        .map(|(i, q)| export_one(q, &segments).map_err(|e| e.in_item(i)))
        .collect()
}

/// Reads a questions file (a JSON array of items). Every question returned
/// passes [`Question::validate`] and has a distinct id.
pub fn import(items: &Value, segment_ends_s: &[f64]) -> Result<Vec<Question>, ImportError> {
    let segments = Segments::new(segment_ends_s)?;
    let Value::Array(items) = items else {
        return Err(FormatError::new(
            "",
            "a questions file is a JSON array of items",
        ));
    };
    let questions = items
        .iter()
        .enumerate()
        .map(|(i, value)| {
            read::item(value)
                .and_then(|item| import_one(&item, i, &segments))
                .map_err(|e| e.in_item(i))
        })
        .collect::<Result<Vec<_>, _>>()?;
    if let Some((first, again)) = duplicate_id(&questions) {
        let message = format!("is also the id of item [{first}]");
        return Err(FormatError::new("metadata.coursegen.id", message).in_item(again));
    }
    Ok(questions)
}

/// The indices of the first question whose id an earlier one has.
fn duplicate_id(questions: &[Question]) -> Option<(usize, usize)> {
    let mut seen = HashMap::new();
    questions
        .iter()
        .enumerate()
        .find_map(|(i, q)| seen.insert(q.id.as_str(), i).map(|first| (first, i)))
}

fn export_one(q: &Question, segments: &Segments) -> Result<QuestionItem, FormatError> {
    q.validate()
        .map_err(|e| FormatError::new(e.field, e.message))?;
    let (question_type, solution) = answer::encode(&Answer {
        body: q.body.clone(),
        explanation: q.explanation.clone(),
    });
    if let Solution::Nat(n) = &solution
        && !(n.lower_limit.is_finite() && n.upper_limit.is_finite())
    {
        return Err(FormatError::new("tolerance", "value ± tolerance overflows"));
    }
    Ok(QuestionItem {
        question: ItemQuestion {
            text: q.prompt.clone(),
            kind: ItemQuestionType::of(question_type),
            is_parameterized: !q.parameters.is_empty(),
            parameters: q.parameters.iter().map(ItemParameter::from).collect(),
            hint: q.hint.clone(),
            time_limit_seconds: q.time_limit_s.unwrap_or(0),
            points: q.points,
            bloom_level: None,
        },
        solution,
        segment_id: segments.end_s(segments.containing(q.source.as_ref())),
        question_type,
        bloom_level: Some(q.bloom.as_str().into()),
        level: None,
        metadata: Some(ItemMetadata {
            bloom_level: None,
            coursegen: Some(CoursegenMetadata {
                id: q.id.clone(),
                difficulty: q.difficulty,
                source: q.source,
                explanation: q.explanation.clone(),
                zero_time_limit: q.time_limit_s == Some(0),
                remainder: Remainder::of(&q.body),
            }),
        }),
    })
}

fn import_one(
    item: &QuestionItem,
    index: usize,
    segments: &Segments,
) -> Result<Question, FormatError> {
    let segment = segments.by_end(item.segment_id).ok_or_else(|| {
        let message = format!("{} is not an end in the segment map", item.segment_id);
        FormatError::new("segmentId", message)
    })?;
    check_parameters(&item.question)?;
    let meta = item.metadata.as_ref().and_then(|m| m.coursegen.as_ref());
    let Answer { body, explanation } = answer::import(item.question_type, &item.solution, meta)?;
    let question = Question {
        id: meta.map_or_else(|| format!("q-{segment}-{index}"), |m| m.id.clone()),
        prompt: item.question.text.clone(),
        source: source(meta, segment, segments),
        bloom: bloom_level(item)?,
        difficulty: meta.map_or(Difficulty::Medium, |m| m.difficulty),
        points: item.question.points,
        time_limit_s: match (item.question.time_limit_seconds, meta) {
            (0, Some(m)) if m.zero_time_limit => Some(0),
            (0, _) => None,
            (seconds, _) => Some(seconds),
        },
        hint: item.question.hint.clone(),
        explanation,
        parameters: item.question.parameters.iter().map(Into::into).collect(),
        body,
    };
    question
        .validate()
        .map_err(|e| FormatError::new(item_field(&e.field), e.to_string()))?;
    Ok(question)
}

/// `questionType` and `question.type` must agree (BIN and SOL both being
/// SELECT_ONE_IN_LOT).
fn check_type(code: ExportCode, kind: ItemQuestionType) -> Result<(), FormatError> {
    let expected = ItemQuestionType::of(code);
    if kind == expected {
        return Ok(());
    }
    // The wire names, quoted, as the file spells them.
    let name = |kind| serde_json::to_string(&kind).unwrap_or_default();
    let message = format!(
        "{:?} goes with question.type {}, not {}",
        code.as_str(),
        name(expected),
        name(kind)
    );
    Err(FormatError::new("questionType", message))
}

fn check_parameters(question: &ItemQuestion) -> Result<(), FormatError> {
    match (question.is_parameterized, question.parameters.len()) {
        (true, 0) => Err(FormatError::new(
            "question.parameters",
            "isParameterized is true but there are no parameters",
        )),
        (false, n) if n > 0 => Err(FormatError::new(
            "question.isParameterized",
            format!("is false but {n} parameters are given"),
        )),
        _ => Ok(()),
    }
}

/// The metadata's exact span while it still lies in the item's segment,
/// else the whole segment.
fn source(
    meta: Option<&CoursegenMetadata>,
    segment: usize,
    segments: &Segments,
) -> Option<SourceSpan> {
    match meta {
        Some(m) if segments.containing(m.source.as_ref()) == segment => m.source,
        _ => Some(segments.span(segment)),
    }
}

/// The first Bloom level found, by [`QuestionItem::bloom_levels`]'
/// precedence; `understand` when there is none. Every level present must
/// parse.
fn bloom_level(item: &QuestionItem) -> Result<BloomLevel, FormatError> {
    let mut found = None;
    for (path, value) in item.bloom_levels() {
        let Some(value) = value else { continue };
        let level = parse_level(value).ok_or_else(|| {
            let message = format!(
                "{value} is not a Bloom level (a name such as \"apply\" or \"application\", 1–6 or L1–L6)"
            );
            FormatError::new(path, message)
        })?;
        found.get_or_insert(level);
    }
    Ok(found.unwrap_or(BloomLevel::Understand))
}

fn parse_level(value: &Value) -> Option<BloomLevel> {
    match value {
        Value::String(text) => BloomLevel::parse_lenient(text),
        Value::Number(n) => BloomLevel::from_number(u8::try_from(n.as_u64()?).ok()?),
        _ => None,
    }
}

/// Where in the item a field that [`Question::validate`] names comes from.
fn item_field(field: &str) -> &'static str {
    match field.split(['.', '[']).next().unwrap_or_default() {
        "prompt" => "question.text",
        "model_answer" => "solution.solutionText",
        "items" => "solution.ordering",
        "parameters" => "question.parameters",
        "id" | "source" => "metadata.coursegen",
        "accepted" | "language" => "metadata.coursegen.remainder",
        _ => "solution",
    }
}

/// The segment map: sorted segment end times in seconds. Segment `i` covers
/// `(ends[i-1], ends[i]]`, with `ends[-1] = 0`.
#[derive(Debug)]
struct Segments<'a> {
    ends_s: &'a [f64],
}

impl<'a> Segments<'a> {
    fn new(ends_s: &'a [f64]) -> Result<Self, FormatError> {
        if ends_s.is_empty() {
            return Err(FormatError::new(
                "segmentMap",
                "is empty: questions belong to segments, so a questions file needs at least one",
            ));
        }
        let mut previous = 0.0;
        for (i, &end) in ends_s.iter().enumerate() {
            if !(end.is_finite() && end > previous) {
                let message = format!("{end} must be a finite number of seconds after {previous}");
                return Err(FormatError::new(format!("segmentMap[{i}]"), message));
            }
            previous = end;
        }
        Ok(Segments { ends_s })
    }

    fn end_s(&self, segment: usize) -> f64 {
        self.ends_s[segment]
    }

    /// The segment a span belongs to: the one its start lies in, where a
    /// start exactly at a segment's end belongs to the next segment (its
    /// material comes after that point). Compared in the whole milliseconds
    /// [`Segments::span`] rounds to, so an imported segment's span exports
    /// to the same segment. After the last end: the last segment.
    fn containing(&self, span: Option<&SourceSpan>) -> usize {
        let Some(span) = span else { return 0 };
        self.ends_s
            .iter()
            .position(|&end| ceil_ms(end) > span.start_ms)
            .unwrap_or(self.ends_s.len() - 1)
    }

    /// The segment a `segmentId` names. Ids are compared to within a
    /// microsecond: a JSON text round trip may change a float's last digit.
    fn by_end(&self, segment_id: f64) -> Option<usize> {
        self.ends_s
            .iter()
            .position(|&end| (end - segment_id).abs() <= 1e-6)
    }

    /// A segment as a span in whole milliseconds, rounded inwards.
    fn span(&self, segment: usize) -> SourceSpan {
        let start_ms = segment
            .checked_sub(1)
            .map_or(0, |i| ceil_ms(self.ends_s[i]));
        let end_ms = (self.ends_s[segment] * 1000.0).floor() as u64;
        SourceSpan {
            start_ms,
            end_ms: end_ms.max(start_ms),
        }
    }
}

/// Seconds (finite, ≥ 0, as [`Segments::new`] checks) to whole milliseconds, rounded up.
fn ceil_ms(seconds: f64) -> u64 {
    (seconds * 1000.0).ceil() as u64
}
