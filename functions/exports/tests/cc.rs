//! Common Cartridge 1.3: the structure an importer reads (manifest,
//! resources, files, QTI items and their profiles), well-formed XML, and
//! what has no profile exported as an essay and reported.

use coursegen_core::videos::LessonRef;
use coursegen_exports::{Extras, Format, Video, write};
use serde_json::Value;

use crate::fixture;
use crate::packages::{files, python_check, read};

/// cc_check.py's summary of a cartridge it found nothing wrong with.
fn checked(zip: &[u8]) -> Value {
    let (passed, said) = python_check("cc_check.py", &[], zip);
    assert!(passed, "{said}");
    serde_json::from_str(said.lines().last().unwrap()).unwrap()
}

fn profiles(summary: &Value, resource: &str) -> Vec<(String, String)> {
    summary[resource]
        .as_array()
        .unwrap_or_else(|| panic!("no assessment {resource} in {summary}"))
        .iter()
        .map(|i| {
            (
                i["title"].as_str().unwrap().to_owned(),
                i["profile"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn a_cartridge_holds_lessons_exercises_and_the_assessment_with_profiles() {
    let videos = [Video {
        at: LessonRef {
            module: 0,
            lesson: 0,
        },
        mp4: b"mp4".to_vec(),
        vtt: Some(b"WEBVTT\n".to_vec()),
    }];
    let extras = Extras {
        identifier: "coursegen-01JOB",
        videos: &videos,
        ..Extras::default()
    };
    let (zip, report) = write(Format::Cc13, &fixture::course(), &extras).unwrap();
    let summary = checked(&zip);
    let names = files(&zip);
    assert_eq!(names[0], "imsmanifest.xml");
    for file in [
        "m1-l1/index.html",
        "m2-l1/index.html",
        "media/m1-l1.mp4",
        "media/m1-l1.vtt",
    ] {
        assert!(names.contains(&file.to_owned()), "{names:?}");
    }
    let exercises: Vec<String> = profiles(&summary, "res-m1-l1-exercises")
        .into_iter()
        .map(|(_, p)| p)
        .collect();
    assert_eq!(
        exercises,
        [
            "cc.multiple_choice.v0p1",
            "cc.multiple_response.v0p1",
            "cc.true_false.v0p1",
            "cc.essay.v0p1",
            "cc.essay.v0p1"
        ]
    );
    // A lesson without exercises has no assessment.
    assert!(summary.get("res-m2-l1-exercises").is_none(), "{summary}");
    let assessment = profiles(&summary, "res-assessment");
    let of = |title: &str| {
        assessment
            .iter()
            .find(|(t, _)| t == title)
            .unwrap()
            .1
            .as_str()
    };
    assert_eq!(of("short"), "cc.fib.v0p1");
    assert_eq!(of("blank"), "cc.fib.v0p1");
    assert_eq!(of("essay"), "cc.essay.v0p1");
    assert_eq!(of("order"), "cc.essay.v0p1");
    assert_eq!(of("code"), "cc.essay.v0p1");
    // What has no profile is reported; what has one is not.
    let noted: Vec<&str> = report.notes.iter().map(|n| n.question.as_str()).collect();
    for q in ["numeric", "range", "order", "code", "(course)"] {
        assert!(noted.contains(&q), "{q} not in {report}");
    }
    assert!(
        !noted.contains(&"single") && !noted.contains(&"short"),
        "{report}"
    );
    let manifest = read(&zip, "imsmanifest.xml");
    assert!(manifest.contains("<manifest identifier=\"coursegen-01JOB\""));
    assert!(manifest.contains("structure=\"rooted-hierarchy\""));
}

#[test]
fn answers_and_feedback_are_in_the_qti() {
    let (zip, _) = write(Format::Cc13, &fixture::course(), &Extras::default()).unwrap();
    let qti = read(&zip, "res-m1-l1-exercises/assessment.xml");
    // The single choice's right option is the first; the multiple
    // response needs the three right and not the wrong one.
    assert!(qti.contains("<varequal respident=\"response1\">o1</varequal></conditionvar><setvar varname=\"SCORE\" action=\"Set\">100</setvar>"), "{qti}");
    assert!(qti.contains("<and><varequal respident=\"response1\">o1</varequal><varequal respident=\"response1\">o2</varequal><varequal respident=\"response1\">o3</varequal><not><varequal respident=\"response1\">o4</varequal></not></and>"));
    assert!(
        qti.contains("right {1} since a ~ b = c # d { e } f : g \\ h &lt; i &gt; j &amp; k / l")
    );
    assert!(qti.contains("<fieldlabel>cc_weighting</fieldlabel><fieldentry>2</fieldentry>"));
    assert!(!qti.contains('\u{1}'), "control characters are dropped");
    let assessment = read(&zip, "res-assessment/assessment.xml");
    assert!(assessment.contains("<varequal respident=\"response1\" case=\"Yes\">sea</varequal>"));
    assert!(assessment.contains("Right order: first: rise → second = peak → third {fall}"));
}

#[test]
fn an_arabic_course_reads_right_to_left() {
    let mut course = fixture::course();
    course.language = "ar".into();
    let (zip, _) = write(Format::Cc13, &course, &Extras::default()).unwrap();
    checked(&zip);
    assert!(read(&zip, "m1-l1/index.html").contains("<html lang=\"ar\" dir=\"rtl\">"));
    assert!(read(&zip, "imsmanifest.xml").contains("<lomimscc:language>ar</lomimscc:language>"));
}
