//! What yt-dlp says of a video (`yt-dlp -J`), the part we read, and which
//! of its caption tracks a course is made from.

use std::collections::BTreeMap;

use coursegen_core::material::primary_language;
use serde::Deserialize;

/// A video's description as yt-dlp prints it (its "info dict").
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Info {
    pub id: String,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub channel: Option<String>,
    #[serde(default)]
    pub uploader: Option<String>,
    /// Seconds.
    #[serde(default)]
    pub duration: Option<f64>,
    #[serde(default)]
    pub webpage_url: Option<String>,
    /// The language the video is in, when the site says.
    #[serde(default)]
    pub language: Option<String>,
    #[serde(default)]
    pub chapters: Option<Vec<Chapter>>,
    /// Captions uploaded by the video's owner, by language.
    #[serde(default)]
    pub subtitles: Option<BTreeMap<String, Vec<Track>>>,
    /// The site's automatic captions: the original ("en-orig", or the
    /// language alone) and machine translations into many others.
    #[serde(default)]
    pub automatic_captions: Option<BTreeMap<String, Vec<Track>>>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Chapter {
    pub start_time: f64,
    #[serde(default)]
    pub end_time: Option<f64>,
    #[serde(default)]
    pub title: Option<String>,
}

/// One file of a caption track.
#[derive(Debug, Clone, Deserialize)]
pub struct Track {
    pub ext: String,
}

/// The caption track chosen: yt-dlp's key for it (`--sub-langs`), whether
/// it is automatic, and the file format to ask for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pick {
    pub key: String,
    pub automatic: bool,
    pub ext: &'static str,
}

impl Pick {
    /// The language of the track ("en-orig", "en-GB" → "en").
    pub fn language(&self) -> String {
        primary_language(&self.key)
    }
}

/// Caption formats the ingest parses, best first (YouTube's WebVTT carries
/// word timings).
const FORMATS: [&str; 2] = ["vtt", "srt"];

fn format(tracks: &[Track]) -> Option<&'static str> {
    FORMATS
        .into_iter()
        .find(|f| tracks.iter().any(|t| t.ext == *f))
}

impl Info {
    /// Who published it: the channel, else the uploader.
    pub fn channel(&self) -> Option<&str> {
        self.channel.as_deref().or(self.uploader.as_deref())
    }

    /// The language spoken: `wanted` (the job's source language) when
    /// given, else the site's, else the one its automatic captions were
    /// made in (the "-orig" track).
    pub fn spoken_language(&self, wanted: Option<&str>) -> Option<String> {
        wanted
            .map(primary_language)
            .or_else(|| self.language.as_deref().map(primary_language))
            .or_else(|| {
                self.automatic_captions
                    .iter()
                    .flatten()
                    .find_map(|(key, _)| key.strip_suffix("-orig").map(primary_language))
            })
    }

    /// The captions to make the course from, or `None` when the audio must
    /// be transcribed: uploaded captions in the spoken language first,
    /// then the automatic ones in it (never a machine translation of them
    /// into another language); with the language unknown, the only
    /// uploaded track there is.
    pub fn captions(&self, wanted: Option<&str>) -> Option<Pick> {
        let uploaded = self.subtitles.clone().unwrap_or_default();
        let automatic = self.automatic_captions.clone().unwrap_or_default();
        let pick = |key: &str, tracks: &[Track], automatic: bool| {
            format(tracks).map(|ext| Pick {
                key: key.to_owned(),
                automatic,
                ext,
            })
        };
        let Some(lang) = self.spoken_language(wanted) else {
            return match uploaded.len() {
                1 => uploaded.iter().find_map(|(k, t)| pick(k, t, false)),
                _ => None,
            };
        };
        // Exact language first ("en"), then its regional tracks ("en-GB").
        let exact = uploaded.get(&lang).and_then(|t| pick(&lang, t, false));
        let regional = || {
            uploaded
                .iter()
                .filter(|(k, _)| primary_language(k) == lang && !k.ends_with("-orig"))
                .find_map(|(k, t)| pick(k, t, false))
        };
        let original = || {
            let key = format!("{lang}-orig");
            automatic.get(&key).and_then(|t| pick(&key, t, true))
        };
        // Without an "-orig" track, the language's own key is the original
        // only when no track is marked as one (no translations listed).
        let unmarked = || {
            let marked = automatic.keys().any(|k| k.ends_with("-orig"));
            (!marked)
                .then(|| automatic.get(&lang).and_then(|t| pick(&lang, t, true)))
                .flatten()
        };
        exact.or_else(regional).or_else(original).or_else(unmarked)
    }

