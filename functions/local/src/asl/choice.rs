//! Choice rules: every comparison operator of ASL (String*, Numeric*,
//! Boolean*, Timestamp*, each with its `…Path` form), the type tests
//! (IsPresent, IsNull, IsString, IsNumeric, IsBoolean, IsTimestamp),
//! StringMatches, and And / Or / Not.

use std::cmp::Ordering;

use chrono::{DateTime, FixedOffset};
use serde_json::Value;

use super::path::{PathError, query};

/// The `Next` of the first rule that matches `data`, if any.
pub fn choose<'a>(
    rules: &'a [Value],
    data: &Value,
    context: &Value,
) -> Result<Option<&'a str>, PathError> {
    for rule in rules {
        if matches(rule, data, context)? {
            return Ok(rule.get("Next").and_then(Value::as_str));
        }
    }
    Ok(None)
}

/// Whether one rule (or nested rule of And / Or / Not) holds.
pub fn matches(rule: &Value, data: &Value, context: &Value) -> Result<bool, PathError> {
    let bad = |m: &str| PathError(format!("invalid choice rule {rule}: {m}"));
    if let Some(all) = rule.get("And") {
        let rules = all.as_array().ok_or_else(|| bad("And takes a list"))?;
        for r in rules {
            if !matches(r, data, context)? {
                return Ok(false);
            }
        }
        return Ok(true);
    }
    if let Some(any) = rule.get("Or") {
        let rules = any.as_array().ok_or_else(|| bad("Or takes a list"))?;
        for r in rules {
            if matches(r, data, context)? {
                return Ok(true);
            }
        }
        return Ok(false);
    }
    if let Some(inner) = rule.get("Not") {
        return Ok(!matches(inner, data, context)?);
    }
    let variable = rule
        .get("Variable")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("no Variable"))?;
    let object = rule.as_object().ok_or_else(|| bad("not an object"))?;
    let (operator, operand) = object
        .iter()
        .find(|(k, _)| !matches!(k.as_str(), "Variable" | "Next" | "Comment"))
        .ok_or_else(|| bad("no comparison"))?;
    let value = query(variable, data, context);
    if operator == "IsPresent" {
        return Ok(value.is_ok() == (operand == &Value::Bool(true)));
    }
    // Any other test of a missing variable is a runtime error, as in AWS.
    let value = value?;
    let (op, operand) = match operator.strip_suffix("Path") {
        Some(op) if !operator.starts_with("Is") => {
            let path = operand
                .as_str()
                .ok_or_else(|| bad("a …Path operand must be a path"))?;
            (op, query(path, data, context)?)
        }
        _ => (operator.as_str(), operand.clone()),
    };
    let expect_bool = || {
        operand
            .as_bool()
            .ok_or_else(|| bad("the type test takes true or false"))
    };
    Ok(match op {
        "IsNull" => value.is_null() == expect_bool()?,
        "IsString" => value.is_string() == expect_bool()?,
        "IsNumeric" => value.is_number() == expect_bool()?,
        "IsBoolean" => value.is_boolean() == expect_bool()?,
        "IsTimestamp" => timestamp(&value).is_some() == expect_bool()?,
        "StringMatches" => match (value.as_str(), operand.as_str()) {
            (Some(v), Some(pattern)) => wildcard(pattern, v),
            _ => false,
        },
        "BooleanEquals" => value.as_bool().is_some() && value == operand,
        _ => {
            let (kind, relation) =
                split(op).ok_or_else(|| bad(&format!("unknown operator {operator}")))?;
            let ordering = match kind {
                "String" => value.as_str().zip(operand.as_str()).map(|(a, b)| a.cmp(b)),
                "Numeric" => value
                    .as_f64()
                    .zip(operand.as_f64())
                    .and_then(|(a, b)| a.partial_cmp(&b)),
                "Timestamp" => timestamp(&value)
                    .zip(timestamp(&operand))
                    .map(|(a, b)| a.cmp(&b)),
                _ => return Err(bad(&format!("unknown operator {operator}"))),
            };
            // A value of the wrong type does not match, as in AWS.
            ordering.is_some_and(|o| match relation {
                "Equals" => o == Ordering::Equal,
                "LessThan" => o == Ordering::Less,
                "GreaterThan" => o == Ordering::Greater,
                "LessThanEquals" => o != Ordering::Greater,
                "GreaterThanEquals" => o != Ordering::Less,
                _ => false,
            })
        }
    })
}

/// "NumericLessThanEquals" → ("Numeric", "LessThanEquals").
fn split(op: &str) -> Option<(&str, &str)> {
    ["String", "Numeric", "Timestamp"]
        .iter()
        .find_map(|kind| op.strip_prefix(kind).map(|relation| (*kind, relation)))
        .filter(|(_, r)| {
            matches!(
                *r,
                "Equals" | "LessThan" | "GreaterThan" | "LessThanEquals" | "GreaterThanEquals"
            )
        })
}

fn timestamp(v: &Value) -> Option<DateTime<FixedOffset>> {
    v.as_str()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
}

