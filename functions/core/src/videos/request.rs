//! What a caller asks of a course's videos once the course is made: render
//! every lesson or the ones it lists, again or only those that failed, in
//! the options it names (the rest as before).

use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Aspect, Resolution, Subtitles, VideoOptions};
use crate::validation::ValidationError;

/// One render: a lesson and the attempt it renders (an item of the
/// workflow's Map).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct VideoItem {
    pub module: usize,
    pub lesson: usize,
    pub attempt: u32,
}

/// A lesson as clients name it: `m2/l3` (or `m2-l3` in a URL), 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LessonRef {
    /// 0-based.
    pub module: usize,
    pub lesson: usize,
}

impl FromStr for LessonRef {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("{s:?} is not a lesson path: write m<module>/l<lesson>, as in m1/l2");
        let (m, l) = s.trim().split_once(['/', '-']).ok_or_else(bad)?;
        let number = |part: &str, prefix: char| {
            part.strip_prefix(prefix)
                .or_else(|| part.strip_prefix(prefix.to_ascii_uppercase()))
                .and_then(|n| n.parse::<usize>().ok())
                .filter(|n| *n >= 1)
                .ok_or_else(bad)
        };
        Ok(LessonRef {
            module: number(m, 'm')? - 1,
            lesson: number(l, 'l')? - 1,
        })
    }
}

impl std::fmt::Display for LessonRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&super::lesson_path(self.module, self.lesson))
    }
}

/// `POST /v1/jobs/{id}/videos`: which lessons to render and how.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VideoRequest {
    /// Lesson paths (`m1/l2`); absent: every lesson of the course.
    #[serde(default)]
    pub lessons: Option<Vec<String>>,
    /// Only the lessons (of those asked for) whose last render failed.
    #[serde(default)]
    pub retry_failed: bool,
    /// The options that change; the rest stay as the lesson's last render
    /// (or the job) had them.
    #[serde(default)]
    pub voice: Option<String>,
    #[serde(default)]
    pub speed: Option<f32>,
    #[serde(default)]
    pub resolution: Option<Resolution>,
    #[serde(default)]
    pub aspect: Option<Aspect>,
    #[serde(default)]
    pub subtitles: Option<Subtitles>,
}

impl VideoRequest {
    /// The lessons it lists, parsed; `None` for every lesson.
    pub fn lesson_refs(&self) -> Result<Option<Vec<LessonRef>>, ValidationError> {
        let Some(paths) = &self.lessons else {
            return Ok(None);
        };
        if paths.is_empty() {
            return Err(ValidationError::new(
                "lessons",
                "must list at least one lesson (leave it out for every lesson)",
            ));
        }
        let mut refs = Vec::with_capacity(paths.len());
        for (i, path) in paths.iter().enumerate() {
            let at = format!("lessons[{i}]");
            let lesson: LessonRef = path.parse().map_err(|e| ValidationError::new(&at, e))?;
            if refs.contains(&lesson) {
                return Err(ValidationError::new(&at, "this lesson is listed twice"));
            }
            refs.push(lesson);
        }
        Ok(Some(refs))
    }

    /// Whether it changes any option.
    pub fn changes_options(&self) -> bool {
        self.voice.is_some()
            || self.speed.is_some()
            || self.resolution.is_some()
            || self.aspect.is_some()
            || self.subtitles.is_some()
    }

    /// `base` with the options this request names, checked.
    pub fn options(&self, base: &VideoOptions) -> Result<VideoOptions, ValidationError> {
        let mut options = base.clone();
        if let Some(voice) = &self.voice {
            options.voice = Some(voice.clone());
        }
        options.speed = self.speed.unwrap_or(options.speed);
        options.resolution = self.resolution.unwrap_or(options.resolution);
        options.aspect = self.aspect.unwrap_or(options.aspect);
        options.subtitles = self.subtitles.unwrap_or(options.subtitles);
        options.validate()?;
        Ok(options)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lessons_are_named_by_path() {
        let at = |s: &str| s.parse::<LessonRef>();
        assert_eq!(
            at("m2/l3"),
            Ok(LessonRef {
                module: 1,
                lesson: 2
            })
        );
        assert_eq!(at("M1-L1").unwrap().to_string(), "m1/l1");
        for bad in ["", "m0/l1", "m1", "1/2", "m1/x2", "m1/l-1"] {
            assert!(at(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_request_names_lessons_once_and_valid_options() {
        let request: VideoRequest =
            serde_json::from_str(r#"{"lessons": ["m1/l1", "m1-l1"]}"#).unwrap();
        assert_eq!(request.lesson_refs().unwrap_err().field, "lessons[1]");
        let empty = VideoRequest {
            lessons: Some(vec![]),
            ..VideoRequest::default()
        };
        assert!(empty.lesson_refs().is_err());
        let faster = VideoRequest {
            speed: Some(1.5),
            resolution: Some(Resolution::FullHd),
            ..VideoRequest::default()
        };
        let options = faster.options(&VideoOptions::default()).unwrap();
        assert_eq!(
            (options.speed, options.resolution),
            (1.5, Resolution::FullHd)
        );
        assert_eq!(options.aspect, Aspect::Landscape);
        let too_fast = VideoRequest {
            speed: Some(9.0),
            ..VideoRequest::default()
        };
        assert_eq!(
            too_fast
                .options(&VideoOptions::default())
                .unwrap_err()
                .field,
            "speed"
        );
        assert!(serde_json::from_str::<VideoRequest>(r#"{"colour": 1}"#).is_err());
    }
}
