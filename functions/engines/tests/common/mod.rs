//! Shared by the engine tests: the sample material in `examples/`.
#![allow(dead_code)] // each test file uses its own subset

use std::path::PathBuf;

use coursegen_core::material::Sentence;
use coursegen_core::source::TranscriptFormat;
use coursegen_engines::ingest::{sentences, transcript};

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
