//! Moodle XML: well-formed, every grade one Moodle's importer accepts,
//! every question type mapped (or reported), and text kept exactly.

use coursegen_exports::fractions::MOODLE;
use coursegen_exports::moodle;
use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

use crate::fixture::{TRICKY, course};

/// Each `<question>`: its type and its elements' text, in document order
/// (`name`, or `parent/text` for a `<text>`), read with a strict reader;
/// every grade is checked against Moodle's list on the way.
fn questions(xml: &str) -> Vec<(String, Vec<(String, String)>)> {
    let attr = |e: &BytesStart<'_>, name: &str| {
        e.try_get_attribute(name).unwrap().map(|a| {
            a.normalized_value(XmlVersion::Implicit1_0)
                .unwrap()
                .into_owned()
        })
    };
    let mut reader = Reader::from_str(xml);
    reader.config_mut().check_end_names = true;
    let (mut out, mut path, mut fractions) = (Vec::new(), Vec::<String>::new(), Vec::new());
    let mut buffer = String::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) => {
                let name = e.name().as_ref().to_owned();
                if name == "question" {
                    out.push((attr(&e, "type").unwrap(), Vec::new()));
                }
                fractions.extend(attr(&e, "fraction"));
                path.push(name);
                buffer.clear();
            }
            Event::Text(t) => buffer.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => buffer.push(match r.resolve_char_ref().unwrap() {
                Some(c) => c,
                None => match &*r {
                    "amp" => '&',
                    "lt" => '<',
                    "gt" => '>',
                    "quot" => '"',
                    "apos" => '\'',
                    other => panic!("an unknown entity {other}"),
                },
            }),
            Event::End(_) => {
                let name = path.pop().unwrap();
                if !buffer.trim().is_empty() {
                    let key = match (name.as_str(), path.last()) {
                        ("text", Some(parent)) => format!("{parent}/text"),
                        _ => name,
                    };
                    out.last_mut().unwrap().1.push((key, buffer.clone()));
                }
                buffer.clear();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    for fraction in &fractions {
        assert!(
            MOODLE.contains(&fraction.trim_start_matches('-')),
            "{fraction} is not a grade Moodle offers"
        );
    }
    assert!(!fractions.is_empty());
    out
}

fn field<'a>(q: &'a (String, Vec<(String, String)>), name: &str) -> Vec<&'a str> {
    q.1.iter()
        .filter(|(n, _)| n == name)
        .map(|(_, t)| t.as_str())
        .collect()
}

#[test]
fn every_question_is_mapped_with_grades_moodle_accepts() {
    let (xml, report) = moodle::write(&course());
    assert!(!xml.contains('\u{1}'), "no character XML 1.0 cannot hold");
    let all = questions(&xml);
    let categories: Vec<_> = all
        .iter()
        .filter(|q| q.0 == "category")
        .map(|q| field(q, "category/text"))
        .collect();
    assert_eq!(
        categories,
        [
            ["$course$/top/Tides // the sea/Module: one"],
            ["$course$/top/Tides // the sea/Final assessment"]
        ]
    );
    let by_name = |id: &str| {
        all.iter()
            .find(|q| field(q, "name/text") == [id])
            .unwrap_or_else(|| panic!("{id}: {xml}"))
    };
    let kinds: Vec<(&str, &str)> = [
        "single", "multi", "tf", "numeric", "range", "short", "blank", "essay", "order", "code",
        "عربي",
    ]
    .iter()
    .map(|id| (*id, by_name(id).0.as_str()))
    .collect();
    assert_eq!(
        kinds,
        [
            ("single", "multichoice"),
            ("multi", "multichoice"),
            ("tf", "truefalse"),
            ("numeric", "numerical"),
            ("range", "numerical"),
            ("short", "shortanswer"),
            ("blank", "shortanswer"),
            ("essay", "essay"),
            ("order", "matching"),
            ("code", "essay"),
            ("عربي", "multichoice"),
        ]
    );
    let single = by_name("single");
    assert_eq!(
        field(single, "questiontext/text"),
        [format!("single: {TRICKY}?")]
    );
    assert_eq!(
        field(single, "generalfeedback/text"),
        [format!("because {TRICKY}")]
    );
    assert_eq!(
        field(single, "answer/text"),
        ["right {1}", "wrong = 2", "wrong ~ 3"]
    );
    assert_eq!(
        field(single, "feedback/text")[0],
        format!("right {{1}} since {TRICKY}")
    );
    assert_eq!(
        field(single, "defaultgrade"),
        ["2"],
        "the question's points"
    );
    assert_eq!(field(single, "hint/text"), ["think"]);
    assert_eq!(field(by_name("range"), "tolerance"), ["0.5"]);
    assert_eq!(field(by_name("range"), "answer/text"), ["1.5"]);
    assert_eq!(
        field(by_name("blank"), "usecase"),
        ["1"],
        "case-sensitive kept"
    );
    assert_eq!(
        field(by_name("code"), "responsetemplate/text"),
        ["def f(x):\n    pass"]
    );
    assert!(field(by_name("essay"), "graderinfo/text")[0].contains("names gravity (2 points)"));
    assert_eq!(
        field(by_name("order"), "subquestion/text"),
        ["first: rise", "second = peak", "third {fall}"]
    );
    let noted: Vec<&str> = report.notes.iter().map(|n| n.question.as_str()).collect();
    assert_eq!(noted, ["order", "code"], "{report}");
}
