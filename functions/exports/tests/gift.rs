//! GIFT read back by gift-pegjs (the parser Moodle-compatible tools use)
//! gives the same questions: every type, every special character.

use coursegen_exports::gift;
use serde_json::Value;

use crate::fixture::{TRICKY, course};
use crate::gift_pegjs::parsed;

fn texts(choices: &Value, field: &str) -> Vec<String> {
    choices
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c[field]["text"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn every_type_reads_back_as_the_same_question() {
    let course = course();
    let (text, report) = gift::write(&course);
    let items = parsed(&text);
    let categories: Vec<&str> = items
        .iter()
        .filter(|i| i["type"] == "Category")
        .map(|i| i["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        categories,
        [
            "Tides // the sea/Module: one",
            "Tides // the sea/Final assessment"
        ],
        "a category per module with questions, then the assessment's"
    );
    let by_id = |id: &str| {
        items
            .iter()
            .find(|i| i["title"] == id)
            .unwrap_or_else(|| panic!("{id} is not in {text}"))
    };
    let stem = |id: &str| format!("{id}: {TRICKY}?");
    let because = format!("because {TRICKY}");

    let single = by_id("single");
    assert_eq!(single["type"], "MC");
    assert_eq!(single["stem"]["text"], stem("single"));
    assert_eq!(single["globalFeedback"]["text"], because.as_str());
    assert_eq!(
        texts(&single["choices"], "text"),
        ["right {1}", "wrong = 2", "wrong ~ 3"]
    );
    assert_eq!(
        texts(&single["choices"], "feedback")[1],
        format!("wrong = 2 since {TRICKY}")
    );
    let correct: Vec<bool> = single["choices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["isCorrect"] == true)
        .collect();
    assert_eq!(correct, [true, false, false]);

    let multi = by_id("multi");
    let weights: Vec<f64> = multi["choices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["weight"].as_f64().unwrap())
        .collect();
    assert_eq!(weights, [33.33333, 33.33333, 33.33333, -100.0]);

    assert_eq!(by_id("tf")["type"], "TF");
    assert_eq!(by_id("tf")["isTrue"], false);
    let numeric = &by_id("numeric")["choices"];
    assert_eq!(
        (numeric["number"].as_f64(), numeric["range"].as_f64()),
        (Some(9.81), Some(0.05))
    );
    let range = &by_id("range")["choices"];
    assert_eq!(
        (range["numberLow"].as_f64(), range["numberHigh"].as_f64()),
        (Some(1.0), Some(2.0))
    );

    let short = by_id("short");
    assert_eq!(short["type"], "Short");
    assert_eq!(texts(&short["choices"], "text"), ["tide", "the tide"]);
    let blank = by_id("blank");
    assert_eq!(
        (&blank["type"], &blank["hasEmbeddedAnswers"]),
        (&Value::from("Short"), &Value::from(true))
    );
    assert_eq!(
        blank["stem"]["text"],
        "The moon pulls the _____ twice a day."
    );
    assert_eq!(texts(&blank["choices"], "text"), ["sea", "ocean"]);

    let essay = by_id("essay");
    assert_eq!(essay["type"], "Essay");
    assert!(
        essay["globalFeedback"]["text"]
            .as_str()
            .unwrap()
            .ends_with("Model answer: Gravity # and inertia")
    );
    let order = by_id("order");
    assert_eq!(order["type"], "Matching");
    let pairs: Vec<(String, String)> = order["matchPairs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["subquestion"]["text"].as_str().unwrap().to_owned(),
                p["subanswer"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        pairs,
        [
            ("first: rise".into(), "1".into()),
            ("second = peak".into(), "2".into()),
            ("third {fall}".into(), "3".into())
        ]
    );
    assert_eq!(by_id("code")["type"], "Essay");
    assert_eq!(texts(&by_id("عربي")["choices"], "text"), ["المد", "الجزر"]);

    let questions = items.iter().filter(|i| i["type"] != "Category").count();
    assert_eq!(questions, 11, "every question, once");
    let noted: Vec<&str> = report.notes.iter().map(|n| n.question.as_str()).collect();
    assert_eq!(noted, ["blank", "essay", "order", "code"], "{report}");
}

#[test]
fn shares_moodle_does_not_offer_are_reported() {
    let mut course = course();
    let options: Vec<Value> = (0..12)
        .map(|i| serde_json::json!({"text": format!("o{i}"), "correct": i < 11}))
        .collect();
    let q = serde_json::json!({"id": "many", "prompt": "Pick", "bloom": "remember", "difficulty": "easy",
        "points": 1, "type": "multi_choice", "options": options});
    course.modules[0].lessons[0].exercises = vec![serde_json::from_value(q).unwrap()];
    let (text, report) = gift::write(&course);
    assert!(text.contains("~%5%o0"), "{text}");
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.question == "many" && n.note.contains("less than 100 %")),
        "{report}"
    );
    parsed(&text);
}
