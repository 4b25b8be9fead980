//! The Amazon States Language definition, as the interpreter reads it: the
//! state types and fields coursegen's workflow uses, checked once on load so
//! that running never meets a dangling `Next`.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

/// A state machine (or a Parallel branch, or a Map's item processor).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StateMachine {
    #[serde(default)]
    pub comment: Option<String>,
    pub start_at: String,
    pub states: BTreeMap<String, State>,
    #[serde(default)]
    pub timeout_seconds: Option<u64>,
}

/// Where a state goes next.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Flow {
    #[serde(default)]
    pub next: Option<String>,
    #[serde(default)]
    pub end: bool,
}

/// The input and output processing fields. `None` means the field is
/// absent; `Some(Value::Null)` is an explicit `null`, which ASL gives its own
/// meaning (no input; discard the result).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Io {
    #[serde(default, deserialize_with = "present")]
    pub input_path: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    pub output_path: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    pub result_path: Option<Value>,
    #[serde(default)]
    pub parameters: Option<Value>,
    #[serde(default)]
    pub result_selector: Option<Value>,
}

/// Keeps an explicit `null` as `Some(Null)` (serde would make it `None`).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Retrier {
    pub error_equals: Vec<String>,
    #[serde(default = "one")]
    pub interval_seconds: f64,
    #[serde(default = "three")]
    pub max_attempts: u32,
    #[serde(default = "two")]
    pub backoff_rate: f64,
    #[serde(default)]
    pub max_delay_seconds: Option<f64>,
    #[serde(default)]
    pub jitter_strategy: Jitter,
}

