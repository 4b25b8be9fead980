//! The job: one request to turn material into a course, and everything known
//! about its progress. Jobs change only through [`crate::lifecycle`].

use std::fmt;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::ids::{CourseId, JobId, UserId, VersionId};
use crate::options::Options;
use crate::source::Source;
use crate::stage::{Run, Stage, StageState, StageStatus};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    Queued,
    Running,
    AwaitingApproval,
    Succeeded,
    Failed,
    Aborted,
}

impl JobStatus {
    pub const ALL: [JobStatus; 6] = [
        JobStatus::Queued,
        JobStatus::Running,
        JobStatus::AwaitingApproval,
        JobStatus::Succeeded,
        JobStatus::Failed,
        JobStatus::Aborted,
    ];

    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            JobStatus::Succeeded | JobStatus::Failed | JobStatus::Aborted
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Queued => "queued",
            JobStatus::Running => "running",
            JobStatus::AwaitingApproval => "awaiting_approval",
            JobStatus::Succeeded => "succeeded",
            JobStatus::Failed => "failed",
            JobStatus::Aborted => "aborted",
        }
    }
}

impl fmt::Display for JobStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where in the LMS the generated course goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CourseRef {
    pub course_id: CourseId,
    pub version_id: VersionId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub module_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub struct Progress {
    /// 0–100.
    pub percent: u8,
    /// The stage work is happening in (or waiting on), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_stage: Option<Stage>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Job {
    pub id: JobId,
    pub owner: UserId,
    pub course: CourseRef,
    pub source: Source,
    pub options: Options,
    pub status: JobStatus,
    /// One entry per [`Stage`], in pipeline order.
    pub stages: Stages,
    pub progress: Progress,
    /// Why the job failed or was aborted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Optimistic-lock version: 1 after creation, +1 per change.
    pub version: u64,
    /// The sequence number of the job's latest event.
    pub last_event_seq: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The workflow execution running this job, once started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_id: Option<String>,
    /// The lessons' videos, once some are planned.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub videos: Vec<crate::videos::LessonVideo>,
}

impl Job {
    pub fn stage(&self, stage: Stage) -> &StageState {
        self.stages.get(stage)
    }

    pub(crate) fn stage_mut(&mut self, stage: Stage) -> &mut StageState {
        self.stages.get_mut(stage)
    }

    /// Every run with its stage, stage by stage: for stores that keep runs
    /// apart from the job's own record (whose size then stays bounded).
    pub fn runs(&self) -> impl Iterator<Item = (Stage, &Run)> {
        self.stages
            .iter()
            .flat_map(|s| s.runs.iter().map(move |run| (s.stage, run)))
    }

    /// The job's own record for such stores: everything but the runs.
    pub fn without_runs(&self) -> Job {
        let mut job = self.clone();
        for state in &mut job.stages.0 {
            state.runs.clear();
        }
        job
    }

    /// Puts back a run that a store keeps apart from the job's own record
    /// (runs are append-only, so stores write each once). Runs go back in
    /// the order they were made.
    pub fn restore_run(&mut self, stage: Stage, run: Run) {
        self.stage_mut(stage).runs.push(run);
    }
}

/// Exactly one [`StageState`] per [`Stage`], in pipeline order — checked when
/// read back from storage, so indexing by stage can never go out of bounds.
/// A job stored before later stages existed reads back with them skipped:
/// it was made without them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "Vec<StageState>", into = "Vec<StageState>")]
pub struct Stages(Vec<StageState>);

impl Stages {
    pub fn new(make: impl Fn(Stage) -> StageState) -> Self {
        Stages(Stage::ALL.into_iter().map(make).collect())
    }
    pub fn get(&self, stage: Stage) -> &StageState {
        &self.0[stage as usize]
    }
    pub(crate) fn get_mut(&mut self, stage: Stage) -> &mut StageState {
        &mut self.0[stage as usize]
    }
    pub fn iter(&self) -> std::slice::Iter<'_, StageState> {
        self.0.iter()
    }
}

impl TryFrom<Vec<StageState>> for Stages {
    type Error = String;
    fn try_from(mut v: Vec<StageState>) -> Result<Self, String> {
        let order: Vec<Stage> = v.iter().map(|s| s.stage).collect();
        if Stage::ALL.starts_with(&order) && !order.is_empty() {
            let added = Stage::ALL[order.len()..].iter();
            v.extend(added.map(|s| StageState::new(*s, StageStatus::Skipped)));
            Ok(Stages(v))
        } else {
            Err(format!(
                "stages must list every stage once, in order; found {order:?}"
            ))
        }
    }
}

impl From<Stages> for Vec<StageState> {
    fn from(s: Stages) -> Self {
        s.0
    }
}

impl<'a> IntoIterator for &'a Stages {
    type Item = &'a StageState;
    type IntoIter = std::slice::Iter<'a, StageState>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl JsonSchema for Stages {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Stages".into()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        <Vec<StageState>>::json_schema(generator)
    }
}
