//! The offline engine behind core's content ports: the stages composed
//! through the ports give the same course as the one-call pipeline, and bad
//! requests get clear errors.

use crate::common;

use std::sync::Arc;

use common::lecture;

use coursegen_core::material::Material;
use coursegen_core::options::Options;
use coursegen_core::outputs::SegmentParams;
use coursegen_core::ports::{
    AssessmentWriter, EngineError, LessonRequest, LessonWriter, NotesWriter, Outliner, Segmenter,
    Validator,
};
use coursegen_engines::offline::OfflineEngine;
use coursegen_engines::offline::course::generate;

#[tokio::test]
async fn stages_through_the_ports_match_the_one_call_pipeline() {
    let engine = Arc::new(OfflineEngine::new());
    let (validator, segmenter, outliner): (
        Arc<dyn Validator>,
        Arc<dyn Segmenter>,
        Arc<dyn Outliner>,
    ) = (engine.clone(), engine.clone(), engine.clone());
    let (writer, assessor, notes): (
        Arc<dyn LessonWriter>,
        Arc<dyn AssessmentWriter>,
        Arc<dyn NotesWriter>,
    ) = (engine.clone(), engine.clone(), engine);
    let options = Options::default();
    let params = SegmentParams::default();
    let sentences: Material = lecture("lecture/lecture.srt").into();
    let expected = generate(
        sentences.clone(),
        None,
        Some("henIVlCPVIY"),
        &params,
        &options,
    );

    assert!(
        validator
            .validate(&sentences, &options)
            .await
            .unwrap()
            .suitable
    );
    let segments = segmenter
        .segment(&sentences, &params, &options)
        .await
        .unwrap();
    assert_eq!(segments, expected.segments);
    let outline = outliner
        .outline(&sentences, &segments, None, &options)
        .await
        .unwrap();
    assert_eq!(outline, expected.outline);
    let mut lessons = Vec::new();
    for (m, module) in outline.modules.iter().enumerate() {
        for l in 0..module.lessons.len() {
            let request = LessonRequest {
                material: &sentences,
                outline: &outline,
                module: m,
                lesson: l,
                video: Some("henIVlCPVIY"),
                video_start_ms: 0,
                options: &options,
            };
            lessons.push(writer.lesson(request).await.unwrap());
        }
    }
    let expected_lessons: Vec<_> = expected
        .course
        .modules
        .iter()
        .flat_map(|m| m.lessons.clone())
        .collect();
    assert_eq!(lessons, expected_lessons);
    let assessment = assessor
        .assessment(&sentences, &outline, &lessons, &options)
        .await
        .unwrap();
    assert_eq!(assessment, expected.course.assessment);
    let notes = notes.notes(&sentences, &options).await.unwrap();
    assert_eq!(
        (notes.glossary, notes.flashcards),
        (expected.course.glossary, expected.course.flashcards)
    );
}

#[tokio::test]
async fn bad_requests_are_invalid_not_panics() {
    let engine = OfflineEngine::new();
    let options = Options::default();
    let err = engine
        .segment(&Material::default(), &SegmentParams::default(), &options)
        .await
        .unwrap_err();
    assert_eq!(
        err,
        EngineError::Invalid("the material has no sentences".into())
    );
    let sentences: Material = lecture("lecture/lecture.srt").into();
    let bad = SegmentParams {
        min_duration_s: 600,
        max_duration_s: 60,
        ..SegmentParams::default()
    };
    let err = engine
        .segment(&sentences, &bad, &options)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("min_duration_s"), "{err}");
    let segments = engine
        .segment(&sentences, &SegmentParams::default(), &options)
        .await
        .unwrap();
    let outline = engine
        .outline(&sentences, &segments, Some("Five Lessons"), &options)
        .await
        .unwrap();
    assert_eq!(outline.title, "Five Lessons");
    let request = LessonRequest {
        material: &sentences,
        outline: &outline,
        module: 9,
        lesson: 0,
        video: None,
        video_start_ms: 0,
        options: &options,
    };
    let err = engine.lesson(request).await.unwrap_err();
    assert_eq!(
        err,
        EngineError::Invalid("the outline has no lesson 1 in module 10".into())
    );
    assert!(
        engine
            .outline(&sentences, &[], None, &options)
            .await
            .is_err()
    );
    let off = Options {
        assessment: coursegen_core::options::AssessmentOptions {
            enabled: false,
            ..Default::default()
        },
        ..Options::default()
    };
    assert_eq!(
        engine
            .assessment(&sentences, &outline, &[], &off)
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn one_engine_serves_different_materials_in_turn() {
    // The engine keeps the analysis of the last material; switching between
    // materials must give what a fresh engine gives for each.
    let engine = OfflineEngine::new();
    let options = Options::default();
    let lecture: Material = lecture("lecture/lecture.srt").into();
    let half = Material::from(lecture.sentences[..lecture.sentences.len() / 2].to_vec());
    for material in [&lecture, &half, &lecture, &half] {
        let fresh = OfflineEngine::new()
            .notes(material, &options)
            .await
            .unwrap();
        let reused = engine.notes(material, &options).await.unwrap();
        assert_eq!(reused, fresh);
    }
    let whole = engine.notes(&lecture, &options).await.unwrap();
    let halved = engine.notes(&half, &options).await.unwrap();
    assert_ne!(
        whole, halved,
        "the two materials differ, so must their notes"
    );
}
