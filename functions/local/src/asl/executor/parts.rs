//! What the executor works with: the runner of Task resources and the
//! store executions are saved to, and what each answers.

use async_trait::async_trait;
use serde_json::Value;

use super::super::execution::{Execution, HistoryEvent};
use super::super::retry;

/// A task's failure: an error name (what Retry and Catch match) and a cause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskFailure {
    pub error: String,
    pub cause: String,
}

impl TaskFailure {
    /// The failure of a task whose code panicked with `payload`.
    pub fn panicked(payload: &(dyn std::any::Any + Send)) -> Self {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no message".to_owned());
        TaskFailure {
            error: retry::PANIC.to_owned(),
            cause: format!("the step crashed: {message}"),
        }
    }
}

/// Runs Task resources. For a `.waitForTaskToken` resource, a successful
/// return only means "handed over": the task completes when someone calls
/// [`Executor::send_task_success`] or [`Executor::send_task_failure`].
#[async_trait]
pub trait TaskRunner: Send + Sync + std::fmt::Debug {
    async fn run(&self, resource: &str, input: Value) -> Result<Value, TaskFailure>;
}

/// Why a token call was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Unknown, already used, or its execution has ended.
    #[error("the task token is invalid or already used")]
    InvalidToken,
    #[error(transparent)]
    Storage(#[from] PersistError),
}

/// The execution could not be saved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot save the execution: {0}")]
pub struct PersistError(pub String);

/// What one save writes: the execution's state with its history left out,
/// and the history events recorded since the previous save, the first of
/// them being event number `first_event`. The history only grows, so a save
/// costs the same at the thousandth step as at the first.
#[derive(Debug, Clone, PartialEq)]
pub struct Checkpoint {
    pub execution: Execution,
    pub first_event: usize,
    pub events: Vec<HistoryEvent>,
}

/// Where executions are saved after every step, so they survive a crash.
/// A checkpoint's events may have been saved before (two saves can race);
/// the store keeps one copy of each event number.
#[async_trait]
pub trait ExecutionStore: Send + Sync + std::fmt::Debug {
    async fn save(&self, checkpoint: &Checkpoint) -> Result<(), PersistError>;
}

/// How a call to [`Executor::drive`] ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Drive {
    /// The execution succeeded, failed or was stopped.
    Done,
    /// Every live thread waits for a task token.
    AwaitingTokens,
}
