//! Malformed input gets a clear error naming the problem and where it is;
//! no input, however broken, makes a parser panic.

use std::io::Write;

use coursegen_core::material::Block;
use coursegen_core::source::{DocumentFormat, TranscriptFormat};
use coursegen_engines::ingest::{document, sentences, split_sections, transcript};
use proptest::prelude::*;

const TRANSCRIPTS: [TranscriptFormat; 4] = [
    TranscriptFormat::Vtt,
    TranscriptFormat::Srt,
    TranscriptFormat::Json,
    TranscriptFormat::Txt,
];
const DOCUMENTS: [DocumentFormat; 3] = [
    DocumentFormat::Docx,
    DocumentFormat::Md,
    DocumentFormat::Txt,
];

fn error(bytes: &[u8], format: TranscriptFormat) -> String {
    transcript(bytes, format)
        .expect_err("must fail")
        .to_string()
}

#[test]
fn empty_files() {
    assert_eq!(
        error(b"", TranscriptFormat::Vtt),
        "vtt line 1: not a WebVTT file: the first line must be \"WEBVTT\""
    );
    assert_eq!(error(b"", TranscriptFormat::Srt), "srt: no cues found");
    assert!(error(b"", TranscriptFormat::Json).starts_with("json line 1: not valid JSON"));
    assert_eq!(
        error(b"  \n\n", TranscriptFormat::Txt),
        "txt: no speech found: the file has no caption text"
    );
    assert_eq!(
        error(b"WEBVTT\n\n", TranscriptFormat::Vtt),
        "vtt: no speech found: the file has no caption text"
    );
    assert_eq!(
        error(
            b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n[Music]\n",
            TranscriptFormat::Vtt
        ),
        "vtt: no speech found: the file has no caption text"
    );
    assert!(
        document(b"", DocumentFormat::Docx)
            .unwrap_err()
            .to_string()
            .starts_with("docx: not a .docx file")
    );
    assert_eq!(
        document(b"\n\n", DocumentFormat::Md)
            .unwrap_err()
            .to_string(),
        "md: the document has no text"
    );
    assert_eq!(
        document(b"", DocumentFormat::Txt).unwrap_err().to_string(),
        "txt: the document has no text"
    );
}

#[test]
fn truncated_files() {
    let vtt = b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nhello\n\n00:00:03.000 --> 00:00:0";
    assert_eq!(
        error(vtt, TranscriptFormat::Vtt),
        "vtt line 6: bad end time \"00:00:0\""
    );
    let srt = b"1\n00:00:01,000 --> 00:00:02,000\nhello\n\n2\n";
    assert_eq!(
        error(srt, TranscriptFormat::Srt),
        "srt line 5: the file ends after a cue number"
    );
    let json = br#"{"chunks":[{"timestamp":[0,1],"text":"hi"},{"timestamp":[1,"#;
    assert!(
        error(json, TranscriptFormat::Json).starts_with("json line 1: not valid JSON: EOF"),
        "{}",
        error(json, TranscriptFormat::Json)
    );
    // A .docx cut in half is not a readable zip.
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file(
        "word/document.xml",
        zip::write::SimpleFileOptions::default(),
    )
    .unwrap();
    zip.write_all(b"<w:document><w:body><w:p><w:r><w:t>hi</w:t></w:r></w:p></w:body></w:document>")
        .unwrap();
    let bytes = zip.finish().unwrap().into_inner();
    assert!(document(&bytes, DocumentFormat::Docx).is_ok());
    let err = document(&bytes[..bytes.len() / 2], DocumentFormat::Docx)
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("docx: not a .docx file"), "{err}");
}

#[test]
fn bad_timestamps_name_the_line() {
    let vtt = b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nhello\n\n00:00:05.000 --> 00:00:04.000\nback in time\n";
    assert_eq!(
        error(vtt, TranscriptFormat::Vtt),
        "vtt line 6: the cue ends (00:00:04.000) before it starts (00:00:05.000)"
    );
    let srt = b"1\n00:00:01,000 --> 00:00:02,000\nhello\n\n2\n00:00:99,000 --> 00:01:00,000\nx\n";
    assert_eq!(
        error(srt, TranscriptFormat::Srt),
        "srt line 6: bad start time \"00:00:99,000\""
    );
    let json = br#"[{"text":"a","start":"00:00:01"},{"text":"b","start":"yesterday"}]"#;
    assert_eq!(
        error(json, TranscriptFormat::Json),
        "json at [1].start: \"yesterday\" is not a time (seconds or hh:mm:ss)"
    );
}

/// Bytes that are no text: a PNG header and then noise.
fn garbage() -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    let mut x: u32 = 2_463_534_242;
    for _ in 0..4096 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        bytes.push((x >> 24) as u8);
    }
    bytes
}

#[test]
fn binary_garbage() {
    for format in TRANSCRIPTS {
        let err = error(&garbage(), format);
        assert!(err.contains("this is binary data, not text"), "{err}");
        assert!(err.contains("byte "), "the position is named: {err}");
    }
    let err = document(&garbage(), DocumentFormat::Docx)
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("docx: not a .docx file (it must be a zip archive)"),
        "{err}"
    );
    for format in [DocumentFormat::Md, DocumentFormat::Txt] {
        assert!(
            document(&garbage(), format)
                .unwrap_err()
                .to_string()
                .contains("binary data")
        );
    }
}

