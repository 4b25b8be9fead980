//! The course workflow on the embedded stack: the one definition, its
//! DefinitionSubstitutions resolved to the in-process step handlers.

mod host;

pub use host::LocalWorkflow;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use coursegen_core::job::Job;
use coursegen_core::pipeline::Steps;
use coursegen_core::ports::execution_input;
use serde_json::{Value, json};
use tokio::sync::Semaphore;

use crate::asl::{
    DefinitionError, Execution, StateMachine, TaskFailure, TaskRunner, retry, substitute,
};

/// `statemachine/course.asl.json`, built into the binary.
pub const DEFINITION: &str = include_str!("../../../../statemachine/course.asl.json");

/// The step functions the definition names, by substitution name: each
/// `${XFunctionArn}` placeholder names function `X`.
pub const FUNCTIONS: &[&str] = &[
    "Ingest",
    "Validate",
    "Segment",
    "Outline",
    "PlanLessons",
    "Lesson",
    "Assessment",
    "Questions",
    "Assemble",
    "PlanVideos",
    "PlanRenders",
    "Video",
    "Storyboard",
    "Prompts",
    "Images",
    "Clips",
    "Film",
    "Export",
    "Finish",
    "Gate",
    "Dispatch",
    "RecordFailure",
];

/// The definition's text with each function's placeholder replaced by
/// `function_arn(name)` (an in-process name here, a Lambda ARN on AWS).
pub fn definition_with(function_arn: impl Fn(&str) -> String) -> Result<String, DefinitionError> {
    let values: BTreeMap<String, String> = FUNCTIONS
        .iter()
        .map(|f| (format!("{f}FunctionArn"), function_arn(f)))
        .collect();
    substitute(DEFINITION, &values)
}

/// The definition with every `${XFunctionArn}` naming handler `X`.
pub fn course_machine() -> Result<StateMachine, DefinitionError> {
    StateMachine::parse(&definition_with(str::to_owned)?)
}

/// A new execution for `job`, named after it (the name is the idempotency key).
pub fn job_execution(machine: &StateMachine, job: &Job) -> Execution {
    new_execution(machine, job.id.to_string(), execution_input(job))
}

/// A new execution called `name` (its idempotency key) starting with `input`.
pub fn new_execution(machine: &StateMachine, name: String, input: Value) -> Execution {
    let now = chrono::Utc::now().timestamp_millis();
    Execution::new(format!("local:{name}"), name, machine, input, now)
}

/// Answers the definition's Lambda invocations with the step handlers, in
/// process; a step's error name becomes the task's error for Retry/Catch.
///
/// Each step runs on a thread of its own (a bounded number at a time), not
/// on the async workers that serve requests: parsing and the offline engine
/// are CPU work, and a slow step must not stall the server. A step that
/// panics, or runs past its time limit, fails its own job only.
#[derive(Debug, Clone)]
pub struct InProcess {
    steps: Arc<Steps>,
    slots: Arc<Semaphore>,
    limit: Duration,
}

/// How long one step may run by default: far beyond any offline step, and
/// room for a slow local model's many calls in one LLM step.
pub const STEP_TIME_LIMIT: Duration = Duration::from_secs(3600);

impl InProcess {
    pub fn new(steps: Arc<Steps>) -> Self {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        InProcess {
            steps,
            // Steps mostly wait on the database or a model; a few per core
            // keeps the machine busy without an unbounded pile of threads.
            slots: Arc::new(Semaphore::new((4 * cores).max(8))),
            limit: STEP_TIME_LIMIT,
        }
    }

    /// The same, with each step failed after `limit`.
    pub fn with_time_limit(mut self, limit: Duration) -> Self {
        self.limit = limit;
        self
    }
}

#[async_trait]
impl TaskRunner for InProcess {
    async fn run(&self, _resource: &str, input: Value) -> Result<Value, TaskFailure> {
        let _slot = self.slots.acquire().await.map_err(|_| TaskFailure {
            error: "Transient".into(),
            cause: "the step runner is shutting down".into(),
        })?;
        let steps = self.steps.clone();
        let runtime = tokio::runtime::Handle::current();
        let step = tokio::task::spawn_blocking(move || {
            runtime.block_on(async move { steps.handle(&input["Payload"]).await })
        });
        // The thread cannot be stopped: past the limit its job fails, and
        // whatever the step does afterwards finds the run already closed.
        let joined = tokio::time::timeout(self.limit, step)
            .await
            .map_err(|_| TaskFailure {
                error: retry::TIMEOUT.to_owned(),
                cause: format!("the step ran past its time limit ({:?})", self.limit),
            })?;
        match joined {
            Ok(Ok(output)) => Ok(json!({"Payload": output})),
            Ok(Err(e)) => Err(TaskFailure {
                error: e.name.to_owned(),
                cause: e.message,
            }),
            Err(e) if e.is_panic() => Err(TaskFailure::panicked(e.into_panic().as_ref())),
            Err(e) => Err(TaskFailure {
                error: "Transient".into(),
                cause: format!("the step was cancelled: {e}"),
            }),
        }
    }
}
