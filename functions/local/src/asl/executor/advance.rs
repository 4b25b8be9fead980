//! Entering a state: what each state type does when a thread reaches it.

use serde_json::{Value, json};

use super::children::{new_token, set_status, spawn};
use super::{Executor, TOKEN_SUFFIX, TaskFailure, now_ms};
use crate::asl::definition::State;
use crate::asl::execution::{Execution, Scope, ThreadStatus, machine_at};
use crate::asl::path::{query, select};
use crate::asl::step::{self, Transition};
use crate::asl::template::resolve;

impl Executor {
    /// A path or template failed at run time: `States.Runtime`.
    fn runtime_error(&self, exec: &mut Execution, id: u32, e: crate::asl::path::PathError) {
        let failure = TaskFailure {
            error: "States.Runtime".into(),
            cause: e.0,
        };
        self.failed(exec, id, failure);
    }

    pub(super) fn advance(
        &self,
        exec: &mut Execution,
        id: u32,
        started: &mut Vec<(u32, String, Value)>,
    ) {
        let Some(thread) = exec.threads.get(&id).cloned() else {
            return;
        };
        let Some(state) =
            machine_at(&self.machine, &thread.scope).and_then(|m| m.states.get(&thread.state))
        else {
            let cause = format!("state {:?} is not in the definition", thread.state);
            return self.apply(
                exec,
                id,
                Transition::Fail {
                    error: "States.Runtime".into(),
                    cause,
                },
            );
        };
        exec.record(id, "StateEntered", Some(&thread.state), Value::Null);
        let input = &thread.input;
        match state {
            State::Pass(s) => self.apply(
                exec,
                id,
                step::pass(s, input, &self.context(exec, &thread, None)),
            ),
            State::Choice(s) => self.apply(
                exec,
                id,
                step::choose(s, input, &self.context(exec, &thread, None)),
            ),
            State::Fail(s) => self.apply(
                exec,
                id,
                step::fail(s, input, &self.context(exec, &thread, None)),
            ),
            State::Succeed(s) => {
                let ctx = self.context(exec, &thread, None);
                let output = step::effective_input(&s.io, input, &ctx)
                    .and_then(|v| select(&v, s.io.output_path.as_ref(), &ctx));
                let transition = match output {
                    Ok(output) => Transition::End { output },
                    Err(e) => Transition::Fail {
                        error: "States.Runtime".into(),
                        cause: e.0,
                    },
                };
                self.apply(exec, id, transition);
            }
            State::Wait(s) => match step::wait(
                s,
                input,
                &self.context(exec, &thread, None),
                chrono::Utc::now(),
            ) {
                Ok((delay, then)) => {
                    let until_ms =
                        now_ms() + i64::try_from(delay.as_millis()).unwrap_or(i64::MAX / 2);
                    set_status(
                        exec,
                        id,
                        ThreadStatus::Sleeping {
                            until_ms,
                            then: Some(then),
                        },
                    );
                }
                Err(fail) => self.apply(exec, id, fail),
            },
            State::Task(task) => {
                let token = task.resource.ends_with(TOKEN_SUFFIX).then(new_token);
                let ctx = self.context(exec, &thread, token.as_deref());
                match step::effective_input(&task.io, input, &ctx) {
                    Ok(payload) => {
                        let status = match token {
                            Some(token) => ThreadStatus::AwaitingToken { token },
                            None => ThreadStatus::Running,
                        };
                        // A token task is marked awaiting at once, so a token
                        // sent before the runner returns is not lost.
                        set_status(exec, id, status);
                        let after = |s: Option<u64>| {
                            s.map(|s| {
                                now_ms() + i64::try_from(s).unwrap_or(i64::MAX / 4_000) * 1000
                            })
                        };
                        if let Some(t) = exec.threads.get_mut(&id) {
                            t.deadline_ms = after(task.timeout_seconds);
                            t.heartbeat_ms = after(task.heartbeat_seconds);
                        }
                        exec.record(
                            id,
                            "TaskScheduled",
                            Some(&thread.state),
                            json!({"Resource": task.resource}),
                        );
                        started.push((id, task.resource.clone(), payload));
                    }
                    Err(e) => self.runtime_error(exec, id, e),
                }
            }
            State::Parallel(p) => {
                let ctx = self.context(exec, &thread, None);
                match step::effective_input(&p.io, input, &ctx) {
                    Ok(payload) => {
                        let children: Vec<u32> = (0..p.branches.len())
                            .map(|index| {
                                let mut scope = thread.scope.clone();
                                scope.push(Scope::Branch {
                                    state: thread.state.clone(),
                                    index,
                                });
                                spawn(
                                    exec,
                                    id,
                                    index,
                                    scope,
                                    p.branches[index].start_at.clone(),
                                    payload.clone(),
                                    None,
                                )
                            })
                            .collect();
                        let results = vec![None; children.len()];
                        set_status(
                            exec,
                            id,
                            ThreadStatus::AwaitingChildren {
                                children,
                                pending: Vec::new(),
                                results,
                            },
                        );
                    }
                    Err(e) => self.runtime_error(exec, id, e),
                }
            }
            State::Map(m) => {
                let ctx = self.context(exec, &thread, None);
                let items = select(input, m.io.input_path.as_ref(), &ctx).and_then(|selected| {
                    let items = query(m.items_path.as_deref().unwrap_or("$"), &selected, &ctx)?;
                    let Value::Array(items) = items else {
                        return Err(crate::asl::path::PathError(
                            "ItemsPath does not select an array".into(),
                        ));
                    };
                    let selector = m.item_selector.as_ref().or(m.io.parameters.as_ref());
                    let concurrency = match &m.max_concurrency_path {
                        Some(p) => query(p, &selected, &ctx)?
                            .as_u64()
                            .and_then(|n| u32::try_from(n).ok())
                            .ok_or_else(|| {
                                crate::asl::path::PathError(format!(
                                    "MaxConcurrencyPath {p:?} is not a whole number"
                                ))
                            })?,
                        None => m.max_concurrency,
                    };
                    let items = items
                        .into_iter()
                        .enumerate()
                        .map(|(index, item)| {
                            let item_ctx = {
                                let mut c = ctx.clone();
                                c["Map"] = json!({"Item": {"Index": index, "Value": item}});
                                c
                            };
                            let input = match selector {
                                Some(t) => resolve(t, &selected, &item_ctx)?,
                                None => item.clone(),
                            };
                            Ok((index, item, input))
                        })
                        .collect::<Result<Vec<_>, _>>()?;
                    Ok((items, concurrency))
                });
                match items {
                    Ok((items, _)) if items.is_empty() => {
                        self.work_done(exec, id, Value::Array(Vec::new()))
                    }
                    Ok((items, concurrency)) => {
                        // 0 means no limit, as in Step Functions.
                        let limit = if concurrency == 0 {
                            items.len()
                        } else {
                            concurrency as usize
                        };
                        let results = vec![None; items.len()];
                        let mut pending: Vec<(usize, Value)> = Vec::new();
                        let mut children = Vec::new();
                        for (index, item, item_input) in items {
                            if children.len() < limit {
                                let mut scope = thread.scope.clone();
                                scope.push(Scope::Item {
                                    state: thread.state.clone(),
                                });
                                let start = m.item_processor.start_at.clone();
                                children.push(spawn(
                                    exec,
                                    id,
                                    index,
                                    scope,
                                    start,
                                    item_input,
                                    Some((index, item)),
                                ));
                            } else {
                                pending.push((index, json!({"item": item, "input": item_input})));
                            }
                        }
                        set_status(
                            exec,
                            id,
                            ThreadStatus::AwaitingChildren {
                                children,
                                pending,
                                results,
                            },
                        );
                    }
                    Err(e) => self.runtime_error(exec, id, e),
                }
            }
        }
    }
}
