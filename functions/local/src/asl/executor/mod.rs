//! Runs an [`Execution`]: advances threads through their states, runs Task
//! resources through a [`TaskRunner`] (concurrently, for Parallel branches
//! and Map items), sleeps for Wait states and retry backoff, and waits for
//! task tokens. Every change goes through the execution's plain data, so a
//! saved execution can be driven again.

mod advance;
mod children;
mod parts;

pub use parts::{
    Checkpoint, Drive, ExecutionStore, PersistError, TaskFailure, TaskRunner, TokenError,
};

use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::FutureExt;
use rand::RngExt;
use serde_json::{Value, json};
use tokio::task::JoinSet;

use super::definition::{State, StateMachine};
use super::execution::{Execution, ExecutionStatus, Thread, ThreadStatus, machine_at};
use super::retry;
use super::step::{self, OnError, Transition};
use children::{drop_children, set_status};

#[derive(Debug, Clone)]
pub struct Executor {
    machine: Arc<StateMachine>,
    runner: Arc<dyn TaskRunner>,
    execution: Arc<Mutex<Execution>>,
    store: Option<Arc<dyn ExecutionStore>>,
    /// How many history events the store has.
    saved_events: Arc<tokio::sync::Mutex<usize>>,
}

const TOKEN_SUFFIX: &str = ".waitForTaskToken";

/// How many times in a row a task may be cut off by its process stopping
/// before it is failed instead of run again.
pub const MAX_INTERRUPTIONS: u32 = 3;

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

impl Executor {
    pub fn new(
        machine: Arc<StateMachine>,
        runner: Arc<dyn TaskRunner>,
        execution: Execution,
    ) -> Self {
        Executor {
            machine,
            runner,
            execution: Arc::new(Mutex::new(execution)),
            store: None,
            saved_events: Arc::new(tokio::sync::Mutex::new(0)),
        }
    }

    /// Picks up a saved execution after a restart: tasks that were running
    /// when it was saved run again, unless the process has stopped under
    /// the same task [`MAX_INTERRUPTIONS`] times in a row — a task that
    /// crashes its process is failed rather than resumed forever; token
    /// waits and sleeps carry on.
    pub fn resume(
        machine: Arc<StateMachine>,
        runner: Arc<dyn TaskRunner>,
        mut execution: Execution,
    ) -> Self {
        let mut crashed = Vec::new();
        for thread in execution.threads.values_mut() {
            if thread.status == ThreadStatus::Running {
                thread.status = ThreadStatus::Ready;
                thread.interruptions += 1;
                if thread.interruptions >= MAX_INTERRUPTIONS {
                    thread.status = ThreadStatus::Running;
                    crashed.push(thread.id);
                }
            }
        }
        let executor = Self::new(machine, runner, execution);
        {
            let mut exec = executor.lock();
            for id in crashed {
                let failure = TaskFailure {
                    error: retry::INTERRUPTED.to_owned(),
                    cause: format!(
                        "the process stopped {MAX_INTERRUPTIONS} times while this step ran \
                         (it crashed or was killed); it is not run again"
                    ),
                };
                executor.failed(&mut exec, id, failure);
            }
        }
        executor
    }

    /// Saves the execution to `store` after every step.
    pub fn with_store(mut self, store: Arc<dyn ExecutionStore>) -> Self {
        self.store = Some(store);
        self
    }

    async fn persist(&self) -> Result<(), PersistError> {
        let Some(store) = &self.store else {
            return Ok(());
        };
        // One save at a time, each taken after the one before it, so a
        // slower save never overwrites a newer state.
        let mut saved = self.saved_events.lock().await;
        let checkpoint = {
            let exec = self.lock();
            let first_event = (*saved).min(exec.history.len());
            Checkpoint {
                execution: exec.without_history(),
                first_event,
                events: exec.history[first_event..].to_vec(),
            }
        };
        store.save(&checkpoint).await?;
        *saved = checkpoint.first_event + checkpoint.events.len();
        Ok(())
    }

