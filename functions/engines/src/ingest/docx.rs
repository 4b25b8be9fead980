//! .docx: the zip's `word/document.xml`, with heading levels from
//! `word/styles.xml` (style names and outline levels, so localised style ids
//! work) and list kinds from `word/numbering.xml`. Tables become rows of cell
//! text. Deleted text and field codes are skipped.

use std::collections::HashMap;
use std::io::{Cursor, Read};

use coursegen_core::material::{Block, Document};
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::{IngestError, MAX_DOCUMENT_BYTES, Position, check_size};

const FORMAT: &str = "docx";
/// The most any one XML part may inflate to (zip bombs stop here).
const MAX_PART_BYTES: u64 = 64 << 20;
/// Tables nested deeper than this are read as text of the cell they sit
/// in: a nested table's text is copied into its parent cell when it ends,
/// so without a limit a deep nest copies its text once per level.
const MAX_TABLE_DEPTH: usize = 8;

pub(crate) fn parse(bytes: &[u8]) -> Result<Document, IngestError> {
    check_size(bytes, FORMAT, MAX_DOCUMENT_BYTES)?;
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
        IngestError::new(
            FORMAT,
            format!("not a .docx file (it must be a zip archive): {e}"),
        )
    })?;
    let document = part(&mut zip, "word/document.xml")?.ok_or_else(|| {
        IngestError::new(FORMAT, "not a Word document: word/document.xml is missing")
    })?;
    let styles = part(&mut zip, "word/styles.xml")?
        .map(|x| read_styles(&x))
        .transpose()?
        .unwrap_or_default();
    let numbering = part(&mut zip, "word/numbering.xml")?
        .map(|x| read_numbering(&x))
        .transpose()?
        .unwrap_or_default();
    read_document(&document, &styles, &numbering)
}

fn part(
    zip: &mut zip::ZipArchive<Cursor<&[u8]>>,
    name: &str,
) -> Result<Option<String>, IngestError> {
    let file = match zip.by_name(name) {
        Ok(f) => f,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => return Err(IngestError::new(FORMAT, format!("cannot read {name}: {e}"))),
    };
    let mut bytes = Vec::new();
    file.take(MAX_PART_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| IngestError::new(FORMAT, format!("cannot read {name}: {e}")))?;
    if bytes.len() as u64 > MAX_PART_BYTES {
        return Err(IngestError::new(
            FORMAT,
            format!("{name} inflates to more than {} MB", MAX_PART_BYTES >> 20),
        ));
    }
    String::from_utf8(bytes).map(Some).map_err(|e| IngestError {
        format: FORMAT,
        position: Some(Position::Byte(e.utf8_error().valid_up_to())),
        message: format!("{name} is not UTF-8"),
    })
}

fn xml_error(part: &str, reader: &Reader<&[u8]>, e: impl std::fmt::Display) -> IngestError {
    IngestError {
        format: FORMAT,
        position: Some(Position::Byte(reader.buffer_position() as usize)),
        message: format!("{part} is not well-formed XML: {e}"),
    }
}

fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.try_get_attribute(name)
        .ok()
        .flatten()
        .and_then(|a| a.normalized_value(quick_xml::XmlVersion::Implicit1_0).ok())
        .map(|v| v.into_owned())
}

/// What a paragraph style means for us.
#[derive(Debug, Default, Clone)]
struct Style {
    heading: Option<u8>,
    title: bool,
    /// A code style ("Code", "HTML Preformatted", "Source Code").
    code: bool,
    based_on: Option<String>,
}

