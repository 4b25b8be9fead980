//! Segments and outline. One call plans both from the compact view; the
//! outline stage then reads the plan back (no call) unless a human changed
//! the segments, when one call outlines them from their summaries.

use coursegen_core::outputs::{Outline, OutlineLesson, OutlineModule, Segment, SegmentParams};
use schemars::JsonSchema;
use serde::Deserialize;

use super::view::Block;
use crate::offline::knowledge::clock;

/// The segmentation call's reply.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct Plan {
    pub title: String,
    pub description: String,
    pub segments: Vec<PlannedSegment>,
    pub modules: Vec<PlannedModule>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct PlannedSegment {
    /// The number of the block the segment starts with (from 1).
    pub first_block: usize,
    pub title: String,
    pub summary: String,
    pub keyphrases: Vec<String>,
}

/// The outline call's reply (and the outline part of a plan).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct OutlinePlan {
    pub title: String,
    pub description: String,
    pub modules: Vec<PlannedModule>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct PlannedModule {
    pub title: String,
    pub summary: String,
    pub lessons: Vec<PlannedLesson>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct PlannedLesson {
    pub title: String,
    /// Segment numbers (from 1), consecutive.
    pub segments: Vec<usize>,
    pub objectives: Vec<String>,
}

/// What is wrong with a plan's segments: they must start at block 1, in
/// order, within the blocks, where `fixed` says (if it does), and keep the
/// duration bounds.
pub fn check_segments(
    plan: &Plan,
    blocks: &[Block],
    params: &SegmentParams,
    fixed: Option<&[usize]>,
) -> Vec<String> {
    let starts: Vec<usize> = plan.segments.iter().map(|s| s.first_block).collect();
    let mut problems = Vec::new();
    if starts.first() != Some(&1) {
        problems.push("the first segment must start at block 1".to_owned());
    }
    if !starts.windows(2).all(|w| w[0] < w[1]) {
        problems.push("segments' first_block numbers must increase".to_owned());
    }
    if let Some(bad) = starts.iter().find(|b| **b == 0 || **b > blocks.len()) {
        problems.push(format!("block {bad} does not exist (1–{})", blocks.len()));
    }
    if let Some(fixed) = fixed
        && starts != fixed
    {
        problems.push(format!(
            "the segments are fixed: their first blocks must be exactly {fixed:?}"
        ));
    }
    if !problems.is_empty() {
        return problems;
    }
    if fixed.is_none() {
        for (n, (start_ms, end_ms)) in spans(&starts, blocks).into_iter().enumerate() {
            let secs = (end_ms - start_ms) / 1000;
            let last = n + 1 == starts.len();
            if secs > u64::from(params.max_duration_s) {
                problems.push(format!(
                    "segment {} lasts {secs} s, more than {} s: split it",
                    n + 1,
                    params.max_duration_s
                ));
            } else if secs < u64::from(params.min_duration_s) && !last {
                problems.push(format!(
                    "segment {} lasts {secs} s, less than {} s: merge it with a neighbour",
                    n + 1,
                    params.min_duration_s
                ));
            }
        }
    }
    problems
}

/// What is wrong with an outline's lessons: every segment once, in order.
pub fn check_outline(modules: &[PlannedModule], segments: usize) -> Vec<String> {
    let mut problems = Vec::new();
    if modules.is_empty() || modules.iter().any(|m| m.lessons.is_empty()) {
        problems.push("every module needs at least one lesson".to_owned());
    }
    let lessons = modules.iter().flat_map(|m| &m.lessons);
    if lessons.clone().any(|l| l.segments.is_empty()) {
        problems.push("every lesson needs at least one segment".to_owned());
    }
    let order: Vec<usize> = lessons.flat_map(|l| l.segments.iter().copied()).collect();
    if order != (1..=segments).collect::<Vec<_>>() {
        problems.push(format!(
            "the lessons must use segments 1 to {segments}, each once and in order (they use {order:?})"
        ));
    }
    problems
}

/// A plan whose structure the model could not get right, put right: the
/// segments start where the model said (within the blocks, in order, from
/// block 1, or where `fixed` says), merged or split to keep the duration
/// bounds, each keeping what the model wrote for it; the outline is mended
/// by [`mend_modules`]. Whatever the model wrote, the result passes both
/// checks (durations as far as whole blocks allow).
pub fn mend(plan: Plan, blocks: &[Block], params: &SegmentParams, fixed: Option<&[usize]>) -> Plan {
    let starts = match fixed {
        Some(fixed) => fixed.to_vec(),
        None => {
            let mut starts: Vec<usize> = plan
                .segments
                .iter()
                .map(|s| s.first_block)
                .filter(|b| (1..=blocks.len()).contains(b))
                .chain([1])
                .collect();
            starts.sort_unstable();
            starts.dedup();
            fit(&starts, blocks, params)
        }
    };
    let segments: Vec<PlannedSegment> = starts
        .iter()
        .enumerate()
        .map(|(n, first)| {
            let written = plan.segments.iter().find(|s| s.first_block == *first);
            PlannedSegment {
                first_block: *first,
                title: written
                    .map(|s| s.title.trim())
                    .filter(|t| !t.is_empty())
                    .map_or_else(|| format!("Part {}", n + 1), str::to_owned),
                summary: written.map_or_else(String::new, |s| s.summary.clone()),
                keyphrases: written.map_or_else(Vec::new, |s| s.keyphrases.clone()),
            }
        })
        .collect();
    let titles: Vec<String> = segments.iter().map(|s| s.title.clone()).collect();
    Plan {
        modules: mend_modules(plan.modules, &titles),
        segments,
        ..plan
    }
}

/// Segment starts merged (a segment shorter than the minimum joins the
/// next) and split (a segment over the maximum into as many even parts as
/// it needs, cut at the blocks nearest the even points).
fn fit(starts: &[usize], blocks: &[Block], params: &SegmentParams) -> Vec<usize> {
    let (min_ms, max_ms) = (
        u64::from(params.min_duration_s) * 1000,
        u64::from(params.max_duration_s).max(1) * 1000,
    );
    let mut merged: Vec<usize> = Vec::new();
    for &start in starts {
        match merged.last() {
            Some(&prev) if blocks[start - 2].end_ms - blocks[prev - 1].start_ms < min_ms => {}
            _ => merged.push(start),
        }
    }
    let mut fitted = Vec::new();
    for (n, &first) in merged.iter().enumerate() {
        let last = merged.get(n + 1).map_or(blocks.len(), |next| next - 1);
        let (from, to) = (blocks[first - 1].start_ms, blocks[last - 1].end_ms);
        let parts = (to - from).div_ceil(max_ms);
        fitted.push(first);
        for j in 1..parts {
            let at = from + (to - from) * j / parts;
            let cut = (first + 1..=last)
                .min_by_key(|b| blocks[b - 1].start_ms.abs_diff(at))
                .unwrap_or(first);
            if cut > *fitted.last().expect("pushed above") {
                fitted.push(cut);
            }
        }
    }
    fitted
}

/// An outline that does not use the segments once each, in order, remade:
/// a lesson per segment (keeping the objectives of the model's lesson that
/// named it), shared out in order among as many of the model's modules as
/// there are segments for. A good outline is kept as it is.
pub fn mend_modules(modules: Vec<PlannedModule>, segment_titles: &[String]) -> Vec<PlannedModule> {
    let k = segment_titles.len();
    if check_outline(&modules, k).is_empty() {
        return modules;
    }
    let lessons: Vec<PlannedLesson> = segment_titles
        .iter()
        .enumerate()
        .map(|(i, title)| PlannedLesson {
            title: title.clone(),
            segments: vec![i + 1],
            objectives: modules
                .iter()
                .flat_map(|m| &m.lessons)
                .find(|l| l.segments.contains(&(i + 1)))
                .map_or_else(Vec::new, |l| l.objectives.clone()),
        })
        .collect();
    let m = modules.len().clamp(1, k.max(1));
    (0..m)
        .map(|j| {
            let written = modules.get(j);
            PlannedModule {
                title: written
                    .map(|m| m.title.trim())
                    .filter(|t| !t.is_empty())
                    .map_or_else(|| format!("Module {}", j + 1), str::to_owned),
                summary: written.map_or_else(String::new, |m| m.summary.clone()),
                lessons: lessons[j * k / m..(j + 1) * k / m].to_vec(),
            }
        })
        .collect()
}

/// Start and end of each segment starting at `starts` (block numbers).
fn spans(starts: &[usize], blocks: &[Block]) -> Vec<(u64, u64)> {
    starts
        .iter()
        .enumerate()
        .map(|(n, first)| {
            let last = starts.get(n + 1).map_or(blocks.len(), |next| next - 1);
            (blocks[first - 1].start_ms, blocks[last - 1].end_ms)
        })
        .collect()
}

pub fn segments(plan: &Plan, blocks: &[Block]) -> Vec<Segment> {
    let starts: Vec<usize> = plan.segments.iter().map(|s| s.first_block).collect();
    plan.segments
        .iter()
        .zip(spans(&starts, blocks))
        .map(|(s, (start_ms, end_ms))| Segment {
            start_ms,
            end_ms,
            title: s.title.clone(),
            summary: s.summary.clone(),
            keyphrases: s.keyphrases.clone(),
        })
        .collect()
}

pub fn outline(plan: &OutlinePlan, segments: &[Segment]) -> Outline {
    Outline {
        title: plan.title.clone(),
        description: plan.description.clone(),
        modules: plan
            .modules
            .iter()
            .map(|m| OutlineModule {
                title: m.title.clone(),
                summary: m.summary.clone(),
                lessons: m
                    .lessons
                    .iter()
                    .map(|l| {
                        let idx: Vec<usize> = l.segments.iter().map(|n| n - 1).collect();
                        OutlineLesson {
                            title: l.title.clone(),
                            start_ms: segments[idx[0]].start_ms,
                            end_ms: segments[idx[idx.len() - 1]].end_ms,
                            segments: idx,
                            objectives: l.objectives.clone(),
                        }
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// The segments as the outline call sees them: number, length, title, summary.
pub fn listing(segments: &[Segment]) -> String {
    segments
        .iter()
        .enumerate()
        .map(|(n, s)| {
            format!(
                "{}. [{}, {} min] {}: {}",
                n + 1,
                clock(s.start_ms),
                (s.end_ms - s.start_ms).div_ceil(60_000),
                s.title,
                s.summary
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocks(n: usize) -> Vec<Block> {
        (0..n)
            .map(|i| Block {
                start_ms: i as u64 * 60_000,
                end_ms: i as u64 * 60_000 + 59_000,
                sentences: i..i + 1,
            })
            .collect()
    }

    fn plan(starts: &[usize], lessons: &[&[usize]]) -> Plan {
        Plan {
            title: "T".into(),
            description: "D".into(),
            segments: starts
                .iter()
                .map(|b| PlannedSegment {
                    first_block: *b,
                    title: format!("S{b}"),
                    summary: "s".into(),
                    keyphrases: vec![],
                })
                .collect(),
            modules: vec![PlannedModule {
                title: "M".into(),
                summary: "m".into(),
                lessons: lessons
                    .iter()
                    .map(|s| PlannedLesson {
                        title: "L".into(),
                        segments: s.to_vec(),
                        objectives: vec![],
                    })
                    .collect(),
            }],
        }
    }

    #[test]
    fn a_good_plan_becomes_segments_and_an_outline() {
        let bs = blocks(10);
        let p = plan(&[1, 4, 8], &[&[1, 2], &[3]]);
        assert!(check_segments(&p, &bs, &SegmentParams::default(), None).is_empty());
        assert!(check_outline(&p.modules, 3).is_empty());
        let segs = segments(&p, &bs);
        assert_eq!((segs[1].start_ms, segs[1].end_ms), (180_000, 419_000));
        assert_eq!(segs[2].end_ms, 599_000);
        let o = outline(
            &OutlinePlan {
                title: p.title.clone(),
                description: p.description.clone(),
                modules: p.modules.clone(),
            },
            &segs,
        );
        let l = &o.modules[0].lessons;
        assert_eq!(
            (l[0].segments.clone(), l[0].start_ms, l[0].end_ms),
            (vec![0, 1], 0, 419_000)
        );
    }

    #[test]
    fn bad_plans_are_described() {
        let bs = blocks(10);
        let params = SegmentParams {
            min_duration_s: 120,
            max_duration_s: 300,
            ..SegmentParams::default()
        };
        let p = plan(&[2, 1, 12], &[&[1]]);
        let problems = check_segments(&p, &bs, &params, None).join(" | ");
        for expected in [
            "start at block 1",
            "must increase",
            "block 12 does not exist",
        ] {
            assert!(problems.contains(expected), "{problems}");
        }
        let p = plan(&[1, 2, 8], &[&[1], &[3, 2]]);
        let problems = check_segments(&p, &bs, &params, None).join(" | ");
        assert!(problems.contains("segment 1 lasts 59 s"), "{problems}");
        assert!(problems.contains("segment 2 lasts 359 s"), "{problems}");
        assert!(check_outline(&p.modules, 3)[0].contains("each once and in order"));
        let p = plan(&[1, 5], &[&[1, 2]]);
        assert!(check_segments(&p, &bs, &params, Some(&[1, 4]))[0].contains("fixed"));
    }

    #[test]
    fn any_plan_is_mended_into_one_that_passes_the_checks() {
        let bs = blocks(20);
        let params = SegmentParams {
            min_duration_s: 120,
            max_duration_s: 300,
            ..SegmentParams::default()
        };
        let cases: [(&[usize], &[&[usize]]); 5] = [
            (&[2, 1, 12, 40, 0], &[&[1]]),
            (&[], &[]),
            (&[1, 2, 3, 4], &[&[4, 3], &[]]),
            (&[1], &[&[1]]),
            (&[5, 5, 9, 19], &[&[1, 2], &[3], &[9]]),
        ];
        for (starts, lessons) in cases {
            let mended = mend(plan(starts, lessons), &bs, &params, None);
            let problems = check_segments(&mended, &bs, &params, None);
            assert!(problems.is_empty(), "{starts:?}: {problems:?}");
            let problems = check_outline(&mended.modules, mended.segments.len());
            assert!(problems.is_empty(), "{starts:?}: {problems:?}");
            assert!(mended.segments.iter().all(|s| !s.title.is_empty()));
        }
        // What the model wrote for a segment it placed well is kept.
        let mended = mend(plan(&[3, 1, 9], &[&[1]]), &bs, &params, None);
        assert_eq!(mended.segments[0].title, "S1");
        // Fixed segments stay fixed.
        let mended = mend(plan(&[2], &[]), &bs, &params, Some(&[1, 6, 11]));
        assert!(check_segments(&mended, &bs, &params, Some(&[1, 6, 11])).is_empty());
        // A good plan is not touched.
        let good = plan(&[1, 4, 8], &[&[1, 2], &[3]]);
        let mended = mend(good.clone(), &bs, &SegmentParams::default(), None);
        assert_eq!(
            format!("{:?}", mended.modules),
            format!("{:?}", good.modules)
        );
    }
}
