//! Topic segmentation by lexical cohesion. At each gap between sentences the
//! vocabulary of the words before is compared with the words after
//! (TextTiling's block comparison, idf-weighted); a gap where cohesion dips
//! deeply is a topic shift. Boundaries are then chosen by dynamic
//! programming: the set of gaps with the greatest total depth, less a
//! penalty per boundary, such that every segment's duration stays within
//! the bounds.

use std::collections::HashMap;

use coursegen_core::material::Sentence;
use coursegen_core::outputs::{Segment, SegmentParams};

use super::boundaries::{choose_boundaries, split_long};
use super::cues::deepen_cued;
use super::keyphrases::keyphrases;
use super::summary::summarise;
use super::text::{content_stems, idf, words};
use super::titles::Titles;

/// Content words compared on each side of a gap, at two scales whose
/// valleys are averaged. About a minute of speech is long enough that one
/// sentence's vocabulary does not dominate and short enough to place a
/// boundary within a few sentences; two minutes sees a change of chapter
/// that a short window can take for a digression.
const WINDOW_WORDS: [usize; 2] = [120, 240];
/// A window takes at most this many sentences per word: sentences with no
/// content word ("Okay.") would otherwise stretch it to the material's ends.
const SENTENCES_PER_WORD: usize = 4;
/// Keyphrases kept per segment.
const KEYPHRASES: usize = 5;
/// Sentences in a segment summary.
const SUMMARY_SENTENCES: usize = 2;

/// Segments of `sentences` (which must be in time order).
pub fn segment(sentences: &[Sentence], params: &SegmentParams) -> Vec<Segment> {
    if sentences.is_empty() {
        return Vec::new();
    }
    let stems: Vec<Vec<String>> = sentences.iter().map(|s| content_stems(&s.text)).collect();
    segment_stemmed(sentences, &stems, params)
}

/// [`segment`] for sentences whose content stems are already known.
pub fn segment_stemmed(
    sentences: &[Sentence],
    stems: &[Vec<String>],
    params: &SegmentParams,
) -> Vec<Segment> {
    if sentences.is_empty() {
        return Vec::new();
    }
    let starts = match &params.segment_ends_ms {
        Some(ends) => starts_from_map(sentences, ends),
        None => topic_starts(sentences, stems, params),
    };
    describe(sentences, stems, &starts)
}

/// Where topics start (sentence indexes, beginning with 0), by lexical
/// cohesion alone. `stems` are each sentence's content stems.
pub fn topic_starts(
    sentences: &[Sentence],
    stems: &[Vec<String>],
    params: &SegmentParams,
) -> Vec<usize> {
    if sentences.is_empty() {
        return Vec::new();
    }
    let weights = idf(stems);
    let mut depths = vec![0.0; sentences.len()];
    for window in WINDOW_WORDS {
        let scale = depth_scores(&gap_scores(stems, &weights, window));
        for (depth, d) in depths.iter_mut().zip(scale) {
            *depth += d / WINDOW_WORDS.len() as f64;
        }
    }
    deepen_cued(sentences, &mut depths);
    let starts = choose_boundaries(sentences, &depths, params);
    split_long(sentences, &depths, starts, params)
}

/// Cohesion at each gap (index g: between sentence g-1 and g; g = 0 unused),
/// comparing `window` content words on each side.
fn gap_scores(stems: &[Vec<String>], weights: &HashMap<String, f64>, window: usize) -> Vec<f64> {
    // Stems become dense ids so windows are plain count vectors, reused
    // across gaps (this runs at every gap of an hour-long lecture).
    let mut ids: HashMap<&str, usize> = HashMap::new();
    let sentences: Vec<Vec<usize>> = stems
        .iter()
        .map(|s| {
            s.iter()
                .map(|t| {
                    let next = ids.len();
                    *ids.entry(t.as_str()).or_insert(next)
                })
                .collect()
        })
        .collect();
    let mut weight = vec![1.0; ids.len()];
    for (t, &id) in &ids {
        weight[id] = weights.get(*t).copied().unwrap_or(1.0);
    }
    let mut left = vec![0.0; ids.len()];
    let mut right = vec![0.0; ids.len()];
    let fill = |counts: &mut Vec<f64>, range: &mut dyn Iterator<Item = usize>| -> Vec<usize> {
        let (mut touched, mut taken) = (Vec::new(), 0);
        for i in range.take(SENTENCES_PER_WORD * window) {
            crate::work::add(1 + sentences[i].len());
            for &id in &sentences[i] {
                if counts[id] == 0.0 {
                    touched.push(id);
                }
                counts[id] += 1.0;
            }
            taken += sentences[i].len();
            if taken >= window {
                break;
            }
        }
        touched
    };
    let n = stems.len();
    let raw: Vec<f64> = (0..n)
        .map(|g| {
            if g == 0 {
                return 1.0;
            }
            let lt = fill(&mut left, &mut (0..g).rev());
            let rt = fill(&mut right, &mut (g..n));
            let norm = |counts: &[f64], touched: &[usize]| {
                touched
                    .iter()
                    .map(|&i| (counts[i] * weight[i]).powi(2))
                    .sum::<f64>()
                    .sqrt()
            };
            let dot: f64 = lt
                .iter()
                .map(|&i| left[i] * right[i] * weight[i] * weight[i])
                .sum();
            let (nl, nr) = (norm(&left, &lt), norm(&right, &rt));
            for &i in &lt {
                left[i] = 0.0;
            }
            for &i in &rt {
                right[i] = 0.0;
            }
            if nl == 0.0 || nr == 0.0 {
                0.0
            } else {
                dot / (nl * nr)
            }
        })
        .collect();
    // Light smoothing, as TextTiling does, so single odd sentences do not
    // make deep valleys.
    (0..n)
        .map(|g| {
            if g == 0 {
                return raw[0];
            }
            let lo = g.saturating_sub(1).max(1);
            let hi = (g + 1).min(n - 1);
            raw[lo..=hi].iter().sum::<f64>() / (hi - lo + 1) as f64
        })
        .collect()
}

