//! Whatever it is given, ingestion answers a result or an error and the
//! offline engine makes a valid course (or an empty one): no step panics.
//! The inputs mix English teaching sentences and the shapes the engine
//! looks for ("X is a …", "We call this …", "First, …", numbers) with text
//! that breaks byte arithmetic: characters whose lower case is longer or
//! shorter (İ, K), ligatures, combining marks, right-to-left scripts, emoji
//! and joiner sequences, NUL and control characters.

use crate::common;

use common::clock;
use coursegen_core::checks;
use coursegen_core::course::QuestionType;
use coursegen_core::material::{CodeSample, Material, Sentence};
use coursegen_core::options::Options;
use coursegen_core::outputs::{Segment, SegmentParams};
use coursegen_core::ports::{
    AssessmentWriter, LessonRequest, LessonWriter, NotesWriter, Outliner, Segmenter, Validator,
};
use coursegen_core::source::{DocumentFormat, TranscriptFormat};
use coursegen_engines::ingest::{document, narrate, sentences, transcript};
use coursegen_engines::offline::OfflineEngine;
use coursegen_engines::offline::course::generate;
use futures::executor::block_on;
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
    "İzmir",
    "çay",
    "İİİ",
    "ı",
    "K",
    "ﬁre",
    "e\u{301}",
];

/// Pieces of text: teaching shapes, markup the parsers strip, and
/// characters that change length or direction.
const PIECES: &[&str] = &[
    "An antigen is a molecule that the body can recognise.",
    "We call this immunity.",
    "In İzmir we call this çay.",
    "First, İİİİİİİİİİ.",
    "First, the germ enters.",
    "Second, the cells respond.",
    "Then the fever rises.",
    "Finally, antibodies win.",
    "This is called memory.",
    "A vaccine refers to a trained response.",
    "About 97 percent, 1,629 dollars and 3.5 hours.",
    "For example, like a key.",
    "İ",
    "ı",
    "İİİ",
    "ß",
    "ẞ",
    "ﬁ",
    "ﬀ",
    "K",
    "Σ",
    "ǅ",
    "e\u{301}",
    "\u{301}",
    "a\u{30a}\u{301}",
    "العربية هي لغة",
    "الفيديو الأول: مقدمة",
    "עברית היא שפה",
    "\u{202e}reversed\u{202c}",
    "\u{200f}",
    "👩\u{200d}💻",
    "🇹🇷",
    "🏳\u{fe0f}\u{200d}🌈",
    "\u{0}",
    "\u{7}",
    "\u{1b}[0m",
    "\t",
    "\u{feff}",
    "\u{a0}",
    "(",
    ")",
    "[Music]",
    "[",
    "]",
    "&",
    "&amp;",
    "&#x130;",
    "<v Ayşe>",
    "<i>",
    "<",
    ">",
    "{\\an8}",
    "♪",
    ">>",
    "DR. İNCE:",
    "-->",
    ":",
    ".",
    "?",
    "…",
    "12",
    "0.5",
    "Video 2: Çay",
    "## Lesson 3",
    "- item",
    "1. step",
    "| a | b |",
    "```",
    "`code`",
    "*",
    "_",
];

fn sentence() -> impl Strategy<Value = String> {
    proptest::collection::vec(proptest::sample::select(WORDS), 1..18).prop_map(|w| w.join(" "))
}

/// A line of text: pieces and arbitrary characters, with or without spaces.
fn line() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => proptest::sample::select(PIECES).prop_map(str::to_owned),
        1 => any::<char>().prop_map(String::from),
    ];
    (proptest::collection::vec(piece, 1..8), any::<bool>())
        .prop_map(|(pieces, spaced)| pieces.join(if spaced { " " } else { "" }))
}

fn every_type(count: u8) -> Options {
    Options {
        question_mix: QuestionType::ALL.into_iter().map(|t| (t, count)).collect(),
        ..Options::default()
    }
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
                Sentence { start_ms: start, end_ms: at, text: t.clone(), end_trust: coursegen_core::material::EndTrust::Sure }
            })
            .collect();
        let code = code.map(|c| vec![CodeSample { start_ms: at / 2, end_ms: at / 2 + 1000, language: None, code: c }]).unwrap_or_default();
        let params = SegmentParams { boundary_penalty: penalty, min_duration_s: 5, max_duration_s: 60, ..SegmentParams::default() };
        let g = generate(Material { sentences, code, ..Material::default() }, None, None, &params, &every_type(2));
        prop_assert!(g.course.validate().is_ok(), "{:?}", g.course.validate());
        prop_assert!(!g.segments.is_empty());
        prop_assert!((0.0..=1.0).contains(&g.validation.confidence));
    }
}

