//! SCORM packages: their manifests validated by lxml against ADL's schemas
//! (scripts/test fetches them), every file referenced and present, stable
//! identifiers, the mastery score, language and direction, and what the
//! package cannot grade reported. How the SCOs behave in a browser with an
//! LMS is tests/browser/scorm.test.mjs's.

use coursegen_core::course::Course;
use coursegen_core::videos::LessonRef;
use coursegen_exports::scorm::{Options, Scos};
use coursegen_exports::{Extras, Format, Video, write};
use serde_json::Value;

use crate::fixture;
use crate::packages::{files, python_check, read, tools};

/// Problems scorm_check.py finds in `zip` against ADL's `edition` schemas.
fn check(zip: &[u8], edition: &str) -> String {
    let schemas = tools().join("scorm-schemas-0.2.7").join(edition);
    assert!(
        schemas.is_dir(),
        "ADL's schemas are not under {}: run the tests with scripts/test, which fetches them",
        schemas.display()
    );
    let (passed, said) = python_check("scorm_check.py", &[&schemas], zip);
    assert_eq!(passed, said.trim().is_empty(), "{said}");
    said
}

fn video(module: usize, lesson: usize, vtt: bool) -> Video {
    Video {
        at: LessonRef { module, lesson },
        mp4: format!("mp4 of m{module} l{lesson}").into_bytes(),
        vtt: vtt.then(|| b"WEBVTT\n".to_vec()),
    }
}

fn package(format: Format, course: &Course, sco: Scos, videos: &[Video]) -> Vec<u8> {
    let extras = Extras {
        identifier: "coursegen-01JOB",
        videos,
        scorm: Options {
            sco,
            ..Options::default()
        },
    };
    write(format, course, &extras).unwrap().0
}

/// The player's data in a SCO's page.
fn data(page: &str) -> Value {
    let start = page.find("id=\"coursegen-sco\">").unwrap() + "id=\"coursegen-sco\">".len();
    let end = start + page[start..].find("</script>").unwrap();
    serde_json::from_str(&page[start..end]).unwrap()
}

#[test]
fn every_package_validates_against_adl_schemas_and_holds_exactly_what_it_names() {
    let course = fixture::course();
    // Lesson 1's video has subtitles, lesson 2's has none, and a video of
    // a lesson the course does not have is left out.
    let videos = [video(0, 0, true), video(1, 0, false), video(4, 0, true)];
    for (format, edition) in [
        (Format::Scorm12, "scorm12edition"),
        (Format::Scorm2004, "scorm20044thedition"),
    ] {
        for sco in [Scos::Multi, Scos::Single] {
            let zip = package(format, &course, sco, &videos);
            check(&zip, edition);
            let names = files(&zip);
            assert_eq!(names[0], "imsmanifest.xml", "{names:?}");
            for file in ["media/m1-l1.mp4", "media/m1-l1.vtt", "media/m2-l1.mp4"] {
                assert!(
                    names.contains(&file.to_owned()),
                    "{format:?} {sco:?}: {names:?}"
                );
            }
            assert!(!names.iter().any(|n| n.contains("m5")), "{names:?}");
            let pages = names.iter().filter(|n| n.ends_with("index.html")).count();
            assert_eq!(pages, if sco == Scos::Multi { 3 } else { 1 });
        }
    }
}

#[test]
fn a_broken_package_is_caught_by_the_check() {
    // The check itself: a manifest naming a file the zip lacks, and a file
    // nobody names, are both reported.
    let zip = package(Format::Scorm12, &fixture::course(), Scos::Multi, &[]);
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip.as_slice())).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..archive.len() {
        let file = archive.by_index(i).unwrap();
        let name = file.name().unwrap().into_owned();
        if name == "shared/player.css" {
            continue;
        }
        out.raw_copy_file_rename(file, name).unwrap();
    }
    out.start_file("stray.txt", zip::write::SimpleFileOptions::default())
        .unwrap();
    let broken = out.finish().unwrap().into_inner();
    let said = check(&broken, "scorm12edition");
    assert!(
        said.contains("missing from the zip: shared/player.css"),
        "{said}"
    );
    assert!(
        said.contains("referenced by no resource: stray.txt"),
        "{said}"
    );
}

