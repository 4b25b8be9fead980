//! Markdown (CommonMark with tables) → a Document, through pulldown-cmark.

use coursegen_core::material::{Block, Document};
use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

pub(crate) fn parse(text: &str) -> Document {
    let mut doc = Document::default();
    let mut buffer = String::new();
    // Open lists: ordered or not, innermost last.
    let mut lists: Vec<bool> = Vec::new();
    let mut in_item = false;
    let mut table: Option<Vec<Vec<String>>> = None;
    // Inside a fenced or indented code block: its language, and its text verbatim.
    let mut code: Option<(Option<String>, String)> = None;
    for event in Parser::new_ext(text, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH) {
        match event {
            Event::Start(Tag::List(start)) => {
                flush_item(&mut buffer, &lists, &mut in_item, &mut doc);
                lists.push(start.is_some());
            }
            Event::End(TagEnd::List(_)) => {
                flush_item(&mut buffer, &lists, &mut in_item, &mut doc);
                lists.pop();
            }
            Event::Start(Tag::Item) => {
                flush_item(&mut buffer, &lists, &mut in_item, &mut doc);
                in_item = true;
            }
            Event::End(TagEnd::Item) => flush_item(&mut buffer, &lists, &mut in_item, &mut doc),
            Event::Start(Tag::Table(_)) => table = Some(Vec::new()),
            Event::End(TagEnd::Table) => {
                if let Some(rows) = table.take().filter(|r| !r.is_empty()) {
                    doc.blocks.push(Block::Table { rows });
                }
            }
            Event::Start(Tag::TableHead | Tag::TableRow) => {
                if let Some(rows) = table.as_mut() {
                    rows.push(Vec::new());
                }
            }
            Event::End(TagEnd::TableCell) => {
                if let Some(row) = table.as_mut().and_then(|r| r.last_mut()) {
                    row.push(take(&mut buffer));
                }
            }
            Event::End(TagEnd::Heading(level)) => {
                let text = take(&mut buffer);
                if !text.is_empty() {
                    doc.blocks.push(Block::Heading {
                        level: heading_level(level),
                        text,
                    });
                }
            }
            Event::End(TagEnd::Paragraph) if !in_item => {
                let text = take(&mut buffer);
                if !text.is_empty() {
                    doc.blocks.push(Block::Paragraph { text });
                }
            }
            Event::End(TagEnd::Paragraph) | Event::SoftBreak | Event::HardBreak => buffer.push(' '),
            Event::Start(Tag::CodeBlock(kind)) => {
                let language = match kind {
                    CodeBlockKind::Fenced(info) => {
                        info.split_whitespace().next().map(str::to_owned)
                    }
                    CodeBlockKind::Indented => None,
                };
                code = Some((language, String::new()));
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some((language, text)) = code.take()
                    && !text.trim().is_empty()
                {
                    doc.blocks.push(Block::Code {
                        language,
                        text: text.trim_end().to_owned(),
                    });
                }
            }
            Event::Text(t) if code.is_some() => {
                if let Some((_, text)) = code.as_mut() {
                    text.push_str(&t);
                }
            }
            Event::Text(t) | Event::Code(t) => buffer.push_str(&t),
            _ => {}
        }
    }
    // A single level-1 heading at the very top is the document's title.
    let top_level_headings = doc
        .blocks
        .iter()
        .filter(|b| matches!(b, Block::Heading { level: 1, .. }))
        .count();
    if let (1, Some(Block::Heading { level: 1, text })) = (top_level_headings, doc.blocks.first()) {
        doc.title = Some(text.clone());
        doc.blocks.remove(0);
    }
    doc
}

fn take(buffer: &mut String) -> String {
    let text = buffer.split_whitespace().collect::<Vec<_>>().join(" ");
    buffer.clear();
    text
}

fn flush_item(buffer: &mut String, lists: &[bool], in_item: &mut bool, doc: &mut Document) {
    if *in_item {
        let text = take(buffer);
        if !text.is_empty() {
            let level = u8::try_from(lists.len().saturating_sub(1)).unwrap_or(u8::MAX);
            doc.blocks.push(Block::ListItem {
                level,
                ordered: lists.last().copied().unwrap_or(false),
                text,
            });
        }
    }
    *in_item = false;
}

fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_blocks_stay_verbatim() {
        let d = parse(
            "Text before.\n\n```python\ndef f(x):\n    return x\n```\n\n    indented = True\n",
        );
        assert_eq!(
            d.blocks,
            vec![
                Block::Paragraph {
                    text: "Text before.".into()
                },
                Block::Code {
                    language: Some("python".into()),
                    text: "def f(x):\n    return x".into()
                },
                Block::Code {
                    language: None,
                    text: "indented = True".into()
                },
            ]
        );
    }

    #[test]
    fn headings_paragraphs_lists_and_tables() {
        let md = "# Saving water\n\n## Video 1: Taps\n\nTurn it *off*\nwhile brushing.\n\n- short showers\n  1. fix leaks\n\n| a | b |\n|---|---|\n| 1 | 2 |\n";
        let d = parse(md);
        assert_eq!(d.title.as_deref(), Some("Saving water"));
        assert_eq!(
            d.blocks,
            vec![
                Block::Heading {
                    level: 2,
                    text: "Video 1: Taps".into()
                },
                Block::Paragraph {
                    text: "Turn it off while brushing.".into()
                },
                Block::ListItem {
                    level: 0,
                    ordered: false,
                    text: "short showers".into()
                },
                Block::ListItem {
                    level: 1,
                    ordered: true,
                    text: "fix leaks".into()
                },
                Block::Table {
                    rows: vec![vec!["a".into(), "b".into()], vec!["1".into(), "2".into()]]
                },
            ]
        );
    }
}
