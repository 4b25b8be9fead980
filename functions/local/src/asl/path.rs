//! Paths: JSONPath queries over state data (`$…`) or the context object
//! (`$$…`), and reference paths that say where a result is written.

use serde_json::{Map, Value};
use serde_json_path::JsonPath;

/// A runtime failure of path processing: ASL's `States.Runtime` error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PathError(pub String);

/// Evaluates `path` against `data` (or `context` for `$$` paths). A path
/// that selects one value yields it; a path with wildcards, slices or
/// filters yields the array of matches, as Step Functions does.
pub fn query(path: &str, data: &Value, context: &Value) -> Result<Value, PathError> {
    let (root, path) = match path.strip_prefix("$$") {
        Some(rest) => (context, format!("${rest}")),
        None => (data, path.to_owned()),
    };
    let parsed =
        JsonPath::parse(&path).map_err(|e| PathError(format!("invalid path {path:?}: {e}")))?;
    let nodes = parsed.query(root).all();
    if is_definite(&path) {
        match nodes.as_slice() {
            [one] => Ok((*one).clone()),
            _ => Err(PathError(format!(
                "the path {path:?} matches nothing in the input"
            ))),
        }
    } else {
        Ok(Value::Array(nodes.into_iter().cloned().collect()))
    }
}

/// A path that names one location (no wildcard, slice, filter or descent).
fn is_definite(path: &str) -> bool {
    !path.contains(['*', '?', ':']) && !path.contains("..")
}

/// One step of a reference path.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    Field(String),
    Index(usize),
}

/// Parses a reference path: `$`, `$.a.b`, `$['a b']`, `$.a[0]`.
fn reference(path: &str) -> Result<Vec<Step>, PathError> {
    let bad = || {
        PathError(format!(
            "{path:?} is not a reference path like $.result or $.items[0]"
        ))
    };
    let mut rest = path.strip_prefix('$').ok_or_else(bad)?;
    let mut steps = Vec::new();
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('.') {
            let end = r.find(['.', '[']).unwrap_or(r.len());
            if end == 0 {
                return Err(bad());
            }
            steps.push(Step::Field(r[..end].to_owned()));
            rest = &r[end..];
        } else if let Some(r) = rest.strip_prefix("['") {
            let end = r.find("']").ok_or_else(bad)?;
            steps.push(Step::Field(r[..end].to_owned()));
            rest = &r[end + 2..];
        } else if let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']').ok_or_else(bad)?;
            steps.push(Step::Index(r[..end].parse().map_err(|_| bad())?));
            rest = &r[end + 1..];
        } else {
            return Err(bad());
        }
    }
    Ok(steps)
}

/// Applies ResultPath: `None` (absent) → the result replaces the input;
/// `Some(Null)` → the result is discarded; a path → the result is written
/// there inside (a copy of) the input, creating objects on the way.
pub fn apply_result_path(
    input: &Value,
    result: Value,
    result_path: Option<&Value>,
) -> Result<Value, PathError> {
    let path = match result_path {
        None => return Ok(result),
        Some(Value::Null) => return Ok(input.clone()),
        Some(Value::String(p)) => p,
        Some(other) => {
            return Err(PathError(format!(
                "ResultPath must be a string or null, not {other}"
            )));
        }
    };
    let steps = reference(path)?;
    if steps.is_empty() {
        return Ok(result);
    }
    let mut output = input.clone();
    let mut at = &mut output;
    for (i, step) in steps.iter().enumerate() {
        let last = i + 1 == steps.len();
        at = match step {
            Step::Field(name) => {
                if !at.is_object() {
                    if at.is_null() {
                        *at = Value::Object(Map::new());
                    } else {
                        return Err(PathError(format!(
                            "ResultPath {path:?} runs into a non-object at {name:?}"
                        )));
                    }
                }
                let map = at
                    .as_object_mut()
                    .ok_or_else(|| PathError("unreachable".into()))?;
                if last {
                    map.insert(name.clone(), result);
                    return Ok(output);
                }
                map.entry(name.clone()).or_insert(Value::Object(Map::new()))
            }
            Step::Index(n) => {
                let len = at.as_array().map(Vec::len);
                match (at.as_array_mut(), len) {
                    (Some(items), Some(len)) if *n < len => {
                        if last {
                            items[*n] = result;
                            return Ok(output);
                        }
                        &mut items[*n]
                    }
                    _ => {
                        return Err(PathError(format!(
                            "ResultPath {path:?} indexes past the end of an array"
                        )));
                    }
                }
            }
        };
    }
    Ok(output)
}

/// Applies InputPath or OutputPath: absent → everything; `null` → `{}`.
pub fn select(data: &Value, path: Option<&Value>, context: &Value) -> Result<Value, PathError> {
    match path {
        None => Ok(data.clone()),
        Some(Value::Null) => Ok(Value::Object(Map::new())),
        Some(Value::String(p)) => query(p, data, context),
        Some(other) => Err(PathError(format!(
            "a path must be a string or null, not {other}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn queries_data_and_context() {
        let data = json!({"a": {"b": [10, 20, 30]}, "items": [{"n": 1}, {"n": 2}]});
        let ctx = json!({"Task": {"Token": "tok"}});
        assert_eq!(query("$", &data, &ctx).unwrap(), data);
        assert_eq!(query("$.a.b[1]", &data, &ctx).unwrap(), json!(20));
        assert_eq!(query("$$.Task.Token", &data, &ctx).unwrap(), json!("tok"));
        assert_eq!(query("$.items[*].n", &data, &ctx).unwrap(), json!([1, 2]));
        assert_eq!(
            query("$.items[?@.n > 1]", &data, &ctx).unwrap(),
            json!([{"n": 2}])
        );
        assert!(
            query("$.missing", &data, &ctx)
                .unwrap_err()
                .0
                .contains("matches nothing")
        );
        assert!(query("$..[", &data, &ctx).is_err());
    }

    #[test]
    fn result_paths_write_merge_or_discard() {
        let input = json!({"keep": 1, "out": {"old": true}});
        assert_eq!(apply_result_path(&input, json!(5), None).unwrap(), json!(5));
        assert_eq!(
            apply_result_path(&input, json!(5), Some(&Value::Null)).unwrap(),
            input
        );
        assert_eq!(
            apply_result_path(&input, json!(5), Some(&json!("$"))).unwrap(),
            json!(5)
        );
        assert_eq!(
            apply_result_path(&input, json!(5), Some(&json!("$.out.new"))).unwrap(),
            json!({"keep": 1, "out": {"old": true, "new": 5}})
        );
        assert_eq!(
            apply_result_path(&input, json!(5), Some(&json!("$.a.b"))).unwrap(),
            json!({"keep": 1, "out": {"old": true}, "a": {"b": 5}})
        );
        assert!(apply_result_path(&input, json!(5), Some(&json!("$.keep.x"))).is_err());
        assert!(apply_result_path(&input, json!(5), Some(&json!("$.items[*]"))).is_err());
        assert_eq!(
            select(&input, Some(&Value::Null), &json!({})).unwrap(),
            json!({})
        );
    }
}
