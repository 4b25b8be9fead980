//! Plain text: as a transcript, timed at a steady speaking rate; as a
//! document, paragraphs, list items and header lines.

use coursegen_core::material::{Block, Document};

use super::split::is_section_header;
use super::{RawCue, RawTranscript, Segment};

/// 150 words a minute, a usual lecturing pace.
pub(crate) const MS_PER_WORD: u64 = 400;
/// The pause assumed between paragraphs.
const PARAGRAPH_PAUSE_MS: u64 = 1000;

/// One cue per line of text, timed as if read aloud.
pub(crate) fn parse(text: &str) -> RawTranscript {
    let mut at = 0;
    let mut cues = Vec::new();
    for line in text.lines() {
        let words = line.split_whitespace().count() as u64;
        if words == 0 {
            at += PARAGRAPH_PAUSE_MS;
            continue;
        }
        let end = at + words * MS_PER_WORD;
        cues.push(RawCue {
            start_ms: at,
            end_ms: end,
            segments: vec![Segment::line(line)],
        });
        at = end;
    }
    RawTranscript {
        language: None,
        cues,
    }
}

pub(crate) fn document(text: &str) -> Document {
    let mut blocks = Vec::new();
    let mut paragraph: Vec<&str> = Vec::new();
    let flush = |paragraph: &mut Vec<&str>, blocks: &mut Vec<Block>| {
        if !paragraph.is_empty() {
            blocks.push(Block::Paragraph {
                text: paragraph.join(" "),
            });
            paragraph.clear();
        }
    };
    for line in text.lines().map(str::trim) {
        if line.is_empty() {
            flush(&mut paragraph, &mut blocks);
        } else if is_section_header(line) {
            flush(&mut paragraph, &mut blocks);
            blocks.push(Block::Heading {
                level: 1,
                text: line.to_owned(),
            });
        } else if let Some(item) = ["- ", "* ", "• "].iter().find_map(|m| line.strip_prefix(m)) {
            flush(&mut paragraph, &mut blocks);
            blocks.push(Block::ListItem {
                level: 0,
                ordered: false,
                text: item.trim().to_owned(),
            });
        } else if let Some(item) = ordered_item(line) {
            flush(&mut paragraph, &mut blocks);
            blocks.push(Block::ListItem {
                level: 0,
                ordered: true,
                text: item.to_owned(),
            });
        } else {
            paragraph.push(line);
        }
    }
    flush(&mut paragraph, &mut blocks);
    let title = match blocks.first() {
        Some(Block::Paragraph { text }) if text.chars().count() <= 80 && !text.ends_with('.') => {
            Some(text.clone())
        }
        _ => None,
    };
    Document { title, blocks }
}

/// `1. step` or `2) step`.
fn ordered_item(line: &str) -> Option<&str> {
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 3 {
        return None;
    }
    let rest = &line[digits..];
    rest.strip_prefix(". ")
        .or_else(|| rest.strip_prefix(") "))
        .map(str::trim)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_timed_at_speaking_rate() {
        let t = parse("one two three\n\nfour five");
        let spans: Vec<(u64, u64)> = t.cues.iter().map(|c| (c.start_ms, c.end_ms)).collect();
        assert_eq!(spans, vec![(0, 1200), (2200, 3000)]);
    }

    #[test]
    fn documents_keep_paragraphs_lists_and_headers() {
        let d = document(
            "Saving water\n\nVideo 1: Taps\nTurn the tap off\nwhile brushing.\n\n- short showers\n2) fix leaks\n",
        );
        assert_eq!(d.title.as_deref(), Some("Saving water"));
        assert_eq!(
            d.blocks[1..],
            [
                Block::Heading {
                    level: 1,
                    text: "Video 1: Taps".into()
                },
                Block::Paragraph {
                    text: "Turn the tap off while brushing.".into()
                },
                Block::ListItem {
                    level: 0,
                    ordered: false,
                    text: "short showers".into()
                },
                Block::ListItem {
                    level: 0,
                    ordered: true,
                    text: "fix leaks".into()
                },
            ]
        );
    }
}
