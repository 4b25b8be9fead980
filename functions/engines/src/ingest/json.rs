//! JSON transcripts: the AI server's `{"chunks": [{"timestamp": [s, e], "text"}]}`,
//! Whisper's `{"segments": [{"start", "end", "text"}]}`, and the arrays
//! transcript APIs return: `[{"text", "start", "duration"}]` (seconds) or
//! `[{"text", "start": "hh:mm:ss"}]`.

use serde_json::Value;

use super::timestamp::{clock_ms, seconds_ms};
use super::{IngestError, Position, RawCue, RawTranscript, Segment};

const FORMAT: &str = "json";
/// Assumed speaking time per word where a format gives no end time.
const MS_PER_WORD: u64 = 400;

fn at(path: &str, message: impl Into<String>) -> IngestError {
    IngestError {
        format: FORMAT,
        position: Some(Position::Path(path.to_owned())),
        message: message.into(),
    }
}

pub(crate) fn parse(text: &str) -> Result<RawTranscript, IngestError> {
    let value: Value = serde_json::from_str(text).map_err(|e| IngestError {
        format: FORMAT,
        position: Some(Position::Line(e.line())),
        message: format!("not valid JSON: {e}"),
    })?;
    let (items, base) = match &value {
        Value::Array(items) => (items, String::new()),
        Value::Object(o) => match ["chunks", "segments"]
            .iter()
            .find_map(|k| o.get(*k).map(|v| (*k, v)))
        {
            Some((key, Value::Array(items))) => (items, key.to_owned()),
            Some((key, _)) => return Err(at(key, "must be an array")),
            None => {
                return Err(at(
                    "$",
                    "expected {\"chunks\": [...]}, {\"segments\": [...]} or an array of {\"text\", \"start\", …}",
                ));
            }
        },
        _ => return Err(at("$", "expected an object or an array")),
    };
    let language = value
        .get("language")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let mut timed: Vec<(u64, Option<u64>, String)> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let path = format!("{base}[{i}]");
        let text = item
            .get("text")
            .and_then(Value::as_str)
            .ok_or_else(|| at(&format!("{path}.text"), "missing or not a string"))?;
        let (start, end) = if let Some(ts) = item.get("timestamp") {
            let pair = ts.as_array().filter(|a| a.len() == 2).ok_or_else(|| {
                at(
                    &format!("{path}.timestamp"),
                    "must be [start, end] in seconds",
                )
            })?;
            let start = time(&pair[0], &format!("{path}.timestamp[0]"))?.ok_or_else(|| {
                at(
                    &format!("{path}.timestamp[0]"),
                    "the start must not be null",
                )
            })?;
            (start, time(&pair[1], &format!("{path}.timestamp[1]"))?)
        } else {
            let start = item
                .get("start")
                .ok_or_else(|| at(&format!("{path}.start"), "missing"))?;
            let start = time(start, &format!("{path}.start"))?
                .ok_or_else(|| at(&format!("{path}.start"), "must not be null"))?;
            let end = match (item.get("end"), item.get("duration")) {
                (Some(end), _) => time(end, &format!("{path}.end"))?,
                (None, Some(d)) => time(d, &format!("{path}.duration"))?.map(|d| start + d),
                (None, None) => None,
            };
            (start, end)
        };
        if let Some(end) = end
            && end < start
        {
            return Err(at(
                &path,
                format!("ends ({end} ms) before it starts ({start} ms)"),
            ));
        }
        timed.push((start, end, text.to_owned()));
    }
    // Where no end is given, a cue lasts until the next starts (or as long as
    // its words take to say, for the last one).
    let mut cues = Vec::with_capacity(timed.len());
    for i in 0..timed.len() {
        let (start, end, ref text) = timed[i];
        let spoken = start + MS_PER_WORD * text.split_whitespace().count().max(1) as u64;
        let end = end.unwrap_or_else(|| timed.get(i + 1).map_or(spoken, |next| next.0.max(start)));
        cues.push(RawCue {
            start_ms: start,
            end_ms: end,
            segments: text.lines().map(Segment::line).collect(),
        });
    }
    Ok(RawTranscript { language, cues })
}

/// Seconds as a number or numeric string, or a clock time string; `null` is `None`.
fn time(v: &Value, path: &str) -> Result<Option<u64>, IngestError> {
    match v {
        Value::Null => Ok(None),
        Value::Number(n) => n
            .as_f64()
            .and_then(seconds_ms)
            .map(Some)
            .ok_or_else(|| at(path, format!("{n} is not a time in seconds"))),
        Value::String(s) => s
            .trim()
            .parse::<f64>()
            .ok()
            .and_then(seconds_ms)
            .or_else(|| clock_ms(s.trim()))
            .map(Some)
            .ok_or_else(|| at(path, format!("{s:?} is not a time (seconds or hh:mm:ss)"))),
        _ => Err(at(path, "must be a number of seconds or a time string")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(t: &RawTranscript) -> Vec<(u64, u64)> {
        t.cues.iter().map(|c| (c.start_ms, c.end_ms)).collect()
    }

    #[test]
    fn reads_every_supported_shape() {
        let chunks = parse(r#"{"chunks":[{"timestamp":[0.0,2.5],"text":" Hello"},{"timestamp":[2.5,null],"text":" there friend"}]}"#).unwrap();
        assert_eq!(spans(&chunks), vec![(0, 2500), (2500, 3300)]);
        let api =
            parse(r#"[{"text":"a b","start":1.5,"duration":2},{"text":"c","start":"4"}]"#).unwrap();
        assert_eq!(spans(&api), vec![(1500, 3500), (4000, 4400)]);
        let clocks =
            parse(r#"[{"text":"a","start":"00:00:05"},{"text":"b","start":"00:01:00"}]"#).unwrap();
        assert_eq!(spans(&clocks), vec![(5000, 60000), (60000, 60400)]);
        let whisper =
            parse(r#"{"language":"fr","segments":[{"start":0,"end":1,"text":"Bonjour"}]}"#)
                .unwrap();
        assert_eq!(
            (whisper.language.as_deref(), spans(&whisper)),
            (Some("fr"), vec![(0, 1000)])
        );
    }

    #[test]
    fn errors_name_the_path() {
        let cases = [
            (
                r#"{"chunks":[{"timestamp":[1,2]}]}"#,
                "json at chunks[0].text: missing or not a string",
            ),
            (
                r#"{"chunks":[{"timestamp":[3,2],"text":"x"}]}"#,
                "json at chunks[0]: ends (2000 ms) before it starts (3000 ms)",
            ),
            (
                r#"[{"text":"x","start":-4}]"#,
                "json at [0].start: -4 is not a time in seconds",
            ),
            (
                r#"[{"text":"x","start":"soon"}]"#,
                "json at [0].start: \"soon\" is not a time (seconds or hh:mm:ss)",
            ),
            (
                r#"{"words":[]}"#,
                "json at $: expected {\"chunks\": [...]}, {\"segments\": [...]} or an array of {\"text\", \"start\", …}",
            ),
        ];
        for (input, message) in cases {
            assert_eq!(parse(input).unwrap_err().to_string(), message);
        }
        assert!(
            parse("{\"chunks\": [")
                .unwrap_err()
                .to_string()
                .starts_with("json line 1: not valid JSON")
        );
    }
}
