//! Segmentation finds the sample lecture's topic shifts: the lecture has
//! five topics with known boundaries (examples/lecture/topics.json).

use crate::common;

use common::{lecture, true_boundaries};
use coursegen_core::outputs::{Segment, SegmentParams};
use coursegen_engines::offline::segment::segment;

/// A predicted boundary this close to a true one counts as finding it.
const TOLERANCE_MS: u64 = 30_000;

/// How many true boundaries have a predicted one within the tolerance.
fn hits(segments: &[Segment], truth: &[u64]) -> usize {
    let predicted: Vec<u64> = segments[1..].iter().map(|s| s.start_ms).collect();
    truth
        .iter()
        .filter(|t| predicted.iter().any(|p| p.abs_diff(**t) <= TOLERANCE_MS))
        .count()
}

fn report(name: &str, segments: &[Segment]) {
    for s in segments {
        eprintln!("{name}: {:>7} – {:>7}  {}", s.start_ms, s.end_ms, s.title);
    }
}

#[test]
fn topic_shifts_are_found_in_auto_captions_and_srt() {
    let truth = true_boundaries();
    for file in ["lecture/lecture.en.vtt", "lecture/lecture.srt"] {
        let segments = segment(&lecture(file), &SegmentParams::default());
        report(file, &segments);
        let found = hits(&segments, &truth);
        eprintln!(
            "{file}: {found} of {} true boundaries within ±30 s; {} segments",
            truth.len(),
            segments.len()
        );
        // Most true boundaries are found, without drowning them in extra ones.
        assert!(
            found * 4 >= truth.len() * 3,
            "{file}: only {found} of {} boundaries found",
            truth.len()
        );
        assert!(
            segments.len() <= 2 * (truth.len() + 1),
            "{file}: {} segments for 5 topics",
            segments.len()
        );
    }
}

#[test]
fn segments_tile_the_material_within_the_duration_bounds() {
    let sentences = lecture("lecture/lecture.srt");
    let params = SegmentParams {
        min_duration_s: 120,
        max_duration_s: 240,
        ..SegmentParams::default()
    };
    let segments = segment(&sentences, &params);
    assert_eq!(segments[0].start_ms, 0);
    assert_eq!(
        segments.last().unwrap().end_ms,
        sentences.last().unwrap().end_ms
    );
    for pair in segments.windows(2) {
        assert_eq!(pair[0].end_ms, pair[1].start_ms, "no gaps, no overlaps");
    }
    for s in &segments {
        let d = s.end_ms - s.start_ms;
        assert!(
            (120_000..=240_000 + 10_000).contains(&d),
            "{} lasts {d} ms",
            s.title
        );
        assert!(!s.title.is_empty() && !s.summary.is_empty() && !s.keyphrases.is_empty());
    }
}

#[test]
fn the_penalty_trades_segments_for_strength() {
    let sentences = lecture("lecture/lecture.srt");
    let count = |penalty: f64| {
        segment(
            &sentences,
            &SegmentParams {
                boundary_penalty: penalty,
                ..SegmentParams::default()
            },
        )
        .len()
    };
    assert!(
        count(-1.0) > count(1.0),
        "a lower penalty gives more segments"
    );
    assert!(count(3.0) < count(1.0), "a higher penalty gives fewer");
}

#[test]
fn an_explicit_segment_map_is_followed() {
    let sentences = lecture("lecture/lecture.srt");
    let truth = true_boundaries();
    let params = SegmentParams {
        segment_ends_ms: Some(truth.clone()),
        ..SegmentParams::default()
    };
    let segments = segment(&sentences, &params);
    assert_eq!(segments.len(), truth.len() + 1);
    for (s, t) in segments[1..].iter().zip(&truth) {
        assert!(s.start_ms.abs_diff(*t) < 2_000, "{} vs {t}", s.start_ms);
    }
}

#[test]
fn segmentation_is_deterministic() {
    let sentences = lecture("lecture/lecture.en.vtt");
    let a = serde_json::to_string(&segment(&sentences, &SegmentParams::default())).unwrap();
    let b = serde_json::to_string(&segment(&sentences, &SegmentParams::default())).unwrap();
    assert_eq!(a, b);
}
