//! The `Workflow` port on one machine: executions driven in the background,
//! token calls that settle waiting tasks (and say "already handled" for
//! tokens that are used or unknown), stop, and a second host on the same
//! database picking up what the first left unfinished.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use coursegen_core::ids::{JobId, TaskToken};
use coursegen_core::job::Job;
use coursegen_core::ports::{TokenOutcome, Workflow, WorkflowError};
use coursegen_local::SqliteStore;
use coursegen_local::asl::{ExecutionStatus, StateMachine, TaskFailure, TaskRunner};
use coursegen_local::workflow::LocalWorkflow;
use serde_json::{Value, json};

/// Review → Work: the gate hands its token over, `work` echoes.
fn machine() -> Arc<StateMachine> {
    let definition = json!({"StartAt": "Review", "States": {
        "Review": {"Type": "Task", "Resource": "gate.waitForTaskToken",
                   "Parameters": {"token.$": "$$.Task.Token"}, "ResultPath": "$.decision", "Next": "Work"},
        "Work": {"Type": "Task", "Resource": "work", "ResultPath": "$.work", "End": true}
    }});
    Arc::new(StateMachine::parse(&definition.to_string()).unwrap())
}

#[derive(Debug, Default)]
struct Runner {
    tokens: Mutex<Vec<String>>,
    work: Mutex<u32>,
}

#[async_trait]
impl TaskRunner for Runner {
    async fn run(&self, resource: &str, input: Value) -> Result<Value, TaskFailure> {
        if resource == "work" {
            *self.work.lock().unwrap() += 1;
        } else if let Some(token) = input["token"].as_str() {
            self.tokens.lock().unwrap().push(token.to_owned());
        }
        Ok(json!({"done": resource}))
    }
}

