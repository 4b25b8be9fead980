//! The glossary and flashcards: every term the material defines, and every
//! sequence of steps it walks through.

use coursegen_core::course::{Flashcard, GlossaryEntry, SourceSpan};

use super::knowledge::Knowledge;
use super::questions::{named, statement};

fn span(knowledge: &Knowledge, first: usize, last: usize) -> SourceSpan {
    SourceSpan {
        start_ms: knowledge.timing(first).0,
        end_ms: knowledge.timing(last).1,
    }
}

/// Defined terms in alphabetical order, each with the sentence defining it.
pub fn glossary(knowledge: &Knowledge) -> Vec<GlossaryEntry> {
    let mut entries: Vec<GlossaryEntry> = knowledge
        .definitions
        .iter()
        .map(|d| GlossaryEntry {
            term: d.term.clone(),
            definition: statement(d),
            source: Some(span(knowledge, d.sentence, d.until - 1)),
        })
        .collect();
    entries.sort_by(|a, b| {
        a.term
            .to_lowercase()
            .cmp(&b.term.to_lowercase())
            .then(a.term.cmp(&b.term))
    });
    entries
}

/// A card per defined term and per sequence of steps, in material order.
pub fn flashcards(knowledge: &Knowledge) -> Vec<Flashcard> {
    let mut cards: Vec<(usize, Flashcard)> = knowledge
        .definitions
        .iter()
        .map(|d| {
            let front = format!("What is {}?", named(d));
            (
                d.sentence,
                Flashcard {
                    front,
                    back: statement(d),
                    source: Some(span(knowledge, d.sentence, d.until - 1)),
                },
            )
        })
        .collect();
    for seq in &knowledge.sequences {
        let first = seq.sentences[0];
        let last = *seq.sentences.last().unwrap_or(&first);
        let opening = seq.steps[0]
            .split_whitespace()
            .take(8)
            .collect::<Vec<_>>()
            .join(" ");
        let back = seq
            .steps
            .iter()
            .enumerate()
            .map(|(i, s)| format!("{}. {s}", i + 1))
            .collect::<Vec<_>>()
            .join("\n");
        cards.push((
            first,
            Flashcard {
                front: format!("In order, what are the steps that begin \"{opening}…\"?"),
                back,
                source: Some(span(knowledge, first, last)),
            },
        ));
    }
    cards.sort_by_key(|(i, _)| *i);
    cards.into_iter().map(|(_, c)| c).collect()
}
