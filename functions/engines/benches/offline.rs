//! The whole offline engine on an hour of speech (~9,000 words): ingestion
//! of YouTube-style captions, then validate, segment, outline, every lesson
//! with its exercises, the assessment, glossary and flashcards.
//!
//! `cargo bench -p coursegen-engines --bench offline`

use coursegen_core::options::Options;
use coursegen_core::outputs::SegmentParams;
use coursegen_core::source::TranscriptFormat;
use coursegen_engines::ingest::{sentences, transcript};
use coursegen_engines::offline::course::generate;
use criterion::{Criterion, criterion_group, criterion_main};

#[path = "hour.rs"]
mod hour;

use hour::{example, hour_of_speech};

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
