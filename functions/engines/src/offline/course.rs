//! The whole offline pipeline in one call: what the workflow does stage by
//! stage, for tests, benchmarks and one-shot use.

use coursegen_core::course::{COURSE_SCHEMA_VERSION, Course, Module};
use coursegen_core::material::Material;
use coursegen_core::options::Options;
use coursegen_core::outputs::{Outline, Segment, SegmentParams, Validation};

use super::knowledge::Knowledge;
use super::{assessment, lesson, notes, outline, segment, validate};

/// Everything the offline engine makes from one material.
#[derive(Debug, Clone)]
pub struct Generated {
    pub validation: Validation,
    pub segments: Vec<Segment>,
    pub outline: Outline,
    pub course: Course,
}

/// Runs every stage: validate, segment, outline, lessons, assessment,
/// glossary and flashcards. `video` is the YouTube id lessons link to.
pub fn generate(
    material: Material,
    title: Option<&str>,
    video: Option<&str>,
    params: &SegmentParams,
    options: &Options,
) -> Generated {
    let validation = validate::validate(&material.sentences, false);
    let language = material.course_language(options);
    let knowledge = Knowledge::new(material);
    let segments = segment::segment_stemmed(&knowledge.sentences, &knowledge.stems, params);
    let outline = outline::outline(&knowledge, &segments, title);
    let modules: Vec<Module> = outline
        .modules
        .iter()
        .enumerate()
        .map(|(m, module)| Module {
            title: module.title.clone(),
            summary: module.summary.clone(),
            lessons: module
                .lessons
                .iter()
                .enumerate()
                .map(|(l, plan)| {
                    lesson::lesson(
                        &knowledge,
                        plan,
                        &format!("m{}-l{}", m + 1, l + 1),
                        video,
                        0,
                        options,
                    )
                })
                .collect(),
        })
        .collect();
    let lessons: Vec<_> = modules.iter().flat_map(|m| m.lessons.clone()).collect();
    let course = Course {
        schema_version: COURSE_SCHEMA_VERSION,
        title: outline.title.clone(),
        description: outline.description.clone(),
        language,
        assessment: assessment::assessment(&knowledge, &outline, &lessons, options),
        glossary: notes::glossary(&knowledge),
        flashcards: notes::flashcards(&knowledge),
        modules,
    };
    Generated {
        validation,
        segments,
        outline,
        course,
    }
}
