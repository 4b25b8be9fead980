//! `coursegen export` (and `generate --export`): a finished job's questions
//! as GIFT that gift-pegjs reads back question for question, and as Moodle
//! XML; its packages the same bytes however asked for, and from a course
//! file too; a job with no course yet, or none at all, is a clear error.

use crate::common;
use crate::gift_pegjs;

use std::path::Path;

use common::{coursegen, example, waiting_job};
use serde_json::Value;

fn export(data: &Path, job: &str, format: &str, out: &Path) -> std::process::Output {
    coursegen()
        .args(["export", job, "--format", format, "--out"])
        .arg(out)
        .arg("--data")
        .arg(data)
        .output()
        .unwrap()
}

#[test]
fn a_finished_course_exports_as_question_banks_and_packages() {
    let dir = tempfile::tempdir().unwrap();
    let (data, out) = (dir.path().join("data"), dir.path().join("out"));
    let generated = coursegen()
        .arg("generate")
        .arg(example("lecture/lecture.en.vtt"))
        .args([
            "--auto-approve",
            "--export",
            "gift,moodle,scorm12,cc13",
            "--data",
        ])
        .arg(&data)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        generated.status.success(),
        "{}",
        String::from_utf8_lossy(&generated.stderr)
    );
    let course: Value =
        serde_json::from_slice(&std::fs::read(out.join("course.json")).unwrap()).unwrap();
    let mut ids: Vec<String> = course["modules"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|m| m["lessons"].as_array().unwrap())
        .flat_map(|l| l["exercises"].as_array().unwrap())
        .chain(course["assessment"]["questions"].as_array().unwrap())
        .map(|q| q["id"].as_str().unwrap().to_owned())
        .collect();
    let list = coursegen()
        .args(["jobs", "list", "--json", "--data"])
        .arg(&data)
        .output()
        .unwrap();
    let jobs: Value = serde_json::from_slice(&list.stdout).unwrap();
    let job = jobs["jobs"][0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{jobs}"))
        .to_owned();

    let gift = dir.path().join("course.gift.txt");
    let done = export(&data, &job, "gift", &gift);
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&done.stdout).trim(),
        gift.display().to_string()
    );
    let items = gift_pegjs::parsed(&std::fs::read_to_string(&gift).unwrap());
    let mut titles: Vec<String> = items
        .iter()
        .filter(|i| i["type"] != "Category")
        .map(|i| i["title"].as_str().unwrap().to_owned())
        .collect();
    titles.sort();
    ids.sort();
    assert_eq!(titles, ids, "every question of the course, once");
    let categories = items.iter().filter(|i| i["type"] == "Category").count();
    assert_eq!(
        categories,
        course["modules"].as_array().unwrap().len() + 1,
        "a category per module, and the assessment's"
    );

    let xml = dir.path().join("course.moodle.xml");
    let done = export(&data, &job, "moodle", &xml);
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    let xml = std::fs::read_to_string(&xml).unwrap();
    // `generate --export` wrote the same files beside the course.
    assert_eq!(
        std::fs::read_to_string(out.join("course.moodle.xml")).unwrap(),
        xml
    );
    assert_eq!(
        std::fs::read(out.join("course.gift.txt")).unwrap(),
        std::fs::read(&gift).unwrap()
    );
    let listed = String::from_utf8_lossy(&generated.stdout);
    assert!(
        listed.contains("course.gift.txt") && listed.contains("course.moodle.xml"),
        "{listed}"
    );
    assert_eq!(
        xml.matches("<question type=").count() - categories,
        ids.len()
    );
    assert!(xml.ends_with("</quiz>\n"));

    // Packages: exporting the job again gives the same bytes (the same
    // identifiers, so an LMS updates the course); a course file exports
    // without a job.
    for (format, file) in [("scorm12", "course.scorm12.zip"), ("cc13", "course.imscc")] {
        let again = dir.path().join(file);
        let done = export(&data, &job, format, &again);
        assert!(
            done.status.success(),
            "{}",
            String::from_utf8_lossy(&done.stderr)
        );
        assert_eq!(
            std::fs::read(out.join(file)).unwrap(),
            std::fs::read(&again).unwrap()
        );
    }
    let from_file = dir.path().join("from-file.zip");
    let done = export(
        &data,
        out.join("course.json").to_str().unwrap(),
        "scorm2004",
        &from_file,
    );
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    assert!(std::fs::read(&from_file).unwrap().starts_with(b"PK"));
    let done = export(&data, "no-such-thing.json", "scorm2004", &from_file);
    assert_eq!(done.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&done.stderr).contains("neither a job id nor a course file"));
}

#[test]
fn a_job_without_a_course_or_an_unknown_one_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let (data, out) = (dir.path().join("data"), dir.path().join("out"));
    let job = waiting_job(&data, &out);
    let file = dir.path().join("x.gift");
    let refused = export(&data, &job, "gift", &file);
    assert_eq!(refused.status.code(), Some(1));
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(
        said.contains(&format!(
            "job {job} has no course yet (it is awaiting_approval)"
        )),
        "{said}"
    );
    assert!(!file.exists(), "nothing written");
    let unknown = export(&data, "01M98K0XJN863M6CYCQZZ44NKP", "moodle", &file);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no job 01M98K0XJN863M6CYCQZZ44NKP"));
}
