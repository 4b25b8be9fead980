//! What one state does with its input, as pure functions: the executor calls
//! these and only adds the waiting, the task calls and the persistence.
//!
//! Input and output processing follow ASL's order: InputPath → Parameters →
//! (the state's work) → ResultSelector → ResultPath → OutputPath.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::choice;
use super::definition::{Catcher, Choice, Fail, Flow, Io, Pass, Retrier, Wait};
use super::path::{PathError, apply_result_path, query, select};
use super::retry::{self, RUNTIME};
use super::template::resolve;

/// Where a state leaves the execution.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Transition {
    /// Go to state `to` with `output` as its input.
    Next { to: String, output: Value },
    /// This (sub-)machine ends successfully with `output`.
    End { output: Value },
    /// This (sub-)machine fails.
    Fail { error: String, cause: String },
}

impl Transition {
    fn after(flow: &Flow, output: Value) -> Transition {
        match &flow.next {
            Some(to) if !flow.end => Transition::Next {
                to: to.clone(),
                output,
            },
            _ => Transition::End { output },
        }
    }

    fn runtime(e: PathError) -> Transition {
        Transition::Fail {
            error: RUNTIME.to_owned(),
            cause: e.0,
        }
    }
}

/// The payload a state works on: InputPath, then Parameters.
pub fn effective_input(io: &Io, input: &Value, context: &Value) -> Result<Value, PathError> {
    let selected = select(input, io.input_path.as_ref(), context)?;
    match &io.parameters {
        Some(template) => resolve(template, &selected, context),
        None => Ok(selected),
    }
}

/// The state's output from its raw `input` and its work's `result`:
/// ResultSelector, ResultPath, OutputPath.
pub fn state_output(
    io: &Io,
    input: &Value,
    result: Value,
    context: &Value,
) -> Result<Value, PathError> {
    let result = match &io.result_selector {
        Some(template) => resolve(template, &result, context)?,
        None => result,
    };
    let combined = apply_result_path(input, result, io.result_path.as_ref())?;
    select(&combined, io.output_path.as_ref(), context)
}

pub fn pass(state: &Pass, input: &Value, context: &Value) -> Transition {
    let run = || -> Result<Value, PathError> {
        let effective = effective_input(&state.io, input, context)?;
        let result = state.result.clone().unwrap_or(effective);
        // A Pass state has no ResultSelector.
        let combined = apply_result_path(input, result, state.io.result_path.as_ref())?;
        select(&combined, state.io.output_path.as_ref(), context)
    };
    match run() {
        Ok(output) => Transition::after(&state.flow, output),
        Err(e) => Transition::runtime(e),
    }
}

pub fn choose(state: &Choice, input: &Value, context: &Value) -> Transition {
    let run = || -> Result<Transition, PathError> {
        let selected = select(input, state.io.input_path.as_ref(), context)?;
        let next = choice::choose(&state.choices, &selected, context)?
            .map(str::to_owned)
            .or_else(|| state.default.clone());
        let output = select(&selected, state.io.output_path.as_ref(), context)?;
        Ok(match next {
            Some(to) => Transition::Next { to, output },
            None => Transition::Fail {
                error: "States.NoChoiceMatched".into(),
                cause: "no choice rule matched and there is no Default".into(),
            },
        })
    };
    run().unwrap_or_else(Transition::runtime)
}

/// How long a Wait state waits from `now`, and its output.
pub fn wait(
    state: &Wait,
    input: &Value,
    context: &Value,
    now: DateTime<Utc>,
) -> Result<(Duration, Transition), Transition> {
    let run = || -> Result<(Duration, Transition), PathError> {
        let selected = select(input, state.io.input_path.as_ref(), context)?;
        let seconds = |s: u64| Duration::from_secs(s);
        let until = |t: &str| -> Result<Duration, PathError> {
            let at = DateTime::parse_from_rfc3339(t)
                .map_err(|e| PathError(format!("{t:?} is not a timestamp: {e}")))?;
            Ok((at.with_timezone(&Utc) - now)
                .to_std()
                .unwrap_or(Duration::ZERO))
        };
        let duration = match (
            &state.seconds,
            &state.seconds_path,
            &state.timestamp,
            &state.timestamp_path,
        ) {
            (Some(s), ..) => seconds(*s),
            (None, Some(p), ..) => {
                let v = query(p, &selected, context)?;
                seconds(v.as_u64().ok_or_else(|| {
                    PathError(format!(
                        "SecondsPath {p:?} is not a whole number of seconds"
                    ))
                })?)
            }
            (None, None, Some(t), _) => until(t)?,
            (None, None, None, Some(p)) => {
                let v = query(p, &selected, context)?;
                until(
                    v.as_str()
                        .ok_or_else(|| PathError(format!("TimestampPath {p:?} is not a string")))?,
                )?
            }
            _ => {
                return Err(PathError(
                    "a Wait state needs Seconds, SecondsPath, Timestamp or TimestampPath".into(),
                ));
            }
        };
        let output = select(&selected, state.io.output_path.as_ref(), context)?;
        Ok((duration, Transition::after(&state.flow, output)))
    };
    run().map_err(Transition::runtime)
}

