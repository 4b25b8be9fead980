//! What a job is made from.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::artifact::ArtifactKey;
use crate::course::Difficulty;
use crate::ids::validated_string;
use crate::stage::Stage;
use crate::validation::{ValidationError, ensure};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Source {
    Youtube {
        video_id: YoutubeId,
    },
    Playlist {
        video_ids: Vec<YoutubeId>,
    },
    Transcript {
        upload_key: ArtifactKey,
        format: TranscriptFormat,
    },
    Audio {
        upload_key: ArtifactKey,
    },
    Document {
        upload_key: ArtifactKey,
        format: DocumentFormat,
    },
    Topic {
        topic: String,
        #[serde(default = "default_course_type")]
        course_type: String,
        #[serde(default)]
        difficulty: Difficulty,
    },
}

fn default_course_type() -> String {
    "general".to_owned()
}

/// The stages an LLM writes for a topic-only course: with no material,
/// nothing else can plan it or write it.
pub const TOPIC_STAGES: [Stage; 3] = [Stage::Outline, Stage::Lessons, Stage::Assessment];

/// The most videos one playlist job takes.
pub const MAX_PLAYLIST_VIDEOS: usize = 200;
/// The longest topic accepted, in characters.
pub const MAX_TOPIC_CHARS: usize = 500;

impl Source {
    /// The uploaded file the source reads, if it reads one.
    pub fn upload_key(&self) -> Option<&ArtifactKey> {
        match self {
            Source::Transcript { upload_key, .. }
            | Source::Audio { upload_key }
            | Source::Document { upload_key, .. } => Some(upload_key),
            Source::Youtube { .. } | Source::Playlist { .. } | Source::Topic { .. } => None,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Source::Youtube { .. } => "youtube",
            Source::Playlist { .. } => "playlist",
            Source::Transcript { .. } => "transcript",
            Source::Audio { .. } => "audio",
            Source::Document { .. } => "document",
            Source::Topic { .. } => "topic",
        }
    }

    pub fn validate(&self) -> Result<(), ValidationError> {
        match self {
            Source::Playlist { video_ids } => {
                ensure(!video_ids.is_empty(), "video_ids", || {
                    "must not be empty".into()
                })?;
                ensure(video_ids.len() <= MAX_PLAYLIST_VIDEOS, "video_ids", || {
                    format!("at most {MAX_PLAYLIST_VIDEOS} videos")
                })
            }
            Source::Topic {
                topic, course_type, ..
            } => {
                ensure(!topic.trim().is_empty(), "topic", || {
                    "must not be empty".into()
                })?;
                ensure(topic.chars().count() <= MAX_TOPIC_CHARS, "topic", || {
                    format!("at most {MAX_TOPIC_CHARS} characters")
                })?;
                ensure(!course_type.trim().is_empty(), "course_type", || {
                    "must not be empty".into()
                })
            }
            Source::Youtube { .. }
            | Source::Transcript { .. }
            | Source::Audio { .. }
            | Source::Document { .. } => Ok(()),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TranscriptFormat {
    Vtt,
    Srt,
    Json,
    Txt,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DocumentFormat {
    Docx,
    Md,
    Txt,
}

validated_string!(
    /// An 11-character YouTube video id. Parsing also accepts the usual URL
    /// forms (`watch?v=`, `youtu.be/`, `/embed/`, `/shorts/`, `/live/`) and
    /// keeps the id.
    YoutubeId,
    ValidationError,
    YoutubeId::normalise
);

impl YoutubeId {
    pub fn watch_url(&self) -> String {
        format!("https://www.youtube.com/watch?v={}", self.0)
    }

    fn normalise(s: String) -> Result<String, ValidationError> {
        let trimmed = s.trim();
        let candidate = if Self::is_id(trimmed) {
            Some(trimmed)
        } else {
            Self::from_url(trimmed)
        };
        match candidate {
            Some(id) if Self::is_id(id) => Ok(id.to_owned()),
            _ => Err(ValidationError::new(
                "video_id",
                format!(
                    "{s:?} is neither an 11-character YouTube video id nor a YouTube video URL"
                ),
            )),
        }
    }

    fn is_id(s: &str) -> bool {
        s.len() == 11
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    }

    /// Finds the id in a YouTube URL without a URL parser: the only parts
    /// that matter are the `v` query parameter and a few path shapes.
    fn from_url(url: &str) -> Option<&str> {
        let rest = url
            .trim()
            .trim_start_matches("https://")
            .trim_start_matches("http://");
        let (host, path) = rest.split_once('/')?;
        let host = host.trim_start_matches("www.").trim_start_matches("m.");
        let (path, query) = path.split_once('?').unwrap_or((path, ""));
        let query = query.split('#').next().unwrap_or("");
        match host {
            "youtu.be" => Some(path.split('/').next()?),
            "youtube.com" | "music.youtube.com" | "youtube-nocookie.com" => {
                let mut parts = path.split('/');
                match parts.next()? {
                    "watch" => query.split('&').find_map(|kv| kv.strip_prefix("v=")),
                    "embed" | "shorts" | "live" | "v" => parts.next(),
                    _ => None,
                }
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn youtube_ids_from_ids_and_urls() {
        for input in [
            "henIVlCPVIY",
            "https://www.youtube.com/watch?v=henIVlCPVIY",
            "https://youtube.com/watch?feature=share&v=henIVlCPVIY&t=42",
            "youtu.be/henIVlCPVIY",
            "https://youtu.be/henIVlCPVIY?t=10",
            "https://www.youtube.com/embed/henIVlCPVIY",
            "https://m.youtube.com/shorts/henIVlCPVIY",
            "https://www.youtube.com/live/henIVlCPVIY?si=x",
        ] {
            assert_eq!(
                input.parse::<YoutubeId>().map(|i| i.0),
                Ok("henIVlCPVIY".into()),
                "{input}"
            );
        }
        for bad in [
            "",
            "short",
            "henIVlCPVIY!",
            "https://vimeo.com/watch?v=henIVlCPVIY",
            "https://www.youtube.com/watch?v=tooshort",
            "https://www.youtube.com/playlist?list=PL123",
        ] {
            assert!(bad.parse::<YoutubeId>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn sources_use_a_kind_tag() {
        let s: Source =
            serde_json::from_str(r#"{"kind":"youtube","video_id":"henIVlCPVIY"}"#).unwrap();
        assert_eq!(s.kind(), "youtube");
        let t: Source =
            serde_json::from_str(r#"{"kind":"topic","topic":"Rust ownership"}"#).unwrap();
        assert!(t.validate().is_ok());
        let bad: Source = serde_json::from_str(r#"{"kind":"topic","topic":"  "}"#).unwrap();
        assert_eq!(bad.validate().unwrap_err().field, "topic");
        assert!(
            serde_json::from_str::<Source>(
                r#"{"kind":"transcript","upload_key":"../x","format":"vtt"}"#
            )
            .is_err()
        );
    }
}
