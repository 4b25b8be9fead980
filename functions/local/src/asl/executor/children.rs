//! Parallel branches and Map items: starting children, collecting their
//! results, and forgetting them.

use rand::RngExt;
use serde_json::Value;

use super::Executor;
use crate::asl::execution::{Execution, Scope, Thread, ThreadStatus, machine_at};

impl Executor {
    pub(super) fn child_succeeded(
        &self,
        exec: &mut Execution,
        parent: u32,
        slot: usize,
        output: Value,
    ) {
        let next_item = {
            let Some(ThreadStatus::AwaitingChildren {
                results, pending, ..
            }) = exec.threads.get_mut(&parent).map(|t| &mut t.status)
            else {
                return;
            };
            if let Some(r) = results.get_mut(slot) {
                *r = Some(output);
            }
            (!pending.is_empty()).then(|| pending.remove(0))
        };
        if let Some((index, item)) = next_item {
            let Some(p) = exec.threads.get(&parent).cloned() else {
                return;
            };
            let mut scope = p.scope.clone();
            scope.push(Scope::Item {
                state: p.state.clone(),
            });
            let start = machine_at(&self.machine, &scope)
                .map(|m| m.start_at.clone())
                .unwrap_or_default();
            let child = spawn(
                exec,
                parent,
                index,
                scope,
                start,
                item["input"].clone(),
                Some((index, item["item"].clone())),
            );
            if let Some(ThreadStatus::AwaitingChildren { children, .. }) =
                exec.threads.get_mut(&parent).map(|t| &mut t.status)
            {
                children.push(child);
            }
            return;
        }
        let finished = match exec.threads.get(&parent).map(|t| &t.status) {
            Some(ThreadStatus::AwaitingChildren {
                results, pending, ..
            }) if pending.is_empty() && results.iter().all(Option::is_some) => {
                Some(Value::Array(results.iter().flatten().cloned().collect()))
            }
            _ => None,
        };
        if let Some(result) = finished {
            drop_children(exec, parent);
            self.work_done(exec, parent, result);
        }
    }
}

pub(super) fn set_status(exec: &mut Execution, id: u32, status: ThreadStatus) {
    if let Some(t) = exec.threads.get_mut(&id) {
        // Task deadlines only apply while the task runs or waits.
        if !matches!(
            status,
            ThreadStatus::Running | ThreadStatus::AwaitingToken { .. }
        ) {
            t.deadline_ms = None;
            t.heartbeat_ms = None;
        }
        t.status = status;
    }
}

pub(super) fn spawn(
    exec: &mut Execution,
    parent: u32,
    slot: usize,
    scope: Vec<Scope>,
    state: String,
    input: Value,
    map_item: Option<(usize, Value)>,
) -> u32 {
    let id = exec.next_thread;
    exec.next_thread += 1;
    exec.threads.insert(
        id,
        Thread {
            id,
            parent: Some((parent, slot)),
            scope,
            state,
            input,
            status: ThreadStatus::Ready,
            attempts: Vec::new(),
            map_item,
            deadline_ms: None,
            heartbeat_ms: None,
            interruptions: 0,
        },
    );
    id
}

/// Forgets a Parallel's or Map's children (and theirs): their results are
/// in, or they no longer matter.
pub(super) fn drop_children(exec: &mut Execution, parent: u32) {
    let children: Vec<u32> = exec
        .threads
        .values()
        .filter(|t| t.parent.map(|(p, _)| p) == Some(parent))
        .map(|t| t.id)
        .collect();
    for child in children {
        drop_children(exec, child);
        exec.threads.remove(&child);
    }
    if let Some(ThreadStatus::AwaitingChildren { .. }) =
        exec.threads.get(&parent).map(|t| &t.status)
    {
        set_status(exec, parent, ThreadStatus::Running);
    }
}

/// An unguessable task token.
pub(super) fn new_token() -> String {
    let bytes: [u8; 24] = rand::rng().random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
