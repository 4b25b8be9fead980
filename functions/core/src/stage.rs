//! Pipeline stages, their state and their runs.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::artifact::ArtifactKey;
use crate::ids::CallbackId;

/// The stages of a job, in pipeline order.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Source → normalised transcript or document.
    Ingest,
    /// Is the material teachable?
    Validate,
    /// Timed segments with title and summary.
    Segment,
    /// Modules → lessons mapped to segments, objectives.
    Outline,
    /// Per lesson: content, key concepts, exercises.
    Lessons,
    /// The final assessment.
    Assessment,
    /// Review of every question before assembly.
    Questions,
    /// The course document and its exports.
    Assemble,
    /// Optional narrated video per lesson.
    Videos,
    /// A script job's videos as shots of frames (what is seen, on-screen
    /// text, the narration each covers, timing, camera).
    Storyboard,
    /// A production prompt per frame under one style guide per video.
    Prompts,
    /// A picture per frame.
    Images,
    /// The narration spoken, and a moving clip per frame.
    Clips,
    /// Per video, the clips joined under the narration and its subtitles.
    Film,
}

impl Stage {
    pub const ALL: [Stage; 14] = [
        Stage::Ingest,
        Stage::Validate,
        Stage::Segment,
        Stage::Outline,
        Stage::Lessons,
        Stage::Assessment,
        Stage::Questions,
        Stage::Assemble,
        Stage::Videos,
        Stage::Storyboard,
        Stage::Prompts,
        Stage::Images,
        Stage::Clips,
        Stage::Film,
    ];

    /// The stages a human can be asked to approve, in order.
    pub const GATEABLE: [Stage; 8] = [
        Stage::Segment,
        Stage::Outline,
        Stage::Questions,
        Stage::Videos,
        Stage::Storyboard,
        Stage::Prompts,
        Stage::Images,
        Stage::Clips,
    ];

    /// The stages of a script job's visual pipeline (seed 003), in order:
    /// a job runs either these or the course's, after ingest and validate.
    pub const VISUAL: [Stage; 5] = [
        Stage::Storyboard,
        Stage::Prompts,
        Stage::Images,
        Stage::Clips,
        Stage::Film,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Ingest => "ingest",
            Stage::Validate => "validate",
            Stage::Segment => "segment",
            Stage::Outline => "outline",
            Stage::Lessons => "lessons",
            Stage::Assessment => "assessment",
            Stage::Questions => "questions",
            Stage::Assemble => "assemble",
            Stage::Videos => "videos",
            Stage::Storyboard => "storyboard",
            Stage::Prompts => "prompts",
            Stage::Images => "images",
            Stage::Clips => "clips",
            Stage::Film => "film",
        }
    }

    pub fn is_gateable(self) -> bool {
        Self::GATEABLE.contains(&self)
    }

    pub fn is_visual(self) -> bool {
        Self::VISUAL.contains(&self)
    }

    /// The share of a job's progress this stage stands for, among the
    /// stages the job runs: the course's add up to 100, and so do ingest,
    /// validate and the visual ones. Lessons, videos and clips take
    /// longest, so they weigh most.
    pub fn weight(self) -> u32 {
        match self {
            Stage::Ingest => 10,
            Stage::Validate => 3,
            Stage::Segment => 12,
            Stage::Outline => 10,
            Stage::Lessons => 35,
            Stage::Assessment => 10,
            Stage::Questions => 5,
            Stage::Assemble => 5,
            Stage::Videos => 10,
            Stage::Storyboard => 10,
            Stage::Prompts => 5,
            Stage::Images => 25,
            Stage::Clips => 32,
            Stage::Film => 15,
        }
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Stage {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Stage::ALL
            .into_iter()
            .find(|stage| stage.as_str() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Stage::ALL.iter().map(|s| s.as_str()).collect();
                format!("unknown stage {s:?} (one of {})", names.join(", "))
            })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StageStatus {
    Pending,
    Running,
    AwaitingApproval,
    Approved,
    Completed,
    Failed,
    Aborted,
    Skipped,
}

impl StageStatus {
    pub const ALL: [StageStatus; 8] = [
        StageStatus::Pending,
        StageStatus::Running,
        StageStatus::AwaitingApproval,
        StageStatus::Approved,
        StageStatus::Completed,
        StageStatus::Failed,
        StageStatus::Aborted,
        StageStatus::Skipped,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            StageStatus::Pending => "pending",
            StageStatus::Running => "running",
            StageStatus::AwaitingApproval => "awaiting_approval",
            StageStatus::Approved => "approved",
            StageStatus::Completed => "completed",
            StageStatus::Failed => "failed",
            StageStatus::Aborted => "aborted",
            StageStatus::Skipped => "skipped",
        }
    }

    /// Done, as far as the pipeline is concerned: later stages may start.
    pub fn is_done(self) -> bool {
        matches!(
            self,
            StageStatus::Approved | StageStatus::Completed | StageStatus::Skipped
        )
    }
}

impl fmt::Display for StageStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    Running,
    Completed,
    Failed,
    Aborted,
}

impl RunStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Running => "running",
            RunStatus::Completed => "completed",
            RunStatus::Failed => "failed",
            RunStatus::Aborted => "aborted",
        }
    }
}

impl fmt::Display for RunStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Tokens and estimated cost of the model calls a run made.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct Usage {
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    pub cost_usd: f64,
}

impl Usage {
    pub fn is_zero(&self) -> bool {
        *self == Usage::default()
    }
}

impl std::ops::AddAssign for Usage {
    fn add_assign(&mut self, other: Usage) {
        self.prompt_tokens += other.prompt_tokens;
        self.completion_tokens += other.completion_tokens;
        self.cost_usd += other.cost_usd;
    }
}

/// One execution of a stage (or one human edit of an earlier run). Runs are
/// numbered from 1 and never removed or renumbered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Run {
    pub n: u32,
    pub status: RunStatus,
    /// The parameters this run used.
    pub parameters: serde_json::Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_key: Option<ArtifactKey>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Usage::is_zero")]
    pub usage: Usage,
    pub started_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<DateTime<Utc>>,
    /// Set when a human edited run `edited_from` into this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edited_from: Option<u32>,
}

/// Work done within a running stage, e.g. lessons written so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct StageProgress {
    pub done: u32,
    pub total: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct StageState {
    pub stage: Stage,
    pub status: StageStatus,
    /// Parameters for the next run (a rerun replaces them).
    pub parameters: serde_json::Value,
    pub runs: Vec<Run>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_run: Option<u32>,
    /// The opaque handle of the task token an approval or callback waits on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback: Option<CallbackId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress: Option<StageProgress>,
}

impl StageState {
    pub fn new(stage: Stage, status: StageStatus) -> Self {
        StageState {
            stage,
            status,
            parameters: serde_json::json!({}),
            runs: Vec::new(),
            approved_run: None,
            callback: None,
            progress: None,
        }
    }

    pub fn latest_run(&self) -> Option<&Run> {
        self.runs.last()
    }

    pub fn run(&self, n: u32) -> Option<&Run> {
        self.runs.get(usize::try_from(n).ok()?.checked_sub(1)?)
    }

    pub fn next_run_number(&self) -> u32 {
        u32::try_from(self.runs.len()).map_or(u32::MAX, |n| n.saturating_add(1))
    }
}
