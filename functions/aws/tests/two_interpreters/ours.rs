//! The scenario in coursegen-local's interpreter, each function answering
//! from its own queue of the scripted answers.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use coursegen_local::asl::{Drive, Execution, ExecutionStatus, Executor, TaskFailure, TaskRunner};
use coursegen_local::workflow::course_machine;
use serde_json::{Value, json};

use super::script::{
    Answer, Run, Scenario, TOO_LARGE, TOO_LARGE_CAUSE, canonical_entered, invocation_line,
};

#[derive(Debug, Default)]
struct Scripted {
    answers: Mutex<BTreeMap<String, VecDeque<Answer>>>,
    invocations: Mutex<Vec<String>>,
    tokens: Mutex<VecDeque<String>>,
}

#[async_trait]
impl TaskRunner for Scripted {
    async fn run(&self, _resource: &str, input: Value) -> Result<Value, TaskFailure> {
        let function = input["FunctionName"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        self.invocations
            .lock()
            .unwrap()
            .push(invocation_line(&input));
        if let Some(token) = input["Payload"]["token"].as_str() {
            self.tokens.lock().unwrap().push_back(token.to_owned());
        }
        let answer = self
            .answers
            .lock()
            .unwrap()
            .get_mut(&function)
            .and_then(VecDeque::pop_front);
        match answer {
            Some(Answer::Return(output)) => Ok(json!({"Payload": output})),
            Some(Answer::Fail) => Err(TaskFailure {
                error: TOO_LARGE.into(),
                cause: TOO_LARGE_CAUSE.into(),
            }),
            // moto's Lambda echoes the request when its queue runs dry;
            // a scenario that runs dry is wrong, and this makes it differ.
            None => Err(TaskFailure {
                error: "ScriptExhausted".into(),
                cause: format!("no scripted answer left for {function}"),
            }),
        }
    }
}

pub async fn run(scenario: &Scenario, top: &BTreeSet<String>) -> Run {
    let machine = Arc::new(course_machine().expect("the definition parses"));
    let scripted = Arc::new(Scripted::default());
    for (function, answer) in &scenario.invocations {
        scripted
            .answers
            .lock()
            .unwrap()
            .entry((*function).to_owned())
            .or_default()
            .push_back(answer.clone());
    }
    let execution = Execution::new(
        format!("ours:{}", scenario.name),
        scenario.name.to_owned(),
        &machine,
        scenario.input.clone(),
        0,
    );
    let executor = Executor::new(machine, scripted.clone(), execution);
    let mut decisions = scenario.decisions.iter();
    loop {
        match executor.drive().await.expect("no store, nothing to fail") {
            Drive::Done => break,
            Drive::AwaitingTokens => {
                let token = scripted.tokens.lock().unwrap().pop_front();
                let token = token.expect("the execution waits, so a gate handed a token over");
                let decision = decisions.next().expect("a decision for every gate");
                executor
                    .send_task_success(&token, decision.output())
                    .await
                    .expect("the token is live");
            }
        }
    }
    let done = executor.snapshot();
    let mut invocations = scripted.invocations.lock().unwrap().clone();
    invocations.sort();
    Run {
        status: match done.status {
            ExecutionStatus::Succeeded => "SUCCEEDED",
            ExecutionStatus::Failed => "FAILED",
            ExecutionStatus::Aborted => "ABORTED",
            ExecutionStatus::Running => "RUNNING",
        }
        .to_owned(),
        entered: canonical_entered(&done.entered_states(), top),
        invocations,
        output: done.output,
        error: done.error,
    }
}
