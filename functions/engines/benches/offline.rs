//! The whole offline engine on an hour of speech (~9,000 words): ingestion
//! of YouTube-style captions, then validate, segment, outline, every lesson
//! with its exercises, the assessment, glossary and flashcards.
//!
//! `cargo bench -p coursegen-engines --bench offline`

use std::path::PathBuf;

use coursegen_core::material::Sentence;
use coursegen_core::options::Options;
use coursegen_core::outputs::SegmentParams;
use coursegen_core::source::TranscriptFormat;
use coursegen_engines::ingest::{sentences, transcript};
use coursegen_engines::offline::course::generate;
use criterion::{Criterion, criterion_group, criterion_main};

/// Words in the benchmark transcript.
const WORDS: usize = 9_000;

fn example(path: &str) -> Vec<u8> {
    std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../examples")
            .join(path),
    )
    .expect("the sample lecture")
}

/// The 24-minute sample lecture repeated (shifted in time) to an hour.
fn hour_of_speech() -> Vec<Sentence> {
    let one = sentences(
        &transcript(&example("lecture/lecture.srt"), TranscriptFormat::Srt).expect("parses"),
    );
    let length = one.last().map_or(0, |s| s.end_ms) + 3_000;
    let mut out = Vec::new();
    let mut words = 0;
    'copies: for copy in 0.. {
        for s in &one {
            if words >= WORDS {
                break 'copies;
            }
            words += s.text.split_whitespace().count();
            out.push(Sentence {
                start_ms: s.start_ms + copy * length,
                end_ms: s.end_ms + copy * length,
                text: s.text.clone(),
            });
        }
    }
    out
}

fn bench(c: &mut Criterion) {
    let hour = hour_of_speech();
    let options = Options::default();
    let params = SegmentParams::default();
    let vtt = example("lecture/lecture.en.vtt");
    let mut group = c.benchmark_group("offline");
    group.sample_size(20);
    group.bench_function("ingest 24 min of YouTube auto-captions", |b| {
        b.iter(|| {
            sentences(
                &transcript(std::hint::black_box(&vtt), TranscriptFormat::Vtt).expect("parses"),
            )
        })
    });
    group.bench_function("whole engine, 60 min / 9,000 words", |b| {
        b.iter(|| {
            generate(
                std::hint::black_box(hour.clone()).into(),
                None,
                Some("henIVlCPVIY"),
                &params,
                &options,
            )
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
