//! `coursegen generate --auto-approve` on an hour of speech, all in: the
//! process starts, opens a fresh data directory, ingests the transcript,
//! runs the workflow through the interpreter with every transition saved to
//! SQLite, and writes course.json, course.md and course.html.
//!
//! The hour is the sample lecture repeated, which the validator rightly
//! calls repetitive, so the run forces past it (`--option force=true`).
//!
//! `cargo bench -p coursegen --bench generate`

#[path = "../../engines/benches/hour.rs"]
mod hour;

use std::path::Path;
use std::process::{Command, Stdio};

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use serde_json::json;

/// The hour as a JSON transcript in the chunks format.
fn write_hour(path: &Path) {
    let chunks: Vec<_> = hour::hour_of_speech()
        .into_iter()
        .map(|s| {
            json!({
                "timestamp": [s.start_ms as f64 / 1000.0, s.end_ms as f64 / 1000.0],
                "text": s.text,
            })
        })
        .collect();
    std::fs::write(path, json!({ "chunks": chunks }).to_string()).expect("writes the hour");
}

fn generate(source: &Path, run: &Path) {
    let status = Command::new(env!("CARGO_BIN_EXE_coursegen"))
        .arg("generate")
        .arg(source)
        .args(["--auto-approve", "--option", "force=true", "--data"])
        .arg(run.join("data"))
        .arg("--out")
        .arg(run.join("out"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("coursegen runs");
    assert!(status.success(), "coursegen generate failed");
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("a temp dir");
    let source = dir.path().join("hour.json");
    write_hour(&source);
    let mut n = 0;
    let mut group = c.benchmark_group("generate");
    group.sample_size(20);
    group.bench_function("--auto-approve, 60 min transcript, all in", |b| {
        b.iter_batched(
            || {
                n += 1;
                dir.path().join(format!("run-{n}"))
            },
            |run| generate(&source, &run),
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
