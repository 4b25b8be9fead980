//! Choosing topic boundaries: the set of gaps with the greatest total depth,
//! less a penalty per boundary, such that every segment's duration stays
//! within bounds. Dynamic programming over sentences, where the best place
//! for the last segment to start comes from a range-maximum tree over the
//! sentences' start times: n·log n, where trying every earlier start was
//! quadratic (minutes on 20,000 short cues).

use coursegen_core::material::Sentence;
use coursegen_core::outputs::SegmentParams;

/// Segment start indexes (always beginning with 0) maximising total depth
/// (`depths[g]`: the valley at the gap before sentence g) minus a penalty
/// per boundary, with every segment between the duration bounds. If the
/// bounds cannot all be met, the minimum is relaxed first, then the maximum.
pub fn choose_boundaries(
    sentences: &[Sentence],
    depths: &[f64],
    params: &SegmentParams,
) -> Vec<usize> {
    let n = sentences.len();
    if n == 0 {
        return vec![0];
    }
    let (mean, sd) = depth_spread(depths);
    let penalty = mean + params.boundary_penalty * sd;
    // A segment starting at sentence i and ending before sentence j (or at
    // the end, j = n) lasts end_of(j) - start_of(i).
    let start_of = |i: usize| segment_start(sentences, i);
    let end_of = |j: usize| segment_end(sentences, j);
    let starts = Starts::new((0..n).map(start_of).collect());
    let min = u64::from(params.min_duration_s) * 1000;
    let max = u64::from(params.max_duration_s) * 1000;
    for (lo, hi) in [(min, max), (0, max), (0, u64::MAX)] {
        // best[j]: the best score of a segmentation of sentences 0..j whose
        // last segment ends at j; from[j]: where that last segment starts.
        let mut best = vec![f64::NEG_INFINITY; n + 1];
        let mut from = vec![usize::MAX; n + 1];
        let mut tree = MaxTree::new(starts.len());
        best[0] = 0.0;
        tree.offer(starts.position(0), 0.0, 0);
        for j in 1..=n {
            let gain = if j == n { 0.0 } else { depths[j] - penalty };
            let Some((best_i, i)) = starts
                .within(end_of(j), lo, hi)
                .and_then(|range| tree.best(range))
            else {
                continue;
            };
            let score = best_i + gain;
            if score > f64::NEG_INFINITY {
                best[j] = score;
                from[j] = i;
                if j < n {
                    tree.offer(starts.position(j), score, j);
                }
            }
        }
        if best[n] > f64::NEG_INFINITY {
            let mut chosen = Vec::new();
            let mut j = n;
            while j > 0 {
                j = from[j];
                chosen.push(j);
            }
            chosen.reverse();
            return chosen;
        }
    }
    vec![0]
}

/// The mean and standard deviation of the gaps' depths (`depths[0]`, before
/// the first sentence, is no gap); both 0 when there are none.
pub fn depth_spread(depths: &[f64]) -> (f64, f64) {
    let gaps = depths.get(1..).unwrap_or_default();
    let n = gaps.len().max(1) as f64;
    let mean = gaps.iter().sum::<f64>() / n;
    let sd = (gaps.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / n).sqrt();
    (mean, sd)
}

/// When a segment starting at sentence `i` starts (the material's start
/// for the first).
fn segment_start(sentences: &[Sentence], i: usize) -> u64 {
    if i == 0 { 0 } else { sentences[i].start_ms }
}

/// When a segment ending before sentence `j` ends (the last sentence's
/// end when `j` is past it).
fn segment_end(sentences: &[Sentence], j: usize) -> u64 {
    match sentences.get(j) {
        Some(next) => next.start_ms,
        None => sentences.last().map_or(0, |s| s.end_ms),
    }
}

/// A segment longer than this many times the median is split (times the
/// boundary penalty when that is over 1, so a higher penalty still means
/// fewer, longer segments). The penalty is one threshold for the whole
/// material, and where a topic drifts slowly no gap in a long stretch
/// passes it, leaving one lesson several times as long as its neighbours.
const LONGEST_OF_MEDIAN: f64 = 1.5;

