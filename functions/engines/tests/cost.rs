//! Cost grows with the input, no faster: each test runs one input shape at
//! two sizes, the second twice the first, and checks that the steps of work
//! the engine records ([`coursegen_engines::work`]) grow by at most
//! [`MAX_GROWTH`]. Steps, not time: the same count on any machine, under
//! any load. Quadratic work would grow ×4.

use crate::common;

use coursegen_core::material::{Material, Sentence};
use coursegen_core::options::Options;
use coursegen_core::outputs::SegmentParams;
use coursegen_core::source::{DocumentFormat, TranscriptFormat};
use coursegen_engines::ingest::{document, narrate, sentences, transcript};
use coursegen_engines::offline::course::generate;
use coursegen_engines::work::measure;

/// Doubling the input may multiply the work by this much: linear work
/// doubles, n·log n a little more.
const MAX_GROWTH: f64 = 2.5;

/// The steps `run` takes on `input(n)` and on `input(2n)`, as a complaint
/// when the second is more than [`MAX_GROWTH`] times the first.
fn growth<T>(what: &str, n: usize, input: impl Fn(usize) -> T, run: impl Fn(T)) -> Option<String> {
    let (small, large) = (input(n), input(2 * n));
    let ((), a) = measure(|| run(small));
    let ((), b) = measure(|| run(large));
    let growth = b as f64 / a.max(1) as f64;
    let report = format!(
        "{what}: {a} steps at size {n}, {b} at size {}: ×{growth:.2}",
        2 * n
    );
    // Shown with --nocapture, to see how close each shape is.
    eprintln!("{report}");
    (a == 0 || growth > MAX_GROWTH).then_some(report)
}

fn assert_scales<T>(what: &str, n: usize, input: impl Fn(usize) -> T, run: impl Fn(T)) {
    if let Some(complaint) = growth(what, n, input, run) {
        panic!("{complaint}");
    }
}

/// Every complaint of several shapes at once.
fn assert_all(complaints: impl IntoIterator<Item = Option<String>>) {
    let all: Vec<String> = complaints.into_iter().flatten().collect();
    assert!(all.is_empty(), "{}", all.join("\n"));
}

/// An input of the size asked.
type Made<T> = fn(usize) -> T;
/// A cue's text of the size asked.
type Body = Made<String>;

/// A WebVTT file of one cue whose text is `body`.
fn vtt_of(body: &str) -> Vec<u8> {
    format!("WEBVTT\n\n00:00:00.000 --> 00:10:00.000\n{body}\n").into_bytes()
}

fn ingest_vtt(bytes: Vec<u8>) {
    // Refusing is as good as reading, as long as it is cheap.
    let _ = transcript(&bytes, TranscriptFormat::Vtt).map(|t| sentences(&t));
}

#[test]
fn caption_clean_up_is_linear_in_floods_of_markup_characters() {
    let floods: [(&str, Body); 8] = [
        ("round brackets", |n| "(".repeat(n)),
        ("square brackets", |n| "[".repeat(n)),
        ("brackets closed once at the end", |n| "(".repeat(n) + ")"),
        ("square brackets around many words", |n| {
            "[".repeat(n) + " a b c d e f]"
        }),
        ("ampersands", |n| "&".repeat(n)),
        ("ampersands and a semicolon at the end", |n| {
            "&".repeat(n) + ";"
        }),
        ("tags", |n| "<".repeat(n) + ">"),
        ("override codes", |n| "{".repeat(n) + "<" + &"}".repeat(n)),
    ];
    assert_all(
        floods
            .into_iter()
            .map(|(what, body)| growth(what, 20_000, |n| vtt_of(&body(n)), ingest_vtt)),
    );
}

#[test]
fn caption_clean_up_is_linear_in_cues() {
    assert_scales(
        "short cues",
        2_000,
        |n| {
            let mut vtt = String::from("WEBVTT\n\n");
            for i in 0..n {
                let (s, e) = (i * 1000, i * 1000 + 900);
                vtt.push_str(&format!(
                    "{} --> {}\n<v Anna>(laughs) [Music] word{i} &amp; more &#233;\n\n",
                    common::clock(s as u64, '.'),
                    common::clock(e as u64, '.')
                ));
            }
            vtt.into_bytes()
        },
        ingest_vtt,
    );
}

/// `n` sentences three seconds apart.
fn timed(texts: impl IntoIterator<Item = String>) -> Material {
    texts
        .into_iter()
        .enumerate()
        .map(|(i, text)| Sentence {
            start_ms: i as u64 * 3000,
            end_ms: i as u64 * 3000 + 2800,
            text,
            end_trust: coursegen_core::material::EndTrust::Sure,
        })
        .collect::<Vec<_>>()
        .into()
}

/// A made-up word for `i`: distinct words of one length, so no term's key
/// contains another's.
fn term(i: usize) -> String {
    const LETTERS: &[u8] = b"bcdfghjklmnpqrstvwxz";
    let mut w = String::from("k");
    let mut x = i;
    for _ in 0..4 {
        w.push(LETTERS[x % LETTERS.len()] as char);
        x /= LETTERS.len();
    }
    w
}