fn one() -> f64 {
    1.0
}
fn two() -> f64 {
    2.0
}
fn three() -> u32 {
    3
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Jitter {
    #[default]
    None,
    Full,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Catcher {
    pub error_equals: Vec<String>,
    pub next: String,
    #[serde(default, deserialize_with = "present")]
    pub result_path: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "Type")]
pub enum State {
    Pass(Pass),
    Task(Task),
    Choice(Choice),
    Wait(Wait),
    Succeed(Succeed),
    Fail(Fail),
    Parallel(Parallel),
    Map(Map),
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Pass {
    #[serde(default)]
    pub result: Option<Value>,
    #[serde(flatten)]
    pub io: Io,
    #[serde(flatten)]
    pub flow: Flow,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Task {
    pub resource: String,
    #[serde(default)]
    pub timeout_seconds: Option<u64>,
    #[serde(default)]
    pub heartbeat_seconds: Option<u64>,
    #[serde(default)]
    pub retry: Vec<Retrier>,
    #[serde(default)]
    pub catch: Vec<Catcher>,
    #[serde(flatten)]
    pub io: Io,
    #[serde(flatten)]
    pub flow: Flow,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Choice {
    /// Choice rules, evaluated by [`super::choice`].
    pub choices: Vec<Value>,
    #[serde(default)]
    pub default: Option<String>,
    #[serde(flatten)]
    pub io: Io,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Wait {
    #[serde(default)]
    pub seconds: Option<u64>,
    #[serde(default)]
    pub seconds_path: Option<String>,
    #[serde(default)]
    pub timestamp: Option<String>,
    #[serde(default)]
    pub timestamp_path: Option<String>,
    #[serde(flatten)]
    pub io: Io,
    #[serde(flatten)]
    pub flow: Flow,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Succeed {
    #[serde(flatten)]
    pub io: Io,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Fail {
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default)]
    pub cause: Option<String>,
    #[serde(default)]
    pub error_path: Option<String>,
    #[serde(default)]
    pub cause_path: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Parallel {
    pub branches: Vec<StateMachine>,
    #[serde(default)]
    pub retry: Vec<Retrier>,
    #[serde(default)]
    pub catch: Vec<Catcher>,
    #[serde(flatten)]
    pub io: Io,
    #[serde(flatten)]
    pub flow: Flow,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Map {
    #[serde(default)]
    pub items_path: Option<String>,
    /// `ItemSelector` (or the older `Parameters`, read through `io`).
    #[serde(default)]
    pub item_selector: Option<Value>,
    /// `ItemProcessor` (or the older `Iterator`).
    #[serde(alias = "Iterator")]
    pub item_processor: StateMachine,
    #[serde(default)]
    pub max_concurrency: u32,
    /// A path to the concurrency limit in the Map's input.
    #[serde(default)]
    pub max_concurrency_path: Option<String>,
    #[serde(default)]
    pub retry: Vec<Retrier>,
    #[serde(default)]
    pub catch: Vec<Catcher>,
    #[serde(flatten)]
    pub io: Io,
    #[serde(flatten)]
    pub flow: Flow,
}

/// Why a definition cannot run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid state machine definition: {0}")]
pub struct DefinitionError(pub String);

/// Replaces every `${Name}` in a definition with its DefinitionSubstitutions
/// value; a `${Name}` with no value is an error, not a silent gap.
pub fn substitute(
    definition: &str,
    values: &BTreeMap<String, String>,
) -> Result<String, DefinitionError> {
    let mut out = String::with_capacity(definition.len());
    let mut rest = definition;
    while let Some(start) = rest.find("${") {
        let end = rest[start..]
            .find('}')
            .ok_or_else(|| DefinitionError("an unclosed ${ substitution".into()))?;
        let name = &rest[start + 2..start + end];
        let value = values
            .get(name)
            .ok_or_else(|| DefinitionError(format!("no value for the substitution ${{{name}}}")))?;
        out.push_str(&rest[..start]);
        out.push_str(value);
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

impl StateMachine {
    /// Parses and checks a definition: every state reachable by name, every
    /// non-terminal state with exactly one of `Next` and `End`.
    pub fn parse(json: &str) -> Result<Self, DefinitionError> {
        let machine: StateMachine =
            serde_json::from_str(json).map_err(|e| DefinitionError(e.to_string()))?;
        machine.check("")?;
        Ok(machine)
    }

    fn check(&self, scope: &str) -> Result<(), DefinitionError> {
        let err = |m: String| Err(DefinitionError(format!("{scope}{m}")));
        if !self.states.contains_key(&self.start_at) {
            return err(format!(
                "StartAt names {:?}, which is not a state",
                self.start_at
            ));
        }
        let target = |name: &str, to: &str| -> Result<(), DefinitionError> {
            if self.states.contains_key(to) {
                Ok(())
            } else {
                Err(DefinitionError(format!(
                    "{scope}state {name:?} goes to {to:?}, which is not a state"
                )))
            }
        };
        let flow = |name: &str, f: &Flow| -> Result<(), DefinitionError> {
            match (&f.next, f.end) {
                (Some(next), false) => target(name, next),
                (None, true) => Ok(()),
                _ => Err(DefinitionError(format!(
                    "{scope}state {name:?} needs exactly one of Next and End"
                ))),
            }
        };
        let catches =
            |name: &str, catch: &[Catcher]| catch.iter().try_for_each(|c| target(name, &c.next));
        for (name, state) in &self.states {
            match state {
                State::Pass(s) => flow(name, &s.flow)?,
                State::Task(s) => {
                    flow(name, &s.flow)?;
                    catches(name, &s.catch)?;
                }
                State::Wait(s) => flow(name, &s.flow)?,
                State::Choice(s) => {
                    if s.choices.is_empty() {
                        return err(format!("Choice state {name:?} has no Choices"));
                    }
                    for rule in &s.choices {
                        let next = rule.get("Next").and_then(Value::as_str);
                        match next {
                            Some(next) => target(name, next)?,
                            None => {
                                return err(format!("a rule of Choice state {name:?} has no Next"));
                            }
                        }
                    }
                    if let Some(default) = &s.default {
                        target(name, default)?;
                    }
                }
                State::Parallel(s) => {
                    flow(name, &s.flow)?;
                    catches(name, &s.catch)?;
                    for (i, b) in s.branches.iter().enumerate() {
                        b.check(&format!("{scope}{name}.Branches[{i}]: "))?;
                    }
                }
                State::Map(s) => {
                    flow(name, &s.flow)?;
                    catches(name, &s.catch)?;
                    s.item_processor
                        .check(&format!("{scope}{name}.ItemProcessor: "))?;
                }
                State::Succeed(_) | State::Fail(_) => {}
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_states_and_keeps_explicit_nulls() {
        let m = StateMachine::parse(
            r#"{"StartAt":"A","States":{
                "A":{"Type":"Task","Resource":"arn:x","ResultPath":null,"Retry":[{"ErrorEquals":["States.ALL"]}],"Next":"B"},
                "B":{"Type":"Pass","Result":{"x":1},"End":true}}}"#,
        )
        .unwrap();
        let State::Task(task) = &m.states["A"] else {
            panic!()
        };
        assert_eq!(task.io.result_path, Some(Value::Null));
        assert_eq!(task.io.input_path, None);
        assert_eq!(
            (
                task.retry[0].max_attempts,
                task.retry[0].backoff_rate,
                task.retry[0].jitter_strategy
            ),
            (3, 2.0, Jitter::None)
        );
    }

    #[test]
    fn dangling_and_ambiguous_flow_is_refused() {
        let cases = [
            (
                r#"{"StartAt":"X","States":{"A":{"Type":"Succeed"}}}"#,
                "StartAt names \"X\"",
            ),
            (
                r#"{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"Z"}}}"#,
                "goes to \"Z\"",
            ),
            (
                r#"{"StartAt":"A","States":{"A":{"Type":"Pass"}}}"#,
                "exactly one of Next and End",
            ),
            (
                r#"{"StartAt":"A","States":{"A":{"Type":"Choice","Choices":[{"Variable":"$.x","IsPresent":true}]}}}"#,
                "has no Next",
            ),
            (
                r#"{"StartAt":"A","States":{"A":{"Type":"Parallel","Branches":[{"StartAt":"Q","States":{}}],"End":true}}}"#,
                "A.Branches[0]: StartAt",
            ),
            (
                r#"{"StartAt":"A","States":{"A":{"Type":"Teleport"}}}"#,
                "unknown variant",
            ),
        ];
        for (json, expected) in cases {
            let err = StateMachine::parse(json).unwrap_err().to_string();
            assert!(err.contains(expected), "{json}: {err}");
        }
    }
}