/// `starts` with every segment over [`LONGEST_OF_MEDIAN`] times the median
/// duration split at its deepest gap, again until none is, as long as both
/// parts keep the minimum duration.
pub fn split_long(
    sentences: &[Sentence],
    depths: &[f64],
    starts: Vec<usize>,
    params: &SegmentParams,
) -> Vec<usize> {
    let n = sentences.len();
    let start_of = |i: usize| segment_start(sentences, i);
    let end_of = |j: usize| segment_end(sentences, j);
    let ends = |starts: &[usize], k: usize| starts.get(k + 1).copied().unwrap_or(n);
    let mut durations: Vec<u64> = (0..starts.len())
        .map(|k| end_of(ends(&starts, k)).saturating_sub(start_of(starts[k])))
        .collect();
    durations.sort_unstable();
    let longest = LONGEST_OF_MEDIAN
        * params.boundary_penalty.max(1.0)
        * durations[durations.len() / 2] as f64;
    let min = u64::from(params.min_duration_s) * 1000;
    let mut out = Vec::with_capacity(starts.len());
    // Segments still to look at, last first; a split puts both parts back.
    let mut pending: Vec<(usize, usize)> = (0..starts.len())
        .rev()
        .map(|k| (starts[k], ends(&starts, k)))
        .collect();
    while let Some((a, b)) = pending.pop() {
        crate::work::add(b - a);
        let (from, to) = (start_of(a), end_of(b));
        let split = (to.saturating_sub(from) as f64 > longest)
            .then(|| {
                (a + 1..b)
                    .filter(|&g| {
                        let at = sentences[g].start_ms;
                        at >= from + min && to >= at + min
                    })
                    .max_by(|&x, &y| depths[x].total_cmp(&depths[y]).then(y.cmp(&x)))
            })
            .flatten();
        match split {
            Some(g) => pending.extend([(g, b), (a, g)]),
            None => out.push(a),
        }
    }
    out
}

/// The sentences' start times, sorted and without repeats, so a range of
/// times is a range of positions in the tree (the times need not be in
/// sentence order).
struct Starts {
    of: Vec<u64>,
    sorted: Vec<u64>,
}

impl Starts {
    fn new(of: Vec<u64>) -> Self {
        let mut sorted = of.clone();
        sorted.sort_unstable();
        sorted.dedup();
        Starts { of, sorted }
    }

    fn len(&self) -> usize {
        self.sorted.len()
    }

    /// The tree position of sentence `i`'s start.
    fn position(&self, i: usize) -> usize {
        self.sorted.partition_point(|&t| t < self.of[i])
    }

    /// The tree positions of the starts from which a segment ending at
    /// `end` lasts between `lo` and `hi` (a start after the end lasts 0).
    fn within(&self, end: u64, lo: u64, hi: u64) -> Option<std::ops::Range<usize>> {
        let earliest = end.saturating_sub(hi);
        let latest = if lo == 0 {
            u64::MAX
        } else {
            end.checked_sub(lo)?
        };
        let a = self.sorted.partition_point(|&t| t < earliest);
        let b = self.sorted.partition_point(|&t| t <= latest);
        (a < b).then_some(a..b)
    }
}

/// Best (score, sentence) offered at each position; a range asks for the
/// highest score, the earliest sentence among equals.
struct MaxTree {
    size: usize,
    nodes: Vec<Option<(f64, usize)>>,
}

fn better(a: Option<(f64, usize)>, b: Option<(f64, usize)>) -> Option<(f64, usize)> {
    match (a, b) {
        (Some(x), Some(y)) if y.0 > x.0 || (y.0 == x.0 && y.1 < x.1) => Some(y),
        (Some(x), _) => Some(x),
        (None, y) => y,
    }
}

impl MaxTree {
    fn new(positions: usize) -> Self {
        let size = positions.next_power_of_two();
        MaxTree {
            size,
            nodes: vec![None; 2 * size],
        }
    }

    fn offer(&mut self, position: usize, score: f64, sentence: usize) {
        let mut k = position + self.size;
        self.nodes[k] = better(self.nodes[k], Some((score, sentence)));
        while k > 1 {
            crate::work::add(1);
            k /= 2;
            self.nodes[k] = better(self.nodes[2 * k], self.nodes[2 * k + 1]);
        }
    }

