//! What the reviewed outputs must be, whoever wrote them — an engine, the AI
//! server or a reviewer's edit: bounded in number, in order, inside the
//! material, and pointing only at what exists. An edit that breaks one is
//! refused (400 naming the field) before anything is stored, so a reviewer
//! cannot hand the next stage 20,000 segments or a lesson of no segment.

use std::collections::HashSet;

use crate::course::{Question, QuestionType};
use crate::material::Material;
use crate::narration::NarrationSet;
use crate::options::{MAX_ASSESSMENT_QUESTIONS, MAX_QUESTIONS_PER_TYPE};
use crate::outputs::{Outline, Segment};
use crate::pipeline::QuestionSet;
use crate::validation::{ValidationError, ensure};

/// Segments a reviewer may make at most (or as many as the engine made,
/// when a long material needed more), and fixed segment ends given at most.
pub const MAX_SEGMENTS: usize = 500;
/// The longest title of a segment, module or lesson, in characters.
pub const MAX_TITLE_CHARS: usize = 300;
/// Exercises of one lesson at most: the most any question mix asks for.
pub const MAX_EXERCISES: usize = MAX_QUESTIONS_PER_TYPE as usize * QuestionType::ALL.len();

fn title(text: &str, field: &str) -> Result<(), ValidationError> {
    ensure(!text.trim().is_empty(), field, || {
        "must not be empty".into()
    })?;
    ensure(text.chars().count() <= MAX_TITLE_CHARS, field, || {
        format!("is longer than {MAX_TITLE_CHARS} characters")
    })
}

/// Where the material's sentences start, and where it ends: what segments
/// are laid on.
#[derive(Debug, Clone, PartialEq)]
pub struct Timeline {
    /// Sentence starts, sorted.
    starts: Vec<u64>,
    end_ms: u64,
}

impl Timeline {
    pub fn of(material: &Material) -> Self {
        let mut starts: Vec<u64> = material.sentences.iter().map(|s| s.start_ms).collect();
        starts.sort_unstable();
        let end_ms = material
            .sentences
            .iter()
            .map(|s| s.end_ms)
            .max()
            .unwrap_or(0);
        Timeline { starts, end_ms }
    }

    /// Whether a sentence starts in `from..to`.
    fn holds_a_sentence(&self, from: u64, to: u64) -> bool {
        let first = self.starts.partition_point(|s| *s < from);
        self.starts.get(first).is_some_and(|s| *s < to)
    }
}

/// Segments in order and not overlapping, each holding the start of a
/// sentence of the material (so none is empty) and ending within it; at
/// most `most` of them. The engines' segments keep these rules by
/// construction: each spans whole sentences, one after the other.
pub fn segments(
    segments: &[Segment],
    timeline: &Timeline,
    most: usize,
) -> Result<(), ValidationError> {
    ensure(!segments.is_empty(), "", || {
        "there must be at least one segment".into()
    })?;
    ensure(segments.len() <= most, "", || {
        format!("{} segments is more than {most}", segments.len())
    })?;
    let mut previous_end = 0;
    for (i, s) in segments.iter().enumerate() {
        title(&s.title, &format!("[{i}].title"))?;
        ensure(
            s.start_ms >= previous_end,
            &format!("[{i}].start_ms"),
            || {
                format!(
                    "{} is before the previous segment ends ({previous_end}): segments are in order and do not overlap",
                    s.start_ms
                )
            },
        )?;
        ensure(
            s.end_ms <= timeline.end_ms,
            &format!("[{i}].end_ms"),
            || {
                format!(
                    "{} is past the end of the material ({} ms)",
                    s.end_ms, timeline.end_ms
                )
            },
        )?;
        ensure(
            timeline.holds_a_sentence(s.start_ms, s.end_ms),
            &format!("[{i}].end_ms"),
            || "the segment holds no sentence: it must span at least one".into(),
        )?;
        previous_end = s.end_ms;
    }
    Ok(())
}

/// Fixed segment ends (a reviewer's rerun parameter, the AI server's
/// segmentation, a script's sections): increasing, and at most
/// [`MAX_SEGMENTS`]. (The segmenter lays them on sentence starts, so ends
/// closer than a sentence make no empty segment.)
pub fn segment_ends(ends_ms: &[u64]) -> Result<(), ValidationError> {
    ensure(!ends_ms.is_empty(), "", || "must not be empty".into())?;
    ensure(ends_ms.len() <= MAX_SEGMENTS, "", || {
        format!("{} segments is more than {MAX_SEGMENTS}", ends_ms.len())
    })?;
    match ends_ms.windows(2).position(|w| w[0] >= w[1]) {
        Some(i) => Err(ValidationError::new(
            format!("[{}]", i + 1),
            "segment ends must increase",
        )),
        None => Ok(()),
    }
}

