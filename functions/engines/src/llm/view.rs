//! What the model is shown of the material. The planning calls see a
//! compact view: the lecture in blocks of about a minute, each as its
//! start, key phrases and most central sentence (about a fifth of the
//! words). A lesson sees its own span in full. So each word of the
//! transcript is sent about once.

use std::ops::Range;

use crate::offline::keyphrases::keyphrases;
use crate::offline::knowledge::{Knowledge, clock};
use crate::offline::summary::central_sentences;

/// A block closes once it is this long.
const BLOCK_MS: u64 = 60_000;
/// Key phrases shown per block.
const BLOCK_PHRASES: usize = 2;
/// Words of a block's central sentence shown (planning needs its gist).
const CENTRAL_WORDS: usize = 16;

#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub start_ms: u64,
    pub end_ms: u64,
    /// Its sentences, as indexes into the material's.
    pub sentences: Range<usize>,
}

/// The material in blocks; no block crosses one of `fixed_ends` (segment
/// ends a human or the material fixed), so those segments are whole blocks.
pub fn blocks(knowledge: &Knowledge, fixed_ends: Option<&[u64]>) -> Vec<Block> {
    let s = &knowledge.sentences;
    let mut blocks = Vec::new();
    let mut first = 0;
    for i in 0..s.len() {
        let next_crosses = fixed_ends.is_some_and(|ends| {
            s.get(i + 1)
                .is_some_and(|n| ends.iter().any(|e| s[i].start_ms < *e && n.start_ms >= *e))
        });
        let long = s[i].end_ms.saturating_sub(s[first].start_ms) >= BLOCK_MS;
        if i + 1 == s.len() || next_crosses || long {
            blocks.push(Block {
                start_ms: s[first].start_ms,
                end_ms: s[i].end_ms,
                sentences: first..i + 1,
            });
            first = i + 1;
        }
    }
    blocks
}

/// The compact view: one line per block, numbered from 1.
pub fn compact(knowledge: &Knowledge, blocks: &[Block]) -> String {
    let texts: Vec<String> = blocks
        .iter()
        .map(|b| knowledge.text(b.sentences.clone()))
        .collect();
    let phrases = keyphrases(&texts, BLOCK_PHRASES);
    blocks
        .iter()
        .zip(phrases)
        .enumerate()
        .map(|(n, (b, phrases))| {
            let r = b.sentences.clone();
            let central = central_sentences(
                &knowledge.sentences[r.clone()],
                &knowledge.stems[r.clone()],
                &knowledge.idf,
                1,
            )
            .first()
            .map_or(r.start, |i| r.start + i);
            let phrases: Vec<String> = phrases.into_iter().map(|p| p.text).collect();
            format!(
                "{}. [{}] {} | {}",
                n + 1,
                clock(b.start_ms),
                phrases.join("; "),
                gist(&knowledge.sentences[central].text)
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A sentence's first [`CENTRAL_WORDS`] words.
fn gist(sentence: &str) -> String {
    let words: Vec<&str> = sentence.split_whitespace().collect();
    if words.len() <= CENTRAL_WORDS {
        sentence.to_owned()
    } else {
        format!("{} …", words[..CENTRAL_WORDS].join(" "))
    }
}

/// The full text of the sentences in `[start_ms, end_ms)`.
pub fn span(knowledge: &Knowledge, start_ms: u64, end_ms: u64) -> String {
    knowledge.text(knowledge.span(start_ms, end_ms))
}

#[cfg(test)]
mod tests {
    use coursegen_core::material::{Material, Sentence};

    use super::*;

    fn lecture(n: u64) -> Knowledge {
        let sentences: Vec<Sentence> = (0..n)
            .map(|i| Sentence {
                start_ms: i * 10_000,
                end_ms: i * 10_000 + 9_000,
                text: format!(
                    "Sentence {i} explains the topic of packets number {i} in detail here."
                ),
                end_trust: coursegen_core::material::EndTrust::Sure,
            })
            .collect();
        Knowledge::new(Material::from(sentences))
    }

    #[test]
    fn blocks_cover_every_sentence_once_and_respect_fixed_ends() {
        let k = lecture(40);
        let bs = blocks(&k, None);
        assert_eq!(bs.first().unwrap().sentences.start, 0);
        assert_eq!(bs.last().unwrap().sentences.end, 40);
        assert!(
            bs.windows(2)
                .all(|w| w[0].sentences.end == w[1].sentences.start)
        );
        assert!(
            bs[..bs.len() - 1]
                .iter()
                .all(|b| b.end_ms - b.start_ms >= BLOCK_MS)
        );
        let fixed = blocks(&k, Some(&[105_000, 400_000]));
        // Sentence 10 starts before 105 s and sentence 11 after it: a
        // block closes between them, and no block holds sentences from
        // both sides of a fixed end.
        assert!(fixed.iter().any(|b| b.sentences.end == 11));
        let starts = |b: &Block| {
            k.sentences[b.sentences.clone()]
                .iter()
                .map(|s| s.start_ms)
                .collect::<Vec<_>>()
        };
        for b in &fixed {
            for end in [105_000, 400_000] {
                let st = starts(b);
                assert!(
                    st.iter().all(|s| *s < end) || st.iter().all(|s| *s >= end),
                    "{b:?}"
                );
            }
        }
    }

    #[test]
    fn the_compact_view_is_a_fraction_of_the_text() {
        let k = lecture(120);
        let bs = blocks(&k, None);
        let view = compact(&k, &bs);
        assert_eq!(view.lines().count(), bs.len());
        assert!(view.starts_with("1. [00:00] "));
        let full = k.text(0..120);
        assert!(
            view.len() * 2 < full.len(),
            "{} vs {}",
            view.len(),
            full.len()
        );
    }
}
