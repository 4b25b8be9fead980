//! Payload templates (`Parameters`, `ResultSelector`, `ItemSelector`): keys
//! ending in `.$` take their value from a path or an intrinsic function; all
//! other values are copied as written, recursively.

use serde_json::{Map, Value};

use super::intrinsics;
use super::path::{PathError, query};

pub fn resolve(template: &Value, data: &Value, context: &Value) -> Result<Value, PathError> {
    match template {
        Value::Object(fields) => {
            let mut out = Map::new();
            for (key, value) in fields {
                match key.strip_suffix(".$") {
                    Some(name) => {
                        let expr = value.as_str().ok_or_else(|| {
                            PathError(format!(
                                "the value of {key:?} must be a path or intrinsic function"
                            ))
                        })?;
                        out.insert(name.to_owned(), evaluate(expr, data, context)?);
                    }
                    None => {
                        out.insert(key.clone(), resolve(value, data, context)?);
                    }
                }
            }
            Ok(Value::Object(out))
        }
        Value::Array(items) => items
            .iter()
            .map(|v| resolve(v, data, context))
            .collect::<Result<_, _>>()
            .map(Value::Array),
        other => Ok(other.clone()),
    }
}

/// A `.$` value: a path (`$.x`, `$$.Task.Token`) or an intrinsic call.
fn evaluate(expr: &str, data: &Value, context: &Value) -> Result<Value, PathError> {
    if expr.starts_with("States.") {
        intrinsics::call(expr, data, context)
    } else {
        query(expr, data, context)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dollar_keys_are_evaluated_recursively() {
        let template = json!({
            "job.$": "$.job_id",
            "token.$": "$$.Task.Token",
            "fixed": {"stage": "segment", "nested.$": "$.params"},
            "list": [{"x.$": "$.job_id"}, 3],
            "label.$": "States.Format('job {}', $.job_id)"
        });
        let data = json!({"job_id": "J1", "params": {"lam": 4}});
        let ctx = json!({"Task": {"Token": "T"}});
        assert_eq!(
            resolve(&template, &data, &ctx).unwrap(),
            json!({"job": "J1", "token": "T", "fixed": {"stage": "segment", "nested": {"lam": 4}}, "list": [{"x": "J1"}, 3], "label": "job J1"})
        );
        assert!(resolve(&json!({"x.$": 3}), &data, &ctx).is_err());
        assert!(resolve(&json!({"x.$": "$.nope"}), &data, &ctx).is_err());
    }
}
