//! Intrinsic functions: `States.Format('{} of {}', $.a, $.b)` and friends.
//! Arguments are quoted strings (`\'` and `\{`… escapes), numbers, `true`,
//! `false`, `null`, paths, or nested intrinsic calls. Hand-written: the
//! grammar is a dozen lines and no crate implements it.

use serde_json::{Value, json};

use super::path::{PathError, query};

#[derive(Debug, Clone, PartialEq)]
enum Arg {
    Literal(Value),
    Path(String),
    Call(String, Vec<Arg>),
}

pub fn call(expr: &str, data: &Value, context: &Value) -> Result<Value, PathError> {
    let mut parser = Parser { s: expr, at: 0 };
    let arg = parser.call()?;
    parser.skip_space();
    if parser.at != expr.len() {
        return Err(parser.error("unexpected text after the call"));
    }
    eval(&arg, data, context)
}

struct Parser<'a> {
    s: &'a str,
    at: usize,
}

impl<'a> Parser<'a> {
    fn error(&self, what: &str) -> PathError {
        PathError(format!(
            "intrinsic function {:?}: {what} at character {}",
            self.s, self.at
        ))
    }

    fn rest(&self) -> &'a str {
        &self.s[self.at..]
    }

    fn skip_space(&mut self) {
        while self.rest().starts_with(' ') {
            self.at += 1;
        }
    }

    fn call(&mut self) -> Result<Arg, PathError> {
        let name_len = self
            .rest()
            .find('(')
            .ok_or_else(|| self.error("expected '('"))?;
        let name = self.rest()[..name_len].trim().to_owned();
        if !name.starts_with("States.") {
            return Err(self.error("expected a States.* function"));
        }
        self.at += name_len + 1;
        let mut args = Vec::new();
        self.skip_space();
        if self.rest().starts_with(')') {
            self.at += 1;
            return Ok(Arg::Call(name, args));
        }
        loop {
            self.skip_space();
            args.push(self.arg()?);
            self.skip_space();
            match self.rest().chars().next() {
                Some(',') => self.at += 1,
                Some(')') => {
                    self.at += 1;
                    return Ok(Arg::Call(name, args));
                }
                _ => return Err(self.error("expected ',' or ')'")),
            }
        }
    }

    fn arg(&mut self) -> Result<Arg, PathError> {
        let rest = self.rest();
        if rest.starts_with('\'') {
            return self.string();
        }
        if rest.starts_with("States.") {
            return self.call();
        }
        let end = self.token_end();
        let token = &rest[..end];
        self.at += end;
        if token.starts_with('$') {
            return Ok(Arg::Path(token.to_owned()));
        }
        serde_json::from_str::<Value>(token)
            .ok()
            .filter(|v| v.is_number() || v.is_boolean() || v.is_null())
            .map(Arg::Literal)
            .ok_or_else(|| self.error(&format!("{token:?} is not an argument")))
    }

    /// The end of a path or literal: the next ',' or ')' outside brackets.
    fn token_end(&self) -> usize {
        let mut depth = 0i32;
        for (i, c) in self.rest().char_indices() {
            match c {
                '[' | '(' => depth += 1,
                ']' => depth -= 1,
                ')' if depth == 0 => return i,
                ')' => depth -= 1,
                ',' if depth == 0 => return i,
                _ => {}
            }
        }
        self.rest().len()
    }

    fn string(&mut self) -> Result<Arg, PathError> {
        self.at += 1;
        let mut out = String::new();
        let mut chars = self.rest().char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => match chars.next() {
                    Some((_, e)) => out.push(e),
                    None => break,
                },
                '\'' => {
                    self.at += i + 1;
                    return Ok(Arg::Literal(Value::String(out)));
                }
                c => out.push(c),
            }
        }
        Err(self.error("unterminated string"))
    }
}

fn eval(arg: &Arg, data: &Value, context: &Value) -> Result<Value, PathError> {
    match arg {
        Arg::Literal(v) => Ok(v.clone()),
        Arg::Path(p) => query(p, data, context),
        Arg::Call(name, args) => {
            let values = args
                .iter()
                .map(|a| eval(a, data, context))
                .collect::<Result<Vec<_>, _>>()?;
            apply(name, values)
        }
    }
}

