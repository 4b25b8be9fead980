//! Shared by the engine tests: the sample material in `examples/`.
#![allow(dead_code)] // each test file uses its own subset

use std::path::PathBuf;
use std::sync::Arc;

use coursegen_core::artifact::ArtifactKey;
use coursegen_core::ids::JobId;
use coursegen_core::job::CourseRef;
use coursegen_core::lifecycle::{self, NewJob};
use coursegen_core::material::Sentence;
use coursegen_core::options::Options;
use coursegen_core::pipeline::Steps;
use coursegen_core::ports::JobStore;
use coursegen_core::source::Source;
use coursegen_core::source::TranscriptFormat;
use coursegen_engines::ingest::{sentences, transcript};
use coursegen_engines::offline::offline_steps;
use coursegen_local::asl::Executor;
use coursegen_local::workflow::{InProcess, course_machine, job_execution};
use coursegen_local::{FsArtifactStore, SqliteStore};

pub fn example(path: &str) -> Vec<u8> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    std::fs::read(root.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

pub fn example_json(path: &str) -> serde_json::Value {
    serde_json::from_slice(&example(path)).unwrap()
}

/// The sample lecture's sentences, from its `.vtt` or `.srt`.
pub fn lecture(file: &str) -> Vec<Sentence> {
    let format = if file.ends_with(".vtt") {
        TranscriptFormat::Vtt
    } else {
        TranscriptFormat::Srt
    };
    sentences(&transcript(&example(file), format).unwrap())
}

/// Where the sample lecture's topics 2… start (the true boundaries).
pub fn true_boundaries() -> Vec<u64> {
    example_json("lecture/topics.json")["topics"]
        .as_array()
        .unwrap()[1..]
        .iter()
        .map(|t| t["start_ms"].as_u64().unwrap())
        .collect()
}

pub struct Stack {
    pub steps: Steps,
    pub jobs: Arc<SqliteStore>,
    pub dir: tempfile::TempDir,
}

/// The embedded stack with the offline engine, in a temporary directory.
pub async fn stack() -> Stack {
    stack_with(None).await
}

/// The embedded stack, with the LLM of `llm` if given.
pub async fn stack_with(llm: Option<coursegen_engines::llm::LlmConfig>) -> Stack {
    let dir = tempfile::tempdir().unwrap();
    let jobs = Arc::new(SqliteStore::open(&dir.path().join("db.sqlite3")).unwrap());
    let artifacts =
        Arc::new(FsArtifactStore::open(dir.path().join("artifacts"), 64 << 20).unwrap());
    let steps = match llm {
        None => offline_steps(jobs.clone(), artifacts, jobs.clone()),
        Some(config) => {
            coursegen_engines::router::steps(jobs.clone(), artifacts, jobs.clone(), Some(config))
                .unwrap()
        }
    };
    Stack { steps, jobs, dir }
}

/// A job with default options whose source is the example `file`, uploaded.
pub async fn new_job(
    stack: &Stack,
    file: &str,
    source: impl FnOnce(ArtifactKey) -> Source,
) -> JobId {
    new_job_with(stack, file, source, Options::default()).await
}

/// A job whose source is the example `file`, uploaded.
pub async fn new_job_with(
    stack: &Stack,
    file: &str,
    source: impl FnOnce(ArtifactKey) -> Source,
    options: Options,
) -> JobId {
    let name = file.rsplit('/').next().unwrap();
    new_job_from(stack, name, example(file), source, options).await
}

/// A job whose source is `bytes`, uploaded as `name`.
pub async fn new_job_from(
    stack: &Stack,
    name: &str,
    bytes: Vec<u8>,
    source: impl FnOnce(ArtifactKey) -> Source,
    options: Options,
) -> JobId {
    let id = JobId::new();
    let key = ArtifactKey::for_job(&id, &format!("upload/{name}")).unwrap();
    stack
        .steps
        .artifacts
        .put(&key, bytes, "application/octet-stream")
        .await
        .unwrap();
    let new = NewJob {
        id,
        owner: "alice".parse().unwrap(),
        course: CourseRef {
            course_id: "c1".parse().unwrap(),
            version_id: "v1".parse().unwrap(),
            module_id: None,
            section_id: None,
        },
        source: source(key),
        options,
    };
    let (job, events) = lifecycle::create(new, chrono::Utc::now()).unwrap();
    stack.jobs.create(&job, &events).await.unwrap();
    id
}

/// The local interpreter of the course workflow, ready to run job `id`.
pub async fn executor(stack: &Stack, id: JobId) -> Executor {
    let job = stack.steps.jobs.get(id).await.unwrap();
    let machine = Arc::new(course_machine().unwrap());
    let execution = job_execution(&machine, &job);
    Executor::new(
        machine,
        Arc::new(InProcess::new(Arc::new(stack.steps.clone()))),
        execution,
    )
}

/// `ms` as a caption timestamp: `HH:MM:SS.mmm` (WebVTT), or with a comma
/// before the milliseconds (SRT).
pub fn clock(ms: u64, separator: char) -> String {
    let s = ms / 1000;
    format!(
        "{:02}:{:02}:{:02}{separator}{:03}",
        s / 3600,
        s / 60 % 60,
        s % 60,
        ms % 1000
    )
}
