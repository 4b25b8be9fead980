//! The LLM engine on an hour of speech (~9,000 words) through the whole
//! local pipeline, against the fake OpenAI-compatible server with its
//! latency model (a fixed cost per call, a small one per prompt token and
//! a larger one per completion token). Prints what the design promises:
//! - sequential LLM round trips on the critical path (target ≤ 3),
//! - prompt tokens sent / transcript tokens (target ≤ 1.5),
//! - wall time against the ideal for the workflow's DAG (every call at
//!   each depth of the chain in parallel, nothing but model time).
//!
//! `cargo bench -p coursegen-engines --bench llm`

#[path = "../tests/common/mod.rs"]
mod common;
#[path = "../tests/fake_llm/mod.rs"]
mod fake_llm;
#[path = "hour.rs"]
mod hour;

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

use coursegen_core::options::{Approvals, EngineKind, Options};
use coursegen_core::source::{Source, TranscriptFormat};
use coursegen_engines::ingest::{sentences, transcript};
use coursegen_engines::llm::LlmConfig;
use coursegen_local::asl::{Drive, ExecutionStatus, Executor};
use coursegen_local::workflow::{InProcess, course_machine, job_execution};
use fake_llm::{Fake, KEY, Latency, tokens};

/// A hosted model at a tenth of real time: 40 ms a call, 10 µs per
/// prompt token (100k tokens/s read), 1 ms per completion token (1,000/s
/// written).
const LATENCY: Latency = Latency {
    base: Duration::from_millis(40),
    per_prompt_token: Duration::from_micros(10),
    per_completion_token: Duration::from_millis(1),
};

fn srt(hour: &[coursegen_core::material::Sentence]) -> Vec<u8> {
    let clock = |ms: u64| {
        format!(
            "{:02}:{:02}:{:02},{:03}",
            ms / 3_600_000,
            ms / 60_000 % 60,
            ms / 1000 % 60,
            ms % 1000
        )
    };
    let mut out = String::new();
    for (i, s) in hour.iter().enumerate() {
        let _ = write!(
            out,
            "{}\n{} --> {}\n{}\n\n",
            i + 1,
            clock(s.start_ms),
            clock(s.end_ms),
            s.text
        );
    }
    out.into_bytes()
}

/// Which sequential round trip of the workflow's DAG a call is: the
/// verdict gates segmentation; the plan (segments and outline in one call)
/// comes next; then every lesson and the assessment side by side; then
/// any follow-up for exercises that failed the guards.
fn round_trip(task: &str) -> usize {
    match task {
        "verdict" => 1,
        "plan" => 2,
        "lesson" | "assessment" => 3,
        "replacements" => 4,
        other => panic!("a call the hour's DAG does not make: {other}"),
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let bytes = srt(&hour::hour_of_speech());
    let material = sentences(&transcript(&bytes, TranscriptFormat::Srt).expect("parses"));
    let mut fake = Fake::new(material.clone(), false);
    fake.latency = Some(LATENCY);
    let server = fake.serve().await;
    let mut config = LlmConfig::new(&server.url, Some(KEY.into()), "test-model");
    // Enough calls in flight that the workflow's DAG, not the bound,
    // decides the shape.
    config.concurrency = 64;
    let stack = common::stack_with(Some(config)).await;
    let options = Options {
        approvals: Approvals::none(),
        default_engine: EngineKind::Openai,
        models: BTreeMap::new(),
        // Every lesson at once: the DAG, not the Map's bound, decides.
        max_concurrency: coursegen_core::options::MAX_CONCURRENCY,
        ..Options::default()
    };
    let source = |k| Source::Transcript {
        upload_key: k,
        format: TranscriptFormat::Srt,
    };
    let id = common::new_job_from(&stack, "hour.srt", bytes, source, options).await;
    let job = stack.steps.jobs.get(id).await.unwrap();
    let machine = Arc::new(course_machine().unwrap());
    let ex = Executor::new(
        machine.clone(),
        Arc::new(InProcess::new(Arc::new(stack.steps.clone()))),
        job_execution(&machine, &job),
    );
    let started = Instant::now();
    assert_eq!(ex.drive().await.unwrap(), Drive::Done);
    let wall = started.elapsed();
    assert_eq!(
        ex.snapshot().status,
        ExecutionStatus::Succeeded,
        "{:?}",
        ex.snapshot().error
    );
    let problems = server.fake.problems.lock().unwrap().clone();
    assert!(problems.is_empty(), "{problems:#?}");

    let calls = server.fake.calls.lock().unwrap().clone();
    let depth: Vec<usize> = calls.iter().map(|c| round_trip(&c.task)).collect();
    let critical = depth.iter().copied().max().unwrap_or(0);
    // The ideal: at each depth, the slowest call there, by the model alone.
    let ideal: Duration = (1..=critical)
        .map(|d| {
            calls
                .iter()
                .zip(&depth)
                .filter(|(_, k)| **k == d)
                .map(|(c, _)| LATENCY.of(c.prompt_tokens, c.completion_tokens))
                .max()
                .unwrap_or_default()
        })
        .sum();
    let transcript_tokens: u64 = material.iter().map(|s| tokens(&s.text)).sum();
    let (prompt, completion) = server.fake.billed();
    let mut per_task: BTreeMap<&str, (usize, u64, u64)> = BTreeMap::new();
    for c in &calls {
        let e = per_task.entry(c.task.as_str()).or_default();
        *e = (e.0 + 1, e.1 + c.prompt_tokens, e.2 + c.completion_tokens);
    }
    println!(
        "LLM engine, an hour of speech ({transcript_tokens} transcript tokens, {} sentences)",
        material.len()
    );
    for (task, (n, p, c)) in &per_task {
        let chain: Vec<usize> = calls
            .iter()
            .zip(&depth)
            .filter(|(x, _)| x.task == *task)
            .map(|(_, d)| *d)
            .collect();
        println!(
            "  {task:<12} {n:>3} calls  {p:>7} prompt  {c:>7} completion  depth {}–{}",
            chain.iter().min().unwrap_or(&0),
            chain.iter().max().unwrap_or(&0)
        );
    }
    let followed = calls.iter().filter(|c| c.task == "replacements").count();
    println!(
        "  sequential LLM round trips on the critical path: {} without a follow-up, {critical} with ({followed} follow-ups) (target ≤ 3)",
        critical.min(3)
    );
    println!(
        "  prompt tokens / transcript tokens: {prompt} / {transcript_tokens} = {:.2} (target ≤ 1.5)",
        prompt as f64 / transcript_tokens as f64
    );
    println!("  completion tokens: {completion}");
    println!(
        "  wall time {:.2} s against the DAG's ideal {:.2} s ({:.0}% overhead: ingest, analysis, storage, workflow)",
        wall.as_secs_f64(),
        ideal.as_secs_f64(),
        (wall.as_secs_f64() / ideal.as_secs_f64() - 1.0) * 100.0
    );
}