/// Modules of lessons, each lesson made of existing segments (of
/// `segment_count`), none used twice — so there are no more lessons than
/// segments. Lessons may be reordered, moved between modules, or leave a
/// segment out.
pub fn outline(outline: &Outline, segment_count: usize) -> Result<(), ValidationError> {
    title(&outline.title, "title")?;
    ensure(!outline.modules.is_empty(), "modules", || {
        "there must be at least one module".into()
    })?;
    let mut used = HashSet::new();
    for (m, module) in outline.modules.iter().enumerate() {
        let at = format!("modules[{m}]");
        title(&module.title, &format!("{at}.title"))?;
        ensure(!module.lessons.is_empty(), &format!("{at}.lessons"), || {
            "a module has at least one lesson".into()
        })?;
        for (l, lesson) in module.lessons.iter().enumerate() {
            let at = format!("{at}.lessons[{l}]");
            title(&lesson.title, &format!("{at}.title"))?;
            ensure(
                lesson.start_ms < lesson.end_ms,
                &format!("{at}.end_ms"),
                || "must be after start_ms".into(),
            )?;
            ensure(
                !lesson.segments.is_empty(),
                &format!("{at}.segments"),
                || "a lesson is made of at least one segment".into(),
            )?;
            for (k, segment) in lesson.segments.iter().enumerate() {
                let field = format!("{at}.segments[{k}]");
                ensure(*segment < segment_count, &field, || {
                    format!("there is no segment {segment} (there are {segment_count})")
                })?;
                ensure(used.insert(*segment), &field, || {
                    format!("segment {segment} is in another lesson already")
                })?;
            }
        }
    }
    Ok(())
}

/// Every question valid and its id unique; each lesson's questions for a
/// lesson of `outline`, once; counts within what a job may ask for.
pub fn questions(set: &QuestionSet, outline: &Outline) -> Result<(), ValidationError> {
    let mut ids = HashSet::new();
    let mut check = |q: &Question, at: String| {
        q.validate().map_err(|e| e.within(&at))?;
        ensure(ids.insert(q.id.clone()), &format!("{at}.id"), || {
            format!("{:?} is the id of another question", q.id)
        })
    };
    let mut lessons = HashSet::new();
    for (i, lesson) in set.lessons.iter().enumerate() {
        let at = format!("lessons[{i}]");
        outline_lesson(outline, &mut lessons, (lesson.module, lesson.lesson), &at)?;
        ensure(
            lesson.exercises.len() <= MAX_EXERCISES,
            &format!("{at}.exercises"),
            || format!("more than {MAX_EXERCISES} exercises"),
        )?;
        for (e, q) in lesson.exercises.iter().enumerate() {
            check(q, format!("{at}.exercises[{e}]"))?;
        }
    }
    if let Some(assessment) = &set.assessment {
        ensure(
            assessment.questions.len() <= usize::from(MAX_ASSESSMENT_QUESTIONS),
            "assessment.questions",
            || format!("more than {MAX_ASSESSMENT_QUESTIONS} questions"),
        )?;
        ensure(
            assessment.passing_score <= 100,
            "assessment.passing_score",
            || "must be a percentage, 0–100".into(),
        )?;
        for (i, q) in assessment.questions.iter().enumerate() {
            check(q, format!("assessment.questions[{i}]"))?;
        }
    }
    Ok(())
}

/// Each narration valid and for a lesson of `outline`, once.
pub fn narrations(set: &NarrationSet, outline: &Outline) -> Result<(), ValidationError> {
    let mut lessons = HashSet::new();
    for (i, lesson) in set.lessons.iter().enumerate() {
        let at = format!("lessons[{i}]");
        outline_lesson(outline, &mut lessons, (lesson.module, lesson.lesson), &at)?;
        lesson
            .narration
            .validate()
            .map_err(|e| e.within(&format!("{at}.narration")))?;
    }
    Ok(())
}

