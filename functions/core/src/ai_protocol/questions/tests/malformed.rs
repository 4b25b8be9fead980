//! Every malformed input fails with the item's index and the field's path,
//! and never panics.

use serde_json::{Value, json};

use super::{SEGMENTS, server_file};
use crate::ai_protocol::questions::{FormatError, import};

/// The server file's item `base` with `change` applied, placed third so the
/// error must name index 2.
fn third_item(base: usize, change: impl FnOnce(&mut Value)) -> Value {
    let file = server_file();
    let mut item = file[base].clone();
    change(&mut item);
    json!([file[0], file[1], item])
}

fn error_path(file: &Value) -> String {
    match import(file, &SEGMENTS) {
        Ok(questions) => panic!(
            "imported {} questions from a malformed file",
            questions.len()
        ),
        Err(FormatError { path, .. }) => path,
    }
}

fn remove(item: &mut Value, parent: &str, key: &str) {
    item.pointer_mut(parent)
        .and_then(Value::as_object_mut)
        .unwrap()
        .remove(key);
}

/// Sets the value at a JSON pointer, adding the last key if missing.
fn set(item: &mut Value, pointer: &str, value: Value) {
    let Some((parent, key)) = pointer.rsplit_once('/') else {
        *item = value;
        return;
    };
    match item.pointer_mut(parent).unwrap() {
        Value::Array(entries) => entries[key.parse::<usize>().unwrap()] = value,
        parent => {
            parent.as_object_mut().unwrap().insert(key.into(), value);
        }
    }
}

