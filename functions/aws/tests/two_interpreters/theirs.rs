//! The scenario in moto's Step Functions interpreter: Lambda answers are
//! queued in moto before the execution starts, and the harness watches the
//! execution history for gate tasks to answer through SendTaskSuccess (or
//! StopExecution when the reviewer aborts).

use std::collections::{BTreeSet, HashSet};
use std::time::{Duration, Instant};

use aws_sdk_sfn::types::{ExecutionStatus, HistoryEvent, HistoryEventType};
use coursegen_local::workflow::definition_with;
use serde_json::{Value, json};

use super::script::{Answer, Run, Scenario, canonical_entered, invocation_line};
use crate::moto::{ACCOUNT, Moto};

/// The definition with each placeholder an ARN of a function in `region`.
fn definition(region: &str) -> String {
    definition_with(|f| format!("arn:aws:lambda:{region}:{ACCOUNT}:function:{f}"))
        .expect("every placeholder has a value")
}

/// What moto's Lambda answers: the output, or for a failure a response over
/// Lambda's size limit, which it fails with `Function.ResponseSizeTooLarge`.
fn lambda_result(answer: &Answer) -> String {
    match answer {
        Answer::Return(output) => output.to_string(),
        Answer::Fail => json!({"padding": "x".repeat(6_100_000)}).to_string(),
    }
}

async fn history(sfn: &aws_sdk_sfn::Client, arn: &str) -> Vec<HistoryEvent> {
    let mut events = Vec::new();
    let mut pages = sfn
        .get_execution_history()
        .execution_arn(arn)
        .max_results(1000)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        events.extend(page.expect("moto answers GetExecutionHistory").events);
    }
    events
}

fn parameters(event: &HistoryEvent) -> Option<Value> {
    let details = event.task_scheduled_event_details()?;
    serde_json::from_str(details.parameters()).ok()
}

fn has_heartbeat(event: &HistoryEvent) -> bool {
    event
        .task_scheduled_event_details()
        .and_then(|d| d.heartbeat_in_seconds())
        .is_some()
}

/// Waits until moto takes a heartbeat for `token`. moto 5.2.5 sets up a
/// task's heartbeat watch only after its Lambda call returns, and a result
/// sent before then never wakes that watch: the task would sleep until its
/// HeartbeatSeconds. Real Step Functions has no such window; this keeps the
/// harness out of it.
async fn heartbeat_accepted(sfn: &aws_sdk_sfn::Client, token: &str, deadline: Instant) {
    while sfn
        .send_task_heartbeat()
        .task_token(token)
        .send()
        .await
        .is_err()
    {
        assert!(Instant::now() < deadline, "moto never took a heartbeat");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

pub async fn run(moto: &Moto, scenario: &Scenario, top: &BTreeSet<String>) -> Run {
    let sfn = moto.sfn(scenario.region);
    let results: Vec<String> = scenario
        .invocations
        .iter()
        .map(|(_, a)| lambda_result(a))
        .collect();
    moto.queue_lambda_results(scenario.region, &results).await;
    let machine = sfn
        .create_state_machine()
        .name(scenario.name)
        .definition(definition(scenario.region))
        .role_arn(format!("arn:aws:iam::{ACCOUNT}:role/coursegen-workflow"))
        .send()
        .await
        .expect("moto accepts the definition");
    let execution = sfn
        .start_execution()
        .state_machine_arn(machine.state_machine_arn())
        .name(scenario.name)
        .input(scenario.input.to_string())
        .send()
        .await
        .expect("moto starts the execution");
    let arn = execution.execution_arn();

    let mut decisions = scenario.decisions.iter();
    let mut answered: HashSet<i64> = HashSet::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    let described = loop {
        assert!(
            Instant::now() < deadline,
            "{}: moto's execution did not finish",
            scenario.name
        );
        for event in history(&sfn, arn).await {
            let Some(params) = parameters(&event) else {
                continue;
            };
            let Some(token) = params["Payload"]["token"].as_str() else {
                continue;
            };
            if !answered.insert(event.id()) {
                continue;
            }
            let decision = decisions.next().expect("a decision for every gate");
            if has_heartbeat(&event) {
                heartbeat_accepted(&sfn, token, deadline).await;
            }
            sfn.send_task_success()
                .task_token(token)
                .output(decision.output().to_string())
                .send()
                .await
                .expect("moto takes the token");
        }
        let described = sfn
            .describe_execution()
            .execution_arn(arn)
            .send()
            .await
            .unwrap();
        if *described.status() != ExecutionStatus::Running {
            break described;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };

    let events = history(&sfn, arn).await;
    let entered: Vec<String> = events
        .iter()
        .filter(|e| e.r#type().as_str().ends_with("StateEntered"))
        .filter_map(|e| e.state_entered_event_details().map(|d| d.name().to_owned()))
        .collect();
    let mut invocations: Vec<String> = events
        .iter()
        .filter(|e| *e.r#type() == HistoryEventType::TaskScheduled)
        .filter_map(parameters)
        .map(|p| invocation_line(&p))
        .collect();
    invocations.sort();
    let error = described.error().map(|e| {
        (
            e.to_owned(),
            described.cause().unwrap_or_default().to_owned(),
        )
    });
    Run {
        status: described.status().as_str().to_owned(),
        entered: canonical_entered(&entered, top),
        invocations,
        output: described
            .output()
            .and_then(|o| serde_json::from_str(o).ok()),
        error,
    }
}
