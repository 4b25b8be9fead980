use coursegen_core::options::Options;
use coursegen_core::outputs::SegmentParams;
use coursegen_core::source::TranscriptFormat;
use coursegen_engines::ingest::{sentences, transcript};
use coursegen_engines::offline::{
    knowledge::Knowledge, lesson::lesson, outline::outline, segment::segment,
};
use std::path::PathBuf;
#[test]
fn dbg() {
    let f = std::env::var("F").unwrap_or("lecture/lecture.srt".into());
    let fmt = if f.ends_with("vtt") {
        TranscriptFormat::Vtt
    } else {
        TranscriptFormat::Srt
    };
    let b = std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../examples")
            .join(&f),
    )
    .unwrap();
    let s = sentences(&transcript(&b, fmt).unwrap());
    let segs = segment(&s, &SegmentParams::default());
    let k = Knowledge::new(s);
    let o = outline(&k, &segs, None);
    eprintln!("TITLE {}\nDESC {}", o.title, o.description);
    for m in &o.modules {
        eprintln!("MODULE {} ({} lessons)", m.title, m.lessons.len());
    }
    let l = lesson(
        &k,
        &o.modules[0].lessons[0],
        "m1-l1",
        Some("abcdefghijk"),
        &Options::default(),
    );
    eprintln!("{}", l.content_md);
    eprintln!("CONCEPTS {:?}", l.key_concepts);
    for q in &l.exercises {
        eprintln!("{}", serde_json::to_string(q).unwrap());
    }
}
