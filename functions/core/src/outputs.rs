//! What the stages before the course document produce: the validation
//! verdict, the segments and the outline. Stored as run outputs, edited by
//! humans at the review gates, and read by the next stage.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::validation::{ValidationError, ensure};

/// Is this material teachable?
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Validation {
    pub suitable: bool,
    /// 0–1: how sure the engine is of `suitable`.
    pub confidence: f64,
    /// One sentence a person can check against the material.
    pub reason: String,
    pub category: MaterialCategory,
    /// The measurements behind the verdict, by name.
    #[serde(default)]
    pub signals: BTreeMap<String, f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MaterialCategory {
    Instructional,
    TooShort,
    MusicOrLyrics,
    Conversation,
}

/// A stretch of the material on one topic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Segment {
    pub start_ms: u64,
    pub end_ms: u64,
    pub title: String,
    pub summary: String,
    #[serde(default)]
    pub keyphrases: Vec<String>,
}

/// How to segment. Durations bound every segment; the penalty sets how
/// strong a topic shift must be to become a boundary, in standard
/// deviations above the mean dip in cohesion (higher: fewer segments). `segment_ends_ms`, when given (a human's edit), fixes the
/// boundaries instead: segment i ends at entry i.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct SegmentParams {
    pub min_duration_s: u32,
    pub max_duration_s: u32,
    pub boundary_penalty: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub segment_ends_ms: Option<Vec<u64>>,
}

impl Default for SegmentParams {
    fn default() -> Self {
        SegmentParams {
            min_duration_s: 90,
            max_duration_s: 15 * 60,
            boundary_penalty: 1.0,
            segment_ends_ms: None,
        }
    }
}

impl SegmentParams {
    /// These parameters for a material of `duration_ms`: the shortest
    /// segment made long enough that it holds at most
    /// [`MAX_SEGMENTS`](crate::checks::MAX_SEGMENTS) of them (and the
    /// longest room to fit), so a very long recording still makes a course
    /// of bounded size and its workflow bounded work.
    pub fn for_material(mut self, duration_ms: u64) -> Self {
        let most = crate::checks::MAX_SEGMENTS as u64 - 1;
        let floor_s = u32::try_from(duration_ms.div_ceil(1000 * most)).unwrap_or(u32::MAX);
        if floor_s > self.min_duration_s {
            self.min_duration_s = floor_s;
            self.max_duration_s = self.max_duration_s.max(floor_s.saturating_mul(2));
        }
        self
    }

    pub fn validate(&self) -> Result<(), ValidationError> {
        ensure(
            self.min_duration_s <= self.max_duration_s,
            "min_duration_s",
            || "must not exceed max_duration_s".into(),
        )?;
        ensure(self.max_duration_s > 0, "max_duration_s", || {
            "must be positive".into()
        })?;
        ensure(
            self.boundary_penalty.is_finite(),
            "boundary_penalty",
            || "must be a number".into(),
        )?;
        if let Some(ends) = &self.segment_ends_ms {
            crate::checks::segment_ends(ends).map_err(|e| e.within("segment_ends_ms"))?;
        }
        Ok(())
    }
}

/// The course plan: modules of lessons, each lesson mapped onto segments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Outline {
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub modules: Vec<OutlineModule>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OutlineModule {
    pub title: String,
    #[serde(default)]
    pub summary: String,
    pub lessons: Vec<OutlineLesson>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OutlineLesson {
    pub title: String,
    /// Indexes into the segment list.
    pub segments: Vec<usize>,
    pub start_ms: u64,
    pub end_ms: u64,
    #[serde(default)]
    pub objectives: Vec<String>,
}

impl Outline {
    pub fn lessons(&self) -> impl Iterator<Item = &OutlineLesson> {
        self.modules.iter().flat_map(|m| &m.lessons)
    }
}
