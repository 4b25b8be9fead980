//! A written course script as speech: its sections' text timed at a
//! speaking rate, so the same engine that reads lectures reads scripts, and
//! the script's own sections become the segment map. Code listings are not
//! read aloud; they are kept verbatim at the moment they are shown.

use coursegen_core::material::{Block, CodeSample, Cue, Document, Material, Transcript};

use super::plain::MS_PER_WORD;
use super::sentences::sentences;
use super::split::split_sections;

/// The pause between blocks, and the longer one between sections.
const BLOCK_PAUSE_MS: u64 = 600;
const SECTION_PAUSE_MS: u64 = 2000;
/// How long a code listing is shown.
const CODE_SHOWN_MS: u64 = 1000;

#[derive(Debug, Clone, PartialEq)]
pub struct Narration {
    pub transcript: Transcript,
    /// Code listings, placed where the narration shows them.
    pub code: Vec<CodeSample>,
    /// Each section's title and the time its narration ends: a segment map.
    pub sections: Vec<(String, u64)>,
}

impl Narration {
    /// What the content engines read.
    pub fn material(&self) -> Material {
        Material {
            sentences: sentences(&self.transcript),
            code: self.code.clone(),
            ..Material::default()
        }
    }
}

/// Times every paragraph, list item and table row of `document` as if read
/// aloud (headings are not read), section by section.
pub fn narrate(document: &Document) -> Narration {
    let mut cues = Vec::new();
    let mut code = Vec::new();
    let mut sections = Vec::new();
    let mut at = 0;
    for section in split_sections(document) {
        let start = at;
        for block in &section.blocks {
            let spoken: Vec<String> = match block {
                Block::Heading { .. } => Vec::new(),
                Block::Code { language, text } => {
                    code.push(CodeSample {
                        start_ms: at,
                        end_ms: at + CODE_SHOWN_MS,
                        language: language.clone(),
                        code: text.clone(),
                    });
                    at += CODE_SHOWN_MS + BLOCK_PAUSE_MS;
                    Vec::new()
                }
                Block::Table { rows } => rows.iter().map(|r| r.join(", ")).collect(),
                other => vec![other.text()],
            };
            for text in spoken.into_iter().filter(|t| !t.trim().is_empty()) {
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
        }
        if at > start {
            sections.push((section.title, at - BLOCK_PAUSE_MS));
            at += SECTION_PAUSE_MS;
        }
    }
    Narration {
        transcript: Transcript {
            language: None,
            cues,
        },
        code,
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