type Case = (usize, fn(&mut Value), &'static str);

/// (server file item to start from, change, path the error must name)
#[rustfmt::skip]
const CASES: &[Case] = &[
    (0, |i| set(i, "", json!("a string")), "[2]"),
    (0, |i| remove(i, "/question", "text"), "[2].question.text"),
    (0, |i| set(i, "/question/text", json!("  ")), "[2].question.text"),
    (0, |i| set(i, "/question", json!([1])), "[2].question"),
    (0, |i| set(i, "/solution/correctLotItem/text", json!(5)), "[2].solution.correctLotItem.text"),
    (0, |i| remove(i, "/solution", "correctLotItem"), "[2].solution.correctLotItem"),
    (0, |i| set(i, "/solution/incorrectLotItems", json!([])), "[2].solution.incorrectLotItems"),
    (0, |i| set(i, "/solution/incorrectLotItems", json!({})), "[2].solution.incorrectLotItems"),
    (0, |i| set(i, "/solution/incorrectLotItems/1", json!("x")), "[2].solution.incorrectLotItems[1]"),
    (0, |i| set(i, "/solution/incorrectLotItems/1/text", json!("a QUEUE")), "[2].solution"),
    (0, |i| set(i, "/questionType", json!("XYZ")), "[2].questionType"),
    (0, |i| set(i, "/questionType", json!("SML")), "[2].questionType"),
    (0, |i| set(i, "/question/type", json!("SELECT_MANY_IN_LOT")), "[2].questionType"),
    (0, |i| set(i, "/question/type", json!("MATCH_THE_LOTS")), "[2].question.type"),
    (0, |i| set(i, "/segmentId", json!(100.0)), "[2].segmentId"),
    (0, |i| set(i, "/segmentId", json!("142.6")), "[2].segmentId"),
    (0, |i| remove(i, "", "segmentId"), "[2].segmentId"),
    (0, |i| set(i, "/question/points", json!(-1)), "[2].question.points"),
    (0, |i| set(i, "/question/points", json!(1.5)), "[2].question.points"),
    (0, |i| set(i, "/question/timeLimitSeconds", json!(1e12)), "[2].question.timeLimitSeconds"),
    (0, |i| set(i, "/question/hint", json!(false)), "[2].question.hint"),
    (0, |i| set(i, "/bloomLevel", json!("wisdom")), "[2].bloomLevel"),
    (0, |i| set(i, "/question/isParameterized", json!(true)), "[2].question.parameters"),
    (0, |i| set(i, "/question/parameters", json!([{"name": "n", "possibleValues": ["1"], "type": "number"}])),
        "[2].question.isParameterized"),
    (0, |i| set(i, "/metadata", json!("x")), "[2].metadata"),
    (0, |i| set(i, "/metadata", json!({"coursegen": {"id": 1}})), "[2].metadata.coursegen"),
    (1, |i| set(i, "/question/bloomLevel", json!("L9")), "[2].question.bloomLevel"),
    (1, |i| set(i, "/solution/correctLotItem/text", json!("Maybe")), "[2].solution.correctLotItem.text"),
    (1, |i| set(i, "/solution/incorrectLotItems/0/text", json!("false")), "[2].solution.incorrectLotItems"),
    (1, |i| set(i, "/solution/incorrectLotItems", json!([])), "[2].solution.incorrectLotItems"),
    (2, |i| set(i, "/level", json!(7)), "[2].level"),
    (2, |i| set(i, "/solution/correctLotItems", json!([])), "[2].solution.correctLotItems"),
    (2, |i| set(i, "/solution/incorrectLotItems/0/text", json!("BFS")), "[2].solution"),
    (3, |i| set(i, "/metadata/bloomLevel", json!(true)), "[2].metadata.bloomLevel"),
    (3, |i| set(i, "/solution/lowerLimit", json!(10)), "[2].solution.lowerLimit"),
    (3, |i| set(i, "/solution/upperLimit", json!("9.9")), "[2].solution.upperLimit"),
    (3, |i| set(i, "/solution/decimalPrecision", json!(300)), "[2].solution.decimalPrecision"),
    (3, |i| set(i, "/solution", json!({"solutionText": "9.81"})), "[2].solution.decimalPrecision"),
    (5, |i| remove(i, "/solution", "solutionText"), "[2].solution.solutionText"),
    (5, |i| set(i, "/solution/solutionText", json!(" ")), "[2].solution.solutionText"),
];

#[test]
fn each_malformed_item_names_its_index_and_field() {
    for (n, (base, change, expected)) in CASES.iter().enumerate() {
        let path = error_path(&third_item(*base, change));
        assert_eq!(path, *expected, "case {n}");
    }
}

fn ordering_item(ordering: Value) -> Value {
    json!([{
        "question": {"text": "Order the steps.", "type": "ORDER_THE_LOTS", "isParameterized": false,
                     "timeLimitSeconds": 60, "points": 1},
        "solution": {"ordering": ordering},
        "segmentId": 142.6, "questionType": "OTL"
    }])
}

#[test]
fn ordering_items_sort_by_order_and_refuse_ties_and_single_items() {
    let lot = |text: &str, order: u32| json!({"lotItem": {"text": text, "explaination": ""}, "order": order});
    let ok = import(&ordering_item(json!([lot("b", 2), lot("a", 1)])), &SEGMENTS).unwrap();
    assert_eq!(
        ok[0].body,
        crate::course::QuestionBody::Ordering {
            items: vec!["a".into(), "b".into()]
        }
    );
    let tie = ordering_item(json!([lot("a", 1), lot("b", 1)]));
    assert_eq!(error_path(&tie), "[0].solution.ordering[1].order");
    assert_eq!(
        error_path(&ordering_item(json!([lot("a", 1)]))),
        "[0].solution.ordering"
    );
    assert_eq!(
        error_path(&ordering_item(json!([{"order": 1}]))),
        "[0].solution.ordering[0].lotItem"
    );
}

#[test]
fn a_bad_parameter_names_its_index() {
    let file = third_item(0, |i| {
        set(i, "/question/isParameterized", json!(true));
        set(
            i,
            "/question/parameters",
            json!([{"name": "n", "possibleValues": ["1"], "type": "number"},
                   {"name": "unit", "possibleValues": ["m"], "type": "int"}]),
        );
    });
    assert_eq!(error_path(&file), "[2].question.parameters[1].type");
}

#[test]
fn ids_must_be_distinct() {
    let item = |id: &str| {
        let mut item = server_file()[5].clone();
        item["metadata"] = json!({"coursegen": {
            "id": id, "difficulty": "hard", "source": null, "remainder": {"type": "descriptive"}
        }});
        item
    };
    let file = json!([item("a"), item("b"), item("a")]);
    assert_eq!(error_path(&file), "[2].metadata.coursegen.id");
}

#[test]
fn the_file_and_the_segment_map_are_checked() {
    let err = import(&json!({"questions": []}), &SEGMENTS).unwrap_err();
    assert_eq!(err.path, "");
    assert_eq!(import(&json!([]), &SEGMENTS), Ok(Vec::new()));
    let map_error = |map: &[f64]| import(&json!([]), map).unwrap_err().path;
    assert_eq!(map_error(&[]), "segmentMap");
    assert_eq!(map_error(&[f64::NAN]), "segmentMap[0]");
    assert_eq!(map_error(&[0.0]), "segmentMap[0]");
    assert_eq!(map_error(&[10.0, f64::INFINITY]), "segmentMap[1]");
    assert_eq!(map_error(&[10.0, 5.0]), "segmentMap[1]");
    assert_eq!(map_error(&[10.0, 10.0]), "segmentMap[1]");
}

#[test]
fn arbitrary_json_never_panics() {
    let values = [
        json!(null),
        json!(1),
        json!([null, 1, "x", [], {}]),
        json!([{"question": null, "solution": null, "segmentId": null, "questionType": null}]),
        json!([{"questionType": "BIN", "question": {}, "solution": {"correctLotItem": {}}}]),
    ];
    for value in values {
        assert!(import(&value, &SEGMENTS).is_err(), "{value}");
    }
}