pub fn fail(state: &Fail, input: &Value, context: &Value) -> Transition {
    let text = |fixed: &Option<String>, path: &Option<String>, default: &str| -> String {
        match (fixed, path) {
            (Some(s), _) => s.clone(),
            (None, Some(p)) => match query(p, input, context) {
                Ok(Value::String(s)) => s,
                Ok(other) => other.to_string(),
                Err(_) => default.to_owned(),
            },
            (None, None) => default.to_owned(),
        }
    };
    Transition::Fail {
        error: text(&state.error, &state.error_path, "States.Fail"),
        cause: text(&state.cause, &state.cause_path, ""),
    }
}

/// What to do after a task (or Parallel / Map) failed with `error`.
#[derive(Debug, Clone, PartialEq)]
pub enum OnError {
    /// Run it again after this delay; `retrier` counts attempts separately.
    Retry {
        retrier: usize,
        delay: Duration,
    },
    Then(Transition),
}

/// `attempts[i]` is how many retries retrier `i` has already made; `unit`
/// a random number in [0, 1) for jitter.
pub fn on_error(
    retry: &[Retrier],
    catch: &[Catcher],
    attempts: &[u32],
    input: &Value,
    error: &str,
    cause: &str,
    unit: f64,
) -> OnError {
    if let Some((i, retrier)) = retry::retrier_for(retry, error) {
        let made = attempts.get(i).copied().unwrap_or(0);
        if let Some(delay) = retry::delay(retrier, made + 1, unit) {
            return OnError::Retry { retrier: i, delay };
        }
    }
    match retry::catcher_for(catch, error) {
        Some(catcher) => {
            let error_output = json!({"Error": error, "Cause": cause});
            match apply_result_path(input, error_output, catcher.result_path.as_ref()) {
                Ok(output) => OnError::Then(Transition::Next {
                    to: catcher.next.clone(),
                    output,
                }),
                Err(e) => OnError::Then(Transition::runtime(e)),
            }
        }
        None => OnError::Then(Transition::Fail {
            error: error.to_owned(),
            cause: cause.to_owned(),
        }),
    }
}

/// The transition after a task's (or Parallel's, Map's) work succeeded.
pub fn after_work(
    io: &Io,
    flow: &Flow,
    input: &Value,
    result: Value,
    context: &Value,
) -> Transition {
    match state_output(io, input, result, context) {
        Ok(output) => Transition::after(flow, output),
        Err(e) => Transition::runtime(e),
    }
}

#[cfg(test)]
mod tests {
    use super::super::definition::{State, StateMachine};
    use super::*;
    use chrono::TimeZone;

    fn machine(states: Value) -> StateMachine {
        let first = states
            .as_object()
            .and_then(|o| o.keys().next().cloned())
            .unwrap();
        StateMachine::parse(&json!({"StartAt": first, "States": states}).to_string()).unwrap()
    }

    fn ctx() -> Value {
        json!({"Execution": {"Id": "exec-1", "Name": "job-1"}, "Task": {"Token": "tok"}})
    }

    #[test]
    fn pass_states_process_input_and_output() {
        let m = machine(json!({
            "A": {"Type": "Pass", "InputPath": "$.in", "Parameters": {"doubled.$": "States.Array($.x, $.x)", "exec.$": "$$.Execution.Name"},
                  "ResultPath": "$.in.out", "OutputPath": "$.in", "Next": "B"},
            "B": {"Type": "Pass", "Result": {"fixed": 1}, "ResultPath": null, "End": true},
            "C": {"Type": "Pass", "InputPath": "$.missing", "End": true}
        }));
        let State::Pass(a) = &m.states["A"] else {
            panic!()
        };
        assert_eq!(
            pass(a, &json!({"in": {"x": 2}}), &ctx()),
            Transition::Next {
                to: "B".into(),
                output: json!({"x": 2, "out": {"doubled": [2, 2], "exec": "job-1"}})
            }
        );
        let State::Pass(b) = &m.states["B"] else {
            panic!()
        };
        assert_eq!(
            pass(b, &json!({"keep": true}), &ctx()),
            Transition::End {
                output: json!({"keep": true})
            }
        );
        let State::Pass(c) = &m.states["C"] else {
            panic!()
        };
        assert!(
            matches!(pass(c, &json!({}), &ctx()), Transition::Fail { error, .. } if error == "States.Runtime")
        );
    }

