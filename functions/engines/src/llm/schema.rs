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
        // The shared properties first, as the type declares them (a
        // question's prompt), then the variant's own (its answer).
        let mut props = shared.clone();
        for (name, schema) in variant["properties"].as_object().expect("checked above") {
            props.insert(name.clone(), schema.clone());
        }
        variant["properties"] = Value::Object(props);
        variant["type"] = json!("object");
        whole.push(variant);
    }
    map.remove("properties");
    map.remove("required");
    map.remove("type");
    map.remove("additionalProperties");
    map.insert("anyOf".into(), Value::Array(whole));
}

/// Bounds every string and list of a strict schema, for servers whose
/// grammar-constrained decoding honours `maxLength` and `maxItems`
/// (llama.cpp, vLLM, Ollama): a small model then cannot run on inside a
/// string to the end of its context. OpenAI's strict mode refuses these
/// keywords, so they are opt-in (`Structured::Bounded`). The bounds keep
/// the largest reply (every field and list filled to the brim, as a base
/// model does) within about 5,000 tokens. Lists the checks need filled get
/// a `minItems` too: left free, a small model closes every list at once
/// (seen: gemma3-270m answered each outline and assessment with `[]`).
pub fn bound(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            if let Some(Value::Object(properties)) = map.get_mut("properties") {
                for (name, property) in properties.iter_mut() {
                    limit(property, name);
                }
            }
            map.values_mut().for_each(bound);
        }
        Value::Array(items) => items.iter_mut().for_each(bound),
        _ => {}
    }
}

/// Characters of a short field: a phrase, a term, an option.
const SHORT: u32 = 80;

/// The characters a string property of this name may hold.
fn max_length(name: &str) -> u32 {
    match name {
        // llama.cpp leaves a longer bound unenforced (seen: 1,000 held,
        // 3,000 let a base model repeat one sentence for 36,000 characters).
        "content_md" => 1_000,
        "summary" | "description" | "explanation" | "definition" | "reason" | "back"
        | "expected_output" | "input" | "hint" | "prompt" | "front" => 200,
        _ => SHORT,
    }
}

/// The items a list property of this name may hold: the course's parts
/// and question sets run longer than a list of phrases.
fn max_items(name: &str) -> u32 {
    match name {
        "segments" | "lessons" | "chapters" | "exercises" | "questions" | "glossary"
        | "flashcards" => 8,
        _ => 4,
    }
}

/// The items a list property of this name must hold: a choice or an
/// ordering needs two to choose from, the course's parts and question sets
/// one; lists that may be empty (a question's parameters, a rubric, code
/// tests) none.
fn min_items(name: &str) -> u32 {
    match name {
        "options" | "items" => 2,
        "segments" | "modules" | "lessons" | "chapters" | "exercises" | "questions"
        | "glossary" | "flashcards" | "objectives" | "keyphrases" | "topics" | "key_concepts"
        | "accepted" => 1,
        _ => 0,
    }
}

/// The largest value an integer property of this name may take: a small
/// model otherwise writes digits until a number overflows its type (seen:
/// points 2017011211000000).
fn maximum(name: &str) -> u64 {
    match name {
        "points" => 100,
        "time_limit_s" => 86_400,
        "decimal_precision" => 10,
        // Milliseconds (277 hours), block numbers: within u32 everywhere.
        _ => 1_000_000_000,
    }
}

/// Bounds the property `name` (or each variant of it): a string's length,
/// a list's items and the length of its strings.
fn limit(schema: &mut Value, name: &str) {
    let Value::Object(map) = schema else { return };
    if is(map, "string") && !map.contains_key("enum") {
        map.insert("maxLength".into(), json!(max_length(name)));
    }
    if is(map, "integer") {
        let own = map.get("maximum").and_then(Value::as_u64);
        let most = own.map_or(maximum(name), |m| m.min(maximum(name)));
        map.insert("maximum".into(), json!(most));
    }
    if is(map, "array") {
        map.insert("maxItems".into(), json!(max_items(name)));
        let least = min_items(name);
        if least > 0 {
            map.insert("minItems".into(), json!(least));
        }
        if let Some(Value::Object(items)) = map.get_mut("items")
            && is(items, "string")
        {
            items.insert("maxLength".into(), json!(SHORT));
        }
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(Value::Array(variants)) = map.get_mut(key) {
            variants.iter_mut().for_each(|v| limit(v, name));
        }
    }
}

/// Whether a schema's `type` is (or includes) `ty`.
fn is(map: &Map<String, Value>, ty: &str) -> bool {
    match map.get("type") {
        Some(Value::String(t)) => t == ty,
        Some(Value::Array(ts)) => ts.iter().any(|t| t == ty),
        _ => false,
    }
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

    #[test]
    fn a_schema_asks_for_fields_in_the_order_the_types_declare_them() {
        // A model writes a structured reply in schema order: the prompt
        // must come before the answer, the title before the notes.
        let names = |v: &Value| -> Vec<String> {
            v["properties"]
                .as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect()
        };
        let question = strict::<Question>();
        for variant in question["anyOf"].as_array().unwrap() {
            let fields = names(variant);
            let at = |f: &str| fields.iter().position(|n| n == f);
            assert_eq!(at("id"), Some(0), "{fields:?}");
            assert_eq!(at("prompt"), Some(1), "{fields:?}");
            assert!(at("explanation") < at("type"), "{fields:?}");
            for answer in [
                "options",
                "answer",
                "accepted",
                "items",
                "model_answer",
                "value",
            ] {
                assert!(
                    at(answer).is_none_or(|a| a > at("type").unwrap()),
                    "{fields:?}"
                );
            }
        }
        let lesson = strict::<crate::llm::lesson::LessonDraft>();
        assert_eq!(
            names(&lesson),
            [
                "title",
                "objectives",
                "content_md",
                "key_concepts",
                "exercises"
            ]
        );
        assert_eq!(lesson["required"], json!(names(&lesson)));
    }

    #[test]
    fn a_bounded_schema_limits_every_free_string_and_list() {
        let mut schema = strict::<crate::llm::plan::Plan>();
        bound(&mut schema);
        let validator = jsonschema::validator_for(&schema).expect("a valid schema");
        let plan = |title: &str, keyphrases: usize| {
            json!({
                "title": title, "description": "d",
                "segments": [{"first_block": 1, "title": "s", "summary": "x",
                              "keyphrases": vec!["k"; keyphrases]}],
                "modules": [{"title": "m", "summary": "x",
                             "lessons": [{"title": "l", "segments": [1], "objectives": ["o"]}]}]
            })
        };
        assert!(validator.is_valid(&plan("A title", 3)));
        assert!(!validator.is_valid(&plan(&"long ".repeat(100), 3)));
        assert!(!validator.is_valid(&plan("A title", 5)));
        // A list the checks need filled may not be left empty.
        assert!(!validator.is_valid(&plan("A title", 0)));
        let mut empty = plan("A title", 3);
        empty["modules"] = json!([]);
        assert!(!validator.is_valid(&empty));
        // Free strings are bounded; enumerations are already.
        let mut question = strict::<Question>();
        bound(&mut question);
        assert!(question.to_string().contains("\"maxLength\":200"));
        assert!(question.to_string().contains("\"maximum\":100"));
        fn check(v: &Value) {
            match v {
                Value::Object(m) => {
                    if m.contains_key("enum") {
                        assert!(!m.contains_key("maxLength"), "{v}");
                    }
                    m.values().for_each(check);
                }
                Value::Array(a) => a.iter().for_each(check),
                _ => {}
            }
        }
        check(&question);
    }
}
