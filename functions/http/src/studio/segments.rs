//! The segments gate's editor: the material's timeline with a boundary
//! between each two segments. Without scripts it is a list of end times to
//! type; `timeline.js` draws it as a bar whose boundaries drag, split and
//! merge (mouse or keyboard) and keeps that list in step. Saving asks the
//! stage for segments with exactly those ends (`segment_ends_ms`), so
//! each new segment gets its own title and summary from the engine.

use coursegen_core::job::Job;
use coursegen_core::outputs::Segment;
use coursegen_core::source::Source;

use super::page::Fields;
use crate::error::ApiError;

pub(super) struct SegmentRow {
    pub start_ms: u64,
    pub end_ms: u64,
    pub title: String,
    pub summary: String,
}

pub(super) struct SegmentsEditor {
    pub segments: Vec<SegmentRow>,
    pub total_ms: u64,
    /// Where the material can be played from a time, if it can.
    pub media: Option<Media>,
}

/// Where a job's material plays from a time.
pub(super) enum Media {
    /// A YouTube video, opened at the time in another tab.
    Youtube(String),
    /// The recording the job was made from, played on the page.
    Recording(String),
}

impl Media {
    /// The link that plays from `ms`.
    pub fn at(&self, ms: &u64) -> String {
        match self {
            Media::Youtube(url) => format!("{url}&t={}s", ms / 1000),
            Media::Recording(url) => format!("{url}#t={:.1}", *ms as f64 / 1000.0),
        }
    }

    /// The recording's own URL, for the page's player.
    pub fn recording(&self) -> Option<&str> {
        match self {
            Media::Recording(url) => Some(url),
            Media::Youtube(_) => None,
        }
    }
}

impl SegmentsEditor {
    pub fn of(segments: &[Segment], job: &Job) -> Self {
        SegmentsEditor {
            segments: segments
                .iter()
                .map(|s| SegmentRow {
                    start_ms: s.start_ms,
                    end_ms: s.end_ms,
                    title: s.title.clone(),
                    summary: s.summary.clone(),
                })
                .collect(),
            total_ms: segments.last().map_or(0, |s| s.end_ms),
            media: match &job.source {
                Source::Youtube { video_id } => Some(Media::Youtube(video_id.watch_url())),
                Source::Audio { .. } => Some(Media::Recording(format!(
                    "/studio/jobs/{}/recording",
                    job.id
                ))),
                _ => None,
            },
        }
    }

    pub fn clock(&self, ms: &u64) -> String {
        clock(ms)
    }

    pub fn seconds(&self, ms: &u64) -> String {
        format!("{:.1}", *ms as f64 / 1000.0)
    }
}

/// `1234567` ms as `20:34.6`.
fn clock(ms: &u64) -> String {
    let tenths = ms / 100;
    format!("{}:{:02}.{}", tenths / 600, (tenths / 10) % 60, tenths % 10)
}

/// The ends the form gives: each `end` field (seconds, or m:ss), in
/// increasing order, then the material's own end.
pub(super) fn ends_of(fields: &Fields, total_ms: u64) -> Result<Vec<u64>, ApiError> {
    let mut ends = Vec::new();
    for (name, value) in fields {
        if name != "end" || value.trim().is_empty() {
            continue;
        }
        let ms = parse_time(value.trim()).ok_or_else(|| {
            ApiError::invalid("end", format!("{value:?} is not a time (seconds, or m:ss)"))
        })?;
        if ms == 0 || ms >= total_ms {
            return Err(ApiError::invalid(
                "end",
                format!(
                    "{value} is outside the material (0 to {})",
                    clock(&total_ms)
                ),
            ));
        }
        ends.push(ms);
    }
    ends.sort_unstable();
    ends.dedup();
    ends.push(total_ms);
    Ok(ends)
}

/// `75.5`, `1:15.5` or `0:01:15.5` as milliseconds.
fn parse_time(text: &str) -> Option<u64> {
    let mut total = 0.0;
    for part in text.split(':') {
        let n: f64 = part.parse().ok()?;
        if !n.is_finite() || n < 0.0 {
            return None;
        }
        total = total * 60.0 + n;
    }
    Some((total * 1000.0).round() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(ends: &[&str]) -> Fields {
        ends.iter()
            .map(|e| ("end".to_owned(), (*e).to_owned()))
            .collect()
    }

    #[test]
    fn times_are_read_in_seconds_or_minutes() {
        assert_eq!(parse_time("75.5"), Some(75_500));
        assert_eq!(parse_time("1:15.5"), Some(75_500));
        assert_eq!(parse_time("0:01:15"), Some(75_000));
        assert_eq!(parse_time("soon"), None);
        assert_eq!(parse_time("-3"), None);
        assert_eq!(clock(&75_500), "1:15.5");
    }

    #[test]
    fn ends_are_sorted_and_close_with_the_material() {
        let ends = ends_of(&fields(&["120", "60", "", "60"]), 300_000).unwrap();
        assert_eq!(ends, vec![60_000, 120_000, 300_000]);
        assert!(ends_of(&fields(&["400"]), 300_000).is_err());
        assert!(ends_of(&fields(&["0"]), 300_000).is_err());
    }
}