/// Every offline step, through the ports the pipeline calls, on `material`
/// (with the segment map `ends`, as a course script gives).
fn every_step(material: &Material, ends: Option<Vec<u64>>) {
    let engine = OfflineEngine::new();
    let options = every_type(1);
    let params = SegmentParams {
        min_duration_s: 1,
        max_duration_s: 30,
        segment_ends_ms: ends,
        ..SegmentParams::default()
    };
    block_on(async {
        let validation = engine.validate(material, &options).await.unwrap();
        assert!((0.0..=1.0).contains(&validation.confidence));
        let Ok(segments) = engine.segment(material, &params, &options).await else {
            assert!(
                material.sentences.is_empty(),
                "only empty material has no segments"
            );
            return;
        };
        // The engine's output keeps the rules a reviewer's edit is held to.
        let timeline = checks::Timeline::of(material);
        let kept = checks::segments(&segments, &timeline, usize::MAX);
        assert!(kept.is_ok(), "{kept:?} in {segments:?}");
        let outline = engine
            .outline(material, &segments, None, &options)
            .await
            .unwrap();
        let kept = checks::outline(&outline, segments.len());
        assert!(kept.is_ok(), "{kept:?} in {outline:?}");
        course_from(&engine, material, &outline, &options).await;
    });
}

/// Lessons, assessment and notes of `outline`; each lesson's questions are valid.
async fn course_from(
    engine: &OfflineEngine,
    material: &Material,
    outline: &coursegen_core::outputs::Outline,
    options: &Options,
) {
    let mut lessons = Vec::new();
    for (m, module) in outline.modules.iter().enumerate() {
        for l in 0..module.lessons.len() {
            let request = LessonRequest {
                material,
                outline,
                module: m,
                lesson: l,
                video: Some("id"),
                video_start_ms: 0,
                options,
            };
            let lesson = engine.lesson(request).await.unwrap();
            assert!(lesson.exercises.iter().all(|q| q.validate().is_ok()));
            lessons.push(lesson);
        }
    }
    engine
        .assessment(material, outline, &lessons, options)
        .await
        .unwrap();
    engine
        .assessment(material, outline, &[], options)
        .await
        .unwrap();
    engine.notes(material, options).await.unwrap();
}

/// The same lines as each transcript format and as each text document.
fn formats(lines: &[String]) -> Vec<(String, Result<Material, String>)> {
    let span = |i: usize| (i as u64 * 2500, i as u64 * 2500 + 2400);
    let mut vtt = String::from("WEBVTT\n\n");
    let mut srt = String::new();
    let mut json = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let (a, b) = span(i);
        vtt.push_str(&format!("{} --> {}\n{l}\n\n", clock(a, '.'), clock(b, '.')));
        srt.push_str(&format!(
            "{}\n{} --> {}\n{l}\n\n",
            i + 1,
            clock(a, ','),
            clock(b, ',')
        ));
        json.push(serde_json::json!({"text": l, "start": a as f64 / 1000.0}));
    }
    let json = serde_json::Value::Array(json).to_string();
    let text = lines.join("\n");
    let read = |bytes: &[u8], format| {
        transcript(bytes, format)
            .map(|t| sentences(&t).into())
            .map_err(|e| e.to_string())
    };
    let mut out = vec![
        (
            "vtt".to_owned(),
            read(vtt.as_bytes(), TranscriptFormat::Vtt),
        ),
        (
            "srt".to_owned(),
            read(srt.as_bytes(), TranscriptFormat::Srt),
        ),
        (
            "json".to_owned(),
            read(json.as_bytes(), TranscriptFormat::Json),
        ),
        (
            "txt".to_owned(),
            read(text.as_bytes(), TranscriptFormat::Txt),
        ),
    ];
    for (name, format) in [
        ("md", DocumentFormat::Md),
        ("txt document", DocumentFormat::Txt),
    ] {
        let doc = document(text.as_bytes(), format).map(|d| narrate(&d).material());
        out.push((name.to_owned(), doc.map_err(|e| e.to_string())));
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn any_text_in_any_format_goes_through_every_step(
        lines in proptest::collection::vec(line(), 1..24),
    ) {
        for (format, material) in formats(&lines) {
            match material {
                Ok(material) => every_step(&material, None),
                Err(e) => prop_assert!(!e.is_empty(), "{format}: an error says why"),
            }
        }
        // A course script's sections as the segment map.
        if let Ok(doc) = document(lines.join("\n\n").as_bytes(), DocumentFormat::Md) {
            let narration = narrate(&doc);
            let mut ends: Vec<u64> = narration.sections.iter().map(|(_, end)| *end).collect();
            ends.pop();
            every_step(&narration.material(), (!ends.is_empty()).then_some(ends));
        }
    }

    /// Reviewers edit segments: out of order, overlapping, outside the
    /// material or empty, the later steps still answer.
    #[test]
    fn edited_segments_of_any_shape(
        texts in proptest::collection::vec(sentence(), 1..30),
        spans in proptest::collection::vec((0u64..120_000, 0u64..120_000), 1..8),
    ) {
        let material: Material = texts
            .iter()
            .enumerate()
            .map(|(i, t)| Sentence { start_ms: i as u64 * 3000, end_ms: i as u64 * 3000 + 2900, text: t.clone(), end_trust: coursegen_core::material::EndTrust::Sure })
            .collect::<Vec<_>>()
            .into();
        let segments: Vec<Segment> = spans
            .iter()
            .map(|&(start_ms, end_ms)| Segment { start_ms, end_ms, title: "İ".into(), summary: String::new(), keyphrases: vec!["çay".into()] })
            .collect();
        let engine = OfflineEngine::new();
        let options = every_type(1);
        block_on(async {
            let outline = engine.outline(&material, &segments, None, &options).await.unwrap();
            course_from(&engine, &material, &outline, &options).await;
        });
    }
}