#[test]
fn fifty_megabyte_files() {
    let mut big = b"WEBVTT\n\n".to_vec();
    big.resize(50 << 20, b'a');
    for format in TRANSCRIPTS {
        let err = error(&big, format);
        assert!(
            err.ends_with("the file is 52.4 MB; at most 16 MB is accepted"),
            "{err}"
        );
    }
    let err = document(&big, DocumentFormat::Docx)
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("docx: not a .docx file"), "{err}");
    let mut huge = big.clone();
    huge.resize(65 << 20, b'a');
    for format in DOCUMENTS {
        let err = document(&huge, format).unwrap_err().to_string();
        assert!(err.contains("at most 64 MB is accepted"), "{err}");
    }
}

#[test]
fn docx_without_a_document_part() {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file("hello.txt", zip::write::SimpleFileOptions::default())
        .unwrap();
    zip.write_all(b"hi").unwrap();
    let bytes = zip.finish().unwrap().into_inner();
    assert_eq!(
        document(&bytes, DocumentFormat::Docx)
            .unwrap_err()
            .to_string(),
        "docx: not a Word document: word/document.xml is missing"
    );
    let bad_xml = docx_with("<w:document><w:body><w:p><w:r><w:t>oops</w:p></w:body>");
    let err = document(&bad_xml, DocumentFormat::Docx)
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("docx byte ") && err.contains("word/document.xml is not well-formed XML"),
        "{err}"
    );
}

#[test]
fn deeply_nested_docx_tables_keep_their_text_in_order() {
    let depth = 40;
    let open: String = (0..depth)
        .map(|k| format!("<w:tbl><w:tr><w:tc><w:p><w:r><w:t>level{k}</w:t></w:r></w:p>"))
        .collect();
    let close = "</w:tc></w:tr></w:tbl>".repeat(depth);
    let xml = format!("<w:document><w:body>{open}{close}</w:body></w:document>");
    let doc = document(&docx_with(&xml), DocumentFormat::Docx).unwrap();
    let words: Vec<String> = (0..depth).map(|k| format!("level{k}")).collect();
    match doc.blocks.as_slice() {
        [Block::Table { rows }] => assert_eq!(
            rows[0][0].split_whitespace().collect::<Vec<_>>(),
            words,
            "{rows:?}"
        ),
        other => panic!("one table expected: {other:?}"),
    }
}

fn docx_with(document_xml: &str) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file(
        "word/document.xml",
        zip::write::SimpleFileOptions::default(),
    )
    .unwrap();
    zip.write_all(document_xml.as_bytes()).unwrap();
    zip.finish().unwrap().into_inner()
}

/// Everything downstream of a parser also takes whatever it produced.
fn exercise(bytes: &[u8]) {
    for format in TRANSCRIPTS {
        if let Ok(t) = transcript(bytes, format) {
            assert!(!t.cues.is_empty());
            for c in &t.cues {
                assert!(c.start_ms <= c.end_ms, "{c:?}");
                assert!(!c.text.trim().is_empty());
            }
            let s = sentences(&t);
            assert!(s.iter().all(|s| s.start_ms <= s.end_ms));
        }
    }
    for format in DOCUMENTS {
        if let Ok(d) = document(bytes, format) {
            let sections = split_sections(&d);
            let blocks: usize = sections
                .iter()
                .map(|s| s.blocks.len() + usize::from(!s.header.is_empty()))
                .sum();
            assert_eq!(blocks, d.blocks.len(), "splitting loses no block");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        exercise(&bytes);
    }

    #[test]
    fn caption_shaped_text_never_panics(
        text in "(WEBVTT\n\n|1\n)?(([0-9]{1,2}:){1,3}[0-9]{0,2}[.,]?[0-9]{0,4} --> ([0-9]{1,2}:){1,3}[0-9]{0,3}[.,]?[0-9]{0,3}( align:start)?\n([a-z <>/.0-9:&;#\\[\\]>-]{0,40}\n){0,3}\n){0,6}"
    ) {
        exercise(text.as_bytes());
    }

    #[test]
    fn json_shaped_text_never_panics(
        text in "\\{\"chunks\":\\[(\\{\"timestamp\":\\[(-?[0-9.e]{1,6}|null),(-?[0-9.e]{1,6}|null)\\],\"text\":\"[a-z ]{0,10}\"\\},?){0,5}\\]\\}"
    ) {
        exercise(text.as_bytes());
    }

    #[test]
    fn arbitrary_docx_xml_never_panics(xml in "<w:document>(<w:p>(<w:pPr>(<w:pStyle w:val=\"[A-Za-z0-9]{0,8}\"/>)?(<w:numPr><w:ilvl w:val=\"[0-9]{1,3}\"/><w:numId w:val=\"[0-9]\"/></w:numPr>)?(<w:outlineLvl w:val=\"[0-9]{1,3}\"/>)?</w:pPr>)?(<w:r><w:t>[a-z &;#0-9]{0,12}</w:t>(<w:tab/>|<w:br/>)?</w:r>){0,3}</w:p>|<w:tbl><w:tr><w:tc>(<w:p><w:r><w:t>[a-z]{0,5}</w:t></w:r></w:p>)?</w:tc></w:tr></w:tbl>){0,6}(</w:document>)?") {
        let _ = document(&docx_with(&xml), DocumentFormat::Docx);
    }
}
