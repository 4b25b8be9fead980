//! The Step Functions workflow adapter against moto's Step Functions: start
//! is idempotent, token calls deliver once and then say "already handled",
//! failures and stops reach the execution, and a missing execution or an
//! unreachable service are told apart.

use crate::moto;

use std::time::{Duration, Instant};

use aws_sdk_sfn::types::{ExecutionStatus, HistoryEventType};
use coursegen_aws::StepFunctionsWorkflow;
use coursegen_core::contract::job_store::new_job;
use coursegen_core::ids::{JobId, TaskToken};
use coursegen_core::ports::{TokenOutcome, Workflow, WorkflowError};
use serde_json::{Value, json};

use moto::{ACCOUNT, Moto};

const REGION: &str = "ap-southeast-2";

/// One task that waits for its token, then ends with the token's output.
fn definition() -> String {
    json!({
        "StartAt": "Review",
        "States": {"Review": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
            "HeartbeatSeconds": 3600,
            "Parameters": {
                "FunctionName": format!("arn:aws:lambda:{REGION}:{ACCOUNT}:function:Gate"),
                "Payload": {"token.$": "$$.Task.Token"}
            },
            "End": true
        }}
    })
    .to_string()
}

async fn workflow(moto: &Moto) -> (StepFunctionsWorkflow, aws_sdk_sfn::Client) {
    let sfn = moto.sfn(REGION);
    let machine = sfn
        .create_state_machine()
        .name("review")
        .definition(definition())
        .role_arn(format!("arn:aws:iam::{ACCOUNT}:role/coursegen-workflow"))
        .send()
        .await
        .expect("moto accepts the definition");
    (
        StepFunctionsWorkflow::new(sfn.clone(), machine.state_machine_arn()),
        sfn,
    )
}

/// The token of the job's waiting task, once the task is scheduled and
/// takes a heartbeat. (moto writes TaskScheduled to the history a moment
/// before it listens for the token, and answers "no such task" until then.)
async fn token_of(
    sfn: &aws_sdk_sfn::Client,
    workflow: &StepFunctionsWorkflow,
    job: JobId,
) -> TaskToken {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let history = sfn
            .get_execution_history()
            .execution_arn(workflow.execution_arn(job))
            .send()
            .await
            .expect("history");
        for event in history.events() {
            if *event.r#type() != HistoryEventType::TaskScheduled {
                continue;
            }
            let details = event.task_scheduled_event_details().expect("details");
            let parameters: Value = serde_json::from_str(details.parameters()).expect("json");
            if let Some(token) = parameters["Payload"]["token"].as_str() {
                let token = TaskToken::new(token);
                if workflow.send_task_heartbeat(&token).await == Ok(TokenOutcome::Delivered) {
                    return token;
                }
            }
        }
        assert!(Instant::now() < deadline, "the task was never scheduled");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn ends_as(workflow: &StepFunctionsWorkflow, job: JobId, status: ExecutionStatus) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let state = workflow.describe(job).await.expect("describe");
        if state.status == status {
            return state.error.unwrap_or_default();
        }
        assert!(Instant::now() < deadline, "still {:?}", state.status);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn tokens_deliver_once_and_executions_follow() {
    let moto = Moto::shared().await;
    let (workflow, sfn) = workflow(moto).await;
    let (job, _) = new_job("alice", "c1", chrono::Utc::now());

    workflow.start(&job).await.expect("start");
    workflow
        .start(&job)
        .await
        .expect("starting again is a no-op");
    let token = token_of(&sfn, &workflow, job.id).await;
    assert_eq!(
        workflow
            .send_task_success(&token, json!({"action": "approve"}))
            .await,
        Ok(TokenOutcome::Delivered)
    );
    ends_as(&workflow, job.id, ExecutionStatus::Succeeded).await;
    assert_eq!(
        workflow.send_task_success(&token, json!({})).await,
        Ok(TokenOutcome::AlreadyHandled),
        "a used token is settled, not an error"
    );
    let forged = TaskToken::new("not-a-token-moto-ever-issued");
    assert_eq!(
        workflow.send_task_failure(&forged, "Nope", "nothing").await,
        Ok(TokenOutcome::AlreadyHandled)
    );

    // A failure reaches the execution with its error name.
    let (failing, _) = new_job("alice", "c1", chrono::Utc::now());
    workflow.start(&failing).await.expect("start");
    let token = token_of(&sfn, &workflow, failing.id).await;
    assert_eq!(
        workflow
            .send_task_failure(&token, "ReviewExpired", &"x".repeat(40_000))
            .await,
        Ok(TokenOutcome::Delivered),
        "an over-long cause is clipped, not refused"
    );
    assert_eq!(
        ends_as(&workflow, failing.id, ExecutionStatus::Failed).await,
        "ReviewExpired"
    );

    // Stopping: an execution that exists, and one that never started.
    let (stopped, _) = new_job("alice", "c1", chrono::Utc::now());
    workflow.start(&stopped).await.expect("start");
    workflow
        .stop(stopped.id, "Aborted", "the reviewer aborted")
        .await
        .expect("stop");
    let never = JobId::new();
    assert_eq!(
        workflow.stop(never, "Aborted", "-").await,
        Err(WorkflowError::NoExecution(never))
    );
}

#[tokio::test]
async fn an_unreachable_service_is_unavailable() {
    let config = aws_sdk_sfn::Config::builder()
        .behavior_version(aws_sdk_sfn::config::BehaviorVersion::latest())
        .region(aws_sdk_sfn::config::Region::new(REGION))
        .endpoint_url("http://127.0.0.1:9")
        .credentials_provider(aws_sdk_sfn::config::Credentials::new(
            "x", "x", None, None, "test",
        ))
        .retry_config(aws_sdk_sfn::config::retry::RetryConfig::standard().with_max_attempts(1))
        .build();
    let workflow = StepFunctionsWorkflow::new(
        aws_sdk_sfn::Client::from_conf(config),
        format!("arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:review"),
    );
    let (job, _) = new_job("alice", "c1", chrono::Utc::now());
    assert!(matches!(
        workflow.start(&job).await,
        Err(WorkflowError::Unavailable(_))
    ));
    assert!(matches!(
        workflow.send_task_heartbeat(&TaskToken::new("t")).await,
        Err(WorkflowError::Unavailable(_))
    ));
}