    /// Where its chapters end, in ms, but the last: boundaries the
    /// segmentation is to keep.
    pub fn chapter_ends_ms(&self) -> Option<Vec<u64>> {
        let chapters = self.chapters.as_ref()?;
        let mut starts: Vec<u64> = chapters
            .iter()
            .map(|c| (c.start_time.max(0.0) * 1000.0).round() as u64)
            .filter(|ms| *ms > 0)
            .collect();
        starts.sort_unstable();
        starts.dedup();
        (!starts.is_empty()).then_some(starts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Trimmed from what yt-dlp prints for a YouTube lecture: uploaded
    /// English (US) and German captions, automatic English with its
    /// translations, three chapters.
    const LECTURE: &str = r#"{
      "id": "henIVlCPVIY", "title": "How the heart works", "channel": "Open Biology",
      "uploader": "openbio", "duration": 1442.0, "language": "en",
      "webpage_url": "https://www.youtube.com/watch?v=henIVlCPVIY",
      "chapters": [{"start_time": 0.0, "end_time": 300.5, "title": "Intro"},
                   {"start_time": 300.5, "end_time": 900.0, "title": "Chambers"},
                   {"start_time": 900.0, "end_time": 1442.0, "title": "Circulation"}],
      "subtitles": {"en-US": [{"ext": "json3", "url": "u"}, {"ext": "vtt", "url": "u"}],
                    "de": [{"ext": "vtt", "url": "u"}],
                    "live_chat": [{"ext": "json", "url": "u"}]},
      "automatic_captions": {"en-orig": [{"ext": "json3", "url": "u"}, {"ext": "vtt", "url": "u"}],
                             "en": [{"ext": "vtt", "url": "u"}],
                             "fr": [{"ext": "vtt", "url": "u"}]}
    }"#;

    fn info(json: &str) -> Info {
        serde_json::from_str(json).unwrap()
    }

    fn pick(key: &str, automatic: bool) -> Option<Pick> {
        Some(Pick {
            key: key.into(),
            automatic,
            ext: "vtt",
        })
    }

    #[test]
    fn uploaded_captions_in_the_spoken_language_come_first() {
        let lecture = info(LECTURE);
        assert_eq!(lecture.captions(None), pick("en-US", false));
        assert_eq!(lecture.captions(Some("en-GB")), pick("en-US", false));
        assert_eq!(lecture.captions(Some("de")), pick("de", false));
        assert_eq!(lecture.captions(None).unwrap().language(), "en");
        assert_eq!(lecture.channel(), Some("Open Biology"));
        assert_eq!(lecture.chapter_ends_ms(), Some(vec![300_500, 900_000]));
    }

    #[test]
    fn automatic_captions_in_the_language_but_never_a_translation() {
        let auto_only = info(
            r#"{"id": "a", "automatic_captions": {"en-orig": [{"ext": "vtt"}], "en": [{"ext": "vtt"}],
                "fr": [{"ext": "vtt"}]}, "subtitles": {}}"#,
        );
        // The language comes from the "-orig" track.
        assert_eq!(auto_only.spoken_language(None).as_deref(), Some("en"));
        assert_eq!(auto_only.captions(None), pick("en-orig", true));
        // French captions here are a translation of the English: the
        // French speech must be transcribed instead.
        assert_eq!(auto_only.captions(Some("fr")), None);
        // Without translations marked, the language's own track is the original.
        let plain = info(r#"{"id": "b", "automatic_captions": {"es": [{"ext": "srt"}]}}"#);
        assert_eq!(
            plain.captions(Some("es")),
            Some(Pick {
                key: "es".into(),
                automatic: true,
                ext: "srt"
            })
        );
    }

    #[test]
    fn no_usable_captions_means_speech_to_text() {
        // A plain media file (yt-dlp's generic extractor): nothing at all.
        let file = info(
            r#"{"id": "talk", "title": "talk", "ext": "mp4", "url": "http://127.0.0.1/talk.mp4"}"#,
        );
        assert_eq!(file.captions(None), None);
        assert_eq!(file.chapter_ends_ms(), None);
        // Only formats the ingest cannot read.
        let json3 = info(
            r#"{"id": "c", "language": "en", "subtitles": {"en": [{"ext": "json3"}, {"ext": "srv3"}]}}"#,
        );
        assert_eq!(json3.captions(None), None);
        // Two uploaded languages and no way to tell which is spoken.
        let two =
            info(r#"{"id": "d", "subtitles": {"en": [{"ext": "vtt"}], "de": [{"ext": "vtt"}]}}"#);
        assert_eq!(two.captions(None), None);
        let one = info(r#"{"id": "e", "subtitles": {"pt-BR": [{"ext": "vtt"}]}}"#);
        assert_eq!(one.captions(None), pick("pt-BR", false));
    }
}
