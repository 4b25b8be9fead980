//! The course outline: one lesson per segment, consecutive lessons on
//! related vocabulary grouped into modules, and learning objectives from
//! what each lesson states.

use coursegen_core::outputs::{Outline, OutlineLesson, OutlineModule, Segment};

use super::keyphrases::{keyphrases, title_case};
use super::knowledge::Knowledge;
use super::summary::summarise;
use super::text::{Bag, bag, content_stems, cosine, idf};

/// Neighbouring lessons this similar (idf-weighted cosine of their
/// vocabulary) share a module.
pub const MODULE_JOIN_SIMILARITY: f64 = 0.2;
/// A module holds at most this many lessons.
pub const MAX_LESSONS_PER_MODULE: usize = 8;
/// Objectives per lesson, at most.
const MAX_OBJECTIVES: usize = 4;

pub fn outline(knowledge: &Knowledge, segments: &[Segment], title: Option<&str>) -> Outline {
    let ranges: Vec<std::ops::Range<usize>> = segments
        .iter()
        .map(|s| knowledge.span(s.start_ms, s.end_ms))
        .collect();
    let stems: Vec<Vec<String>> = ranges
        .iter()
        .map(|r| content_stems(&knowledge.text(r.clone())))
        .collect();
    let weights = idf(&stems);
    let bags: Vec<Bag> = stems.iter().map(bag).collect();
    let weight = |t: &str| weights.get(t).copied().unwrap_or(1.0);

    // Group consecutive segments into modules.
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for i in 0..segments.len() {
        let joins = i > 0
            && groups
                .last()
                .is_some_and(|g| g.len() < MAX_LESSONS_PER_MODULE)
            && cosine(&bags[i - 1], &bags[i], weight) >= MODULE_JOIN_SIMILARITY;
        match groups.last_mut() {
            Some(group) if joins => group.push(i),
            _ => groups.push(vec![i]),
        }
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
    let module_phrases = keyphrases(&module_texts, 2);
    let module_stems: Vec<Vec<String>> = module_texts.iter().map(|t| content_stems(t)).collect();
    let module_weights = idf(&module_stems);
    let modules: Vec<OutlineModule> = groups
        .iter()
        .zip(&module_phrases)
        .map(|(group, phrases)| {
            let lessons: Vec<OutlineLesson> = group
                .iter()
                .map(|&i| lesson(knowledge, &segments[i], ranges[i].clone(), i))
                .collect();
            let title = match (group.len(), phrases.first()) {
                (1, _) | (_, None) => segments[group[0]].title.clone(),
                (_, Some(p)) => title_case(&p.text),
            };
            let first = ranges[group[0]].start;
            let last = ranges[*group.last().unwrap_or(&group[0])].end;
            OutlineModule {
                title,
                summary: summarise(&knowledge.sentences[first..last], &module_weights, 2),
                lessons,
            }
        })
        .collect();
    let title = title
        .map(str::to_owned)
        .unwrap_or_else(|| course_title(&modules));
    let all_weights = idf(&stems);
    Outline {
        title,
        description: summarise(&knowledge.sentences, &all_weights, 2),
        modules,
    }
}

/// "A, B and C" from the module titles (with "and more" past three).
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
        .definitions
        .iter()
        .filter(|d| range.contains(&d.sentence))
        .map(super::questions::named)
        .collect();
    let mut objectives = Vec::new();
    if let Some(first) = defs.first() {
        objectives.push(format!("Explain what {first} is."));
    }
    if let [a, b, ..] = defs.as_slice() {
        objectives.push(format!("Distinguish {a} from {b}."));
    }
    if knowledge
        .sequences
        .iter()
        .any(|s| s.sentences.iter().all(|i| range.contains(i)))
    {
        objectives.push(format!(
            "Describe, in order, the steps of {}.",
            segment.title.to_lowercase()
        ));
    }
    if knowledge
        .quantities
        .iter()
        .any(|q| range.contains(&q.sentence))
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
