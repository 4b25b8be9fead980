//! What ffprobe says of a media file, for the tests that check videos.

#![allow(dead_code)] // each test binary uses its own subset

use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// ffprobe's JSON of `path`: its format and streams.
pub fn probe(path: &Path) -> Value {
    let out = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-print_format",
            "json",
            "-show_format",
            "-show_streams",
        ])
        .arg(path)
        .output()
        .unwrap();
    assert!(out.status.success(), "ffprobe {}", path.display());
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The first stream of `kind` ("video", "audio", "subtitle").
pub fn stream<'a>(probe: &'a Value, kind: &str) -> &'a Value {
    find_stream(probe, kind).unwrap_or_else(|| panic!("no {kind} stream in {probe}"))
}

pub fn find_stream<'a>(probe: &'a Value, kind: &str) -> Option<&'a Value> {
    probe["streams"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["codec_type"] == kind)
}

/// A duration ffprobe gives as a string of seconds.
pub fn seconds(v: &Value) -> f64 {
    v.as_str().unwrap().parse().unwrap()
}