/// How deep each gap's valley is: the climb to the highest score reached
/// going left without descending, plus the same going right. A climb from
/// one gap that steps to its neighbour continues as the neighbour's climb,
/// so each is the neighbour's or stops at once: linear, where walking each
/// climb anew was quadratic on flat scores.
fn depth_scores(scores: &[f64]) -> Vec<f64> {
    let n = scores.len();
    crate::work::add(n);
    let mut left = scores.to_vec();
    for g in 2..n {
        if scores[g - 1] >= scores[g] {
            left[g] = left[g - 1];
        }
    }
    let mut right = scores.to_vec();
    for g in (1..n.saturating_sub(1)).rev() {
        if scores[g + 1] >= scores[g] {
            right[g] = right[g + 1];
        }
    }
    (0..n)
        .map(|g| {
            if g == 0 {
                0.0
            } else {
                (left[g] - scores[g]) + (right[g] - scores[g])
            }
        })
        .collect()
}

/// A human's segment map (segment ends in ms) → start indexes: each segment
/// starts at the first sentence that starts at or after the previous end.
fn starts_from_map(sentences: &[Sentence], ends: &[u64]) -> Vec<usize> {
    // The first sentence starting at or after a time is the first whose
    // running maximum of starts reaches it: a binary search, in any order.
    let mut latest = 0;
    let reached: Vec<u64> = sentences
        .iter()
        .map(|s| {
            latest = latest.max(s.start_ms);
            latest
        })
        .collect();
    crate::work::add(sentences.len() + ends.len());
    let mut starts = vec![0];
    for end in ends {
        let i = reached.partition_point(|t| t < end);
        if i < sentences.len() && i > *starts.last().unwrap_or(&0) {
            starts.push(i);
        }
    }
    starts
}

/// Titles, summaries and keyphrases for the segments starting at `starts`.
fn describe(sentences: &[Sentence], stems: &[Vec<String>], starts: &[usize]) -> Vec<Segment> {
    let n = sentences.len();
    let ranges: Vec<(usize, usize)> = starts
        .iter()
        .enumerate()
        .map(|(k, &s)| (s, starts.get(k + 1).copied().unwrap_or(n)))
        .collect();
    let texts: Vec<String> = ranges
        .iter()
        .map(|&(a, b)| {
            sentences[a..b]
                .iter()
                .map(|s| s.text.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    let phrases = keyphrases(&texts, KEYPHRASES);
    let segment_stems: Vec<Vec<String>> =
        ranges.iter().map(|&(a, b)| stems[a..b].concat()).collect();
    let weights = idf(&segment_stems);
    let mut titles = Titles::default();
    ranges
        .iter()
        .zip(phrases)
        .enumerate()
        .map(|(k, (&(a, b), phrases))| {
            let title = titles
                .choose(&phrases, &words(&texts[k]))
                .unwrap_or_else(|| format!("Part {}", k + 1));
            Segment {
                start_ms: if k == 0 { 0 } else { sentences[a].start_ms },
                end_ms: if b == n {
                    sentences[n - 1].end_ms
                } else {
                    sentences[b].start_ms
                },
                title,
                summary: summarise(&sentences[a..b], &stems[a..b], &weights, SUMMARY_SENTENCES),
                keyphrases: phrases.into_iter().map(|p| p.text).collect(),
            }
        })
        .collect()
}