impl Runner {
    async fn token(&self) -> TaskToken {
        for _ in 0..200 {
            if let Some(t) = self.tokens.lock().unwrap().last() {
                return TaskToken::new(t.clone());
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("the gate never handed a token over");
    }
}

fn job() -> Job {
    coursegen_core::contract::job_store::new_job("alice", "c1", chrono::Utc::now()).0
}

async fn status_becomes(host: &LocalWorkflow, job: JobId, status: ExecutionStatus) {
    for _ in 0..300 {
        if let Some(e) = host.execution(job).await.unwrap()
            && e.status == status
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("job {job} never became {status:?}");
}

fn setup() -> (tempfile::TempDir, Arc<SqliteStore>) {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(&dir.path().join("db.sqlite3")).unwrap());
    (dir, store)
}

#[tokio::test]
async fn a_token_settles_its_task_once() {
    let (_dir, store) = setup();
    let runner = Arc::new(Runner::default());
    let host = LocalWorkflow::new(machine(), runner.clone(), store);
    let job = job();
    host.start(&job).await.unwrap();
    host.start(&job).await.unwrap();
    let token = runner.token().await;
    assert_eq!(runner.tokens.lock().unwrap().len(), 1, "started once");

    let unknown = TaskToken::new("not-a-token");
    assert_eq!(
        host.send_task_success(&unknown, json!({})).await,
        Ok(TokenOutcome::AlreadyHandled)
    );
    assert_eq!(
        host.send_task_heartbeat(&token).await,
        Ok(TokenOutcome::Delivered)
    );
    assert_eq!(
        host.send_task_success(&token, json!({"action": "approve"}))
            .await,
        Ok(TokenOutcome::Delivered)
    );
    status_becomes(&host, job.id, ExecutionStatus::Succeeded).await;
    assert_eq!(
        host.send_task_success(&token, json!({"action": "approve"}))
            .await,
        Ok(TokenOutcome::AlreadyHandled),
        "a used token is final, not an error"
    );
    let done = host.execution(job.id).await.unwrap().unwrap();
    assert_eq!(
        done.output.unwrap()["decision"],
        json!({"action": "approve"})
    );
    assert_eq!(*runner.work.lock().unwrap(), 1);
    host.start(&job).await.unwrap();
    assert_eq!(
        *runner.work.lock().unwrap(),
        1,
        "starting an ended job does nothing"
    );
}

#[tokio::test]
async fn a_failed_token_and_a_stop_end_the_execution() {
    let (_dir, store) = setup();
    let runner = Arc::new(Runner::default());
    let host = LocalWorkflow::new(machine(), runner.clone(), store);

    let failing = job();
    host.start(&failing).await.unwrap();
    let token = runner.token().await;
    assert_eq!(
        host.send_task_failure(&token, "Rejected", "not this one")
            .await,
        Ok(TokenOutcome::Delivered)
    );
    status_becomes(&host, failing.id, ExecutionStatus::Failed).await;

    let stopped = job();
    host.start(&stopped).await.unwrap();
    runner.tokens.lock().unwrap().clear();
    let token = runner.token().await;
    host.stop(stopped.id, "Aborted", "by the reviewer")
        .await
        .unwrap();
    status_becomes(&host, stopped.id, ExecutionStatus::Aborted).await;
    host.stop(stopped.id, "Aborted", "again").await.unwrap();
    assert_eq!(
        host.send_task_success(&token, json!({})).await,
        Ok(TokenOutcome::AlreadyHandled)
    );
    let never = JobId::new();
    assert_eq!(
        host.stop(never, "Aborted", "x").await,
        Err(WorkflowError::NoExecution(never))
    );
}

#[tokio::test]
async fn a_new_host_resumes_what_the_last_one_left() {
    let (_dir, store) = setup();
    let runner = Arc::new(Runner::default());
    let (job, other) = (job(), job());
    let token = {
        let first = LocalWorkflow::new(machine(), runner.clone(), store.clone());
        first.start(&job).await.unwrap();
        let token = runner.token().await;
        runner.tokens.lock().unwrap().clear();
        first.start(&other).await.unwrap();
        runner.token().await;
        token
    };
    // The first host is gone (as after a restart); its driver tasks are
    // idle at the gate. A second host on the same database takes over one
    // job's execution, then the rest.
    let second = LocalWorkflow::new(machine(), runner.clone(), store.clone());
    let name = job.id.to_string();
    assert_eq!(
        second.resume_where(|n| n == name).await.unwrap(),
        vec![name.clone()]
    );
    assert!(second.is_live(job.id) && !second.is_live(other.id));
    assert!(second.is_running(&other.id.to_string()).await.unwrap());
    assert_eq!(
        second
            .send_task_success(&token, json!({"action": "approve"}))
            .await,
        Ok(TokenOutcome::Delivered),
        "the same token completes the resumed execution"
    );
    status_becomes(&second, job.id, ExecutionStatus::Succeeded).await;
    for _ in 0..300 {
        if !second.is_running(&name).await.unwrap() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(!second.is_running(&name).await.unwrap());
    assert_eq!(second.resume_all().await.unwrap(), 1, "the other job's");
    assert!(second.is_live(other.id));
}

#[tokio::test]
async fn committed_changes_are_announced_and_refused_ones_are_not() {
    use coursegen_core::event::{Event, EventKind};
    use coursegen_core::ports::JobStore;
    use coursegen_local::changes::Broadcasting;

    let (_dir, store) = setup();
    let store = Broadcasting::new(store);
    let mut changes = store.changes().subscribe();
    let job = job();
    store.create(&job, &[]).await.unwrap();
    let created = changes.try_recv().unwrap();
    assert_eq!((created.job.id, created.events.len()), (job.id, 0));
    let mut next = job.clone();
    next.version = job.version + 1;
    next.last_event_seq = 1;
    let event = Event {
        job_id: job.id,
        seq: 1,
        at: chrono::Utc::now(),
        kind: EventKind::JobSucceeded,
    };
    store
        .update(&next, job.version, std::slice::from_ref(&event))
        .await
        .unwrap();
    let updated = changes.try_recv().unwrap();
    assert_eq!(*updated.job, next, "the job as committed");
    assert_eq!(&*updated.events, &[event], "with the events it appended");
    // A stale write is refused and announces nothing.
    assert!(store.update(&next, job.version, &[]).await.is_err());
    assert!(changes.try_recv().is_err());
}
