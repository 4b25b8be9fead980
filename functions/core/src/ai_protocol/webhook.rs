//! The body of an AI server webhook, read strictly: every problem names the
//! field, so a sender's mistake is a 400 that says what to fix.
//!
//! `data.status` is authoritative (the envelope's `status` may lag it).

use serde_json::{Map, Value};

use crate::stage::Stage;

/// The work an AI server does, as the protocol names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AiTask {
    AudioExtraction,
    TranscriptGeneration,
    Segmentation,
    QuestionGeneration,
}

impl AiTask {
    pub const ALL: [AiTask; 4] = [
        AiTask::AudioExtraction,
        AiTask::TranscriptGeneration,
        AiTask::Segmentation,
        AiTask::QuestionGeneration,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AiTask::AudioExtraction => "AUDIO_EXTRACTION",
            AiTask::TranscriptGeneration => "TRANSCRIPT_GENERATION",
            AiTask::Segmentation => "SEGMENTATION",
            AiTask::QuestionGeneration => "QUESTION_GENERATION",
        }
    }

    pub fn parse(s: &str) -> Option<AiTask> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// The coursegen stage the task's result belongs to.
    pub fn stage(self) -> Stage {
        match self {
            AiTask::AudioExtraction | AiTask::TranscriptGeneration => Stage::Ingest,
            AiTask::Segmentation => Stage::Segment,
            AiTask::QuestionGeneration => Stage::Questions,
        }
    }
}

/// A task's status as the protocol names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TaskStatus {
    Pending,
    Running,
    Waiting,
    Completed,
    Failed,
    Aborted,
}

impl TaskStatus {
    pub const ALL: [TaskStatus; 6] = [
        TaskStatus::Pending,
        TaskStatus::Running,
        TaskStatus::Waiting,
        TaskStatus::Completed,
        TaskStatus::Failed,
        TaskStatus::Aborted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Pending => "PENDING",
            TaskStatus::Running => "RUNNING",
            TaskStatus::Waiting => "WAITING",
            TaskStatus::Completed => "COMPLETED",
            TaskStatus::Failed => "FAILED",
            TaskStatus::Aborted => "ABORTED",
        }
    }

    pub fn parse(s: &str) -> Option<TaskStatus> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }

    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            TaskStatus::Completed | TaskStatus::Failed | TaskStatus::Aborted
        )
    }
}

/// One webhook call, read.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    pub task: AiTask,
    /// The `jobId` we sent: the opaque callback handle of the dispatched run.
    pub job_id: String,
    pub report: Report,
}

/// What the server reports.
#[derive(Debug, Clone, PartialEq)]
pub enum Report {
    Running,
    Completed(TaskOutput),
    Failed {
        error: String,
    },
    /// A status the server should not send here (PENDING, WAITING,
    /// ABORTED): recorded, never acted on.
    Other(TaskStatus),
}

/// A completed task's result, per task.
#[derive(Debug, Clone, PartialEq)]
pub enum TaskOutput {
    Audio {
        file_name: String,
        file_url: String,
    },
    Transcript {
        file_name: String,
        file_url: String,
        parameters: Map<String, Value>,
    },
    /// Sorted segment end times, in seconds.
    Segmentation {
        segment_ends_s: Vec<f64>,
        transcript_file_url: String,
        parameters: Map<String, Value>,
    },
    Questions {
        file_name: String,
        file_url: String,
        segment_map_used: Vec<f64>,
        parameters: Map<String, Value>,
    },
}

/// A field that is missing or wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

fn wrong(field: impl Into<String>, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.into(),
        message: message.into(),
    }
}

