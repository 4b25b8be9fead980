//! Whatever sentences it is given, the offline engine makes a valid course
//! (or an empty one) and never panics.

use coursegen_core::course::QuestionType;
use coursegen_core::material::{CodeSample, Material, Sentence};
use coursegen_core::options::Options;
use coursegen_core::outputs::SegmentParams;
use coursegen_engines::offline::course::generate;
use proptest::prelude::*;

const WORDS: &[&str] = &[
    "an",
    "a",
    "the",
    "is",
    "means",
    "cell",
    "antigen",
    "protein",
    "first,",
    "second,",
    "then,",
    "finally,",
    "we",
    "call",
    "this",
    "12",
    "3.5",
    "1,000",
    "percent",
    "plate",
    "moves",
    "fast.",
    "because",
    "for",
    "example",
    "like",
    "It",
    "Memory",
    "TCP",
    "is",
    "called",
    "water",
    "saves",
    "energy.",
    "?",
    "ß",
    "الفيديو",
    "—",
];

fn sentence() -> impl Strategy<Value = String> {
    proptest::collection::vec(proptest::sample::select(WORDS), 1..18).prop_map(|w| w.join(" "))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(60))]
    #[test]
    fn any_material_gives_a_valid_course(
        texts in proptest::collection::vec(sentence(), 1..50),
        gaps in proptest::collection::vec(0u64..20_000, 50),
        code in proptest::option::of("[a-z =()\n]{0,60}"),
        penalty in -2.0f64..3.0,
    ) {
        let mut at = 0;
        let sentences: Vec<Sentence> = texts
            .iter()
            .zip(&gaps)
            .map(|(t, gap)| {
                let start = at + gap;
                at = start + 2_000;
                Sentence { start_ms: start, end_ms: at, text: t.clone() }
            })
            .collect();
        let code = code.map(|c| vec![CodeSample { start_ms: at / 2, end_ms: at / 2 + 1000, language: None, code: c }]).unwrap_or_default();
        let options = Options {
            question_mix: QuestionType::ALL.into_iter().map(|t| (t, 2)).collect(),
            ..Options::default()
        };
        let params = SegmentParams { boundary_penalty: penalty, min_duration_s: 5, max_duration_s: 60, ..SegmentParams::default() };
        let g = generate(Material { sentences, code, topic: None }, None, None, &params, &options);
        prop_assert!(g.course.validate().is_ok(), "{:?}", g.course.validate());
        prop_assert!(!g.segments.is_empty());
        prop_assert!((0.0..=1.0).contains(&g.validation.confidence));
    }
}
