//! Everything the offline engine knows about the material, computed once:
//! its sentences and the facts stated in them.

use std::collections::HashMap;

use coursegen_core::material::{CodeSample, Material, Sentence};

use super::facts::{Definition, Quantity, Sequence, definitions, quantities, sequences};
use super::text::{content_stems, idf};

#[derive(Debug, Clone)]
pub struct Knowledge {
    pub sentences: Vec<Sentence>,
    pub definitions: Vec<Definition>,
    pub quantities: Vec<Quantity>,
    pub sequences: Vec<Sequence>,
    /// Each sentence's content stems.
    pub stems: Vec<Vec<String>>,
    /// Inverse document frequency of stems over sentences.
    pub idf: HashMap<String, f64>,
    /// Code the material shows, in time order.
    pub code: Vec<CodeSample>,
}

impl Knowledge {
    pub fn new(material: Material) -> Self {
        let Material {
            sentences,
            mut code,
            ..
        } = material;
        code.sort_by_key(|c| c.start_ms);
        let stems: Vec<Vec<String>> = sentences.iter().map(|s| content_stems(&s.text)).collect();
        Knowledge {
            idf: idf(&stems),
            stems,
            code,
            definitions: definitions(&sentences),
            quantities: quantities(&sentences),
            sequences: sequences(&sentences),
            sentences,
        }
    }

    /// Indexes of the sentences that start within `[start_ms, end_ms)`.
    pub fn span(&self, start_ms: u64, end_ms: u64) -> std::ops::Range<usize> {
        let a = self.sentences.partition_point(|s| s.start_ms < start_ms);
        let b = self.sentences.partition_point(|s| s.start_ms < end_ms);
        a..b.max(a)
    }

    /// The text of sentences `range`, joined.
    pub fn text(&self, range: std::ops::Range<usize>) -> String {
        self.sentences[range]
            .iter()
            .map(|s| s.text.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The time span of sentence `i`.
    pub fn timing(&self, i: usize) -> (u64, u64) {
        let s = &self.sentences[i];
        (s.start_ms, s.end_ms)
    }
}

/// `mm:ss` (or `h:mm:ss`) for a time in the material.
pub fn clock(ms: u64) -> String {
    let s = ms / 1000;
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{:02}:{:02}", s / 60, s % 60)
    }
}