    fn best(&self, range: std::ops::Range<usize>) -> Option<(f64, usize)> {
        let (mut a, mut b) = (range.start + self.size, range.end + self.size);
        let mut found = None;
        while a < b {
            crate::work::add(1);
            if a % 2 == 1 {
                found = better(found, self.nodes[a]);
                a += 1;
            }
            if b % 2 == 1 {
                b -= 1;
                found = better(found, self.nodes[b]);
            }
            a /= 2;
            b /= 2;
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the tree replaces: every earlier start tried.
    fn by_trying_every_start(
        sentences: &[Sentence],
        depths: &[f64],
        penalty: f64,
        lo: u64,
        hi: u64,
    ) -> Option<Vec<usize>> {
        let n = sentences.len();
        let start_of = |i: usize| segment_start(sentences, i);
        let end_of = |j: usize| segment_end(sentences, j);
        let mut best = vec![f64::NEG_INFINITY; n + 1];
        let mut from = vec![usize::MAX; n + 1];
        best[0] = 0.0;
        for j in 1..=n {
            let gain = if j == n { 0.0 } else { depths[j] - penalty };
            for i in 0..j {
                let duration = end_of(j).saturating_sub(start_of(i));
                if best[i] > f64::NEG_INFINITY
                    && (lo..=hi).contains(&duration)
                    && best[i] + gain > best[j]
                {
                    best[j] = best[i] + gain;
                    from[j] = i;
                }
            }
        }
        (best[n] > f64::NEG_INFINITY).then(|| {
            let mut starts = Vec::new();
            let mut j = n;
            while j > 0 {
                j = from[j];
                starts.push(j);
            }
            starts.reverse();
            starts
        })
    }

    /// Sentences of 10 s each, back to back.
    fn every_ten_seconds(n: usize) -> Vec<Sentence> {
        (0..n as u64)
            .map(|i| Sentence {
                start_ms: i * 10_000,
                end_ms: (i + 1) * 10_000,
                text: String::new(),
                end_trust: coursegen_core::material::EndTrust::Sure,
            })
            .collect()
    }

    fn params(min_duration_s: u32) -> SegmentParams {
        SegmentParams {
            min_duration_s,
            max_duration_s: 3600,
            boundary_penalty: 1.0,
            segment_ends_ms: None,
        }
    }

    /// Depths of `base` but at the gaps given.
    fn depths(n: usize, base: f64, valleys: &[(usize, f64)]) -> Vec<f64> {
        let mut depths = vec![base; n];
        for &(gap, depth) in valleys {
            depths[gap] = depth;
        }
        depths
    }

    #[test]
    fn a_segment_far_longer_than_the_others_is_split_at_its_deepest_gap() {
        // Four 100 s segments and one of 280 s whose deepest gaps are at
        // sentences 54 and 64 (the latter too close to the end).
        let sentences = every_ten_seconds(68);
        let valleys = depths(68, 0.1, &[(47, 0.3), (54, 0.5), (64, 0.9)]);
        let starts = vec![0, 10, 20, 30, 40];
        let split =
            |starts: &[usize], min| split_long(&sentences, &valleys, starts.to_vec(), &params(min));
        assert_eq!(
            split(&starts, 60),
            [0, 10, 20, 30, 40, 54],
            "split once, at the deepest gap leaving a minute on each side"
        );
        // With a minimum that no split of it can keep, it stays whole.
        assert_eq!(split(&starts, 150), starts);
        // Segments of like length are left alone.
        assert_eq!(split(&[0, 30, 60], 60), [0, 30, 60]);
        // One of 600 s split at 70 still runs 300 s each side: split again.
        let sentences = every_ten_seconds(100);
        let valleys = depths(100, 0.0, &[(70, 0.8), (55, 0.6), (85, 0.5)]);
        assert_eq!(
            split_long(&sentences, &valleys, starts, &params(60)),
            [0, 10, 20, 30, 40, 55, 70, 85]
        );
    }

    #[test]
    fn the_tree_chooses_what_trying_every_start_chooses() {
        // Pseudo-random depths and times, some out of order, on a 1/8 grid
        // so sums are exact and ties really tie.
        let mut x = 0x9e37_79b9_u64;
        let mut next = move |m: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % m
        };
        for case in 0..200 {
            let n = 1 + (case % 40) as usize;
            let mut at = 0;
            let sentences: Vec<Sentence> = (0..n)
                .map(|_| {
                    let start = (at + next(20)).saturating_sub(next(4) * next(2) * 3);
                    at = start + 1 + next(6);
                    Sentence {
                        start_ms: start * 1000,
                        end_ms: at * 1000,
                        text: String::new(),
                        end_trust: coursegen_core::material::EndTrust::Sure,
                    }
                })
                .collect();
            let depths: Vec<f64> = (0..n).map(|_| next(16) as f64 / 8.0).collect();
            let (lo, hi) = (next(10), 5 + next(60));
            let params = SegmentParams {
                min_duration_s: lo as u32,
                max_duration_s: hi as u32,
                boundary_penalty: 0.0,
                segment_ends_ms: None,
            };
            let mean = depths[1..].iter().sum::<f64>() / (n - 1).max(1) as f64;
            let expected = [(lo, hi), (0, hi), (0, u64::MAX)]
                .into_iter()
                .find_map(|(l, h)| {
                    by_trying_every_start(
                        &sentences,
                        &depths,
                        mean,
                        l * 1000,
                        h.saturating_mul(1000),
                    )
                })
                .unwrap_or(vec![0]);
            assert_eq!(
                choose_boundaries(&sentences, &depths, &params),
                expected,
                "case {case}: {sentences:?} {depths:?} {lo}..{hi}"
            );
        }
    }
}
