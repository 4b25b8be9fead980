//! `coursegen generate --engine openai` against an OpenAI-compatible server
//! (the engines' fake, which checks every request): the sample lecture
//! becomes a course written by the model, with its tokens on the job.

use crate::fake_llm;

use std::path::PathBuf;
use std::process::Command;

use coursegen_core::course::Course;
use coursegen_core::material::Sentence;
use coursegen_core::source::TranscriptFormat;
use coursegen_engines::ingest::{sentences, transcript};
use fake_llm::{Fake, KEY};

fn example(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(path)
}

fn lecture() -> Vec<Sentence> {
    let bytes = std::fs::read(example("lecture/lecture.en.vtt")).unwrap();
    sentences(&transcript(&bytes, TranscriptFormat::Vtt).unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lecture_becomes_a_course_written_by_the_model() {
    let server = Fake::new(lecture(), false).serve().await;
    let dir = tempfile::tempdir().unwrap();
    let (data, out) = (dir.path().join("data"), dir.path().join("out"));
    let vtt = example("lecture/lecture.en.vtt");
    let run = |extra: &'static [&'static str]| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_coursegen"));
        command
            .arg("generate")
            .arg(&vtt)
            .args(["--engine", "openai", "--auto-approve"])
            .args(extra)
            .arg("--data")
            .arg(&data)
            .arg("--out")
            .arg(&out)
            .env("OPENAI_BASE_URL", &server.url)
            .env("OPENAI_API_KEY", KEY)
            .env("COURSEGEN_LLM_MODEL", "test-model");
        tokio::task::spawn_blocking(move || command.output().unwrap())
    };
    let output = run(&[]).await.unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(!stderr.contains(KEY), "the key is never shown");
    let problems = server.fake.problems.lock().unwrap().clone();
    assert!(problems.is_empty(), "{problems:#?}");
    let course: Course =
        serde_json::from_slice(&std::fs::read(out.join("course.json")).unwrap()).unwrap();
    course.validate().unwrap();
    // The lessons are the model's (the fake titles them "Lesson N").
    assert!(course.modules[0].lessons[0].title.starts_with("Lesson "));
    let tasks: Vec<String> = server
        .fake
        .calls
        .lock()
        .unwrap()
        .iter()
        .map(|c| c.task.clone())
        .collect();
    for task in ["verdict", "plan", "lesson", "assessment"] {
        assert!(
            tasks.iter().any(|t| t == task),
            "no {task} call in {tasks:?}"
        );
    }

    // Only the lessons from the model: the other stages stay offline.
    let calls = tasks.len();
    let output = run(&[
        "--option",
        "default_engine=offline",
        "--option",
        "engines.lessons=openai",
    ])
    .await
    .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let tasks: Vec<String> = server.fake.calls.lock().unwrap()[calls..]
        .iter()
        .map(|c| c.task.clone())
        .collect();
    assert!(tasks.iter().any(|t| t == "lesson"), "{tasks:?}");
    assert!(
        tasks.iter().all(|t| t == "lesson" || t == "replacements"),
        "{tasks:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_topic_becomes_a_course() {
    let server = Fake::new(Vec::new(), false).serve().await;
    let dir = tempfile::tempdir().unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_coursegen"));
    command
        .args([
            "generate",
            "--topic",
            "Rust for Python programmers",
            "--course-type",
            "programming",
        ])
        .args(["--engine", "openai", "--auto-approve", "--data"])
        .arg(dir.path().join("data"))
        .arg("--out")
        .arg(dir.path().join("out"))
        .env("OPENAI_BASE_URL", &server.url)
        .env("OPENAI_API_KEY", KEY)
        .env("COURSEGEN_LLM_MODEL", "test-model");
    let output = tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let problems = server.fake.problems.lock().unwrap().clone();
    assert!(problems.is_empty(), "{problems:#?}");
    let course: Course =
        serde_json::from_slice(&std::fs::read(dir.path().join("out/course.json")).unwrap())
            .unwrap();
    course.validate().unwrap();
    assert_eq!(course.title, "Learning Rust for Python programmers");
    assert_eq!(
        course
            .modules
            .iter()
            .map(|m| m.lessons.len())
            .sum::<usize>(),
        4
    );
    let html = std::fs::read_to_string(dir.path().join("out/course.html")).unwrap();
    assert!(
        html.contains("<code"),
        "the chapters' code shows in the HTML export"
    );
}
