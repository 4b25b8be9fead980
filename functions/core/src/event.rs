//! Job events: what happened, in order. Every event carries the job's next
//! sequence number, so a client that saw event n asks for everything after n.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::ids::JobId;
use crate::stage::Stage;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Event {
    pub job_id: JobId,
    /// 1, 2, 3, … per job, without gaps.
    pub seq: u64,
    pub at: DateTime<Utc>,
    #[serde(flatten)]
    pub kind: EventKind,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    JobCreated,
    StageStarted {
        stage: Stage,
        run: u32,
    },
    StageProgress {
        stage: Stage,
        done: u32,
        total: u32,
        percent: u8,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message: Option<String>,
    },
    RunCompleted {
        stage: Stage,
        run: u32,
    },
    AwaitingApproval {
        stage: Stage,
        run: u32,
    },
    Approved {
        stage: Stage,
        run: u32,
    },
    Edited {
        stage: Stage,
        run: u32,
        edited_from: u32,
    },
    RerunRequested {
        stage: Stage,
        parameters: serde_json::Value,
    },
    StageFailed {
        stage: Stage,
        run: u32,
        error: String,
    },
    JobSucceeded,
    JobFailed {
        error: String,
    },
    JobAborted {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// A lesson's video moved on.
    VideoStatus {
        lesson_path: String,
        status: crate::videos::VideoStatus,
        progress: u8,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error: Option<String>,
    },
    /// A worker's report that changed nothing: late, for a superseded run,
    /// or for an ended job.
    ReportIgnored {
        stage: Stage,
        /// What was reported, e.g. "SEGMENTATION COMPLETED".
        report: String,
        reason: String,
    },
}

impl EventKind {
    /// The snake_case name clients see as the SSE `event:` field.
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::JobCreated => "job_created",
            EventKind::StageStarted { .. } => "stage_started",
            EventKind::StageProgress { .. } => "stage_progress",
            EventKind::RunCompleted { .. } => "run_completed",
            EventKind::AwaitingApproval { .. } => "awaiting_approval",
            EventKind::Approved { .. } => "approved",
            EventKind::Edited { .. } => "edited",
            EventKind::RerunRequested { .. } => "rerun_requested",
            EventKind::StageFailed { .. } => "stage_failed",
            EventKind::JobSucceeded => "job_succeeded",
            EventKind::JobFailed { .. } => "job_failed",
            EventKind::JobAborted { .. } => "job_aborted",
            EventKind::ReportIgnored { .. } => "report_ignored",
            EventKind::VideoStatus { .. } => "video_status",
        }
    }

    /// Whether this event ends the job's stream.
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            EventKind::JobSucceeded | EventKind::JobFailed { .. } | EventKind::JobAborted { .. }
        )
    }
}
