//! The embedded ASL executor, feature by feature, with a scripted task runner.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use coursegen_local::asl::{
    Drive, Execution, ExecutionStatus, Executor, StateMachine, TaskFailure, TaskRunner, TokenError,
};
use serde_json::{Value, json};

/// Answers each resource from a script: a list of outcomes per resource,
/// used in turn (the last one repeats). Records every call and the most
/// tasks ever running at once.
#[derive(Debug, Default)]
struct Script {
    outcomes: Mutex<HashMap<String, Vec<Result<Value, TaskFailure>>>>,
    calls: Mutex<Vec<(String, Value)>>,
    running: AtomicUsize,
    most_running: AtomicUsize,
}

impl Script {
    fn answer(self, resource: &str, outcomes: Vec<Result<Value, TaskFailure>>) -> Self {
        self.outcomes
            .lock()
            .unwrap()
            .insert(resource.to_owned(), outcomes);
        self
    }
    fn calls(&self, resource: &str) -> Vec<Value> {
        self.calls
            .lock()
            .unwrap()
            .iter()
            .filter(|(r, _)| r == resource)
            .map(|(_, v)| v.clone())
            .collect()
    }
}

fn fail(error: &str) -> Result<Value, TaskFailure> {
    Err(TaskFailure {
        error: error.into(),
        cause: format!("{error} happened"),
    })
}

#[async_trait]
impl TaskRunner for Script {
    async fn run(&self, resource: &str, input: Value) -> Result<Value, TaskFailure> {
        self.calls
            .lock()
            .unwrap()
            .push((resource.to_owned(), input.clone()));
        let now = self.running.fetch_add(1, Ordering::SeqCst) + 1;
        self.most_running.fetch_max(now, Ordering::SeqCst);
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        self.running.fetch_sub(1, Ordering::SeqCst);
        let mut outcomes = self.outcomes.lock().unwrap();
        match outcomes.get_mut(resource) {
            Some(list) if list.len() > 1 => list.remove(0),
            Some(list) => list[0].clone(),
            // Unscripted resources echo their input.
            None => Ok(input),
        }
    }
}

fn executor(definition: Value, script: Arc<Script>, input: Value) -> Executor {
    let machine = Arc::new(StateMachine::parse(&definition.to_string()).unwrap());
    let execution = Execution::new("exec-1".into(), "job-1".into(), &machine, input, 0);
    Executor::new(machine, script, execution)
}

#[tokio::test]
async fn tasks_choices_and_paths_run_to_success() {
    let script = Arc::new(Script::default().answer(
        "validate",
        vec![Ok(json!({"suitable": true, "key": "jobs/1/validate.json"}))],
    ));
    let ex = executor(
        json!({"StartAt": "Validate", "States": {
            "Validate": {"Type": "Task", "Resource": "validate", "Parameters": {"job.$": "$.job"}, "ResultPath": "$.validation", "Next": "Suitable?"},
            "Suitable?": {"Type": "Choice", "Choices": [{"Variable": "$.validation.suitable", "BooleanEquals": true, "Next": "Done"}], "Default": "Unsuitable"},
            "Unsuitable": {"Type": "Fail", "Error": "Unsuitable"},
            "Done": {"Type": "Succeed", "OutputPath": "$.validation"}
        }}),
        script.clone(),
        json!({"job": "J1"}),
    );
    assert_eq!(ex.drive().await.unwrap(), Drive::Done);
    let exec = ex.snapshot();
    assert_eq!(exec.status, ExecutionStatus::Succeeded);
    assert_eq!(
        exec.output,
        Some(json!({"suitable": true, "key": "jobs/1/validate.json"}))
    );
    assert_eq!(exec.entered_states(), vec!["Validate", "Suitable?", "Done"]);
    assert_eq!(script.calls("validate"), vec![json!({"job": "J1"})]);
}

