//! WebVTT, including YouTube's auto-captions (inline word timestamps,
//! rolling two-line cues, `align:`/`position:` settings).

use super::timestamp::clock_ms;
use super::{IngestError, RawCue, RawTranscript, Segment};

const FORMAT: &str = "vtt";

pub(crate) fn parse(text: &str) -> Result<RawTranscript, IngestError> {
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l)).peekable();
    match lines.next() {
        Some((_, first))
            if first == "WEBVTT"
                || first.starts_with("WEBVTT ")
                || first.starts_with("WEBVTT\t") => {}
        _ => {
            return Err(IngestError::at_line(
                FORMAT,
                1,
                "not a WebVTT file: the first line must be \"WEBVTT\"",
            ));
        }
    }
    let mut out = RawTranscript::default();
    // Header lines ("Kind: captions", "Language: en") run to the first blank line.
    while let Some((_, line)) = lines.next_if(|(_, l)| !l.is_empty()) {
        if let Some((key, value)) = line.split_once(':')
            && key.trim().eq_ignore_ascii_case("language")
            && !value.trim().is_empty()
        {
            out.language = Some(value.trim().to_owned());
        }
    }
    loop {
        // Skip blank lines; stop at the end.
        while lines.next_if(|(_, l)| l.trim().is_empty()).is_some() {}
        let Some((n, first)) = lines.next() else {
            break;
        };
        let block_kind = first.split([' ', '\t']).next().unwrap_or("");
        if matches!(block_kind, "NOTE" | "STYLE" | "REGION") {
            while lines.next_if(|(_, l)| !l.trim().is_empty()).is_some() {}
            continue;
        }
        // An optional cue identifier precedes the timing line.
        let (n, timing) = if first.contains("-->") {
            (n, first)
        } else {
            match lines.next() {
                Some((m, l)) if l.contains("-->") => (m, l),
                _ => {
                    return Err(IngestError::at_line(
                        FORMAT,
                        n,
                        format!(
                            "expected a cue timing line (\"00:00:01.000 --> 00:00:04.000\"), found {:?}",
                            clip(first)
                        ),
                    ));
                }
            }
        };
        let (start_ms, end_ms) =
            timing_line(timing).map_err(|m| IngestError::at_line(FORMAT, n, m))?;
        let mut cue = RawCue {
            start_ms,
            end_ms,
            segments: Vec::new(),
        };
        // Only a truly empty line ends a cue: YouTube's cues hold lines of a
        // single space.
        while let Some((m, line)) = lines.next_if(|(_, l)| !l.is_empty()) {
            if line.contains("-->") {
                return Err(IngestError::at_line(
                    FORMAT,
                    m,
                    "a cue timing line inside a cue: a blank line is missing",
                ));
            }
            cue.segments
                .extend(split_at_timestamps(line, start_ms, end_ms));
        }
        out.cues.push(cue);
    }
    Ok(out)
}

fn clip(s: &str) -> String {
    s.chars().take(60).collect()
}

/// `start --> end [settings]`; settings are layout only and ignored.
fn timing_line(line: &str) -> Result<(u64, u64), String> {
    let (start, rest) = line.split_once("-->").ok_or("missing \"-->\"")?;
    let end = rest.split_whitespace().next().unwrap_or("");
    let start_ms =
        clock_ms(start.trim()).ok_or_else(|| format!("bad start time {:?}", start.trim()))?;
    let end_ms = clock_ms(end).ok_or_else(|| format!("bad end time {end:?}"))?;
    if end_ms < start_ms {
        return Err(format!(
            "the cue ends ({end}) before it starts ({})",
            start.trim()
        ));
    }
    Ok((start_ms, end_ms))
}

/// Splits a payload line at inline timestamps `<hh:mm:ss.fff>`. Text before
/// the first timestamp of a stamped line starts at the cue's start. Stamps
/// outside the cue's span are clamped into it.
fn split_at_timestamps(line: &str, cue_start: u64, cue_end: u64) -> Vec<Segment> {
    let mut segments = Vec::new();
    let mut current = Segment {
        line_start: true,
        ..Segment::default()
    };
    let mut stamped = false;
    let mut rest = line;
    while let Some(open) = rest.find('<') {
        let Some(close) = rest[open..].find('>') else {
            break;
        };
        let tag = &rest[open + 1..open + close];
        if let Some(at) = clock_ms(tag) {
            current.text.push_str(&rest[..open]);
            if !stamped {
                current.at_ms = Some(cue_start);
                stamped = true;
            }
            segments.push(std::mem::take(&mut current));
            current.at_ms = Some(at.clamp(cue_start, cue_end));
        } else {
            current.text.push_str(&rest[..open + close + 1]);
        }
        rest = &rest[open + close + 1..];
    }
    current.text.push_str(rest);
    segments.push(current);
    segments.retain(|s| !s.text.trim().is_empty() || s.line_start);
    segments
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn youtube_cues_keep_word_times() {
        let vtt = "WEBVTT\nKind: captions\nLanguage: en\n\n00:00:03.190 --> 00:00:05.450 align:start position:0%\n \nso<00:00:03.510><c> today</c><00:00:03.870><c> we're</c>\n";
        let t = parse(vtt).unwrap();
        assert_eq!(t.language.as_deref(), Some("en"));
        let segs = &t.cues[0].segments;
        let timed: Vec<(String, Option<u64>)> =
            segs.iter().map(|s| (s.text.clone(), s.at_ms)).collect();
        assert_eq!(
            timed,
            vec![
                (" ".into(), None),
                ("so".into(), Some(3190)),
                ("<c> today</c>".into(), Some(3510)),
                ("<c> we're</c>".into(), Some(3870)),
            ]
        );
    }

    #[test]
    fn errors_name_the_line() {
        let err = parse("WEBVTT\n\n00:00:01.000 --> 00:00:00.500\nhi\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "vtt line 3: the cue ends (00:00:00.500) before it starts (00:00:01.000)"
        );
        let err = parse("WEBVTT\n\n1\n00:00:01.000 --> 00:61:00.000\nhi\n").unwrap_err();
        assert!(
            err.to_string().starts_with("vtt line 4: bad end time"),
            "{err}"
        );
        let err = parse("1\n00:00:01.000 --> 00:00:02.000\nhi\n").unwrap_err();
        assert!(
            err.to_string().starts_with("vtt line 1: not a WebVTT file"),
            "{err}"
        );
        let err = parse("WEBVTT\n\nintro\nhello\n").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("vtt line 3: expected a cue timing line"),
            "{err}"
        );
    }

    #[test]
    fn notes_styles_and_identifiers_are_skipped() {
        let vtt = "WEBVTT - title\n\nNOTE a comment\nspanning lines\n\nSTYLE\n::cue { color: red }\n\nintro\n00:01.000 --> 00:02.000 line:0\nHello\n";
        let t = parse(vtt).unwrap();
        assert_eq!(t.cues.len(), 1);
        assert_eq!(
            (t.cues[0].start_ms, t.cues[0].segments[0].text.as_str()),
            (1000, "Hello")
        );
    }
}