fn read_styles(xml: &str) -> Result<HashMap<String, Style>, IngestError> {
    let mut reader = Reader::from_reader(xml.as_bytes());
    let mut styles = HashMap::new();
    let mut current: Option<(String, Style)> = None;
    loop {
        match reader
            .read_event()
            .map_err(|e| xml_error("word/styles.xml", &reader, e))?
        {
            Event::Start(e) | Event::Empty(e) => match e.name().as_ref() {
                "w:style" => current = attr(&e, "w:styleId").map(|id| (id, Style::default())),
                "w:name" => {
                    if let (Some((_, style)), Some(name)) = (current.as_mut(), attr(&e, "w:val")) {
                        let lower = name.to_lowercase();
                        style.title |= lower == "title";
                        style.code |= ["code", "preformatted", "source"]
                            .iter()
                            .any(|k| lower.contains(k));
                        if let Some(n) = lower
                            .strip_prefix("heading ")
                            .and_then(|n| n.trim().parse::<u8>().ok())
                        {
                            style.heading.get_or_insert(n);
                        }
                    }
                }
                "w:outlineLvl" => {
                    if let (Some((_, style)), Some(level)) = (
                        current.as_mut(),
                        attr(&e, "w:val").and_then(|v| v.parse::<u8>().ok()),
                    ) && level < 9
                    {
                        style.heading = Some(level + 1);
                    }
                }
                "w:basedOn" => {
                    if let Some((_, style)) = current.as_mut() {
                        style.based_on = attr(&e, "w:val");
                    }
                }
                _ => {}
            },
            Event::End(e) if e.name().as_ref() == "w:style" => {
                if let Some((id, style)) = current.take() {
                    styles.insert(id, style);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(styles)
}

/// numId → (ilvl → ordered?).
type Numbering = HashMap<String, HashMap<u8, bool>>;

fn read_numbering(xml: &str) -> Result<Numbering, IngestError> {
    let mut reader = Reader::from_reader(xml.as_bytes());
    let mut abstracts: HashMap<String, HashMap<u8, bool>> = HashMap::new();
    let mut links: Vec<(String, String)> = Vec::new();
    let (mut abstract_id, mut level, mut num_id) = (None::<String>, None::<u8>, None::<String>);
    loop {
        match reader
            .read_event()
            .map_err(|e| xml_error("word/numbering.xml", &reader, e))?
        {
            Event::Start(e) | Event::Empty(e) => match e.name().as_ref() {
                "w:abstractNum" => abstract_id = attr(&e, "w:abstractNumId"),
                "w:lvl" => level = attr(&e, "w:ilvl").and_then(|v| v.parse().ok()),
                "w:numFmt" => {
                    if let (Some(a), Some(l), Some(fmt)) = (&abstract_id, level, attr(&e, "w:val"))
                    {
                        abstracts
                            .entry(a.clone())
                            .or_default()
                            .insert(l, fmt != "bullet" && fmt != "none");
                    }
                }
                "w:num" => num_id = attr(&e, "w:numId"),
                "w:abstractNumId" => {
                    if let (Some(n), Some(a)) = (&num_id, attr(&e, "w:val")) {
                        links.push((n.clone(), a));
                    }
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(links
        .into_iter()
        .filter_map(|(n, a)| abstracts.get(&a).map(|l| (n, l.clone())))
        .collect())
}

#[derive(Debug, Default)]
struct Paragraph {
    text: String,
    style: Option<String>,
    outline: Option<u8>,
    num_id: Option<String>,
    level: u8,
}

#[derive(Debug, Default)]
struct Table {
    rows: Vec<Vec<String>>,
}

fn read_document(
    xml: &str,
    styles: &HashMap<String, Style>,
    numbering: &Numbering,
) -> Result<Document, IngestError> {
    let mut reader = Reader::from_reader(xml.as_bytes());
    let mut doc = Document::default();
    let mut paragraph: Option<Paragraph> = None;
    let mut tables: Vec<Table> = Vec::new();
    // Tables open below MAX_TABLE_DEPTH, read as their cell's text.
    let mut flattened = 0usize;
    let mut in_text = false;
    // Inside w:delText or w:instrText: text that is not part of the document.
    let mut skipping = 0usize;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| xml_error("word/document.xml", &reader, e))?;
        crate::work::add(1);
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(event, Event::Empty(_));
                match e.name().as_ref() {
                    "w:p" if !empty => paragraph = Some(Paragraph::default()),
                    "w:pStyle" => set(&mut paragraph, |p| p.style = attr(e, "w:val")),
                    "w:outlineLvl" => set(&mut paragraph, |p| {
                        p.outline = attr(e, "w:val").and_then(|v| v.parse().ok())
                    }),
                    "w:numId" => set(&mut paragraph, |p| {
                        p.num_id = attr(e, "w:val").filter(|v| v != "0")
                    }),
                    "w:ilvl" => set(&mut paragraph, |p| {
                        p.level = attr(e, "w:val").and_then(|v| v.parse().ok()).unwrap_or(0)
                    }),
                    "w:t" if !empty => in_text = true,
                    "w:delText" | "w:instrText" if !empty => skipping += 1,
                    "w:tab" | "w:br" | "w:cr" => set(&mut paragraph, |p| p.text.push(' ')),
                    "w:noBreakHyphen" => set(&mut paragraph, |p| p.text.push('-')),
                    "w:tbl" if !empty && tables.len() >= MAX_TABLE_DEPTH => flattened += 1,
                    "w:tbl" if !empty => tables.push(Table::default()),
                    "w:tr" | "w:tc" if flattened > 0 => {}
                    "w:tr" if !empty => {
                        if let Some(t) = tables.last_mut() {
                            t.rows.push(Vec::new());
                        }
                    }
                    "w:tc" if !empty => {
                        if let Some(row) = tables.last_mut().and_then(|t| t.rows.last_mut()) {
                            row.push(String::new());
                        }
                    }
                    _ => {}
                }
            }
            Event::Text(ref t) if in_text && skipping == 0 => {
                let text = t.xml10_content();
                set(&mut paragraph, |p| p.text.push_str(&text));
            }
            Event::GeneralRef(ref r) if in_text && skipping == 0 => {
                let c = match r.resolve_char_ref() {
                    Ok(Some(c)) => Some(c),
                    _ => match &**r {
                        "amp" => Some('&'),
                        "lt" => Some('<'),
                        "gt" => Some('>'),
                        "quot" => Some('"'),
                        "apos" => Some('\''),
                        _ => None,
                    },
                };
                if let Some(c) = c {
                    set(&mut paragraph, |p| p.text.push(c));
                }
            }
            Event::End(ref e) => match e.name().as_ref() {
                "w:t" => in_text = false,
                "w:delText" | "w:instrText" => skipping = skipping.saturating_sub(1),
                "w:p" => {
                    if let Some(p) = paragraph.take() {
                        finish_paragraph(p, &mut doc, &mut tables, styles, numbering);
                    }
                }
                "w:tbl" if flattened > 0 => flattened -= 1,
                "w:tbl" => {
                    if let Some(table) = tables.pop() {
                        let rows: Vec<Vec<String>> = table
                            .rows
                            .into_iter()
                            .map(|r| {
                                r.into_iter()
                                    .map(|c| c.trim().to_owned())
                                    .collect::<Vec<_>>()
                            })
                            .filter(|r| r.iter().any(|c| !c.is_empty()))
                            .collect();
                        match tables
                            .last_mut()
                            .and_then(|t| t.rows.last_mut())
                            .and_then(|r| r.last_mut())
                        {
                            // A table nested in a cell: its text joins the cell.
                            Some(cell) if !rows.is_empty() => {
                                let text = rows
                                    .iter()
                                    .map(|r| r.join(" | "))
                                    .collect::<Vec<_>>()
                                    .join(" ");
                                crate::work::add(text.len());
                                if !cell.is_empty() {
                                    cell.push(' ');
                                }
                                cell.push_str(&text);
                            }
                            Some(_) => {}
                            None if !rows.is_empty() => doc.blocks.push(Block::Table { rows }),
                            None => {}
                        }
                    }
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(doc)
}

fn set(paragraph: &mut Option<Paragraph>, f: impl FnOnce(&mut Paragraph)) {
    if let Some(p) = paragraph.as_mut() {
        f(p);
    }
}

/// Whether a style (or one it is based on) is a code style.
fn style_is_code(styles: &HashMap<String, Style>, id: &str) -> bool {
    let mut id = Some(id);
    for _ in 0..8 {
        let Some(style) = id.and_then(|i| styles.get(i)) else {
            break;
        };
        if style.code {
            return true;
        }
        id = style.based_on.as_deref();
    }
    false
}

/// The heading level a style gives, following `basedOn` (a few steps at most).
fn style_heading(styles: &HashMap<String, Style>, id: &str) -> (Option<u8>, bool) {
    let mut id = Some(id.to_owned());
    for _ in 0..8 {
        let Some(style) = id.as_ref().and_then(|i| styles.get(i)) else {
            break;
        };
        if style.title || style.heading.is_some() {
            return (style.heading, style.title);
        }
        id = style.based_on.clone();
    }
    // Without styles.xml, Word's built-in ids still say it.
    let lower = id.unwrap_or_default().to_lowercase();
    let level = lower.strip_prefix("heading").and_then(|n| n.parse().ok());
    (level, lower == "title")
}

fn finish_paragraph(
    p: Paragraph,
    doc: &mut Document,
    tables: &mut [Table],
    styles: &HashMap<String, Style>,
    numbering: &Numbering,
) {
    let is_code = p.style.as_deref().is_some_and(|s| style_is_code(styles, s));
    if is_code && tables.is_empty() {
        // Code keeps its spacing; consecutive code paragraphs are one listing.
        let line = p.text.trim_end().to_owned();
        match doc.blocks.last_mut() {
            Some(Block::Code { text, .. }) => {
                text.push('\n');
                text.push_str(&line);
            }
            _ if !line.trim().is_empty() => doc.blocks.push(Block::Code {
                language: None,
                text: line,
            }),
            _ => {}
        }
        return;
    }
    let text = p.text.split_whitespace().collect::<Vec<_>>().join(" ");
    if let Some(cell) = tables
        .last_mut()
        .and_then(|t| t.rows.last_mut())
        .and_then(|r| r.last_mut())
    {
        if !text.is_empty() {
            if !cell.is_empty() {
                cell.push(' ');
            }
            cell.push_str(&text);
        }
        return;
    }
    if text.is_empty() {
        return;
    }
    let (style_level, is_title) = p
        .style
        .as_deref()
        .map_or((None, false), |s| style_heading(styles, s));
    let heading = p.outline.filter(|l| *l < 9).map(|l| l + 1).or(style_level);
    if is_title && doc.title.is_none() {
        doc.title = Some(text);
    } else if let Some(level) = heading {
        doc.blocks.push(Block::Heading {
            level: level.clamp(1, 9),
            text,
        });
    } else if let Some(num) = p.num_id {
        let ordered = numbering
            .get(&num)
            .and_then(|levels| levels.get(&p.level))
            .copied()
            .unwrap_or(false);
        doc.blocks.push(Block::ListItem {
            level: p.level,
            ordered,
            text,
        });
    } else {
        doc.blocks.push(Block::Paragraph { text });
    }
}