#[tokio::test]
async fn retries_back_off_then_succeed_or_are_caught() {
    let definition = |max: u32| {
        json!({"StartAt": "Step", "States": {
            "Step": {"Type": "Task", "Resource": "flaky",
                     "Retry": [{"ErrorEquals": ["Throttled"], "IntervalSeconds": 0.01, "MaxAttempts": max, "BackoffRate": 2.0}],
                     "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Record"}],
                     "End": true},
            "Record": {"Type": "Pass", "End": true}
        }})
    };
    let script = Arc::new(Script::default().answer(
        "flaky",
        vec![fail("Throttled"), fail("Throttled"), Ok(json!("ok"))],
    ));
    let ex = executor(definition(3), script.clone(), json!({}));
    ex.drive().await.unwrap();
    assert_eq!(ex.snapshot().output, Some(json!("ok")));
    assert_eq!(script.calls("flaky").len(), 3, "two retries, then success");

    let script = Arc::new(Script::default().answer("flaky", vec![fail("Throttled")]));
    let ex = executor(definition(1), script.clone(), json!({"job": "J"}));
    ex.drive().await.unwrap();
    let exec = ex.snapshot();
    assert_eq!(exec.status, ExecutionStatus::Succeeded);
    assert_eq!(
        exec.output,
        Some(json!({"job": "J", "error": {"Error": "Throttled", "Cause": "Throttled happened"}}))
    );
    assert_eq!(script.calls("flaky").len(), 2, "one retry, then caught");
    assert_eq!(exec.entered_states(), vec!["Step", "Step", "Record"]);
}

#[tokio::test]
async fn uncaught_failures_fail_the_execution() {
    let script = Arc::new(Script::default().answer("boom", vec![fail("EngineDown")]));
    let ex = executor(
        json!({"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "boom", "End": true}}}),
        script,
        json!({}),
    );
    ex.drive().await.unwrap();
    let exec = ex.snapshot();
    assert_eq!(exec.status, ExecutionStatus::Failed);
    assert_eq!(
        exec.error,
        Some(("EngineDown".into(), "EngineDown happened".into()))
    );
}

#[tokio::test]
async fn parallel_branches_and_bounded_maps() {
    let script =
        Arc::new(Script::default().answer("assessment", vec![Ok(json!("assessment-key"))]));
    let ex = executor(
        json!({"StartAt": "Both", "States": {
            "Both": {"Type": "Parallel", "ResultPath": "$.results", "End": true, "Branches": [
                {"StartAt": "Lessons", "States": {"Lessons": {"Type": "Map", "ItemsPath": "$.lessons", "MaxConcurrency": 2,
                    "ItemSelector": {"lesson.$": "$$.Map.Item.Value", "index.$": "$$.Map.Item.Index", "job.$": "$.job"},
                    "ItemProcessor": {"StartAt": "Write", "States": {"Write": {"Type": "Task", "Resource": "lesson", "End": true}}},
                    "End": true}}},
                {"StartAt": "Assess", "States": {"Assess": {"Type": "Task", "Resource": "assessment", "End": true}}}
            ]}
        }}),
        script.clone(),
        json!({"job": "J", "lessons": ["a", "b", "c", "d", "e"]}),
    );
    ex.drive().await.unwrap();
    let exec = ex.snapshot();
    assert_eq!(exec.status, ExecutionStatus::Succeeded);
    let results = &exec.output.as_ref().unwrap()["results"];
    let names = ["a", "b", "c", "d", "e"];
    let lessons: Vec<Value> = (0..5)
        .map(|i| json!({"lesson": names[i], "index": i, "job": "J"}))
        .collect();
    assert_eq!(
        results[0],
        Value::Array(lessons),
        "Map results come back in item order"
    );
    assert_eq!(results[1], json!("assessment-key"));
    assert_eq!(script.calls("lesson").len(), 5);
    assert!(
        script.most_running.load(Ordering::SeqCst) <= 3,
        "at most 2 lessons at once, plus the assessment"
    );
    assert!(exec.threads.len() == 1, "finished children are forgotten");
}

#[tokio::test]
async fn a_failed_map_item_fails_the_map_into_its_catch() {
    let script =
        Arc::new(Script::default().answer("lesson", vec![Ok(json!(1)), fail("LessonFailed")]));
    let ex = executor(
        json!({"StartAt": "Lessons", "States": {
            "Lessons": {"Type": "Map", "MaxConcurrency": 1, "ItemProcessor": {"StartAt": "W", "States": {"W": {"Type": "Task", "Resource": "lesson", "End": true}}},
                        "Catch": [{"ErrorEquals": ["LessonFailed"], "Next": "Handle"}], "End": true},
            "Handle": {"Type": "Pass", "End": true}
        }}),
        script,
        json!([1, 2, 3]),
    );
    ex.drive().await.unwrap();
    let exec = ex.snapshot();
    assert_eq!(exec.status, ExecutionStatus::Succeeded);
    assert_eq!(
        exec.output,
        Some(json!({"Error": "LessonFailed", "Cause": "LessonFailed happened"}))
    );
}

#[tokio::test]
async fn task_tokens_wait_for_a_callback() {
    let script = Arc::new(Script::default());
    let ex = executor(
        json!({"StartAt": "Gate", "States": {
            "Gate": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                     "Parameters": {"token.$": "$$.Task.Token", "stage": "segment"}, "ResultPath": "$.decision", "Next": "Decided"},
            "Decided": {"Type": "Succeed"}
        }}),
        script.clone(),
        json!({"job": "J"}),
    );
    assert_eq!(ex.drive().await.unwrap(), Drive::AwaitingTokens);
    let token = script.calls("arn:aws:states:::lambda:invoke.waitForTaskToken")[0]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        ex.send_task_success("not-a-token", json!({})).await,
        Err(TokenError::InvalidToken)
    );
    ex.send_task_success(&token, json!({"approve": true}))
        .await
        .unwrap();
    assert_eq!(
        ex.send_task_success(&token, json!({})).await,
        Err(TokenError::InvalidToken),
        "a token completes once"
    );
    assert_eq!(ex.drive().await.unwrap(), Drive::Done);
    assert_eq!(
        ex.snapshot().output,
        Some(json!({"job": "J", "decision": {"approve": true}}))
    );
}