/// Lesson `at` (module, lesson) is one of `outline`'s and not in `seen`.
fn outline_lesson(
    outline: &Outline,
    seen: &mut HashSet<(usize, usize)>,
    (module, lesson): (usize, usize),
    at: &str,
) -> Result<(), ValidationError> {
    let exists = outline
        .modules
        .get(module)
        .is_some_and(|m| lesson < m.lessons.len());
    ensure(exists, &format!("{at}.lesson"), || {
        format!("the outline has no lesson {lesson} in module {module}")
    })?;
    ensure(
        seen.insert((module, lesson)),
        &format!("{at}.lesson"),
        || "this lesson is listed twice".into(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::material::Sentence;
    use crate::outputs::{OutlineLesson, OutlineModule, SegmentParams};

    fn seg(start_ms: u64, end_ms: u64) -> Segment {
        Segment {
            start_ms,
            end_ms,
            title: "Part".into(),
            summary: String::new(),
            keyphrases: Vec::new(),
        }
    }

    fn field(r: Result<(), ValidationError>) -> String {
        r.unwrap_err().field
    }

    /// Sentences of 2 s each, starting every 3 s, from 0 to 30 s.
    fn timeline() -> Timeline {
        let sentences = (0..10)
            .map(|i| Sentence {
                start_ms: i * 3_000,
                end_ms: i * 3_000 + 2_000,
                text: "A sentence.".into(),
                end_trust: crate::material::EndTrust::Sure,
            })
            .collect::<Vec<_>>();
        Timeline::of(&Material::from(sentences))
    }

    #[test]
    fn segments_are_ordered_hold_a_sentence_and_lie_in_the_material() {
        let t = timeline();
        assert!(segments(&[seg(0, 9_000), seg(9_000, 29_000)], &t, 2).is_ok());
        assert_eq!(field(segments(&[], &t, 2)), "");
        assert_eq!(
            field(segments(&[seg(0, 9_000), seg(9_000, 29_000)], &t, 1)),
            ""
        );
        assert_eq!(
            field(segments(&[seg(0, 9_000), seg(8_000, 29_000)], &t, 9)),
            "[1].start_ms"
        );
        assert_eq!(field(segments(&[seg(0, 29_001)], &t, 9)), "[0].end_ms");
        assert_eq!(
            field(segments(&[seg(0, 9_000), seg(10_000, 11_000)], &t, 9)),
            "[1].end_ms",
            "between two sentence starts: empty"
        );
        let flood: Vec<Segment> = (0..2_000).map(|i| seg(i * 10, i * 10 + 10)).collect();
        assert_eq!(field(segments(&flood, &t, MAX_SEGMENTS)), "");
    }

    #[test]
    fn fixed_ends_are_bounded_too() {
        let params = |ends: Vec<u64>| SegmentParams {
            segment_ends_ms: Some(ends),
            ..SegmentParams::default()
        };
        assert!(params(vec![60_000, 120_000]).validate().is_ok());
        let many: Vec<u64> = (1..=MAX_SEGMENTS as u64 + 1).map(|i| i * 10).collect();
        assert_eq!(
            params(many).validate().unwrap_err().field,
            "segment_ends_ms"
        );
        assert_eq!(
            params(vec![60_000, 60_000]).validate().unwrap_err().field,
            "segment_ends_ms[1]"
        );
        assert_eq!(
            params(vec![]).validate().unwrap_err().field,
            "segment_ends_ms"
        );
    }

    #[test]
    fn a_long_material_gets_longer_segments_not_more() {
        let hundred_hours = 100 * 3_600_000;
        let params = SegmentParams::default().for_material(hundred_hours);
        let most_segments = u64::from(params.min_duration_s) * 1000;
        assert!(hundred_hours / most_segments < MAX_SEGMENTS as u64);
        assert!(params.max_duration_s >= params.min_duration_s);
        let lecture = SegmentParams::default();
        assert_eq!(
            lecture.clone().for_material(3_600_000),
            lecture,
            "an hour is as asked"
        );
    }

    fn lesson(segments: Vec<usize>) -> OutlineLesson {
        OutlineLesson {
            title: "Lesson".into(),
            segments,
            start_ms: 0,
            end_ms: 1_000,
            objectives: Vec::new(),
        }
    }

    fn course(lessons: Vec<Vec<OutlineLesson>>) -> Outline {
        Outline {
            title: "Course".into(),
            description: String::new(),
            modules: lessons
                .into_iter()
                .map(|lessons| OutlineModule {
                    title: "Module".into(),
                    summary: String::new(),
                    lessons,
                })
                .collect(),
        }
    }

    #[test]
    fn outlines_use_existing_segments_once() {
        let moved = course(vec![vec![lesson(vec![2])], vec![lesson(vec![0, 1])]]);
        assert!(outline(&moved, 3).is_ok(), "reordered lessons are fine");
        let skipping = course(vec![vec![lesson(vec![0])]]);
        assert!(outline(&skipping, 3).is_ok(), "so is leaving a segment out");
        assert_eq!(
            field(outline(&course(vec![vec![lesson(vec![3])]]), 3)),
            "modules[0].lessons[0].segments[0]"
        );
        assert_eq!(
            field(outline(
                &course(vec![vec![lesson(vec![0]), lesson(vec![1, 0])]]),
                3
            )),
            "modules[0].lessons[1].segments[1]"
        );
        assert_eq!(
            field(outline(&course(vec![vec![lesson(vec![])]]), 3)),
            "modules[0].lessons[0].segments"
        );
        assert_eq!(
            field(outline(&course(vec![vec![]]), 3)),
            "modules[0].lessons"
        );
        assert_eq!(field(outline(&course(vec![]), 3)), "modules");
    }
}