/// Reads a webhook body.
pub fn parse(body: &[u8]) -> Result<Delivery, FieldError> {
    let value: Value =
        serde_json::from_slice(body).map_err(|e| wrong("body", format!("not valid JSON: {e}")))?;
    let Value::Object(root) = value else {
        return Err(wrong("body", "must be a JSON object"));
    };
    let task = string(&root, "task", "task")?;
    let task = AiTask::parse(task).ok_or_else(|| {
        wrong("task", format!("{task:?} is not one of AUDIO_EXTRACTION, TRANSCRIPT_GENERATION, SEGMENTATION, QUESTION_GENERATION"))
    })?;
    let job_id = string(&root, "jobId", "jobId")?.to_owned();
    let data = match root.get("data") {
        Some(Value::Object(data)) => data.clone(),
        None | Some(Value::Null) => Map::new(),
        Some(_) => return Err(wrong("data", "must be an object")),
    };
    // data.status is authoritative; the envelope's is the fallback.
    let (status, field) = match data.get("status") {
        Some(_) => (string(&data, "status", "data.status")?, "data.status"),
        None => (string(&root, "status", "status")?, "status"),
    };
    let status = TaskStatus::parse(status).ok_or_else(|| {
        wrong(
            field,
            format!("{status:?} is not a task status (RUNNING, COMPLETED, FAILED, …)"),
        )
    })?;
    let report = match status {
        TaskStatus::Running => Report::Running,
        TaskStatus::Failed => Report::Failed {
            error: match data.get("error") {
                Some(Value::String(e)) if !e.trim().is_empty() => e.clone(),
                Some(Value::String(_)) | None | Some(Value::Null) => {
                    "the AI server reported a failure without a message".to_owned()
                }
                Some(other) => other.to_string(),
            },
        },
        TaskStatus::Completed => Report::Completed(completed(task, &data)?),
        other => Report::Other(other),
    };
    Ok(Delivery {
        task,
        job_id,
        report,
    })
}

fn completed(task: AiTask, data: &Map<String, Value>) -> Result<TaskOutput, FieldError> {
    let url = |key: &str| -> Result<String, FieldError> {
        let field = format!("data.{key}");
        let url = string(data, key, &field)?;
        if url.starts_with("https://") || url.starts_with("http://") {
            Ok(url.to_owned())
        } else {
            Err(wrong(field, "must be an http(s) URL"))
        }
    };
    let name = |key: &str| string(data, key, &format!("data.{key}")).map(str::to_owned);
    Ok(match task {
        AiTask::AudioExtraction => TaskOutput::Audio {
            file_name: name("fileName")?,
            file_url: url("fileUrl")?,
        },
        AiTask::TranscriptGeneration => TaskOutput::Transcript {
            file_name: name("fileName")?,
            file_url: url("fileUrl")?,
            parameters: parameters(data)?,
        },
        AiTask::Segmentation => TaskOutput::Segmentation {
            segment_ends_s: segment_map(data, "segmentationMap")?,
            transcript_file_url: url("transcriptFileUrl")?,
            parameters: parameters(data)?,
        },
        AiTask::QuestionGeneration => TaskOutput::Questions {
            file_name: name("fileName")?,
            file_url: url("fileUrl")?,
            segment_map_used: segment_map(data, "segmentMapUsed")?,
            parameters: parameters(data)?,
        },
    })
}

fn string<'a>(
    object: &'a Map<String, Value>,
    key: &str,
    field: &str,
) -> Result<&'a str, FieldError> {
    match object.get(key) {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s),
        Some(Value::String(_)) => Err(wrong(field, "must not be empty")),
        None | Some(Value::Null) => Err(wrong(field, "is required")),
        Some(_) => Err(wrong(field, "must be a string")),
    }
}

fn parameters(data: &Map<String, Value>) -> Result<Map<String, Value>, FieldError> {
    match data.get("parameters") {
        None | Some(Value::Null) => Ok(Map::new()),
        Some(Value::Object(p)) => Ok(p.clone()),
        Some(_) => Err(wrong("data.parameters", "must be an object")),
    }
}

/// Segment end times: finite, positive, strictly increasing seconds.
fn segment_map(data: &Map<String, Value>, key: &str) -> Result<Vec<f64>, FieldError> {
    let field = format!("data.{key}");
    let Some(Value::Array(items)) = data.get(key) else {
        return Err(wrong(
            field,
            "must be an array of segment end times in seconds",
        ));
    };
    if items.is_empty() {
        return Err(wrong(field, "must name at least one segment end"));
    }
    let mut ends = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let end = item
            .as_f64()
            .filter(|e| e.is_finite() && *e > 0.0)
            .ok_or_else(|| {
                wrong(
                    format!("{field}[{i}]"),
                    "must be a positive number of seconds",
                )
            })?;
        if ends.last().is_some_and(|last| end <= *last) {
            return Err(wrong(
                format!("{field}[{i}]"),
                "segment ends must be strictly increasing",
            ));
        }
        ends.push(end);
    }
    Ok(ends)
}

#[cfg(test)]
mod tests;