#[tokio::test]
async fn token_failures_go_through_catch_and_stop_aborts() {
    let definition = json!({"StartAt": "Gate", "States": {
        "Gate": {"Type": "Task", "Resource": "gate.waitForTaskToken", "Parameters": {"token.$": "$$.Task.Token"},
                 "Catch": [{"ErrorEquals": ["States.Timeout"], "Next": "Expired"}], "End": true},
        "Expired": {"Type": "Fail", "Error": "ApprovalExpired"}
    }});
    let script = Arc::new(Script::default());
    let ex = executor(definition.clone(), script.clone(), json!({}));
    ex.drive().await.unwrap();
    let token = script.calls("gate.waitForTaskToken")[0]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    ex.send_task_failure(&token, "States.Timeout", "no answer in 7 days")
        .await
        .unwrap();
    ex.drive().await.unwrap();
    assert_eq!(
        ex.snapshot().error,
        Some(("ApprovalExpired".into(), String::new()))
    );

    let script = Arc::new(Script::default());
    let ex = executor(definition, script.clone(), json!({}));
    ex.drive().await.unwrap();
    ex.stop("Aborted", "the user aborted the job")
        .await
        .unwrap();
    assert_eq!(ex.drive().await.unwrap(), Drive::Done);
    assert_eq!(ex.snapshot().status, ExecutionStatus::Aborted);
    let token = script.calls("gate.waitForTaskToken")[0]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        ex.send_task_success(&token, json!({})).await,
        Err(TokenError::InvalidToken),
        "an ended execution takes no token"
    );
}

#[tokio::test]
async fn wait_states_sleep() {
    let ex = executor(
        json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "SecondsPath": "$.s", "Next": "P"}, "P": {"Type": "Pass", "Result": "woke", "End": true}}}),
        Arc::new(Script::default()),
        json!({"s": 1}),
    );
    let started = std::time::Instant::now();
    ex.drive().await.unwrap();
    assert!(started.elapsed() >= std::time::Duration::from_millis(900));
    assert_eq!(ex.snapshot().output, Some(json!("woke")));
}

