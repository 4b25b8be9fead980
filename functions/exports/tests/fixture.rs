//! A course with a question of every type, and GIFT's and XML's special
//! characters in every field a writer copies, Arabic among them.

use coursegen_core::course::Course;
use serde_json::json;

pub const TRICKY: &str = "a ~ b = c # d { e } f : g \\ h < i > j & k / l";

pub fn course() -> Course {
    let question = |id: &str, body: serde_json::Value| {
        let mut q = json!({
            "id": id, "prompt": format!("{id}: {TRICKY}?\u{1}"), "bloom": "understand",
            "difficulty": "medium", "points": 2, "explanation": format!("because {TRICKY}"),
            "hint": "think",
        });
        q.as_object_mut()
            .unwrap()
            .extend(body.as_object().unwrap().clone());
        q
    };
    let option = |text: &str, correct: bool| json!({"text": text, "correct": correct, "explanation": format!("{text} since {TRICKY}")});
    let exercises = vec![
        question(
            "single",
            json!({"type": "single_choice", "options": [option("right {1}", true), option("wrong = 2", false), option("wrong ~ 3", false)]}),
        ),
        question(
            "multi",
            json!({"type": "multi_choice", "options": [option("one", true), option("two", true), option("three", true), option("four", false)]}),
        ),
        question("tf", json!({"type": "true_false", "answer": false})),
        question(
            "numeric",
            json!({"type": "numeric", "value": 9.81, "tolerance": 0.05, "decimal_precision": 2}),
        ),
        question(
            "range",
            json!({"type": "numeric", "range": {"min": 1.0, "max": 2.0}, "decimal_precision": 1}),
        ),
    ];
    let more = vec![
        question(
            "short",
            json!({"type": "short_answer", "accepted": ["tide", "the tide"], "model_answer": "The tide: {it}"}),
        ),
        json!({"id": "blank", "prompt": "The moon pulls the ____ twice a day.", "bloom": "remember",
               "difficulty": "easy", "points": 1, "type": "fill_blank", "accepted": ["sea", "ocean"], "case_sensitive": true}),
        question(
            "essay",
            json!({"type": "descriptive", "model_answer": "Gravity # and inertia", "rubric": [{"criterion": "names gravity", "points": 2}]}),
        ),
        question(
            "order",
            json!({"type": "ordering", "items": ["first: rise", "second = peak", "third {fall}"]}),
        ),
        question(
            "code",
            json!({"type": "code", "language": "python", "template": "def f(x):\n    pass", "tests": [{"input": "1", "expected_output": "2"}]}),
        ),
        question(
            "عربي",
            json!({"type": "single_choice", "options": [option("المد", true), option("الجزر", false)]}),
        ),
    ];
    serde_json::from_value(json!({
        "schema_version": 1, "title": "Tides / the sea", "language": "en",
        "modules": [
            {"title": "Module: one", "lessons": [{"title": "L1", "content_md": "x", "start_ms": 0, "end_ms": 1, "exercises": exercises}]},
            {"title": "Module two", "lessons": [{"title": "L2", "content_md": "y", "start_ms": 1, "end_ms": 2, "exercises": []}]},
        ],
        "assessment": {"questions": more, "passing_score": 70},
    }))
    .unwrap()
}
