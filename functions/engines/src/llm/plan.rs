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
}