#[tokio::test]
async fn executions_serialise_and_resume_from_a_snapshot() {
    let definition = json!({"StartAt": "Gate", "States": {
        "Gate": {"Type": "Task", "Resource": "g.waitForTaskToken", "Parameters": {"t.$": "$$.Task.Token"}, "Next": "After"},
        "After": {"Type": "Task", "Resource": "after", "End": true}
    }});
    let script = Arc::new(Script::default());
    let ex = executor(definition.clone(), script.clone(), json!({}));
    ex.drive().await.unwrap();
    // Save, "crash", load into a new executor: the same token completes it.
    let saved = serde_json::to_string(&ex.snapshot()).unwrap();
    drop(ex);
    let machine = Arc::new(StateMachine::parse(&definition.to_string()).unwrap());
    let restored: Execution = serde_json::from_str(&saved).unwrap();
    let ex = Executor::new(machine, script.clone(), restored);
    let token = script.calls("g.waitForTaskToken")[0]["t"]
        .as_str()
        .unwrap()
        .to_owned();
    ex.send_task_success(&token, json!({"ok": 1}))
        .await
        .unwrap();
    assert_eq!(ex.drive().await.unwrap(), Drive::Done);
    assert_eq!(ex.snapshot().output, Some(json!({"ok": 1})));
}

/// A runner whose `slow` task never finishes: the process "dies" while it runs.
#[derive(Debug)]
struct Hangs;

#[async_trait]
impl TaskRunner for Hangs {
    async fn run(&self, resource: &str, input: Value) -> Result<Value, TaskFailure> {
        if resource == "slow" {
            std::future::pending::<()>().await;
        }
        Ok(input)
    }
}

#[tokio::test]
async fn saved_executions_resume_after_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let store =
        Arc::new(coursegen_local::SqliteStore::open(&dir.path().join("db.sqlite3")).unwrap());
    let definition = json!({"StartAt": "Gate", "States": {
        "Gate": {"Type": "Task", "Resource": "g.waitForTaskToken", "Parameters": {"t.$": "$$.Task.Token"}, "ResultPath": "$.gate", "Next": "Slow"},
        "Slow": {"Type": "Task", "Resource": "slow", "ResultPath": "$.slow", "End": true}
    }});
    let machine = Arc::new(StateMachine::parse(&definition.to_string()).unwrap());
    let script = Arc::new(Script::default());

    // First life: reaches the gate, which waits for a token; the process ends.
    let first = Executor::new(
        machine.clone(),
        script.clone(),
        Execution::new(
            "e1".into(),
            "job-1".into(),
            &machine,
            json!({"job": "J"}),
            0,
        ),
    )
    .with_store(store.clone());
    assert_eq!(first.drive().await.unwrap(), Drive::AwaitingTokens);
    let token = script.calls("g.waitForTaskToken")[0]["t"]
        .as_str()
        .unwrap()
        .to_owned();
    drop(first);

    // Second life: loaded from the store, the same token completes the gate;
    // then the process dies while the next task runs.
    let saved = store.execution_named("job-1").await.unwrap().unwrap();
    let second =
        Executor::resume(machine.clone(), Arc::new(Hangs), saved).with_store(store.clone());
    second
        .send_task_success(&token, json!({"approved": true}))
        .await
        .unwrap();
    let driving = tokio::spawn({
        let second = second.clone();
        async move { second.drive().await }
    });
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    driving.abort();

    // Third life: the task that was running runs again, and the job ends.
    let unfinished = store.unfinished_executions().await.unwrap();
    assert_eq!(unfinished.len(), 1);
    let third = Executor::resume(
        machine,
        script.clone(),
        unfinished.into_iter().next().unwrap(),
    )
    .with_store(store.clone());
    assert_eq!(third.drive().await.unwrap(), Drive::Done);
    let done = third.snapshot();
    assert_eq!(
        done.output,
        Some(
            json!({"job": "J", "gate": {"approved": true}, "slow": {"job": "J", "gate": {"approved": true}}})
        )
    );
    assert_eq!(script.calls("slow").len(), 1);
    assert!(store.unfinished_executions().await.unwrap().is_empty());
    // The history saved step by step across the three lives is the whole
    // history, in order, once.
    let loaded = store.execution_named("job-1").await.unwrap().unwrap();
    assert_eq!(loaded.history, done.history);
    assert_eq!(
        loaded.entered_states(),
        vec!["Gate", "Slow", "Slow"],
        "Slow was entered, interrupted, and entered again"
    );
    assert_eq!(
        store
            .execution_named("job-1")
            .await
            .unwrap()
            .unwrap()
            .status,
        ExecutionStatus::Succeeded
    );
}

