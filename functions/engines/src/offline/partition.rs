//! Cutting a run of timed lines into a given number of contiguous parts of
//! near-equal length, preferring to cut where the text itself breaks (a
//! paragraph's end): dynamic programming over the cut points. A storyboard
//! cuts a scene into shots and a shot into frames this way.

/// What a cut that is not at a preferred break costs, in the units of a
/// part's squared relative deviation from the mean: a part 50 % off the
/// mean costs as much as one such cut.
const UNPREFERRED_CUT: f64 = 0.25;

/// Start indexes (the first is 0) of `parts` contiguous groups of
/// `lengths`, every group non-empty, minimising the groups' squared
/// relative deviation from the mean length plus [`UNPREFERRED_CUT`] for
/// each cut before an index where `preferred` is false. Fewer groups when
/// there are fewer lengths than `parts`; none when there are no lengths.
pub fn partition(lengths: &[u64], parts: usize, preferred: impl Fn(usize) -> bool) -> Vec<usize> {
    let n = lengths.len();
    let parts = parts.clamp(1, n.max(1));
    if n == 0 {
        return Vec::new();
    }
    let mut before = vec![0u64; n + 1];
    for (i, &l) in lengths.iter().enumerate() {
        before[i + 1] = before[i] + l;
    }
    let mean = (before[n] as f64 / parts as f64).max(1.0);
    let cost = |a: usize, b: usize| {
        let d = (before[b] - before[a]) as f64 / mean - 1.0;
        d * d
    };
    let cut = |i: usize| if preferred(i) { 0.0 } else { UNPREFERRED_CUT };
    // best[k][j]: the least cost of cutting lines 0..j into k groups.
    let mut best = vec![vec![f64::INFINITY; n + 1]; parts + 1];
    let mut from = vec![vec![0usize; n + 1]; parts + 1];
    best[0][0] = 0.0;
    for k in 1..=parts {
        for j in k..=n {
            for i in (k - 1)..j {
                if best[k - 1][i].is_infinite() {
                    continue;
                }
                let extra = if i == 0 { 0.0 } else { cut(i) };
                let total = best[k - 1][i] + cost(i, j) + extra;
                if total < best[k][j] {
                    best[k][j] = total;
                    from[k][j] = i;
                }
            }
        }
    }
    let mut starts = Vec::with_capacity(parts);
    let mut j = n;
    for k in (1..=parts).rev() {
        j = from[k][j];
        starts.push(j);
    }
    starts.reverse();
    starts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_lines_are_cut_into_equal_parts() {
        assert_eq!(partition(&[1; 12], 4, |_| true), [0, 3, 6, 9]);
        assert_eq!(partition(&[1; 12], 3, |_| true), [0, 4, 8]);
    }

    #[test]
    fn a_long_line_stands_alone_and_short_ones_gather() {
        assert_eq!(
            partition(&[10, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], 2, |_| true),
            [0, 1]
        );
    }

    #[test]
    fn a_paragraphs_end_wins_over_a_slightly_better_balance() {
        // Lines 0..6 of equal length; a paragraph ends before line 2 only.
        assert_eq!(partition(&[1; 6], 2, |i| i == 2), [0, 2]);
        // Not when the balance it costs is large.
        assert_eq!(partition(&[1; 12], 2, |i| i == 1), [0, 6]);
    }

    #[test]
    fn never_more_parts_than_lines_and_nothing_from_nothing() {
        assert_eq!(partition(&[5, 5], 4, |_| true), [0, 1]);
        assert_eq!(partition(&[], 3, |_| true), Vec::<usize>::new());
        assert_eq!(partition(&[7], 0, |_| true), [0]);
    }
}