    /// A copy of the execution as it is now.
    pub fn snapshot(&self) -> Execution {
        self.lock().clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Execution> {
        // The data stays consistent between statements, so a poisoned lock
        // (a panic elsewhere) does not make it unusable.
        self.execution.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub async fn send_task_success(&self, token: &str, output: Value) -> Result<(), TokenError> {
        self.complete_token(token, Ok(output))?;
        Ok(self.persist().await?)
    }

    pub async fn send_task_failure(
        &self,
        token: &str,
        error: &str,
        cause: &str,
    ) -> Result<(), TokenError> {
        let failure = TaskFailure {
            error: error.to_owned(),
            cause: cause.to_owned(),
        };
        self.complete_token(token, Err(failure))?;
        Ok(self.persist().await?)
    }

    fn complete_token(
        &self,
        token: &str,
        result: Result<Value, TaskFailure>,
    ) -> Result<(), TokenError> {
        let mut exec = self.lock();
        if exec.is_done() {
            return Err(TokenError::InvalidToken);
        }
        let id = exec
            .threads
            .values()
            .find(|t| matches!(&t.status, ThreadStatus::AwaitingToken { token: t } if t == token))
            .map(|t| t.id)
            .ok_or(TokenError::InvalidToken)?;
        self.task_finished(&mut exec, id, result, false);
        Ok(())
    }

    /// Resets the heartbeat clock of the task waiting on `token`.
    pub async fn send_task_heartbeat(&self, token: &str) -> Result<(), TokenError> {
        {
            let mut exec = self.lock();
            if exec.is_done() {
                return Err(TokenError::InvalidToken);
            }
            let now = now_ms();
            let machine = self.machine.clone();
            let thread = exec
                .threads
                .values_mut()
                .find(
                    |t| matches!(&t.status, ThreadStatus::AwaitingToken { token: t } if t == token),
                )
                .ok_or(TokenError::InvalidToken)?;
            let beat = match machine_at(&machine, &thread.scope)
                .and_then(|m| m.states.get(&thread.state))
            {
                Some(State::Task(t)) => t.heartbeat_seconds,
                _ => None,
            };
            thread.heartbeat_ms =
                beat.map(|s| now + i64::try_from(s).unwrap_or(i64::MAX / 4_000) * 1000);
        }
        Ok(self.persist().await?)
    }

    /// When something next happens by itself (a Wait ends, a retry is due, a
    /// task or token wait times out), in ms since the epoch.
    pub fn next_wake(&self) -> Option<i64> {
        self.lock()
            .threads
            .values()
            .filter_map(Thread::wake_at)
            .min()
    }

    /// Stops the execution (StopExecution): it ends as aborted.
    pub async fn stop(&self, error: &str, cause: &str) -> Result<(), PersistError> {
        self.abort(error, cause);
        self.persist().await
    }

    fn abort(&self, error: &str, cause: &str) {
        let mut exec = self.lock();
        if !exec.is_done() {
            exec.status = ExecutionStatus::Aborted;
            exec.error = Some((error.to_owned(), cause.to_owned()));
            exec.record(
                0,
                "ExecutionAborted",
                None,
                json!({"Error": error, "Cause": cause}),
            );
        }
    }

    /// Runs until the execution ends or only task tokens can move it on.
    /// Saves after every step: before tasks start (so a crash re-runs
    /// them), and after each outcome.
    pub async fn drive(&self) -> Result<Drive, PersistError> {
        let mut tasks: JoinSet<(u32, Result<Value, TaskFailure>, bool)> = JoinSet::new();
        loop {
            let started = {
                let mut exec = self.lock();
                self.wake_sleepers(&mut exec);
                self.advance_ready(&mut exec)
            };
            self.persist().await?;
            for (id, resource, input) in started {
                let runner = self.runner.clone();
                let waits = resource.ends_with(TOKEN_SUFFIX);
                tasks.spawn(async move {
                    // A runner that panics fails its task (as a crashed
                    // Lambda does) rather than leaving it running forever.
                    let result = AssertUnwindSafe(runner.run(&resource, input))
                        .catch_unwind()
                        .await
                        .unwrap_or_else(|panic| Err(TaskFailure::panicked(panic.as_ref())));
                    (id, result, waits)
                });
            }
            let wake = {
                let exec = self.lock();
                if exec.is_done() {
                    tasks.abort_all();
                    return Ok(Drive::Done);
                }
                // Token waits are not slept through here (an approval may
                // take days): the caller drives again by `next_wake`.
                exec.threads
                    .values()
                    .filter(|t| !matches!(t.status, ThreadStatus::AwaitingToken { .. }))
                    .filter_map(Thread::wake_at)
                    .min()
            };
            let sleep =
                wake.map(|at| Duration::from_millis(u64::try_from(at - now_ms()).unwrap_or(0)));
            match (tasks.is_empty(), sleep) {
                (true, None) => return Ok(Drive::AwaitingTokens),
                (true, Some(d)) => tokio::time::sleep(d).await,
                (false, sleep) => {
                    let sleep = sleep.unwrap_or(Duration::from_secs(3600));
                    tokio::select! {
                        done = tasks.join_next() => {
                            if let Some(Ok((id, result, waits))) = done {
                                let mut exec = self.lock();
                                self.task_finished(&mut exec, id, result, waits);
                            }
                        }
                        () = tokio::time::sleep(sleep) => {}
                    }
                }
            }
            self.persist().await?;
        }
    }

    fn wake_sleepers(&self, exec: &mut Execution) {
        let now = now_ms();
        // Tasks past TimeoutSeconds or HeartbeatSeconds fail; a late result
        // then finds the thread moved on and is ignored.
        let expired: Vec<(u32, &str)> = exec
            .threads
            .values()
            .filter(|t| {
                matches!(
                    t.status,
                    ThreadStatus::Running | ThreadStatus::AwaitingToken { .. }
                )
            })
            .filter_map(|t| match (t.deadline_ms, t.heartbeat_ms) {
                (Some(d), _) if d <= now => Some((t.id, retry::TIMEOUT)),
                (_, Some(h)) if h <= now => Some((t.id, retry::HEARTBEAT_TIMEOUT)),
                _ => None,
            })
            .collect();
        for (id, error) in expired {
            let cause = if error == retry::TIMEOUT {
                "the task ran past its TimeoutSeconds"
            } else {
                "no heartbeat within HeartbeatSeconds"
            };
            self.failed(
                exec,
                id,
                TaskFailure {
                    error: error.to_owned(),
                    cause: cause.to_owned(),
                },
            );
        }
        let due: Vec<(u32, Option<Transition>)> = exec
            .threads
            .values()
            .filter_map(|t| match &t.status {
                ThreadStatus::Sleeping { until_ms, then } if *until_ms <= now => {
                    Some((t.id, then.clone()))
                }
                _ => None,
            })
            .collect();
        for (id, then) in due {
            match then {
                Some(transition) => self.apply(exec, id, transition),
                None => set_status(exec, id, ThreadStatus::Ready),
            }
        }
    }

    /// Moves every ready thread on until it runs a task, sleeps, waits for
    /// children or ends. Returns the tasks to start.
    fn advance_ready(&self, exec: &mut Execution) -> Vec<(u32, String, Value)> {
        let mut started = Vec::new();
        while let Some(id) = exec
            .threads
            .values()
            .find(|t| t.status == ThreadStatus::Ready)
            .map(|t| t.id)
        {
            if exec.is_done() {
                break;
            }
            self.advance(exec, id, &mut started);
        }
        started
    }

    fn context(&self, exec: &Execution, thread: &Thread, token: Option<&str>) -> Value {
        let mut ctx = json!({
            "Execution": {"Id": exec.id, "Name": exec.name, "Input": exec.input, "StartTime": exec.started_ms},
            "State": {"Name": thread.state},
            "StateMachine": {"Id": "coursegen"},
        });
        if let Some(token) = token {
            ctx["Task"] = json!({"Token": token});
        }
        if let Some((index, value)) = &thread.map_item {
            ctx["Map"] = json!({"Item": {"Index": index, "Value": value}});
        }
        ctx
    }

    /// A task (or a token) finished for thread `id`.
    fn task_finished(
        &self,
        exec: &mut Execution,
        id: u32,
        result: Result<Value, TaskFailure>,
        handed_over: bool,
    ) {
        if exec.is_done() {
            return;
        }
        let Some(thread) = exec.threads.get(&id) else {
            return;
        };
        if !matches!(
            thread.status,
            ThreadStatus::Running | ThreadStatus::AwaitingToken { .. }
        ) {
            return;
        }
        match result {
            // The runner handed a token task over: now it waits for the token.
            Ok(_) if handed_over => {}
            Ok(output) => {
                exec.record(
                    id,
                    "TaskSucceeded",
                    Some(&exec.threads[&id].state.clone()),
                    Value::Null,
                );
                self.work_done(exec, id, output);
            }
            Err(failure) => self.failed(exec, id, failure),
        }
    }

    /// The state's work produced `result`: ResultSelector, ResultPath,
    /// OutputPath, then on.
    fn work_done(&self, exec: &mut Execution, id: u32, result: Value) {
        let Some(thread) = exec.threads.get(&id).cloned() else {
            return;
        };
        let ctx = self.context(exec, &thread, None);
        let transition = match machine_at(&self.machine, &thread.scope)
            .and_then(|m| m.states.get(&thread.state))
        {
            Some(State::Task(t)) => step::after_work(&t.io, &t.flow, &thread.input, result, &ctx),
            Some(State::Parallel(p)) => {
                step::after_work(&p.io, &p.flow, &thread.input, result, &ctx)
            }
            Some(State::Map(m)) => step::after_work(&m.io, &m.flow, &thread.input, result, &ctx),
            _ => Transition::Fail {
                error: "States.Runtime".into(),
                cause: "work finished in a state that does none".into(),
            },
        };
        self.apply(exec, id, transition);
    }

    /// The state of thread `id` failed: Retry, Catch, or fail the thread.
    fn failed(&self, exec: &mut Execution, id: u32, failure: TaskFailure) {
        let Some(thread) = exec.threads.get(&id).cloned() else {
            return;
        };
        exec.record(
            id,
            "TaskFailed",
            Some(&thread.state),
            json!({"Error": failure.error, "Cause": failure.cause}),
        );
        let (retry, catch) = match machine_at(&self.machine, &thread.scope)
            .and_then(|m| m.states.get(&thread.state))
        {
            Some(State::Task(t)) => (&t.retry[..], &t.catch[..]),
            Some(State::Parallel(p)) => (&p.retry[..], &p.catch[..]),
            Some(State::Map(m)) => (&m.retry[..], &m.catch[..]),
            _ => (&[][..], &[][..]),
        };
        let unit: f64 = rand::rng().random();
        match step::on_error(
            retry,
            catch,
            &thread.attempts,
            &thread.input,
            &failure.error,
            &failure.cause,
            unit,
        ) {
            OnError::Retry { retrier, delay } => {
                if let Some(t) = exec.threads.get_mut(&id) {
                    if t.attempts.len() <= retrier {
                        t.attempts.resize(retrier + 1, 0);
                    }
                    t.attempts[retrier] += 1;
                }
                let until_ms = now_ms() + i64::try_from(delay.as_millis()).unwrap_or(i64::MAX / 2);
                set_status(
                    exec,
                    id,
                    ThreadStatus::Sleeping {
                        until_ms,
                        then: None,
                    },
                );
            }
            OnError::Then(transition) => self.apply(exec, id, transition),
        }
    }

    fn apply(&self, exec: &mut Execution, id: u32, transition: Transition) {
        let Some(thread) = exec.threads.get(&id).cloned() else {
            return;
        };
        exec.record(id, "StateExited", Some(&thread.state), Value::Null);
        match transition {
            Transition::Next { to, output } => {
                if let Some(t) = exec.threads.get_mut(&id) {
                    t.state = to;
                    t.input = output;
                    t.attempts.clear();
                    t.status = ThreadStatus::Ready;
                    t.deadline_ms = None;
                    t.heartbeat_ms = None;
                    t.interruptions = 0;
                }
            }
            Transition::End { output } => {
                set_status(
                    exec,
                    id,
                    ThreadStatus::Succeeded {
                        output: output.clone(),
                    },
                );
                match thread.parent {
                    None => {
                        exec.status = ExecutionStatus::Succeeded;
                        exec.output = Some(output.clone());
                        exec.record(0, "ExecutionSucceeded", None, output);
                    }
                    Some((parent, slot)) => self.child_succeeded(exec, parent, slot, output),
                }
            }
            Transition::Fail { error, cause } => {
                set_status(
                    exec,
                    id,
                    ThreadStatus::Failed {
                        error: error.clone(),
                        cause: cause.clone(),
                    },
                );
                match thread.parent {
                    None => {
                        exec.status = ExecutionStatus::Failed;
                        exec.record(
                            0,
                            "ExecutionFailed",
                            None,
                            json!({"Error": error, "Cause": cause}),
                        );
                        exec.error = Some((error, cause));
                    }
                    Some((parent, _)) => {
                        // One failed branch or item fails the Parallel or Map:
                        // the others stop.
                        drop_children(exec, parent);
                        self.failed(exec, parent, TaskFailure { error, cause });
                    }
                }
            }
        }
    }
}