/// Every fifth sentence defines a new term ("A kbdfg is a …").
fn definitions(n: usize) -> Material {
    timed((0..n).map(|i| {
        let t = term(i / 5);
        match i % 5 {
            0 => format!("A {t} is a kind of structure that carries signals between distant parts of the body."),
            1 => format!("The {t} changes shape when the temperature rises above normal levels."),
            2 => format!("Researchers measured how quickly each {t} responds to a stimulus in the lab."),
            3 => "Some of these results surprised the team because they contradicted older models.".to_owned(),
            _ => format!("Without the {t} the whole network would slow down considerably over time."),
        }
    }))
}

fn whole_engine(material: Material) {
    generate(
        material,
        None,
        None,
        &SegmentParams::default(),
        &Options::default(),
    );
}

#[test]
fn many_distinct_definitions_cost_linear_work() {
    assert_scales("definitions", 1_000, definitions, whole_engine);
}

/// The sample lecture repeated `copies` times, each copy later in time.
fn long_lecture(copies: usize) -> Material {
    let one = common::lecture("lecture/lecture.srt");
    let length = one.last().map_or(0, |s| s.end_ms) + 3_000;
    (0..copies as u64)
        .flat_map(|c| {
            one.iter().map(move |s| Sentence {
                start_ms: s.start_ms + c * length,
                end_ms: s.end_ms + c * length,
                text: s.text.clone(),
                end_trust: coursegen_core::material::EndTrust::Sure,
            })
        })
        .collect::<Vec<_>>()
        .into()
}

#[test]
fn the_whole_engine_is_linear_in_a_long_lecture() {
    assert_scales("long lecture", 4, long_lecture, whole_engine);
}

#[test]
fn the_whole_engine_is_linear_in_odd_material() {
    let shapes: [(&str, usize, Made<Material>); 5] = [
        ("one-word sentences", 1_500, |n| {
            timed((0..n).map(|_| "Okay.".to_owned()))
        }),
        ("the same sentence again and again", 1_000, |n| {
            timed((0..n).map(|_| "The cell divides into two cells.".to_owned()))
        }),
        ("sentences full of numbers", 500, |n| {
            timed((0..n).map(|i| {
                format!(
                    "In {i} there were {} cases, {}.5 percent, and 1,{i:03} beds.",
                    i * 7,
                    i % 90
                )
            }))
        }),
        ("steps after steps", 1_000, |n| {
            let marks = [
                "First, the",
                "Second, the",
                "Then the",
                "Next, the",
                "Finally, the",
            ];
            timed((0..n).map(|i| {
                format!(
                    "{} {} moves to the {} station.",
                    marks[i % 5],
                    term(i),
                    term(i + 1)
                )
            }))
        }),
        ("one giant sentence", 10_000, |n| {
            let words: Vec<String> = (0..n).map(|i| term(i % 500)).collect();
            timed([words.join(" ")])
        }),
    ];
    assert_all(
        shapes
            .into_iter()
            .map(|(what, n, material)| growth(what, n, material, whole_engine)),
    );
}

/// A document's bytes and format.
type Upload = (Vec<u8>, DocumentFormat);

/// A .docx whose document part has `body`.
fn docx(body: &str) -> Vec<u8> {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    zip.start_file("word/document.xml", options).unwrap();
    write!(zip, "<w:document><w:body>{body}</w:body></w:document>").unwrap();
    zip.finish().unwrap().into_inner()
}

/// A document read, narrated and made into a course, its sections the
/// segment map.
fn whole_document(input: Upload) {
    let Ok(doc) = document(&input.0, input.1) else {
        return;
    };
    let narration = narrate(&doc);
    let mut ends: Vec<u64> = narration.sections.iter().map(|(_, end)| *end).collect();
    ends.pop();
    let params = SegmentParams {
        segment_ends_ms: (!ends.is_empty()).then_some(ends),
        ..SegmentParams::default()
    };
    generate(
        narration.material(),
        None,
        None,
        &params,
        &Options::default(),
    );
}

#[test]
fn documents_cost_linear_work() {
    let shapes: [(&str, usize, Made<Upload>); 4] = [
        ("tables nested in tables", 400, |n| {
            let cell = "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>cell text here</w:t></w:r></w:p>";
            let body = cell.repeat(n) + &"</w:tc></w:tr></w:tbl>".repeat(n);
            (docx(&body), DocumentFormat::Docx)
        }),
        ("one huge paragraph", 10_000, |n| {
            let words: Vec<String> = (0..n).map(|i| term(i % 999)).collect();
            let body = format!("<w:p><w:r><w:t>{}</w:t></w:r></w:p>", words.join(" "));
            (docx(&body), DocumentFormat::Docx)
        }),
        ("a section per definition", 250, |n| {
            let md: String = (0..n)
                .map(|i| {
                    format!(
                        "## Lesson {i}: {}\n\nA {} is a part that moves the {}.\n\n",
                        term(i),
                        term(i),
                        term(i + 1)
                    )
                })
                .collect();
            (md.into_bytes(), DocumentFormat::Md)
        }),
        // Few words a step: at 250 steps segmentation's two-minute window
        // spans much of the material, and its cut-off ends flatter the small size.
        ("code after code", 500, |n| {
            let md: String = (0..n)
                .map(|i| {
                    format!(
                        "Here is step {i}.\n\n```python\ndef f{i}(x):\n    return x + {i}\n```\n\n"
                    )
                })
                .collect();
            (md.into_bytes(), DocumentFormat::Md)
        }),
    ];
    assert_all(
        shapes
            .into_iter()
            .map(|(what, n, input)| growth(what, n, input, whole_document)),
    );
}
