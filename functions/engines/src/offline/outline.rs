//! The course outline: one lesson per segment, consecutive lessons on
//! related vocabulary grouped into modules, and learning objectives from
//! what each lesson states.

use coursegen_core::outputs::{Outline, OutlineLesson, OutlineModule, Segment, SegmentParams};

use super::keyphrases::keyphrases;
use super::knowledge::Knowledge;
use super::segment::topic_starts;
use super::summary::summarise;
use super::text::{idf, words};
use super::titles::{Titles, subject};

/// Module boundaries need a stronger topic shift than lesson boundaries.
const MODULE_PENALTY: f64 = 1.5;
const MODULE_MIN_DURATION_S: u32 = 180;
const MODULE_MAX_DURATION_S: u32 = 4 * 3600;
/// A module holds at most this many lessons.
pub const MAX_LESSONS_PER_MODULE: usize = 8;
/// Objectives per lesson, at most.
const MAX_OBJECTIVES: usize = 4;
/// Keyphrases a module's title is chosen from.
const MODULE_PHRASES: usize = 6;

pub fn outline(knowledge: &Knowledge, segments: &[Segment], title: Option<&str>) -> Outline {
    let ranges: Vec<std::ops::Range<usize>> = segments
        .iter()
        .map(|s| knowledge.span(s.start_ms, s.end_ms))
        .collect();
    let stems: Vec<Vec<String>> = ranges
        .iter()
        .map(|r| knowledge.stems[r.clone()].concat())
        .collect();

    // Modules are a coarser segmentation of the same material: only the
    // strongest topic shifts separate modules, and each lesson joins the
    // module its middle falls in.
    let coarse = topic_starts(&knowledge.sentences, &knowledge.stems, &module_params());
    // The last module starting by a time is the last whose running minimum
    // of starts, taken from the end, is by then: a binary search.
    let mut earliest_from: Vec<u64> = coarse
        .iter()
        .map(|&i| knowledge.sentences[i].start_ms)
        .collect();
    for k in (0..earliest_from.len().saturating_sub(1)).rev() {
        earliest_from[k] = earliest_from[k].min(earliest_from[k + 1]);
    }
    crate::work::add(coarse.len());
    let module_of = |segment: &Segment| {
        let middle = segment.start_ms.midpoint(segment.end_ms);
        earliest_from
            .partition_point(|&start| start <= middle)
            .saturating_sub(1)
    };
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut previous = None;
    for (i, segment) in segments.iter().enumerate() {
        let module = module_of(segment);
        match groups.last_mut() {
            Some(group) if previous == Some(module) && group.len() < MAX_LESSONS_PER_MODULE => {
                group.push(i)
            }
            _ => groups.push(vec![i]),
        }
        previous = Some(module);
    }
    let module_texts: Vec<String> = groups
        .iter()
        .map(|g| {
            g.iter()
                .map(|&i| knowledge.text(ranges[i].clone()))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    let module_phrases = keyphrases(&module_texts, MODULE_PHRASES);
    let module_stems: Vec<Vec<String>> = groups
        .iter()
        .map(|g| g.iter().flat_map(|&i| stems[i].iter().cloned()).collect())
        .collect();
    let module_weights = idf(&module_stems);
    let mut titles = Titles::default();
    let modules: Vec<OutlineModule> = groups
        .iter()
        .zip(&module_phrases)
        .zip(&module_texts)
        .map(|((group, phrases), text)| {
            let lessons: Vec<OutlineLesson> = group
                .iter()
                .map(|&i| lesson(knowledge, &segments[i], ranges[i].clone(), i))
                .collect();
            // A module of one lesson is that lesson, unless its title is
            // nearly another module's.
            let only = &segments[group[0]].title;
            let title = if group.len() == 1 && !titles.repeats(only) {
                titles.give(only);
                only.clone()
            } else {
                titles
                    .choose(phrases, &words(text))
                    .unwrap_or_else(|| only.clone())
            };
            // The module's sentences, from its lessons' first to their last:
            // reviewers' segments need not be in order.
            let first = group.iter().map(|&i| ranges[i].start).min().unwrap_or(0);
            let last = group.iter().map(|&i| ranges[i].end).max().unwrap_or(first);
            OutlineModule {
                title,
                summary: summarise(
                    &knowledge.sentences[first..last],
                    &knowledge.stems[first..last],
                    &module_weights,
                    2,
                ),
                lessons,
            }
        })
        .collect();
    let parts: Vec<Vec<&str>> = groups
        .iter()
        .map(|g| {
            g.iter()
                .flat_map(|&i| knowledge.sentences[ranges[i].clone()].iter())
                .map(|s| s.text.as_str())
                .collect()
        })
        .collect();
    let title = title
        .map(str::to_owned)
        .or_else(|| subject(&parts))
        .unwrap_or_else(|| course_title(&modules));
    Outline {
        title,
        description: summarise(&knowledge.sentences, &knowledge.stems, &knowledge.idf, 2),
        modules,
    }
}

fn module_params() -> SegmentParams {
    SegmentParams {
        min_duration_s: MODULE_MIN_DURATION_S,
        max_duration_s: MODULE_MAX_DURATION_S,
        boundary_penalty: MODULE_PENALTY,
        segment_ends_ms: None,
    }
}

/// For material with no subject running through it: "A, B and C" from
/// the module titles (with "and More" past three).
fn course_title(modules: &[OutlineModule]) -> String {
    let titles: Vec<&str> = modules.iter().map(|m| m.title.as_str()).collect();
    match titles.as_slice() {
        [] => "Course".to_owned(),
        [one] => (*one).to_owned(),
        [init @ .., last] if titles.len() <= 3 => format!("{} and {last}", init.join(", ")),
        more => format!("{}, and More", more[..3].join(", ")),
    }
}

fn lesson(
    knowledge: &Knowledge,
    segment: &Segment,
    range: std::ops::Range<usize>,
    index: usize,
) -> OutlineLesson {
    let defs: Vec<String> = knowledge
        .definitions_in(&range)
        .iter()
        .map(super::questions::named)
        .collect();
    let mut objectives = Vec::new();
    if let Some(first) = defs.first() {
        objectives.push(format!("Explain what {first} is."));
    }
    if let [a, b, ..] = defs.as_slice() {
        objectives.push(format!("Distinguish {a} from {b}."));
    }
    if !knowledge.sequences_in(&range).is_empty() {
        objectives.push(format!(
            "Describe, in order, the steps of {}.",
            segment.title.to_lowercase()
        ));
    }
    if !knowledge.quantities_in(&range).is_empty()
        && let Some(phrase) = segment.keyphrases.first()
    {
        objectives.push(format!(
            "Recall the key figures about {}.",
            phrase.to_lowercase()
        ));
    }
    if objectives.is_empty() {
        objectives.push(format!(
            "Summarise the main ideas of {}.",
            segment.title.to_lowercase()
        ));
    }
    objectives.truncate(MAX_OBJECTIVES);
    OutlineLesson {
        title: segment.title.clone(),
        segments: vec![index],
        start_ms: segment.start_ms,
        end_ms: segment.end_ms,
        objectives,
    }
}
