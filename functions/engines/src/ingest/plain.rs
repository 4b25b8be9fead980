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

/// A lone short line without closing punctuation is a sub-heading.
const MAX_SUBHEADING_WORDS: usize = 8;
/// A lone first line up to this long (without closing punctuation) is the title.
const MAX_TITLE_CHARS: usize = 100;

/// Plain text as a document: blank lines separate blocks; header lines
/// ("Video 1: …", "الفيديو الأول") are top-level headings, lone short lines
/// sub-headings, `-`/`•`/`1.` lines list items, runs of tab-separated lines
/// tables. A short first line is the title.
pub(crate) fn document(text: &str) -> Document {
    let mut blocks = Vec::new();
    let mut title = None;
    let chunks = text.split("\n\n").map(|c| {
        c.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
    });
    for (i, lines) in chunks.filter(|c| !c.is_empty()).enumerate() {
        if let [line] = lines.as_slice()
            && !is_section_header(line)
            && !line.contains('\t')
            && !line.ends_with(['.', '?', '!', ':', ';', ',', '؟', '،', '؛'])
        {
            let words = line.split_whitespace().count();
            if i == 0 && line.chars().count() <= MAX_TITLE_CHARS {
                title = Some((*line).to_owned());
                continue;
            }
            if words <= MAX_SUBHEADING_WORDS {
                blocks.push(Block::Heading {
                    level: 2,
                    text: (*line).to_owned(),
                });
                continue;
            }
        }
        read_chunk(&lines, &mut blocks);
    }
    Document { title, blocks }
}

fn read_chunk(lines: &[&str], blocks: &mut Vec<Block>) {
    let mut paragraph: Vec<String> = Vec::new();
    let mut table: Vec<Vec<String>> = Vec::new();
    let flush =
        |paragraph: &mut Vec<String>, table: &mut Vec<Vec<String>>, blocks: &mut Vec<Block>| {
            if !paragraph.is_empty() {
                blocks.push(Block::Paragraph {
                    text: paragraph.join(" "),
                });
                paragraph.clear();
            }
            match table.len() {
                0 => {}
                // One tab-separated line is prose with a tab in it.
                1 => blocks.push(Block::Paragraph {
                    text: table.remove(0).join(" "),
                }),
                _ => blocks.push(Block::Table {
                    rows: std::mem::take(table),
                }),
            }
        };
    for (k, line) in lines.iter().enumerate() {
        let tabbed = line.contains('\t');
        let next_tabbed = lines.get(k + 1).is_some_and(|l| l.contains('\t'));
        if tabbed && (!table.is_empty() || next_tabbed) {
            if !paragraph.is_empty() {
                let (mut p, mut none) = (std::mem::take(&mut paragraph), Vec::new());
                flush(&mut p, &mut none, blocks);
            }
            table.push(line.split('\t').map(|c| c.trim().to_owned()).collect());
            continue;
        }
        if !table.is_empty() {
            let mut none = Vec::new();
            flush(&mut none, &mut table, blocks);
        }
        if is_section_header(line) {
            flush(&mut paragraph, &mut table, blocks);
            blocks.push(Block::Heading {
                level: 1,
                text: (*line).to_owned(),
            });
        } else if let Some(item) = ["- ", "* ", "• "].iter().find_map(|m| line.strip_prefix(m)) {
            flush(&mut paragraph, &mut table, blocks);
            blocks.push(Block::ListItem {
                level: 0,
                ordered: false,
                text: item.trim().to_owned(),
            });
        } else if let Some(item) = ordered_item(line) {
            flush(&mut paragraph, &mut table, blocks);
            blocks.push(Block::ListItem {
                level: 0,
                ordered: true,
                text: item.to_owned(),
            });
        } else {
            paragraph.push(line.split_whitespace().collect::<Vec<_>>().join(" "));
        }
    }
    flush(&mut paragraph, &mut table, blocks);
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
            "Saving water\n\nVideo 1: Taps\nTurn the tap off\nwhile brushing.\n\nScene 1\n\n- short showers\n2) fix leaks\n\nA\tB\n1\t2\n\nNote:\tkeep it.\n",
        );
        assert_eq!(d.title.as_deref(), Some("Saving water"));
        let p = |t: &str| Block::Paragraph { text: t.into() };
        let item = |ordered, t: &str| Block::ListItem {
            level: 0,
            ordered,
            text: t.into(),
        };
        assert_eq!(
            d.blocks,
            [
                Block::Heading {
                    level: 1,
                    text: "Video 1: Taps".into()
                },
                p("Turn the tap off while brushing."),
                Block::Heading {
                    level: 2,
                    text: "Scene 1".into()
                },
                item(false, "short showers"),
                item(true, "fix leaks"),
                Block::Table {
                    rows: vec![vec!["A".into(), "B".into()], vec!["1".into(), "2".into()]]
                },
                p("Note: keep it."),
            ]
        );
    }
}
