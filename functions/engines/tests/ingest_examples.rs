//! The sample material in `examples/` ingests as it should: every spoken
//! word once, in time, with speakers and sentences; the course script splits
//! into its five videos in every format.

use crate::common;

use common::{example, example_json};
use coursegen_core::material::{Block, Transcript};
use coursegen_core::source::{DocumentFormat, TranscriptFormat};
use coursegen_engines::ingest::{document, sentences, split_sections, transcript};

/// The script's spoken words, as captions write them: lower case, no
/// punctuation, hyphens split.
fn script_caption_words() -> Vec<String> {
    let script = String::from_utf8(example("lecture/script.md")).unwrap();
    script
        .lines()
        .filter(|l| !l.starts_with('#'))
        .flat_map(|l| l.split_whitespace())
        .flat_map(|w| w.split(['-', '_']).map(str::to_owned).collect::<Vec<_>>())
        .map(|w| {
            let chars: Vec<char> = w.chars().collect();
            chars
                .iter()
                .enumerate()
                .filter(|(i, c)| {
                    c.is_alphanumeric()
                        || (**c == '\'' && *i > 0 && *i + 1 < chars.len())
                        || (**c == '.'
                            && *i > 0
                            && *i + 1 < chars.len()
                            && chars[i - 1].is_ascii_digit()
                            && chars[i + 1].is_ascii_digit())
                })
                .map(|(_, c)| c.to_lowercase().to_string())
                .collect::<String>()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

fn words(t: &Transcript) -> Vec<String> {
    t.cues
        .iter()
        .flat_map(|c| c.text.split_whitespace().map(str::to_owned))
        .collect()
}

#[test]
fn youtube_auto_captions_give_every_word_once_in_time() {
    let t = transcript(&example("lecture/lecture.en.vtt"), TranscriptFormat::Vtt).unwrap();
    assert_eq!(t.language.as_deref(), Some("en"));
    assert_eq!(
        words(&t),
        script_caption_words(),
        "rolling cues merged, [Music]/[Applause] dropped, nothing lost"
    );
    let topics = example_json("lecture/topics.json");
    let first = &topics["topics"][0];
    assert_eq!(t.cues[0].start_ms, first["start_ms"].as_u64().unwrap());
    let last = topics["topics"].as_array().unwrap().last().unwrap();
    let end = t.cues.last().unwrap().end_ms;
    assert!(
        end.abs_diff(last["end_ms"].as_u64().unwrap()) < 1000,
        "ends at {end}"
    );
    for pair in t.cues.windows(2) {
        assert!(
            pair[0].start_ms <= pair[1].start_ms && pair[0].end_ms <= pair[1].start_ms + 10,
            "{pair:?}"
        );
    }
    // Pauses split cues, so the 2.5 s silence between topics is a cue boundary.
    let second_start = topics["topics"][1]["start_ms"].as_u64().unwrap();
    assert!(
        t.cues.iter().any(|c| c.start_ms == second_start),
        "a cue starts where topic 2 does"
    );
}

#[test]
fn unpunctuated_captions_are_rebuilt_into_sentences() {
    let t = transcript(&example("lecture/lecture.en.vtt"), TranscriptFormat::Vtt).unwrap();
    let s = sentences(&t);
    let lens: Vec<usize> = s
        .iter()
        .map(|s| s.text.split_whitespace().count())
        .collect();
    let mean = lens.iter().sum::<usize>() as f64 / lens.len() as f64;
    assert!(
        (8.0..=25.0).contains(&mean),
        "mean sentence length {mean:.1} words over {} sentences",
        s.len()
    );
    assert!(lens.iter().all(|l| *l <= 30));
    for s in &s {
        assert!(
            s.text.chars().next().is_some_and(char::is_uppercase) && s.text.ends_with(['.', '?']),
            "{}",
            s.text
        );
    }
    assert!(s.windows(2).all(|w| w[0].end_ms <= w[1].start_ms));
}

#[test]
fn srt_keeps_case_punctuation_and_the_speaker() {
    let t = transcript(&example("lecture/lecture.srt"), TranscriptFormat::Srt).unwrap();
    assert_eq!(t.cues[0].speaker.as_deref(), Some("PROFESSOR"));
    assert!(
        t.cues[0].text.starts_with("Good morning, everyone."),
        "{}",
        t.cues[0].text
    );
    assert!(t.cues.iter().all(|c| !c.text.contains("Applause")));
    let script = String::from_utf8(example("lecture/script.md")).unwrap();
    let script_words = script
        .lines()
        .filter(|l| !l.starts_with('#'))
        .flat_map(|l| l.split_whitespace())
        .count();
    assert_eq!(words(&t).len(), script_words);
    // Punctuated text splits at sentence ends: as many sentences as the script has.
    let expected = script
        .lines()
        .filter(|l| !l.starts_with('#'))
        .flat_map(|l| l.split_whitespace())
        .filter(|w| w.ends_with(['.', '?', '!']))
        .count();
    let got = sentences(&t).len();
    assert!(
        got.abs_diff(expected) * 50 <= expected,
        "{got} sentences, the script has about {expected}"
    );
}

#[test]
fn the_course_script_splits_into_its_videos_in_every_format() {
    let expected = example_json("course-script/expected.json");
    let want: Vec<(String, u64)> = expected["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["header"].as_str().unwrap().to_owned(),
                s["paragraphs"].as_u64().unwrap(),
            )
        })
        .collect();
    for (file, format) in [
        ("course-script/course-script.docx", DocumentFormat::Docx),
        ("course-script/course-script.md", DocumentFormat::Md),
        ("course-script/course-script.txt", DocumentFormat::Txt),
    ] {
        let doc = document(&example(file), format).unwrap();
        assert_eq!(doc.title.as_deref(), expected["title"].as_str(), "{file}");
        let sections = split_sections(&doc);
        let got: Vec<(String, u64)> = sections
            .iter()
            .map(|s| {
                (
                    s.header.clone(),
                    s.blocks
                        .iter()
                        .filter(|b| matches!(b, Block::Paragraph { .. }))
                        .count() as u64,
                )
            })
            .collect();
        assert_eq!(got, want, "{file}");
        let numbers: Vec<Option<u32>> = sections.iter().map(|s| s.number).collect();
        assert_eq!(
            numbers,
            vec![Some(1), Some(2), Some(3), Some(4), Some(5)],
            "{file}"
        );
        let lists = doc
            .blocks
            .iter()
            .filter(|b| matches!(b, Block::ListItem { .. }))
            .count();
        assert_eq!(lists, 7, "{file}: 3 bullets and 4 numbered steps");
        let ordered = doc
            .blocks
            .iter()
            .filter(|b| matches!(b, Block::ListItem { ordered: true, .. }))
            .count();
        assert_eq!(ordered, 4, "{file}");
        let table = doc.blocks.iter().find_map(|b| match b {
            Block::Table { rows } => Some(rows.clone()),
            _ => None,
        });
        assert_eq!(table.map(|r| (r.len(), r[0].len())), Some((3, 3)), "{file}");
    }
}

#[test]
fn a_course_script_is_narrated_section_by_section() {
    use coursegen_core::outputs::SegmentParams;
    use coursegen_engines::ingest::narrate;
    use coursegen_engines::offline::segment::segment;

    let doc = document(
        &example("course-script/course-script.docx"),
        DocumentFormat::Docx,
    )
    .unwrap();
    let narration = narrate(&doc);
    let titles: Vec<&str> = narration.sections.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(titles.len(), 5);
    assert_eq!(titles[3], "Finding and Fixing Leaks");
    let s = sentences(&narration.transcript);
    let ends: Vec<u64> = narration.sections.iter().map(|(_, end)| *end).collect();
    let params = SegmentParams {
        segment_ends_ms: Some(ends[..ends.len() - 1].to_vec()),
        ..SegmentParams::default()
    };
    let segments = segment(&s, &params);
    assert_eq!(segments.len(), 5, "the script's sections are the segments");
    assert!(
        segments[4].summary.contains("water") || segments[4].summary.contains("garden"),
        "{}",
        segments[4].summary
    );
}
