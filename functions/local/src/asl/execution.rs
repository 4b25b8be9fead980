//! The state of one execution as plain data: every "thread" (the main
//! machine, each Parallel branch, each Map item) with where it is and what it
//! waits for. Being data, it can be saved after every transition and picked
//! up again after a crash.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::definition::{State, StateMachine};
use super::step::Transition;

/// Which sub-machine a thread runs: a path from the root machine through
/// Parallel branches and Map item processors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Scope {
    Branch { state: String, index: usize },
    Item { state: String },
}

/// The sub-machine at `scope` inside `root`.
pub fn machine_at<'a>(root: &'a StateMachine, scope: &[Scope]) -> Option<&'a StateMachine> {
    let mut machine = root;
    for step in scope {
        machine = match (step, machine) {
            (Scope::Branch { state, index }, m) => match m.states.get(state)? {
                State::Parallel(p) => p.branches.get(*index)?,
                _ => return None,
            },
            (Scope::Item { state }, m) => match m.states.get(state)? {
                State::Map(map) => &map.item_processor,
                _ => return None,
            },
        };
    }
    Some(machine)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ThreadStatus {
    /// About to run `state`.
    Ready,
    /// Its Task is being run.
    Running,
    /// Its Task waits for SendTaskSuccess / SendTaskFailure with this token.
    AwaitingToken {
        token: String,
    },
    /// A Wait state (then `then`), or a retry's backoff (then the state
    /// runs again), until this time (ms since epoch).
    Sleeping {
        until_ms: i64,
        then: Option<Transition>,
    },
    /// A Parallel or Map waits for its children; a Map's items not started
    /// yet (for MaxConcurrency) wait in `pending`, with their index.
    AwaitingChildren {
        children: Vec<u32>,
        pending: Vec<(usize, Value)>,
        results: Vec<Option<Value>>,
    },
    Succeeded {
        output: Value,
    },
    Failed {
        error: String,
        cause: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Thread {
    pub id: u32,
    /// The thread that started this one, and which result slot it fills.
    pub parent: Option<(u32, usize)>,
    pub scope: Vec<Scope>,
    pub state: String,
    /// The raw input of the current state.
    pub input: Value,
    pub status: ThreadStatus,
    /// Retries made so far by each retrier of the current state.
    pub attempts: Vec<u32>,
    /// The `$$.Map.Item` of a Map item thread: its index and value.
    pub map_item: Option<(usize, Value)>,
    /// While a Task runs: when it times out (TimeoutSeconds), and when it
    /// does if no heartbeat comes first (HeartbeatSeconds), in ms.
    #[serde(default)]
    pub deadline_ms: Option<i64>,
    #[serde(default)]
    pub heartbeat_ms: Option<i64>,
    /// How many times in a row the process stopped while this state's task
    /// ran (counted when the execution is resumed).
    #[serde(default)]
    pub interruptions: u32,
}

impl Thread {
    /// The earliest moment something happens to this thread by itself.
    pub fn wake_at(&self) -> Option<i64> {
        let sleep = match self.status {
            ThreadStatus::Sleeping { until_ms, .. } => Some(until_ms),
            _ => None,
        };
        [sleep, self.deadline_ms, self.heartbeat_ms]
            .into_iter()
            .flatten()
            .min()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExecutionStatus {
    Running,
    Succeeded,
    Failed,
    Aborted,
}

/// One entry of the execution history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEvent {
    pub thread: u32,
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub detail: Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Execution {
    pub id: String,
    pub name: String,
    pub status: ExecutionStatus,
    pub input: Value,
    #[serde(default)]
    pub output: Option<Value>,
    #[serde(default)]
    pub error: Option<(String, String)>,
    pub started_ms: i64,
    pub threads: BTreeMap<u32, Thread>,
    pub next_thread: u32,
    pub history: Vec<HistoryEvent>,
}

impl Execution {
    pub fn new(
        id: String,
        name: String,
        machine: &StateMachine,
        input: Value,
        started_ms: i64,
    ) -> Self {
        let main = Thread {
            id: 0,
            parent: None,
            scope: Vec::new(),
            state: machine.start_at.clone(),
            input: input.clone(),
            status: ThreadStatus::Ready,
            attempts: Vec::new(),
            map_item: None,
            deadline_ms: None,
            heartbeat_ms: None,
            interruptions: 0,
        };
        Execution {
            id,
            name,
            status: ExecutionStatus::Running,
            input,
            output: None,
            error: None,
            started_ms,
            threads: BTreeMap::from([(0, main)]),
            next_thread: 1,
            history: vec![HistoryEvent {
                thread: 0,
                kind: "ExecutionStarted".into(),
                state: None,
                detail: Value::Null,
            }],
        }
    }

    pub fn record(&mut self, thread: u32, kind: &str, state: Option<&str>, detail: Value) {
        self.history.push(HistoryEvent {
            thread,
            kind: kind.to_owned(),
            state: state.map(str::to_owned),
            detail,
        });
    }

    /// A copy of everything but the history (what a checkpoint saves).
    pub fn without_history(&self) -> Execution {
        Execution {
            id: self.id.clone(),
            name: self.name.clone(),
            status: self.status,
            input: self.input.clone(),
            output: self.output.clone(),
            error: self.error.clone(),
            started_ms: self.started_ms,
            threads: self.threads.clone(),
            next_thread: self.next_thread,
            history: Vec::new(),
        }
    }

    /// The names of the states entered, in order (for comparing runs).
    pub fn entered_states(&self) -> Vec<String> {
        self.history
            .iter()
            .filter(|e| e.kind == "StateEntered")
            .filter_map(|e| e.state.clone())
            .collect()
    }

    pub fn is_done(&self) -> bool {
        self.status != ExecutionStatus::Running
    }
}
