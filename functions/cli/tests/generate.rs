//! `coursegen generate` as a user runs it: the sample lecture to a course,
//! with and without reviews, interrupted and resumed, and refusing what it
//! cannot do.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use coursegen_core::course::{Course, QuestionType, course_schema};

fn example(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(path)
}

/// Runs `coursegen generate …` with `answers` on stdin.
pub(crate) fn generate(dir: &Path, args: &[&str], answers: &str, env: &[(&str, &str)]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_coursegen"))
        .arg("generate")
        .args(args)
        .arg("--data")
        .arg(dir.join("data"))
        .arg("--out")
        .arg(dir.join("out"))
        .env_remove("OPENAI_BASE_URL")
        .env_remove("OPENAI_API_KEY")
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(answers.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

pub(crate) fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn course(dir: &Path) -> Course {
    let text = std::fs::read_to_string(dir.join("out/course.json")).unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert!(
        jsonschema::validator_for(&course_schema())
            .unwrap()
            .is_valid(&value),
        "course.json matches the schema"
    );
    serde_json::from_value(value).unwrap()
}

#[test]
fn auto_approved_lecture_to_course_files() {
    let dir = tempfile::tempdir().unwrap();
    let lecture = example("lecture/lecture.en.vtt");
    let out = generate(
        dir.path(),
        &[
            lecture.to_str().unwrap(),
            "--auto-approve",
            "--option",
            "assessment.questions=6",
        ],
        "",
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(
        printed.contains("course.json")
            && printed.contains("course.md")
            && printed.contains("course.html")
    );
    let course = course(dir.path());
    assert_eq!(
        course
            .modules
            .iter()
            .map(|m| m.lessons.len())
            .sum::<usize>(),
        5
    );
    assert_eq!(course.assessment.unwrap().questions.len(), 6);
    let md = std::fs::read_to_string(dir.path().join("out/course.md")).unwrap();
    assert!(
        md.contains("## Module 1:")
            && md.contains("## Final assessment")
            && md.contains("## Glossary")
    );
    assert!(
        std::fs::read_to_string(dir.path().join("out/course.html"))
            .unwrap()
            .starts_with("<!doctype html>")
    );
    let questions: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.path().join("out/course.questions.json")).unwrap(),
    )
    .unwrap();
    let course = self::course(dir.path());
    assert_eq!(
        questions.as_array().unwrap().len(),
        course.questions().count(),
        "every question, in the AI server's format"
    );
}

#[test]
fn every_review_answer_through_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let lecture = example("lecture/lecture.srt");
    // segment: rerun with another penalty, then pick run 1 over run 2;
    // outline: a wrong answer, an edit (the editor renames everything), then
    // approve the edited run; questions: a rerun with an option it cannot
    // change (refused), a rerun with another question mix and assessment
    // size, then approve that run 2.
    let editor = dir.path().join("editor.sh");
    std::fs::write(
        &editor,
        "#!/bin/sh\nsed -i 's/\"title\": \"[^\"]*\"/\"title\": \"Edited By Hand\"/' \"$1\"\n",
    )
    .unwrap();
    Command::new("chmod")
        .arg("+x")
        .arg(&editor)
        .status()
        .unwrap();
    let answers = "r boundary_penalty=-0.5\np 1\nnonsense\ne\na\nr force=true\nr question_mix.true_false=2 assessment.questions=3\na\n";
    let out = generate(
        dir.path(),
        &[lecture.to_str().unwrap()],
        answers,
        &[("EDITOR", editor.to_str().unwrap())],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let log = stderr(&out);
    assert!(
        log.contains("Review of segment (run 2 of 2)"),
        "the rerun made run 2: {log}"
    );
    assert!(
        log.contains("Review of outline (run 2 of 2)"),
        "the edit made run 2"
    );
    assert!(
        log.contains("\"nonsense\": answer"),
        "a wrong answer is explained, then asked again"
    );
    let course = course(dir.path());
    let lessons: Vec<_> = course.modules.iter().flat_map(|m| &m.lessons).collect();
    assert_eq!(
        lessons.len(),
        5,
        "segment run 1 (5 segments) was used, not the rerun"
    );
    assert!(
        lessons.iter().all(|l| l.title == "Edited By Hand"),
        "the edit reached the course"
    );
    assert!(
        log.contains("parameters.force: cannot be changed here"),
        "a refused rerun says why: {log}"
    );
    assert!(
        log.contains("Review of questions (run 2 of 2)"),
        "the questions rerun made run 2"
    );
    for lesson in &lessons {
        let types: Vec<_> = lesson.exercises.iter().map(|q| q.question_type()).collect();
        assert_eq!(
            types,
            vec![QuestionType::TrueFalse; 2],
            "the rerun's question mix made the lessons' exercises: {}",
            lesson.title
        );
    }
    assert_eq!(
        course.assessment.map(|a| a.questions.len()),
        Some(3),
        "the rerun's assessment size"
    );
}

#[test]
fn abort_and_closed_input_stop_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let lecture = example("lecture/lecture.srt");
    let out = generate(dir.path(), &[lecture.to_str().unwrap()], "b\n", &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("was aborted"), "{}", stderr(&out));

    let dir = tempfile::tempdir().unwrap();
    let out = generate(dir.path(), &[lecture.to_str().unwrap()], "", &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("no answer at the segment review"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn an_interrupted_job_resumes_where_it_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let lecture = example("lecture/lecture.srt");
    // First run: approve segment, then the input ends at the outline review.
    let first = generate(dir.path(), &[lecture.to_str().unwrap()], "a\n", &[]);
    assert_eq!(first.status.code(), Some(1));
    let log = stderr(&first);
    let job = log
        .split("--resume ")
        .nth(1)
        .and_then(|s| s.split(')').next())
        .expect("the job id is printed")
        .to_owned();
    let second = generate(dir.path(), &["--resume", &job], "a\na\n", &[]);
    assert!(second.status.success(), "{}", stderr(&second));
    assert!(
        stderr(&second).contains("Review of outline"),
        "resumed at the outline review, not from the start"
    );
    assert!(!stderr(&second).contains("Review of segment"));
    course(dir.path());
}

#[test]
fn sources_it_cannot_read_are_refused_plainly() {
    let dir = tempfile::tempdir().unwrap();
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec!["https://www.youtube.com/watch?v=henIVlCPVIY".into()],
            "is a YouTube video",
        ),
        (vec!["missing.vtt".into()], "missing.vtt: no such file"),
        (
            vec!["--topic".into(), "Rust".into()],
            "needs an LLM engine: --engine openai",
        ),
        (
            vec![
                example("lecture/lecture.en.vtt").to_str().unwrap().into(),
                "--engine".into(),
                "openai".into(),
            ],
            "no LLM is configured here (OPENAI_BASE_URL, OPENAI_API_KEY",
        ),
        (
            vec![
                example("lecture/topics.json").to_str().unwrap().into(),
                "--option".into(),
                "colour=red".into(),
            ],
            "--option: unknown field `colour`",
        ),
    ];
    for (args, expected) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        // No yt-dlp, whatever this machine has.
        let out = generate(
            dir.path(),
            &args,
            "",
            &[("COURSEGEN_YTDLP", "/nonexistent/yt-dlp")],
        );
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(
            stderr(&out).contains(expected),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    // The LLM's configuration is checked before anything runs, and its
    // key never shown.
    let vtt = example("lecture/lecture.en.vtt");
    let env = [
        ("OPENAI_BASE_URL", "localhost:8080"),
        ("OPENAI_API_KEY", "sk-s3cret"),
    ];
    let out = generate(
        dir.path(),
        &[vtt.to_str().unwrap(), "--engine", "openai"],
        "",
        &env,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("OPENAI_BASE_URL: \"localhost:8080\" is not an http(s) URL"),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("s3cret"));
    // The AI server engine needs the server and the webhook secret.
    let args = [
        vtt.to_str().unwrap(),
        "--engine",
        "ai-server",
        "--webhook-addr",
        "127.0.0.1:0",
    ];
    for (env, expected) in [
        (vec![], "needs COURSEGEN_WEBHOOK_SECRET"),
        (
            vec![("COURSEGEN_WEBHOOK_SECRET", "s3cret")],
            "needs COURSEGEN_AI_SERVER_URL",
        ),
        (
            vec![
                ("COURSEGEN_WEBHOOK_SECRET", "s3cret"),
                ("COURSEGEN_AI_SERVER_URL", "ftp://example.org"),
            ],
            "is not an http(s) URL",
        ),
    ] {
        let out = generate(dir.path(), &args, "", &env);
        assert_eq!(out.status.code(), Some(1), "{env:?}");
        assert!(stderr(&out).contains(expected), "{env:?}: {}", stderr(&out));
        assert!(
            !stderr(&out).contains("s3cret"),
            "the secret is never shown"
        );
    }
}
