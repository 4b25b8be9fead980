//! Extractive summaries: the sentences that carry most of a part's
//! distinctive vocabulary, in the order they were said.

use std::collections::HashMap;

use coursegen_core::material::Sentence;

/// Sentences shorter than this say too little to summarise anything.
const MIN_SUMMARY_WORDS: usize = 6;
/// Sentences longer than this are hard to read as a summary.
const MAX_SUMMARY_WORDS: usize = 40;

/// Indexes of the `count` most central sentences, in their original order.
/// `stems` holds each sentence's content stems.
/// Centrality: the summed weight of a sentence's stems (their frequency in
/// the part, times `idf`), divided by the square root of its length so long
/// sentences do not win by length alone.
pub fn central_sentences(
    sentences: &[Sentence],
    stems: &[Vec<String>],
    idf: &HashMap<String, f64>,
    count: usize,
) -> Vec<usize> {
    crate::work::add(stems.len());
    let mut freq: HashMap<&str, f64> = HashMap::new();
    for s in stems {
        for t in s {
            *freq.entry(t).or_insert(0.0) += 1.0;
        }
    }
    let mut scored: Vec<(usize, f64)> = stems
        .iter()
        .enumerate()
        .filter(|(i, _)| {
            (MIN_SUMMARY_WORDS..=MAX_SUMMARY_WORDS)
                .contains(&sentences[*i].text.split_whitespace().count())
        })
        .map(|(i, s)| {
            let weight: f64 = s
                .iter()
                .map(|t| freq[t.as_str()] * idf.get(t).copied().unwrap_or(1.0))
                .sum();
            (i, weight / (s.len().max(1) as f64).sqrt())
        })
        .collect();
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut chosen: Vec<usize> = scored.into_iter().take(count).map(|(i, _)| i).collect();
    chosen.sort_unstable();
    chosen
}

/// A summary of `sentences`: its `count` most central sentences.
pub fn summarise(
    sentences: &[Sentence],
    stems: &[Vec<String>],
    idf: &HashMap<String, f64>,
    count: usize,
) -> String {
    central_sentences(sentences, stems, idf, count)
        .into_iter()
        .map(|i| sentences[i].text.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}
