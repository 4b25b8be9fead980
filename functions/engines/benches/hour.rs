//! An hour of speech for benchmarks: the 24-minute sample lecture repeated,
//! shifted in time, to ~9,000 words. Shared by the engine's and the
//! command's benchmarks (included with `#[path]`).

use std::path::PathBuf;

use coursegen_core::material::Sentence;
use coursegen_core::source::TranscriptFormat;
use coursegen_engines::ingest::{sentences, transcript};

/// Words in the benchmark transcript.
pub const WORDS: usize = 9_000;

pub fn example(path: &str) -> Vec<u8> {
    std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../examples")
            .join(path),
    )
    .expect("the sample lecture")
}

pub fn hour_of_speech() -> Vec<Sentence> {
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
                end_trust: coursegen_core::material::EndTrust::Sure,
            });
        }
    }
    out
}
