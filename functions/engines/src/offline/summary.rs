//! Extractive summaries: the sentences that carry most of a part's
//! distinctive vocabulary, in the order they were said.

use std::collections::HashMap;

use coursegen_core::material::{EndTrust, Sentence};

use super::text::words;

/// Sentences shorter than this say too little to summarise anything.
const MIN_SUMMARY_WORDS: usize = 6;
/// Sentences longer than this are hard to read as a summary.
const MAX_SUMMARY_WORDS: usize = 40;

/// Words that, just before "see", make it a statement ("you will see the
/// window") rather than an instruction to look elsewhere.
const SEERS: &[&str] = &[
    "i", "you", "we", "they", "he", "she", "it", "can", "could", "will", "would", "may", "might",
    "should", "must", "to", "also", "not", "ll",
];

/// Whether a sentence only sends the reader elsewhere ("See Section 5.2
/// for details.", "For a list of formats, see Table 9.1."): it says
/// nothing to summarise or to ask about.
pub fn points_elsewhere(text: &str) -> bool {
    let words = words(text);
    match words.first().map(String::as_str) {
        Some("see") => true,
        Some("refer") => words.get(1).is_some_and(|w| w == "to"),
        Some("for") => words
            .windows(2)
            .any(|w| w[1] == "see" && !SEERS.contains(&w[0].as_str())),
        _ => false,
    }
}

/// Indexes of the `count` most central sentences, in their original order.
/// `stems` holds each sentence's content stems.
/// Centrality: the summed weight of a sentence's stems (their frequency in
/// the part, times `idf`), divided by the square root of its length so long
/// sentences do not win by length alone. Sentences whose end was restored
/// with little confidence come only after all the others, and those whose
/// start was (the end before them) after the rest: a summary of whole
/// sentences reads better than a more central one cut off.
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
            let text = &sentences[*i].text;
            (MIN_SUMMARY_WORDS..=MAX_SUMMARY_WORDS).contains(&text.split_whitespace().count())
                && !points_elsewhere(text)
        })
        .map(|(i, s)| {
            let weight: f64 = s
                .iter()
                .map(|t| freq[t.as_str()] * idf.get(t).copied().unwrap_or(1.0))
                .sum();
            (i, weight / (s.len().max(1) as f64).sqrt())
        })
        .collect();
    // Trust in its end, then in its start (the end before it).
    let doubt = |i: usize| {
        let start = i.checked_sub(1).map(|p| sentences[p].end_trust);
        (sentences[i].end_trust, start.unwrap_or_default())
    };
    scored.sort_by(|a, b| {
        (doubt(a.0).cmp(&doubt(b.0)))
            .then(b.1.total_cmp(&a.1))
            .then(a.0.cmp(&b.0))
    });
    let mut chosen: Vec<usize> = scored.into_iter().take(count).map(|(i, _)| i).collect();
    chosen.sort_unstable();
    chosen
}

/// Indexes of a summary's sentences: of the `count` most central, those
/// whose end is trusted, or the most central alone when none is. Fewer
/// sentences read better than one cut off mid-thought.
pub fn summary_sentences(
    sentences: &[Sentence],
    stems: &[Vec<String>],
    idf: &HashMap<String, f64>,
    count: usize,
) -> Vec<usize> {
    let central = central_sentences(sentences, stems, idf, count);
    let trusted: Vec<usize> = central
        .iter()
        .copied()
        .filter(|&i| sentences[i].end_trust < EndTrust::Guess)
        .collect();
    if trusted.is_empty() {
        central_sentences(sentences, stems, idf, count.min(1))
    } else {
        trusted
    }
}

/// A summary of `sentences` in at most `count` sentences.
pub fn summarise(
    sentences: &[Sentence],
    stems: &[Vec<String>],
    idf: &HashMap<String, f64>,
    count: usize,
) -> String {
    summary_sentences(sentences, stems, idf, count)
        .into_iter()
        .map(|i| sentences[i].text.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::offline::facts::tests::sentences;
    use crate::offline::text::{content_stems, idf};

    #[test]
    fn a_sentence_that_only_points_elsewhere_is_never_central() {
        for pointer in [
            "See Section 5.2 for more details.",
            "Refer to chapter 9 for more information.",
            "For a list of output formats see section 5.3.2.",
            "For more on layer modes, see the Layer Modes page.",
        ] {
            assert!(points_elsewhere(pointer), "{pointer}");
        }
        for statement in [
            "For example, you will see the capture window open.",
            "For each packet you can see its protocol tree.",
            "Seen from the server, the client is anonymous.",
            "Layer modes decide how the layers mix (see Section 8.2).",
        ] {
            assert!(!points_elsewhere(statement), "{statement}");
        }
        let texts = [
            "See section 4.2 of the compost heap guide for compost heap details.",
            "A compost heap needs air and water to rot its green waste.",
            "Rain falls on the garden in the spring months mostly.",
        ];
        let sentences = sentences(&texts);
        let stems: Vec<Vec<String>> = texts.iter().map(|t| content_stems(t)).collect();
        let weights = idf(&stems);
        let all = central_sentences(&sentences, &stems, &weights, 3);
        assert_eq!(all, [1, 2], "the pointer is left out");
    }

    #[test]
    fn sentences_with_a_sure_end_come_before_more_central_unsure_ones() {
        let texts = [
            "Compost heaps need air, water and green waste to rot well.",
            "Turning the compost heap gives the green waste air and water",
            "Rain falls on the garden in the spring months mostly.",
            "A compost heap of green waste needs air and water to rot.",
        ];
        let mut sentences = sentences(&texts);
        let stems: Vec<Vec<String>> = texts.iter().map(|t| content_stems(t)).collect();
        let weights = idf(&stems);
        let best = central_sentences(&sentences, &stems, &weights, 1)[0];
        assert_ne!(best, 2, "the sentence off the topic is not central");
        sentences[best].end_trust = EndTrust::Guess;
        let two = central_sentences(&sentences, &stems, &weights, 2);
        assert!(!two.contains(&best), "{two:?}");
        // With too few sure ones, an unsure one still serves.
        assert_eq!(
            central_sentences(&sentences, &stems, &weights, 4),
            [0, 1, 2, 3]
        );
        // A summary leaves it out rather than end on a guess…
        let summary = summary_sentences(&sentences, &stems, &weights, 4);
        assert_eq!(summary.len(), 3, "{summary:?}");
        assert!(!summary.contains(&best));
        // …unless nothing else is left to say.
        for s in &mut sentences {
            s.end_trust = EndTrust::Guess;
        }
        assert_eq!(summary_sentences(&sentences, &stems, &weights, 4).len(), 1);
    }
}