/// `*` matches any run of characters; `\*` and `\\` are literal.
fn wildcard(pattern: &str, text: &str) -> bool {
    let mut tokens: Vec<Option<char>> = Vec::new(); // None = wildcard
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => tokens.push(chars.next()),
            '*' => tokens.push(None),
            c => tokens.push(Some(c)),
        }
    }
    let text: Vec<char> = text.chars().collect();
    // Classic two-pointer glob matching with backtracking to the last '*'.
    let (mut t, mut p) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match tokens.get(p) {
            Some(None) => {
                star = Some((p, t));
                p += 1;
            }
            Some(Some(c)) if *c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    tokens[p..].iter().all(Option::is_none)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(rule: Value) -> Result<bool, PathError> {
        let data = json!({
            "s": "segment", "n": 5, "b": true, "z": null, "t": "2026-01-01T10:00:00Z",
            "other": 7, "later": "2026-01-02T00:00:00+01:00", "file": "lesson_03.vtt"
        });
        matches(&rule, &data, &json!({}))
    }

    #[test]
    fn every_operator() {
        let yes = [
            json!({"Variable": "$.s", "StringEquals": "segment"}),
            json!({"Variable": "$.s", "StringLessThan": "t"}),
            json!({"Variable": "$.s", "StringGreaterThanEquals": "segment"}),
            json!({"Variable": "$.s", "StringEqualsPath": "$.s"}),
            json!({"Variable": "$.n", "NumericEquals": 5}),
            json!({"Variable": "$.n", "NumericLessThan": 5.5}),
            json!({"Variable": "$.n", "NumericGreaterThan": 4}),
            json!({"Variable": "$.n", "NumericLessThanEquals": 5}),
            json!({"Variable": "$.n", "NumericGreaterThanEquals": 5}),
            json!({"Variable": "$.n", "NumericLessThanPath": "$.other"}),
            json!({"Variable": "$.b", "BooleanEquals": true}),
            json!({"Variable": "$.b", "BooleanEqualsPath": "$.b"}),
            json!({"Variable": "$.t", "TimestampLessThan": "2026-01-01T11:00:00Z"}),
            json!({"Variable": "$.t", "TimestampLessThanPath": "$.later"}),
            json!({"Variable": "$.t", "TimestampEquals": "2026-01-01T11:00:00+01:00"}),
            json!({"Variable": "$.t", "IsTimestamp": true}),
            json!({"Variable": "$.z", "IsNull": true}),
            json!({"Variable": "$.s", "IsString": true}),
            json!({"Variable": "$.n", "IsNumeric": true}),
            json!({"Variable": "$.b", "IsBoolean": true}),
            json!({"Variable": "$.s", "IsPresent": true}),
            json!({"Variable": "$.missing", "IsPresent": false}),
            json!({"Variable": "$.file", "StringMatches": "lesson_*.vtt"}),
            json!({"Variable": "$.file", "StringMatches": "*"}),
            json!({"And": [{"Variable": "$.n", "NumericEquals": 5}, {"Not": {"Variable": "$.b", "BooleanEquals": false}}]}),
            json!({"Or": [{"Variable": "$.n", "NumericEquals": 1}, {"Variable": "$.s", "StringEquals": "segment"}]}),
        ];
        for rule in yes {
            assert_eq!(check(rule.clone()), Ok(true), "{rule}");
        }
        let no = [
            json!({"Variable": "$.s", "StringEquals": "outline"}),
            json!({"Variable": "$.n", "StringEquals": "5"}),
            json!({"Variable": "$.s", "NumericEquals": 5}),
            json!({"Variable": "$.n", "NumericGreaterThan": 5}),
            json!({"Variable": "$.b", "BooleanEquals": false}),
            json!({"Variable": "$.s", "IsPresent": false}),
            json!({"Variable": "$.s", "IsTimestamp": true}),
            json!({"Variable": "$.file", "StringMatches": "lesson_*.srt"}),
            json!({"And": [{"Variable": "$.n", "NumericEquals": 5}, {"Variable": "$.b", "BooleanEquals": false}]}),
        ];
        for rule in no {
            assert_eq!(check(rule.clone()), Ok(false), "{rule}");
        }
    }

    #[test]
    fn missing_variables_and_bad_rules_are_errors() {
        assert!(check(json!({"Variable": "$.missing", "StringEquals": "x"})).is_err());
        assert!(check(json!({"Variable": "$.s", "StringSounds": "x"})).is_err());
        assert!(check(json!({"StringEquals": "x"})).is_err());
        assert!(check(json!({"And": {"Variable": "$.s"}})).is_err());
    }

    #[test]
    fn first_matching_rule_wins() {
        let rules = vec![
            json!({"Variable": "$.n", "NumericGreaterThan": 10, "Next": "Big"}),
            json!({"Variable": "$.n", "NumericGreaterThan": 1, "Next": "Medium"}),
            json!({"Variable": "$.n", "NumericGreaterThan": 0, "Next": "Small"}),
        ];
        assert_eq!(
            choose(&rules, &json!({"n": 5}), &json!({})),
            Ok(Some("Medium"))
        );
        assert_eq!(choose(&rules, &json!({"n": -1}), &json!({})), Ok(None));
        assert!(wildcard("a\\*b", "a*b") && !wildcard("a\\*b", "axb") && wildcard("*x*", "abxcd"));
    }
}
