//! A task whose code panics, or that was running each time its process
//! stopped, fails through the state's Catch like any failed task: it never
//! leaves the execution running forever, nor resumed forever.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use coursegen_local::asl::executor::MAX_INTERRUPTIONS;
use coursegen_local::asl::{
    Drive, Execution, ExecutionStatus, Executor, StateMachine, TaskFailure, TaskRunner,
};
use serde_json::{Value, json};

/// One task, its failures caught into `$.failure`.
fn machine() -> Arc<StateMachine> {
    let definition = json!({
        "StartAt": "Work",
        "States": {
            "Work": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Retry": [{"ErrorEquals": ["Transient"], "MaxAttempts": 2}],
                "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.failure", "Next": "Caught"}],
                "End": true
            },
            "Caught": {"Type": "Pass", "End": true}
        }
    });
    Arc::new(StateMachine::parse(&definition.to_string()).unwrap())
}

/// Panics on every call.
#[derive(Debug)]
struct Panics;

#[async_trait]
impl TaskRunner for Panics {
    async fn run(&self, _resource: &str, _input: Value) -> Result<Value, TaskFailure> {
        panic!("index out of bounds: the len is 3 but the index is 7");
    }
}

/// Never finishes: each call is cut off by the "process" stopping.
#[derive(Debug, Default)]
struct Hangs {
    calls: AtomicUsize,
}

#[async_trait]
impl TaskRunner for Hangs {
    async fn run(&self, _resource: &str, _input: Value) -> Result<Value, TaskFailure> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        std::future::pending().await
    }
}

#[tokio::test]
async fn a_panicking_task_is_caught_as_a_failure_not_left_running() {
    let machine = machine();
    let execution = Execution::new("e".into(), "job".into(), &machine, json!({}), 0);
    let executor = Executor::new(machine, Arc::new(Panics), execution);
    let drive = tokio::time::timeout(Duration::from_secs(10), executor.drive()).await;
    assert_eq!(
        drive.expect("the panic ends the task").unwrap(),
        Drive::Done
    );
    let done = executor.snapshot();
    assert_eq!(done.status, ExecutionStatus::Succeeded);
    let failure = &done.output.unwrap()["failure"];
    assert_eq!(
        failure["Error"], "Panic",
        "not retried as a transient error"
    );
    let cause = failure["Cause"].as_str().unwrap();
    assert!(
        cause.contains("the step crashed: index out of bounds"),
        "{cause}"
    );
}

/// Runs `executor` until `runner` has been called once more, then drops it
/// mid-task, as a killed process would; what was saved at that moment.
async fn cut_off_mid_task(executor: Executor, runner: &Hangs) -> Execution {
    let before = runner.calls.load(Ordering::SeqCst);
    let driver = tokio::spawn({
        let executor = executor.clone();
        async move { executor.drive().await }
    });
    for _ in 0..5000 {
        if runner.calls.load(Ordering::SeqCst) > before {
            break;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    assert!(runner.calls.load(Ordering::SeqCst) > before, "the task ran");
    driver.abort();
    let _ = driver.await;
    executor.snapshot()
}

#[tokio::test]
async fn a_task_cut_off_by_every_restart_fails_on_the_last() {
    let machine = machine();
    let runner = Arc::new(Hangs::default());
    let mut saved = Execution::new("e".into(), "job".into(), &machine, json!({}), 0);
    saved = cut_off_mid_task(
        Executor::new(machine.clone(), runner.clone(), saved),
        &runner,
    )
    .await;
    // Each restart runs the task again, until the last allowed one.
    for restart in 1..MAX_INTERRUPTIONS {
        let resumed = Executor::resume(machine.clone(), runner.clone(), saved);
        assert_eq!(resumed.snapshot().status, ExecutionStatus::Running);
        saved = cut_off_mid_task(resumed, &runner).await;
        assert_eq!(
            runner.calls.load(Ordering::SeqCst),
            restart as usize + 1,
            "restart {restart} runs the task again"
        );
    }
    let resumed = Executor::resume(machine.clone(), runner.clone(), saved);
    assert_eq!(resumed.drive().await.unwrap(), Drive::Done);
    let done = resumed.snapshot();
    assert_eq!(
        runner.calls.load(Ordering::SeqCst),
        MAX_INTERRUPTIONS as usize,
        "not run again after the last interruption"
    );
    let failure = &done.output.unwrap()["failure"];
    assert_eq!(failure["Error"], "Interrupted");
    assert!(
        failure["Cause"]
            .as_str()
            .unwrap()
            .contains(&format!("stopped {MAX_INTERRUPTIONS} times")),
        "{failure}"
    );
}

#[tokio::test]
async fn a_task_that_finishes_after_an_interruption_starts_its_count_afresh() {
    let machine = machine();
    let hangs = Arc::new(Hangs::default());
    let mut saved = Execution::new("e".into(), "job".into(), &machine, json!({}), 0);
    saved = cut_off_mid_task(Executor::new(machine.clone(), hangs.clone(), saved), &hangs).await;
    saved = cut_off_mid_task(
        Executor::resume(machine.clone(), hangs.clone(), saved),
        &hangs,
    )
    .await;
    let thread = &saved.threads[&0];
    assert_eq!(thread.interruptions, 1, "counted when resumed");
    // The next run finishes: the count does not carry into later states.
    #[derive(Debug)]
    struct Works;
    #[async_trait]
    impl TaskRunner for Works {
        async fn run(&self, _resource: &str, input: Value) -> Result<Value, TaskFailure> {
            Ok(input)
        }
    }
    let resumed = Executor::resume(machine, Arc::new(Works), saved);
    assert_eq!(resumed.drive().await.unwrap(), Drive::Done);
    let done = resumed.snapshot();
    assert_eq!(done.status, ExecutionStatus::Succeeded);
    assert!(done.output.unwrap().get("failure").is_none());
}
