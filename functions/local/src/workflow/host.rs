//! The `Workflow` port on one machine: each job's execution runs in a
//! background task that drives the interpreter, sleeps while every branch
//! waits for a token, and wakes when a token call or a timer needs it.
//! Executions are saved to SQLite after every step, so a new host on the
//! same database picks up whatever had not finished ([`LocalWorkflow::resume_all`]).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use coursegen_core::ids::{JobId, TaskToken};
use coursegen_core::job::Job;
use coursegen_core::ports::{
    StoreError, TokenOutcome, Workflow, WorkflowError, execution_input, renders_input, renders_name,
};
use coursegen_core::videos::VideoItem;
use tokio::sync::Notify;

use super::new_execution;
use crate::SqliteStore;
use crate::asl::{Drive, Execution, Executor, StateMachine, TaskRunner, TokenError};

/// What a token call asks of the task waiting on the token.
#[derive(Debug)]
enum TokenCall<'a> {
    Success(serde_json::Value),
    Failure { error: &'a str, cause: &'a str },
    Heartbeat,
}

/// One execution this host drives, and the bell that wakes its driver.
#[derive(Debug, Clone)]
struct Live {
    executor: Executor,
    wake: Arc<Notify>,
}

#[derive(Debug, Clone)]
pub struct LocalWorkflow {
    machine: Arc<StateMachine>,
    runner: Arc<dyn TaskRunner>,
    store: Arc<SqliteStore>,
    live: Arc<Mutex<HashMap<String, Live>>>,
}

/// How long a driver waits before trying again after the database failed.
const RETRY_SAVE: Duration = Duration::from_secs(1);

fn unavailable(e: impl std::fmt::Display) -> WorkflowError {
    WorkflowError::Unavailable(e.to_string())
}