#[test]
fn re_exports_are_the_same_package_with_the_jobs_identifier() {
    let course = fixture::course();
    for format in [Format::Scorm12, Format::Scorm2004] {
        let first = package(format, &course, Scos::Multi, &[]);
        assert_eq!(first, package(format, &course, Scos::Multi, &[]));
        let manifest = read(&first, "imsmanifest.xml");
        assert!(
            manifest.contains("<manifest identifier=\"coursegen-01JOB\""),
            "{manifest}"
        );
        assert!(manifest.contains("identifier=\"item-m1-l1\" identifierref=\"res-m1-l1\""));
    }
    // Without a job, the title names the package: the same title, the same id.
    let (zip, _) = write(Format::Scorm12, &course, &Extras::default()).unwrap();
    let again = write(Format::Scorm12, &course, &Extras::default())
        .unwrap()
        .0;
    assert_eq!(zip, again);
    assert!(read(&zip, "imsmanifest.xml").contains("identifier=\"coursegen-"));
}

#[test]
fn the_mastery_score_is_the_courses_passing_score() {
    let course = fixture::course();
    let v12 = read(
        &package(Format::Scorm12, &course, Scos::Multi, &[]),
        "imsmanifest.xml",
    );
    assert!(
        v12.contains("<adlcp:masteryscore>70</adlcp:masteryscore>"),
        "{v12}"
    );
    let v2004 = read(
        &package(Format::Scorm2004, &course, Scos::Multi, &[]),
        "imsmanifest.xml",
    );
    assert!(v2004.contains("satisfiedByMeasure=\"true\""), "{v2004}");
    assert!(v2004.contains("<imsss:minNormalizedMeasure>0.7</imsss:minNormalizedMeasure>"));
    let page = read(
        &package(Format::Scorm2004, &course, Scos::Multi, &[]),
        "assessment/index.html",
    );
    assert_eq!(data(&page)["mastery"], 70);
    assert_eq!(data(&page)["scorm"], "2004");
}

#[test]
fn pages_carry_the_courses_language_direction_and_material_safely() {
    let mut course = fixture::course();
    course.language = "ar".into();
    course.modules[0].lessons[0].content_md =
        "## درس\n\nقال </script><script>alert(1)</script>".into();
    let zip = package(Format::Scorm12, &course, Scos::Multi, &[]);
    let page = read(&zip, "m1-l1/index.html");
    assert!(page.contains("<html lang=\"ar\" dir=\"rtl\">"), "{page}");
    assert!(!page.contains("<script>alert"), "{page}");
    let data = data(&page);
    assert_eq!(data["labels"]["submit"], "أرسل الإجابات");
    // Each question's interaction id is unique and an identifier.
    let ids: Vec<&str> = data["parts"][0]["exercises"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["iid"].as_str().unwrap())
        .collect();
    let mut unique = ids.clone();
    unique.dedup();
    assert_eq!(unique.len(), ids.len());
    assert!(
        ids.iter()
            .all(|id| id.chars().all(|c| c.is_ascii_graphic())),
        "{ids:?}"
    );
}

#[test]
fn what_a_package_cannot_grade_is_reported_and_every_type_maps() {
    let (zip, report) = write(Format::Scorm2004, &fixture::course(), &Extras::default()).unwrap();
    let noted: Vec<&str> = report.notes.iter().map(|n| n.question.as_str()).collect();
    assert!(
        noted.contains(&"essay") && noted.contains(&"code"),
        "{report}"
    );
    assert!(
        !noted.contains(&"single") && !noted.contains(&"order"),
        "{report}"
    );
    let page = read(&zip, "m1-l1/index.html");
    let kinds: Vec<String> = data(&page)["parts"][0]["exercises"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["type"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(kinds, ["single", "multi", "tf", "numeric", "numeric"]);
    let numeric = &data(&page)["parts"][0]["exercises"][3];
    let (min, max) = (
        numeric["min"].as_f64().unwrap(),
        numeric["max"].as_f64().unwrap(),
    );
    assert!(
        (min - 9.76).abs() < 1e-9 && (max - 9.86).abs() < 1e-9,
        "{min} {max}"
    );
}

#[test]
fn a_course_with_nothing_to_teach_is_refused() {
    let mut course = fixture::course();
    course.modules.clear();
    course.assessment = None;
    let error = write(Format::Scorm12, &course, &Extras::default()).unwrap_err();
    assert!(
        error.to_string().contains("no lesson and no assessment"),
        "{error}"
    );
}