    #[test]
    fn choice_states_route_or_fail() {
        let m = machine(json!({
            "Gate": {"Type": "Choice", "Choices": [{"Variable": "$.auto", "BooleanEquals": true, "Next": "Skip"}], "Default": "Ask"},
            "Strict": {"Type": "Choice", "Choices": [{"Variable": "$.auto", "BooleanEquals": true, "Next": "Skip"}]},
            "Skip": {"Type": "Succeed"}, "Ask": {"Type": "Succeed"}
        }));
        let State::Choice(gate) = &m.states["Gate"] else {
            panic!()
        };
        assert_eq!(
            choose(gate, &json!({"auto": true}), &ctx()),
            Transition::Next {
                to: "Skip".into(),
                output: json!({"auto": true})
            }
        );
        assert_eq!(
            choose(gate, &json!({"auto": false}), &ctx()),
            Transition::Next {
                to: "Ask".into(),
                output: json!({"auto": false})
            }
        );
        let State::Choice(strict) = &m.states["Strict"] else {
            panic!()
        };
        assert!(
            matches!(choose(strict, &json!({"auto": false}), &ctx()), Transition::Fail { error, .. } if error == "States.NoChoiceMatched")
        );
        assert!(
            matches!(choose(strict, &json!({}), &ctx()), Transition::Fail { error, .. } if error == "States.Runtime")
        );
    }

    #[test]
    fn wait_states_compute_their_delay() {
        let m = machine(json!({
            "S": {"Type": "Wait", "Seconds": 5, "Next": "P"},
            "P": {"Type": "Wait", "SecondsPath": "$.s", "Next": "T"},
            "T": {"Type": "Wait", "TimestampPath": "$.at", "End": true}
        }));
        let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let input = json!({"s": 7, "at": "2026-01-01T00:01:00Z"});
        let delay = |name: &str| {
            let State::Wait(w) = &m.states[name] else {
                panic!()
            };
            wait(w, &input, &ctx(), now).map(|(d, _)| d.as_secs())
        };
        assert_eq!((delay("S"), delay("P"), delay("T")), (Ok(5), Ok(7), Ok(60)));
        let State::Wait(p) = &m.states["P"] else {
            panic!()
        };
        assert!(wait(p, &json!({"s": "soon"}), &ctx(), now).is_err());
    }

    #[test]
    fn fail_states_use_fixed_or_path_error_and_cause() {
        let m = machine(json!({
            "F": {"Type": "Fail", "Error": "Unsuitable", "CausePath": "$.reason"},
            "G": {"Type": "Fail"}
        }));
        let State::Fail(f) = &m.states["F"] else {
            panic!()
        };
        assert_eq!(
            fail(f, &json!({"reason": "song lyrics"}), &ctx()),
            Transition::Fail {
                error: "Unsuitable".into(),
                cause: "song lyrics".into()
            }
        );
        let State::Fail(g) = &m.states["G"] else {
            panic!()
        };
        assert_eq!(
            fail(g, &json!({}), &ctx()),
            Transition::Fail {
                error: "States.Fail".into(),
                cause: String::new()
            }
        );
    }

    #[test]
    fn task_results_and_errors() {
        let m = machine(json!({
            "T": {"Type": "Task", "Resource": "arn:step", "Parameters": {"job.$": "$.job"},
                  "ResultSelector": {"key.$": "$.output_key"}, "ResultPath": "$.segment",
                  "Retry": [{"ErrorEquals": ["Throttled"], "IntervalSeconds": 1, "MaxAttempts": 2}],
                  "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Failed"}],
                  "Next": "Done"},
            "Done": {"Type": "Succeed"}, "Failed": {"Type": "Fail"}
        }));
        let State::Task(t) = &m.states["T"] else {
            panic!()
        };
        let input = json!({"job": "J"});
        assert_eq!(
            effective_input(&t.io, &input, &ctx()).unwrap(),
            json!({"job": "J"})
        );
        assert_eq!(
            after_work(
                &t.io,
                &t.flow,
                &input,
                json!({"output_key": "jobs/J/seg.json", "noise": 1}),
                &ctx()
            ),
            Transition::Next {
                to: "Done".into(),
                output: json!({"job": "J", "segment": {"key": "jobs/J/seg.json"}})
            }
        );
        let retry = |made: &[u32], error: &str| {
            on_error(&t.retry, &t.catch, made, &input, error, "why", 0.5)
        };
        assert_eq!(
            retry(&[0], "Throttled"),
            OnError::Retry {
                retrier: 0,
                delay: Duration::from_secs(1)
            }
        );
        assert_eq!(
            retry(&[1], "Throttled"),
            OnError::Retry {
                retrier: 0,
                delay: Duration::from_secs(2)
            }
        );
        let caught = OnError::Then(Transition::Next {
            to: "Failed".into(),
            output: json!({"job": "J", "error": {"Error": "Throttled", "Cause": "why"}}),
        });
        assert_eq!(
            retry(&[2], "Throttled"),
            caught,
            "retries used up, then caught"
        );
        assert!(
            matches!(retry(&[0], "Boom"), OnError::Then(Transition::Next { to, .. }) if to == "Failed")
        );
        assert!(
            matches!(
                retry(&[0], "States.Runtime"),
                OnError::Then(Transition::Fail { .. })
            ),
            "States.ALL does not catch runtime errors"
        );
    }
}