impl LocalWorkflow {
    pub fn new(
        machine: Arc<StateMachine>,
        runner: Arc<dyn TaskRunner>,
        store: Arc<SqliteStore>,
    ) -> Self {
        LocalWorkflow {
            machine,
            runner,
            store,
            live: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// A saved execution, ready to drive again.
    fn resumed(&self, saved: Execution) -> Executor {
        Executor::resume(self.machine.clone(), self.runner.clone(), saved)
    }

    fn live(&self) -> std::sync::MutexGuard<'_, HashMap<String, Live>> {
        self.live.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Drives every execution the database holds unfinished: after a
    /// restart, token waits keep waiting and interrupted tasks run again.
    pub async fn resume_all(&self) -> Result<usize, StoreError> {
        Ok(self.resume_where(|_| true).await?.len())
    }

    /// Drives the unfinished executions whose names `pick` keeps (those of
    /// one job, say); their names.
    pub async fn resume_where(
        &self,
        pick: impl Fn(&str) -> bool,
    ) -> Result<Vec<String>, StoreError> {
        let unfinished = self.store.unfinished_executions().await?;
        let mut names = Vec::new();
        for execution in unfinished.into_iter().filter(|e| pick(&e.name)) {
            names.push(execution.name.clone());
            self.drive(self.resumed(execution));
        }
        Ok(names)
    }

    /// Whether this host is driving the job's execution (it stops when the
    /// execution ends).
    pub fn is_live(&self, job: JobId) -> bool {
        self.live().contains_key(&job.to_string())
    }

    /// The job's execution as last saved, if it has one.
    pub async fn execution(&self, job: JobId) -> Result<Option<Execution>, StoreError> {
        if let Some(live) = self.live().get(&job.to_string()) {
            return Ok(Some(live.executor.snapshot()));
        }
        self.store.execution_named(&job.to_string()).await
    }

    /// Runs `executor` in the background until its execution ends.
    fn drive(&self, executor: Executor) {
        let executor = executor.with_store(self.store.clone());
        let name = executor.snapshot().name;
        let wake = Arc::new(Notify::new());
        {
            let mut live = self.live();
            if live.contains_key(&name) {
                return;
            }
            live.insert(
                name.clone(),
                Live {
                    executor: executor.clone(),
                    wake: wake.clone(),
                },
            );
        }
        let registry = self.live.clone();
        tokio::spawn(async move {
            loop {
                match executor.drive().await {
                    Ok(Drive::Done) => break,
                    Ok(Drive::AwaitingTokens) => {
                        let sleep = executor.next_wake().map(|at| {
                            let now = chrono::Utc::now().timestamp_millis();
                            Duration::from_millis(u64::try_from(at - now).unwrap_or(0))
                        });
                        match sleep {
                            Some(d) => {
                                tokio::select! {
                                    () = wake.notified() => {}
                                    () = tokio::time::sleep(d) => {}
                                }
                            }
                            None => wake.notified().await,
                        }
                    }
                    Err(e) => {
                        // Nobody awaits the driver, so it says what failed
                        // (the database; never a token) and tries again.
                        eprintln!("workflow {name}: {e}; retrying");
                        tokio::time::sleep(RETRY_SAVE).await;
                    }
                }
            }
            registry
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .remove(&name);
        });
    }

    /// The live executions, copied out so no lock is held across awaits.
    fn snapshot_live(&self) -> Vec<Live> {
        self.live().values().cloned().collect()
    }

    async fn on_token(
        &self,
        token: &TaskToken,
        call: TokenCall<'_>,
    ) -> Result<TokenOutcome, WorkflowError> {
        // A token belongs to one execution; there are few on one machine,
        // so asking each is simpler than keeping an index of tokens.
        let token = token.expose();
        for live in self.snapshot_live() {
            let ex = &live.executor;
            let answer = match &call {
                TokenCall::Success(output) => ex.send_task_success(token, output.clone()).await,
                TokenCall::Failure { error, cause } => {
                    ex.send_task_failure(token, error, cause).await
                }
                TokenCall::Heartbeat => ex.send_task_heartbeat(token).await,
            };
            match answer {
                Ok(()) => {
                    live.wake.notify_one();
                    return Ok(TokenOutcome::Delivered);
                }
                Err(TokenError::InvalidToken) => continue,
                Err(TokenError::Storage(e)) => return Err(unavailable(e)),
            }
        }
        Ok(TokenOutcome::AlreadyHandled)
    }

    /// Starts execution `name` with `input`, or drives it on if saved
    /// unfinished; one that ended stays ended (names are idempotency keys).
    async fn start_named(
        &self,
        name: String,
        input: serde_json::Value,
    ) -> Result<(), WorkflowError> {
        if self.live().contains_key(&name) {
            return Ok(());
        }
        match self
            .store
            .execution_named(&name)
            .await
            .map_err(unavailable)?
        {
            Some(saved) if saved.is_done() => {}
            Some(saved) => self.drive(self.resumed(saved)),
            None => self.drive(Executor::new(
                self.machine.clone(),
                self.runner.clone(),
                new_execution(&self.machine, name, input),
            )),
        }
        Ok(())
    }

    /// Whether execution `name` is running or saved unfinished.
    pub async fn is_running(&self, name: &str) -> Result<bool, StoreError> {
        if self.live().contains_key(name) {
            return Ok(true);
        }
        Ok(self
            .store
            .execution_named(name)
            .await?
            .is_some_and(|saved| !saved.is_done()))
    }
}

#[async_trait]
impl Workflow for LocalWorkflow {
    async fn start(&self, job: &Job) -> Result<(), WorkflowError> {
        self.start_named(job.id.to_string(), execution_input(job))
            .await
    }

    async fn start_renders(&self, job: &Job, items: &[VideoItem]) -> Result<(), WorkflowError> {
        self.start_named(renders_name(job), renders_input(job, items))
            .await
    }

    async fn send_task_success(
        &self,
        token: &TaskToken,
        output: serde_json::Value,
    ) -> Result<TokenOutcome, WorkflowError> {
        self.on_token(token, TokenCall::Success(output)).await
    }

    async fn send_task_failure(
        &self,
        token: &TaskToken,
        error: &str,
        cause: &str,
    ) -> Result<TokenOutcome, WorkflowError> {
        self.on_token(token, TokenCall::Failure { error, cause })
            .await
    }

    async fn send_task_heartbeat(&self, token: &TaskToken) -> Result<TokenOutcome, WorkflowError> {
        self.on_token(token, TokenCall::Heartbeat).await
    }

    async fn stop(&self, job: JobId, error: &str, cause: &str) -> Result<(), WorkflowError> {
        let name = job.to_string();
        let live = self.live().get(&name).cloned();
        if let Some(live) = live {
            live.executor
                .stop(error, cause)
                .await
                .map_err(unavailable)?;
            live.wake.notify_one();
            return Ok(());
        }
        match self
            .store
            .execution_named(&name)
            .await
            .map_err(unavailable)?
        {
            Some(saved) if saved.is_done() => Ok(()),
            // Saved unfinished but not driven here (resume_all not called):
            // stop it where it lies.
            Some(saved) => {
                let executor = self.resumed(saved).with_store(self.store.clone());
                executor.stop(error, cause).await.map_err(unavailable)
            }
            None => Err(WorkflowError::NoExecution(job)),
        }
    }
}
