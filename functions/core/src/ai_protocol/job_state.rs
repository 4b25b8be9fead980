//! The JobState body coursegen sends the AI server. `approve/start` names
//! the *previous* task (the server starts the one after it); `rerun` names
//! the task itself. `parameters` is always an object: the server crashes
//! on `null`.

use serde::Serialize;
use serde_json::{Map, Value};

use super::webhook::{AiTask, TaskStatus};
use crate::course::QuestionType;

/// The server's segmentation penalty (`lam`) by default: what coursegen's
/// default boundary penalty (1.0) stands for; the two scale together.
pub const DEFAULT_LAM: f64 = 3.5;

/// The question kinds the server writes (`parameters` keys, counts per
/// segment), the coursegen type each one is, and the server's default count.
pub const QUESTION_KINDS: [(&str, QuestionType, u8); 5] = [
    ("SOL", QuestionType::SingleChoice, 2),
    ("SML", QuestionType::MultiChoice, 2),
    ("NAT", QuestionType::Numeric, 0),
    ("DES", QuestionType::Descriptive, 0),
    ("BIN", QuestionType::TrueFalse, 2),
];

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JobState {
    #[serde(serialize_with = "task_name")]
    pub current_task: Option<AiTask>,
    #[serde(serialize_with = "status_name")]
    pub task_status: TaskStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    pub parameters: Map<String, Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub segment_map: Option<Vec<f64>>,
}

/// What a task works on.
#[derive(Debug, Clone, PartialEq)]
pub enum TaskInput {
    /// Audio extraction: the video's URL.
    Video { url: String },
    /// Transcription: a URL of the audio.
    Audio { file: String },
    /// Segmentation: a URL of the transcript (chunks format).
    Transcript { file: String },
    /// Question generation: the transcript's URL and the segment ends (s).
    Segmented {
        file: String,
        segment_ends_s: Vec<f64>,
    },
}

impl TaskInput {
    /// The task that works on this input.
    pub fn task(&self) -> AiTask {
        match self {
            TaskInput::Video { .. } => AiTask::AudioExtraction,
            TaskInput::Audio { .. } => AiTask::TranscriptGeneration,
            TaskInput::Transcript { .. } => AiTask::Segmentation,
            TaskInput::Segmented { .. } => AiTask::QuestionGeneration,
        }
    }

    /// The task whose output this input is, as `approve/start` names it.
    fn previous(&self) -> Option<AiTask> {
        match self {
            TaskInput::Video { .. } => None,
            TaskInput::Audio { .. } => Some(AiTask::AudioExtraction),
            TaskInput::Transcript { .. } => Some(AiTask::TranscriptGeneration),
            TaskInput::Segmented { .. } => Some(AiTask::Segmentation),
        }
    }
}

impl JobState {
    /// The body of `approve/start` for the task that works on `input`.
    pub fn start(input: TaskInput, parameters: Map<String, Value>) -> Self {
        Self::with(input.previous(), TaskStatus::Waiting, input, parameters)
    }

    /// The body of `rerun` for the task that works on `input`.
    pub fn rerun(input: TaskInput, parameters: Map<String, Value>) -> Self {
        Self::with(Some(input.task()), TaskStatus::Completed, input, parameters)
    }

    fn with(
        current_task: Option<AiTask>,
        task_status: TaskStatus,
        input: TaskInput,
        parameters: Map<String, Value>,
    ) -> Self {
        let mut state = JobState {
            current_task,
            task_status,
            url: None,
            parameters,
            file: None,
            segment_map: None,
        };
        match input {
            TaskInput::Video { url } => state.url = Some(url),
            TaskInput::Audio { file } | TaskInput::Transcript { file } => state.file = Some(file),
            TaskInput::Segmented {
                file,
                segment_ends_s,
            } => {
                state.file = Some(file);
                state.segment_map = Some(segment_ends_s);
            }
        }
        state
    }
}

fn task_name<S: serde::Serializer>(task: &Option<AiTask>, s: S) -> Result<S::Ok, S::Error> {
    match task {
        Some(t) => s.serialize_str(t.as_str()),
        None => s.serialize_none(),
    }
}

fn status_name<S: serde::Serializer>(status: &TaskStatus, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(status.as_str())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn start_names_the_previous_task_and_rerun_the_task_itself() {
        let seg = TaskInput::Segmented {
            file: "https://b/t.json".into(),
            segment_ends_s: vec![60.0, 125.5],
        };
        let mut p = Map::new();
        p.insert("SOL".into(), json!(2));
        assert_eq!(
            serde_json::to_value(JobState::start(seg.clone(), p.clone())).unwrap(),
            json!({"currentTask": "SEGMENTATION", "taskStatus": "WAITING",
                   "parameters": {"SOL": 2}, "file": "https://b/t.json", "segmentMap": [60.0, 125.5]})
        );
        assert_eq!(
            serde_json::to_value(JobState::rerun(seg, Map::new())).unwrap(),
            json!({"currentTask": "QUESTION_GENERATION", "taskStatus": "COMPLETED",
                   "parameters": {}, "file": "https://b/t.json", "segmentMap": [60.0, 125.5]})
        );
        let video = TaskInput::Video {
            url: "https://youtu.be/x".into(),
        };
        assert_eq!(
            serde_json::to_value(JobState::start(video, Map::new())).unwrap(),
            json!({"currentTask": null, "taskStatus": "WAITING", "parameters": {}, "url": "https://youtu.be/x"})
        );
        let transcript = TaskInput::Transcript { file: "f".into() };
        assert_eq!(transcript.task(), AiTask::Segmentation);
        let state = JobState::start(transcript, Map::new());
        assert_eq!(state.current_task, Some(AiTask::TranscriptGeneration));
        let audio = JobState::start(TaskInput::Audio { file: "a".into() }, Map::new());
        assert_eq!(audio.current_task, Some(AiTask::AudioExtraction));
    }
}