fn apply(name: &str, args: Vec<Value>) -> Result<Value, PathError> {
    let fail = |m: &str| PathError(format!("{name}: {m}"));
    let int = |v: &Value| v.as_i64().ok_or_else(|| fail("expects integers"));
    match (name, args.as_slice()) {
        ("States.Format", [Value::String(template), rest @ ..]) => {
            let mut out = String::new();
            let mut values = rest.iter();
            let mut chars = template.chars().peekable();
            while let Some(c) = chars.next() {
                if c == '{' && chars.peek() == Some(&'}') {
                    chars.next();
                    let v = values
                        .next()
                        .ok_or_else(|| fail("more {} than arguments"))?;
                    match v {
                        Value::String(s) => out.push_str(s),
                        Value::Object(_) | Value::Array(_) => {
                            return Err(fail(
                                "arguments must be strings, numbers, booleans or null",
                            ));
                        }
                        other => out.push_str(&other.to_string()),
                    }
                } else {
                    out.push(c);
                }
            }
            if values.next().is_some() {
                return Err(fail("more arguments than {}"));
            }
            Ok(Value::String(out))
        }
        ("States.StringToJson", [Value::String(s)]) => {
            serde_json::from_str(s).map_err(|e| fail(&e.to_string()))
        }
        ("States.JsonToString", [v]) => Ok(Value::String(v.to_string())),
        ("States.Array", items) => Ok(Value::Array(items.to_vec())),
        ("States.ArrayLength", [Value::Array(items)]) => Ok(json!(items.len())),
        ("States.ArrayGetItem", [Value::Array(items), i]) => {
            let i = usize::try_from(int(i)?).map_err(|_| fail("index must not be negative"))?;
            items
                .get(i)
                .cloned()
                .ok_or_else(|| fail("index out of range"))
        }
        ("States.ArrayContains", [Value::Array(items), v]) => Ok(json!(items.contains(v))),
        ("States.ArrayRange", [a, b, step]) => {
            let (a, b, step) = (int(a)?, int(b)?, int(step)?);
            if step == 0 {
                return Err(fail("step must not be 0"));
            }
            let mut out = Vec::new();
            let mut x = a;
            while (step > 0 && x <= b) || (step < 0 && x >= b) {
                out.push(json!(x));
                if out.len() > 1000 {
                    return Err(fail("at most 1000 items"));
                }
                x += step;
            }
            Ok(Value::Array(out))
        }
        ("States.MathAdd", [a, b]) => int(a)?
            .checked_add(int(b)?)
            .map(|n| json!(n))
            .ok_or_else(|| fail("overflow")),
        _ => Err(fail(&format!(
            "unsupported function or arguments ({} given)",
            args.len()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval_str(expr: &str) -> Result<Value, PathError> {
        call(
            expr,
            &json!({"name": "Ada", "n": 2, "list": [1, 2, 3], "raw": "{\"a\":1}"}),
            &json!({"Execution": {"Id": "E"}}),
        )
    }

    #[test]
    fn intrinsics_the_workflow_uses() {
        let cases = [
            (
                "States.Format('Hello, {}! You have {} items.', $.name, $.n)",
                json!("Hello, Ada! You have 2 items."),
            ),
            (
                "States.Format('it\\'s {}', $$.Execution.Id)",
                json!("it's E"),
            ),
            ("States.StringToJson($.raw)", json!({"a": 1})),
            ("States.JsonToString($.list)", json!("[1,2,3]")),
            (
                "States.Array($.n, 'x', true, null)",
                json!([2, "x", true, null]),
            ),
            ("States.ArrayLength($.list)", json!(3)),
            ("States.ArrayGetItem($.list, 1)", json!(2)),
            ("States.ArrayContains($.list, 3)", json!(true)),
            ("States.ArrayRange(1, 9, 4)", json!([1, 5, 9])),
            ("States.MathAdd($.n, -5)", json!(-3)),
            ("States.ArrayLength(States.Array(1, 2))", json!(2)),
        ];
        for (expr, expected) in cases {
            assert_eq!(eval_str(expr), Ok(expected), "{expr}");
        }
    }

    #[test]
    fn malformed_calls_are_errors() {
        for bad in [
            "States.Format('{} {}', $.name)",
            "States.Format('x'",
            "States.Nope(1)",
            "States.ArrayGetItem($.list, 9)",
            "States.Format('unterminated)",
            "States.MathAdd(1, 2) extra",
            "States.Array(bogus)",
        ] {
            assert!(eval_str(bad).is_err(), "{bad}");
        }
    }
}
