//! A written course script as speech: its sections' text timed at a
//! speaking rate, so the same engine that reads lectures reads scripts, and
//! the script's own sections become the segment map.

use coursegen_core::material::{Block, Cue, Document, Transcript};

use super::plain::MS_PER_WORD;
use super::split::split_sections;

/// The pause between blocks, and the longer one between sections.
const BLOCK_PAUSE_MS: u64 = 600;
const SECTION_PAUSE_MS: u64 = 2000;

#[derive(Debug, Clone, PartialEq)]
pub struct Narration {
    pub transcript: Transcript,
    /// Each section's title and the time its narration ends: a segment map.
    pub sections: Vec<(String, u64)>,
}

/// Times every paragraph, list item and table row of `document` as if read
/// aloud (headings are not read), section by section.
pub fn narrate(document: &Document) -> Narration {
    let mut cues = Vec::new();
    let mut sections = Vec::new();
    let mut at = 0;
    for section in split_sections(document) {
        let texts: Vec<String> = section
            .blocks
            .iter()
            .flat_map(|b| match b {
                Block::Heading { .. } => Vec::new(),
                Block::Table { rows } => rows.iter().map(|r| r.join(", ")).collect(),
                other => vec![other.text()],
            })
            .filter(|t| !t.trim().is_empty())
            .collect();
        if texts.is_empty() {
            continue;
        }
        for text in texts {
            let words = text.split_whitespace().count() as u64;
            let end = at + words * MS_PER_WORD;
            cues.push(Cue {
                start_ms: at,
                end_ms: end,
                text: ensure_sentence(&text),
                speaker: None,
            });
            at = end + BLOCK_PAUSE_MS;
        }
        sections.push((section.title, at - BLOCK_PAUSE_MS));
        at += SECTION_PAUSE_MS;
    }
    Narration {
        transcript: Transcript {
            language: None,
            cues,
        },
        sections,
    }
}

/// List items and table rows become sentences of their own.
fn ensure_sentence(text: &str) -> String {
    let t = text.trim();
    if t.ends_with(['.', '?', '!', '؟', ':']) {
        t.to_owned()
    } else {
        format!("{t}.")
    }
}