#[tokio::test]
async fn tasks_time_out_and_heartbeats_keep_token_waits_alive() {
    let machine = |task: Value| {
        json!({"StartAt": "T", "States": {
            "T": task,
            "TimedOut": {"Type": "Pass", "End": true}
        }})
    };
    let catch = json!([{"ErrorEquals": ["States.Timeout"], "Next": "TimedOut"}]);
    // A task that never answers times out after TimeoutSeconds.
    let def = machine(
        json!({"Type": "Task", "Resource": "slow", "TimeoutSeconds": 1, "Catch": catch, "End": true}),
    );
    let parsed = Arc::new(StateMachine::parse(&def.to_string()).unwrap());
    let ex = Executor::new(
        parsed.clone(),
        Arc::new(Hangs),
        Execution::new("e".into(), "n".into(), &parsed, json!({}), 0),
    );
    assert_eq!(ex.drive().await.unwrap(), Drive::Done);
    assert_eq!(ex.snapshot().output.unwrap()["Error"], "States.Timeout");

    // A token wait with HeartbeatSeconds stays alive while heartbeats come…
    let def = machine(
        json!({"Type": "Task", "Resource": "t.waitForTaskToken", "Parameters": {"t.$": "$$.Task.Token"},
                             "HeartbeatSeconds": 1, "Catch": catch, "End": true}),
    );
    let script = Arc::new(Script::default());
    let ex = executor(def, script.clone(), json!({}));
    assert_eq!(
        ex.drive().await.unwrap(),
        Drive::AwaitingTokens,
        "a token wait is not slept through"
    );
    assert!(ex.next_wake().is_some());
    let token = script.calls("t.waitForTaskToken")[0]["t"]
        .as_str()
        .unwrap()
        .to_owned();
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    ex.send_task_heartbeat(&token).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    assert_eq!(
        ex.drive().await.unwrap(),
        Drive::AwaitingTokens,
        "the heartbeat reset the clock"
    );
    // …and times out when they stop.
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    assert_eq!(ex.drive().await.unwrap(), Drive::Done);
    assert_eq!(
        ex.snapshot().output.unwrap()["Error"],
        "States.HeartbeatTimeout"
    );
    assert_eq!(
        ex.send_task_heartbeat(&token).await,
        Err(TokenError::InvalidToken)
    );
}

#[tokio::test]
async fn a_version_2_database_keeps_its_execution_histories() {
    // Version 2 saved each history inside the execution's snapshot; opening
    // the file with this build moves it into its own table, losing nothing.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite3");
    let machine = StateMachine::parse(
        &json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}).to_string(),
    )
    .unwrap();
    let mut old = Execution::new("e9".into(), "job-9".into(), &machine, json!({}), 0);
    old.record(0, "StateEntered", Some("A"), json!({"input": {}}));
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(include_str!("../src/sqlite/schema.sql"))
            .unwrap();
        conn.execute_batch(include_str!("../src/sqlite/schema_v2.sql"))
            .unwrap();
        conn.pragma_update(None, "user_version", 2).unwrap();
        conn.execute(
            "INSERT INTO executions (id, name, status, snapshot, updated_ms) VALUES ('e9', 'job-9', 'RUNNING', ?1, 0)",
            [serde_json::to_string(&old).unwrap()],
        )
        .unwrap();
    }
    let store = coursegen_local::SqliteStore::open(&path).unwrap();
    let loaded = store.execution_named("job-9").await.unwrap().unwrap();
    assert_eq!(loaded, old);
    assert_eq!(loaded.history.len(), 2);
}
