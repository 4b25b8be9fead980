//! SubRip (.srt): numbered cues, `hh:mm:ss,mmm --> hh:mm:ss,mmm`, text lines.

use super::timestamp::clock_ms;
use super::{IngestError, RawCue, RawTranscript, Segment};

const FORMAT: &str = "srt";

pub(crate) fn parse(text: &str) -> Result<RawTranscript, IngestError> {
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l)).peekable();
    let mut out = RawTranscript::default();
    loop {
        while lines.next_if(|(_, l)| l.trim().is_empty()).is_some() {}
        let Some((n, first)) = lines.next() else {
            break;
        };
        // The cue number is optional in the wild; the timing line is not.
        let (n, timing) = if first.contains("-->") {
            (n, first)
        } else if first.trim().bytes().all(|b| b.is_ascii_digit()) {
            match lines.next() {
                Some((m, l)) if l.contains("-->") => (m, l),
                Some((m, l)) => {
                    return Err(IngestError::at_line(
                        FORMAT,
                        m,
                        format!(
                            "expected a timing line after cue number {}, found {:?}",
                            first.trim(),
                            l.chars().take(60).collect::<String>()
                        ),
                    ));
                }
                None => {
                    return Err(IngestError::at_line(
                        FORMAT,
                        n,
                        "the file ends after a cue number",
                    ));
                }
            }
        } else {
            return Err(IngestError::at_line(
                FORMAT,
                n,
                format!(
                    "expected a cue number or timing line, found {:?}",
                    first.chars().take(60).collect::<String>()
                ),
            ));
        };
        let (start, rest) = timing.split_once("-->").unwrap_or((timing, ""));
        let end = rest.split_whitespace().next().unwrap_or("");
        let start_ms = clock_ms(start.trim()).ok_or_else(|| {
            IngestError::at_line(FORMAT, n, format!("bad start time {:?}", start.trim()))
        })?;
        let end_ms = clock_ms(end)
            .ok_or_else(|| IngestError::at_line(FORMAT, n, format!("bad end time {end:?}")))?;
        if end_ms < start_ms {
            return Err(IngestError::at_line(
                FORMAT,
                n,
                format!("the cue ends ({end}) before it starts ({})", start.trim()),
            ));
        }
        let mut cue = RawCue {
            start_ms,
            end_ms,
            segments: Vec::new(),
        };
        while let Some((_, line)) = lines.next_if(|(_, l)| !l.trim().is_empty()) {
            cue.segments.push(Segment::line(line));
        }
        out.cues.push(cue);
    }
    if out.cues.is_empty() {
        return Err(IngestError::new(FORMAT, "no cues found"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_numbered_cues() {
        let t = parse("1\n00:00:01,000 --> 00:00:02,500\n>> PROFESSOR: Hello\nthere.\n\n2\n00:00:03,000 --> 00:00:04,000\nNext.\n").unwrap();
        assert_eq!(t.cues.len(), 2);
        assert_eq!(
            (
                t.cues[0].start_ms,
                t.cues[0].end_ms,
                t.cues[0].segments.len()
            ),
            (1000, 2500, 2)
        );
    }

    #[test]
    fn errors_name_the_line() {
        let err = parse("1\n00:00:01,000 -> 00:00:02,000\nhi\n").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("srt line 2: expected a timing line"),
            "{err}"
        );
        let err = parse("1\n00:00:01,000 --> 00:00:02,xx0\nhi\n").unwrap_err();
        assert_eq!(err.to_string(), "srt line 2: bad end time \"00:00:02,xx0\"");
        let err = parse("1\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "srt line 1: the file ends after a cue number"
        );
        assert_eq!(parse("").unwrap_err().to_string(), "srt: no cues found");
    }
}
