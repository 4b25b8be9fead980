//! The workflow on AWS Step Functions. Executions are named after their job,
//! so starting one twice starts it once. Token calls that Step Functions
//! answers with InvalidToken, TaskTimedOut or TaskDoesNotExist mean the task
//! was already settled: final, not retried. Throttling and 5xx answers are
//! retried by the SDK (standard retry mode) before they surface here as
//! `Unavailable`.

use async_trait::async_trait;
use aws_sdk_sfn::Client;
use aws_sdk_sfn::config::http::HttpResponse;
use aws_sdk_sfn::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_sfn::types::ExecutionStatus;
use coursegen_core::ids::{JobId, TaskToken};
use coursegen_core::job::Job;
use coursegen_core::ports::{
    TokenOutcome, Workflow, WorkflowError, execution_input, renders_input, renders_name,
};
use coursegen_core::videos::VideoItem;
use serde_json::Value;

/// Error codes that mean "someone already settled this task".
const SETTLED: &[&str] = &["InvalidToken", "TaskTimedOut", "TaskDoesNotExist"];
/// Step Functions' limit on a task's error name and cause.
const MAX_ERROR: usize = 256;
const MAX_CAUSE: usize = 32_768;

#[derive(Debug, Clone)]
pub struct StepFunctionsWorkflow {
    client: Client,
    state_machine_arn: String,
}

/// What became of a job's execution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecutionState {
    pub status: ExecutionStatus,
    pub error: Option<String>,
    pub cause: Option<String>,
}

impl StepFunctionsWorkflow {
    pub fn new(client: Client, state_machine_arn: impl Into<String>) -> Self {
        StepFunctionsWorkflow {
            client,
            state_machine_arn: state_machine_arn.into(),
        }
    }

    /// `arn:…:stateMachine:Name` → `arn:…:execution:Name:{job}`.
    pub fn execution_arn(&self, job: JobId) -> String {
        let base = self
            .state_machine_arn
            .replacen(":stateMachine:", ":execution:", 1);
        format!("{base}:{job}")
    }

    /// The job's execution as Step Functions reports it.
    pub async fn describe(&self, job: JobId) -> Result<ExecutionState, WorkflowError> {
        let out = self
            .client
            .describe_execution()
            .execution_arn(self.execution_arn(job))
            .send()
            .await
            .map_err(|e| classify(e, Some(job)))?;
        Ok(ExecutionState {
            status: out.status().clone(),
            error: out.error().map(str::to_owned),
            cause: out.cause().map(str::to_owned),
        })
    }
}

/// Sorts an SDK failure: a missing execution, a refusal retrying will not
/// fix (4xx), or the service being unavailable.
fn classify<E>(e: SdkError<E, HttpResponse>, job: Option<JobId>) -> WorkflowError
where
    E: std::error::Error + ProvideErrorMetadata + 'static,
{
    let message = format!("Step Functions: {}", DisplayErrorContext(&e));
    match &e {
        SdkError::ServiceError(service) => match (service.err().code(), job) {
            (Some("ExecutionDoesNotExist"), Some(job)) => WorkflowError::NoExecution(job),
            (Some("ThrottlingException" | "ServiceUnavailable" | "InternalFailure"), _) => {
                WorkflowError::Unavailable(message)
            }
            _ if service.raw().status().is_client_error() => WorkflowError::Rejected(message),
            _ => WorkflowError::Unavailable(message),
        },
        _ => WorkflowError::Unavailable(message),
    }
}

/// A token call's outcome: settled-elsewhere codes are final.
fn token_outcome<T, E>(
    result: Result<T, SdkError<E, HttpResponse>>,
) -> Result<TokenOutcome, WorkflowError>
where
    E: std::error::Error + ProvideErrorMetadata + 'static,
{
    match result {
        Ok(_) => Ok(TokenOutcome::Delivered),
        Err(SdkError::ServiceError(e))
            if e.err().code().is_some_and(|code| SETTLED.contains(&code)) =>
        {
            Ok(TokenOutcome::AlreadyHandled)
        }
        Err(e) => Err(classify(e, None)),
    }
}

fn clip(text: &str, max: usize) -> String {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_owned()
}

impl StepFunctionsWorkflow {
    /// Starts execution `name` of the job with `input`.
    async fn start_named(
        &self,
        job: JobId,
        name: String,
        input: Value,
    ) -> Result<(), WorkflowError> {
        let result = self
            .client
            .start_execution()
            .state_machine_arn(&self.state_machine_arn)
            .name(name)
            .input(input.to_string())
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            // Started before (same name): starting is idempotent.
            Err(SdkError::ServiceError(e)) if e.err().is_execution_already_exists() => Ok(()),
            Err(e) => Err(classify(e, Some(job))),
        }
    }
}

#[async_trait]
impl Workflow for StepFunctionsWorkflow {
    async fn start(&self, job: &Job) -> Result<(), WorkflowError> {
        self.start_named(job.id, job.id.to_string(), execution_input(job))
            .await
    }

    async fn start_renders(&self, job: &Job, items: &[VideoItem]) -> Result<(), WorkflowError> {
        self.start_named(job.id, renders_name(job), renders_input(job, items))
            .await
    }

    async fn send_task_success(
        &self,
        token: &TaskToken,
        output: Value,
    ) -> Result<TokenOutcome, WorkflowError> {
        token_outcome(
            self.client
                .send_task_success()
                .task_token(token.expose())
                .output(output.to_string())
                .send()
                .await,
        )
    }

    async fn send_task_failure(
        &self,
        token: &TaskToken,
        error: &str,
        cause: &str,
    ) -> Result<TokenOutcome, WorkflowError> {
        token_outcome(
            self.client
                .send_task_failure()
                .task_token(token.expose())
                .error(clip(error, MAX_ERROR))
                .cause(clip(cause, MAX_CAUSE))
                .send()
                .await,
        )
    }

    async fn send_task_heartbeat(&self, token: &TaskToken) -> Result<TokenOutcome, WorkflowError> {
        token_outcome(
            self.client
                .send_task_heartbeat()
                .task_token(token.expose())
                .send()
                .await,
        )
    }

    async fn stop(&self, job: JobId, error: &str, cause: &str) -> Result<(), WorkflowError> {
        self.client
            .stop_execution()
            .execution_arn(self.execution_arn(job))
            .error(clip(error, MAX_ERROR))
            .cause(clip(cause, MAX_CAUSE))
            .send()
            .await
            .map(drop)
            .map_err(|e| classify(e, Some(job)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn executions_are_named_after_their_job() {
        let client = Client::from_conf(
            aws_sdk_sfn::Config::builder()
                .behavior_version(aws_sdk_sfn::config::BehaviorVersion::latest())
                .build(),
        );
        let workflow = StepFunctionsWorkflow::new(
            client,
            "arn:aws:states:eu-west-1:123456789012:stateMachine:course",
        );
        let job = JobId::new();
        assert_eq!(
            workflow.execution_arn(job),
            format!("arn:aws:states:eu-west-1:123456789012:execution:course:{job}")
        );
        assert_eq!(clip("é", 1), "");
        assert_eq!(clip("abc", 2), "ab");
    }
}
