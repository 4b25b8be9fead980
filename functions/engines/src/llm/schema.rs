//! Reply schemas, generated from the Rust types the reply is read into
//! (the course document's own types where a reply holds them), in the
//! subset of JSON Schema that strict structured outputs accept: every
//! object closed and with every property required (optional fields take
//! `null`), `anyOf` instead of `oneOf`, no `allOf`, and no formats.

use schemars::JsonSchema;
use serde_json::{Map, Value, json};

/// The strict schema of `T`.
pub fn strict<T: JsonSchema>() -> Value {
    let mut schema = serde_json::to_value(schemars::schema_for!(T))
        .expect("a generated schema is always valid JSON");
    if let Value::Object(root) = &mut schema {
        root.remove("$schema");
        root.remove("title");
    }
    tighten(&mut schema);
    schema
}

fn tighten(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            map.remove("format");
            map.remove("default");
            if let Some(variants) = map.remove("oneOf") {
                map.insert("anyOf".into(), variants);
            }
            distribute_variants(map);
            for value in map.values_mut() {
                tighten(value);
            }
            if map.contains_key("properties") {
                close(map);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(tighten),
        _ => {}
    }
}

/// Closes an object schema: no other properties, and every property
/// required (strict mode's rule; an optional field's type allows null).
fn close(map: &mut Map<String, Value>) {
    let names: Vec<Value> = map["properties"]
        .as_object()
        .map(|p| p.keys().map(|k| json!(k)).collect())
        .unwrap_or_default();
    map.insert("required".into(), Value::Array(names));
    map.insert("additionalProperties".into(), Value::Bool(false));
}

/// An object with its own properties and `anyOf` variants that add more
/// (a struct with a flattened tagged enum, like a question) becomes
/// `anyOf` of whole objects: a closed object cannot be combined with
/// another, so each variant takes the shared properties in.
fn distribute_variants(map: &mut Map<String, Value>) {
    let (Some(Value::Object(shared)), Some(Value::Array(variants))) =
        (map.get("properties"), map.get("anyOf"))
    else {
        return;
    };
    if !variants.iter().all(|v| v.get("properties").is_some()) {
        return;
    }
    let shared = shared.clone();
    let mut whole = Vec::new();
    for variant in variants {
        let mut variant = variant.clone();
        let props = variant["properties"]
            .as_object_mut()
            .expect("checked above");
        for (name, schema) in &shared {
            props.entry(name.clone()).or_insert_with(|| schema.clone());
        }
        variant["type"] = json!("object");
        whole.push(variant);
    }
    map.remove("properties");
    map.remove("required");
    map.remove("type");
    map.remove("additionalProperties");
    map.insert("anyOf".into(), Value::Array(whole));
}

#[cfg(test)]
mod tests {
    use coursegen_core::course::Question;

    use super::*;

    fn objects(v: &Value, out: &mut Vec<Value>) {
        match v {
            Value::Object(m) => {
                if m.contains_key("properties") {
                    out.push(v.clone());
                }
                m.values().for_each(|x| objects(x, out));
            }
            Value::Array(a) => a.iter().for_each(|x| objects(x, out)),
            _ => {}
        }
    }

    #[test]
    fn a_question_schema_is_strict_and_still_reads_every_question_type() {
        let schema = strict::<Question>();
        let text = schema.to_string();
        for banned in ["\"oneOf\"", "\"allOf\"", "\"format\""] {
            assert!(!text.contains(banned), "{banned} in {text}");
        }
        let mut all = Vec::new();
        objects(&schema, &mut all);
        assert!(all.len() > 5);
        for o in &all {
            assert_eq!(o["additionalProperties"], json!(false), "{o}");
            let props = o["properties"].as_object().unwrap().len();
            assert_eq!(o["required"].as_array().unwrap().len(), props, "{o}");
        }
        // One whole-object variant per question type, each with the shared fields.
        let variants = schema["anyOf"].as_array().expect("variants at the top");
        assert_eq!(
            variants.len(),
            coursegen_core::course::QuestionType::ALL.len()
        );
        for v in variants {
            for shared in ["prompt", "bloom", "difficulty", "points", "type"] {
                assert!(v["properties"].get(shared).is_some(), "{shared} in {v}");
            }
        }
        // A real question validates against it.
        let validator = jsonschema::validator_for(&schema).expect("a valid schema");
        let question = json!({
            "id": "q1", "prompt": "Pick one", "source": null, "bloom": "remember",
            "difficulty": "easy", "points": 1, "time_limit_s": null, "hint": null,
            "explanation": null, "parameters": [], "type": "single_choice",
            "options": [{"text": "a", "correct": true, "explanation": null},
                        {"text": "b", "correct": false, "explanation": null}]
        });
        assert!(
            validator.is_valid(&question),
            "{:?}",
            validator
                .iter_errors(&question)
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
        );
        let _: Question = serde_json::from_value(question).expect("and reads back");
    }
}
