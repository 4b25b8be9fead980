//! Subtitle cues timed by the speech: each spoken sentence is one cue, and
//! its times are the running sum of the sentences' durations, so the text
//! shows exactly while it is said. Written as WebVTT and SRT.

use std::fmt::Write as _;

/// One subtitle: its text and when it shows, in ms from the start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cue {
    pub start_ms: u64,
    pub end_ms: u64,
    pub text: String,
}

/// Cues for `sentences` spoken one after another, each taking its
/// duration in ms.
pub fn timed<'a>(sentences: impl IntoIterator<Item = (&'a str, u64)>) -> Vec<Cue> {
    let mut at = 0;
    sentences
        .into_iter()
        .map(|(text, duration_ms)| {
            let cue = Cue {
                start_ms: at,
                end_ms: at + duration_ms,
                text: one_line(text),
            };
            at = cue.end_ms;
            cue
        })
        .collect()
}

/// A cue's text on one line: a blank line would end the cue, and `-->`
/// would read as a timing line.
fn one_line(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace("-->", "->")
}

fn clock(ms: u64, fraction: char) -> String {
    let s = ms / 1000;
    format!(
        "{:02}:{:02}:{:02}{fraction}{:03}",
        s / 3600,
        s / 60 % 60,
        s % 60,
        ms % 1000
    )
}

/// The cues as WebVTT.
pub fn vtt(cues: &[Cue]) -> String {
    let mut out = String::from("WEBVTT\n");
    for cue in cues {
        let _ = write!(
            out,
            "\n{} --> {}\n{}\n",
            clock(cue.start_ms, '.'),
            clock(cue.end_ms, '.'),
            escape_vtt(&cue.text)
        );
    }
    out
}

/// `<`, `>` and `&` would read as markup in WebVTT.
fn escape_vtt(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The cues as SubRip.
pub fn srt(cues: &[Cue]) -> String {
    let mut out = String::new();
    for (i, cue) in cues.iter().enumerate() {
        let _ = write!(
            out,
            "{}\n{} --> {}\n{}\n\n",
            i + 1,
            clock(cue.start_ms, ','),
            clock(cue.end_ms, ','),
            cue.text
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cues_run_one_after_another() {
        let cues = timed([("Hello there.", 1_200), ("A <b> & c\n\nd --> e", 3_650_001)]);
        assert_eq!((cues[0].start_ms, cues[0].end_ms), (0, 1_200));
        assert_eq!((cues[1].start_ms, cues[1].end_ms), (1_200, 3_651_201));
        assert_eq!(cues[1].text, "A <b> & c d -> e");
        assert_eq!(
            vtt(&cues),
            "WEBVTT\n\n00:00:00.000 --> 00:00:01.200\nHello there.\n\n\
             00:00:01.200 --> 01:00:51.201\nA &lt;b&gt; &amp; c d -&gt; e\n"
        );
        assert_eq!(
            srt(&cues),
            "1\n00:00:00,000 --> 00:00:01,200\nHello there.\n\n\
             2\n00:00:01,200 --> 01:00:51,201\nA <b> & c d -> e\n\n"
        );
    }
}
