//! The course workflow on the embedded stack: the one definition, its
//! DefinitionSubstitutions resolved to the in-process step handlers.

mod host;

pub use host::LocalWorkflow;

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use coursegen_core::job::Job;
use coursegen_core::pipeline::Steps;
use coursegen_core::ports::execution_input;
use serde_json::{Value, json};

use crate::asl::{DefinitionError, Execution, StateMachine, TaskFailure, TaskRunner, substitute};

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
    "Video",
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
pub fn new_execution(machine: &StateMachine, job: &Job) -> Execution {
    let now = chrono::Utc::now().timestamp_millis();
    Execution::new(
        format!("local:{}", job.id),
        job.id.to_string(),
        machine,
        execution_input(job),
        now,
    )
}

/// Answers the definition's Lambda invocations with the step handlers, in
/// process; a step's error name becomes the task's error for Retry/Catch.
#[derive(Debug, Clone)]
pub struct InProcess(pub Arc<Steps>);

#[async_trait]
impl TaskRunner for InProcess {
    async fn run(&self, _resource: &str, input: Value) -> Result<Value, TaskFailure> {
        match self.0.handle(&input["Payload"]).await {
            Ok(output) => Ok(json!({"Payload": output})),
            Err(e) => Err(TaskFailure {
                error: e.name.to_owned(),
                cause: e.message,
            }),
        }
    }
}
