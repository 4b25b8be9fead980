//! Everything the offline engine knows about the material, computed once:
//! its sentences and the facts stated in them.

use std::collections::HashMap;
use std::ops::Range;

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
        let (definitions, quantities, sequences) = (
            definitions(&sentences),
            quantities(&sentences),
            sequences(&sentences),
        );
        debug_assert!(definitions.is_sorted_by_key(|d| d.sentence));
        debug_assert!(quantities.is_sorted_by_key(|q| q.sentence));
        let stems: Vec<Vec<String>> = sentences.iter().map(|s| content_stems(&s.text)).collect();
        Knowledge {
            idf: idf(&stems),
            stems,
            code,
            definitions,
            quantities,
            sequences,
            sentences,
        }
    }

    /// Whether this is the analysis of `material`. Comparing what it read is
    /// exact, and cheaper than hashing it (each lesson step asks).
    pub fn is_of(&self, material: &Material) -> bool {
        let code = &material.code;
        // The code as `new` sorted it: stably, by start.
        let mut order: Vec<usize> = (0..code.len()).collect();
        order.sort_by_key(|&i| code[i].start_ms);
        self.sentences == material.sentences
            && self.code.len() == code.len()
            && order.iter().zip(&self.code).all(|(&i, c)| code[i] == *c)
    }

    /// Indexes of the sentences that start within `[start_ms, end_ms)`.
    pub fn span(&self, start_ms: u64, end_ms: u64) -> Range<usize> {
        let a = self.sentences.partition_point(|s| s.start_ms < start_ms);
        let b = self.sentences.partition_point(|s| s.start_ms < end_ms);
        a..b.max(a)
    }

    /// The definitions stated in sentences `range`. Facts are kept in
    /// sentence order, so a lesson's are found by binary search rather than
    /// by reading every fact of the material for every lesson.
    pub fn definitions_in(&self, range: &Range<usize>) -> &[Definition] {
        &self.definitions[self.definition_positions(range)]
    }

    /// Where [`Self::definitions_in`] are among all the definitions.
    pub fn definition_positions(&self, range: &Range<usize>) -> Range<usize> {
        within(&self.definitions, range, |d| d.sentence)
    }

    /// The quantities stated in sentences `range`.
    pub fn quantities_in(&self, range: &Range<usize>) -> &[Quantity] {
        &self.quantities[within(&self.quantities, range, |q| q.sentence)]
    }

    /// The sequences whose every step is in sentences `range`. Sequences do
    /// not overlap, so their last steps are in order as their first are.
    pub fn sequences_in(&self, range: &Range<usize>) -> &[Sequence] {
        let first = |s: &Sequence| s.sentences[0];
        let last = |s: &Sequence| s.sentences[s.sentences.len() - 1];
        let a = self.sequences.partition_point(|s| first(s) < range.start);
        let b = self.sequences.partition_point(|s| last(s) < range.end);
        crate::work::add(1);
        &self.sequences[a..b.max(a)]
    }

    /// The code shown from `start_ms` until before `end_ms`, and the index
    /// of the first of it among all the material's code.
    pub fn code_in(&self, start_ms: u64, end_ms: u64) -> (usize, &[CodeSample]) {
        let a = self.code.partition_point(|c| c.start_ms < start_ms);
        let b = self.code.partition_point(|c| c.start_ms < end_ms);
        (a, &self.code[a..b.max(a)])
    }

    /// The text of sentences `range`, joined.
    pub fn text(&self, range: Range<usize>) -> String {
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

/// The positions of `facts` (in sentence order) whose sentence is in `range`.
fn within<T>(facts: &[T], range: &Range<usize>, sentence: impl Fn(&T) -> usize) -> Range<usize> {
    let a = facts.partition_point(|f| sentence(f) < range.start);
    let b = facts.partition_point(|f| sentence(f) < range.end);
    crate::work::add(1);
    a..b.max(a)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_analysis_is_of_its_material_only() {
        let sample = |start_ms: u64, code: &str| CodeSample {
            start_ms,
            end_ms: start_ms + 1000,
            language: None,
            code: code.to_owned(),
        };
        let material = Material {
            sentences: vec![Sentence {
                start_ms: 0,
                end_ms: 900,
                text: "A cell is a unit of life.".into(),
                end_trust: coursegen_core::material::EndTrust::Sure,
            }],
            code: vec![sample(2000, "b = 2"), sample(1000, "a = 1")],
            ..Material::default()
        };
        let knowledge = Knowledge::new(material.clone());
        assert!(knowledge.is_of(&material));
        let mut reordered = material.clone();
        reordered.code.reverse();
        assert!(
            knowledge.is_of(&reordered),
            "the same code, shown at the same times"
        );
        let mut other_code = material.clone();
        other_code.code[0].code.push('0');
        assert!(!knowledge.is_of(&other_code));
        let mut other_text = material.clone();
        other_text.sentences[0].text.push('!');
        assert!(!knowledge.is_of(&other_text));
        let mut less_code = material;
        less_code.code.pop();
        assert!(!knowledge.is_of(&less_code));
    }
}
