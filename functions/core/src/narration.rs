//! What a lesson's video says and shows: a title slide, then beats — each
//! a slide and the whole sentences spoken over it — then a closing summary.
//! Engines write it from the lesson (objectives, content, key concepts); a
//! reviewer may edit it before it is rendered; the renderer speaks each
//! sentence as one subtitle cue and shows each beat's slide while its
//! sentences are spoken.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::validation::{ValidationError, ensure};

/// The narration of one lesson.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Narration {
    /// The lesson's title, shown on the title slide.
    pub title: String,
    /// BCP 47 tag of the language spoken and shown ("en", "ar").
    pub language: String,
    /// In order; the first is the title beat, the last the summary.
    pub beats: Vec<Beat>,
}

/// One slide and what is said while it shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Beat {
    pub slide: Slide,
    /// Whole spoken sentences, each one subtitle cue.
    pub sentences: Vec<String>,
}

/// What a slide shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Slide {
    /// The lesson's opening: its title and what it is part of.
    Title {
        title: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        subtitle: Option<String>,
    },
    /// A point of the lesson: a heading, its bullet points and key terms.
    Points {
        heading: String,
        #[serde(default)]
        bullets: Vec<String>,
        #[serde(default)]
        terms: Vec<String>,
    },
    /// The closing: what to remember.
    Summary {
        heading: String,
        #[serde(default)]
        points: Vec<String>,
    },
}

/// Every lesson's narration: the videos stage's output, which a reviewer
/// approves or edits before the videos are rendered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct NarrationSet {
    pub lessons: Vec<LessonNarration>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LessonNarration {
    /// 0-based place of the lesson in the outline.
    pub module: usize,
    pub lesson: usize,
    pub narration: Narration,
}

impl NarrationSet {
    /// Lesson (`module`, `lesson`)'s narration, if the set has it.
    pub fn of(&self, module: usize, lesson: usize) -> Option<&Narration> {
        self.lessons
            .iter()
            .find(|l| (l.module, l.lesson) == (module, lesson))
            .map(|l| &l.narration)
    }
}

/// The title slide's subtitle: the lesson's module, unless it says
/// nothing more than the lesson's own title.
pub fn subtitle(module_title: &str, lesson_title: &str) -> Option<String> {
    let module = module_title.trim();
    (!module.is_empty() && !module.eq_ignore_ascii_case(lesson_title.trim()))
        .then(|| module.to_owned())
}

/// Which way a language's text runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    LeftToRight,
    RightToLeft,
}

impl Direction {
    /// The direction of a BCP 47 language tag's script.
    pub fn of(language: &str) -> Direction {
        let primary = crate::material::primary_language(language);
        match primary.as_str() {
            "ar" | "fa" | "he" | "iw" | "ur" | "ps" | "sd" | "ug" | "yi" | "dv" | "ckb" => {
                Direction::RightToLeft
            }
            _ => Direction::LeftToRight,
        }
    }
}

/// Spoken sentences at most per narration, and characters per sentence: a
/// lesson's video is minutes long, and a provider's request is bounded.
pub const MAX_SENTENCES: usize = 400;
pub const MAX_SENTENCE_CHARS: usize = 1_000;

impl Narration {
    /// The narration of a lesson with nothing to say: no beats.
    pub fn unsaid(title: &str, language: &str) -> Narration {
        Narration {
            title: title.to_owned(),
            language: language.to_owned(),
            beats: Vec::new(),
        }
    }

    /// Whether it says nothing at all.
    pub fn is_unsaid(&self) -> bool {
        self.sentences().all(|s| s.trim().is_empty())
    }

    /// Every spoken sentence, in order.
    pub fn sentences(&self) -> impl Iterator<Item = &str> {
        self.beats
            .iter()
            .flat_map(|b| b.sentences.iter().map(String::as_str))
    }

    pub fn direction(&self) -> Direction {
        Direction::of(&self.language)
    }

    /// What the renderer needs: something to say on every beat, within
    /// the bounds; the error names the field.
    pub fn validate(&self) -> Result<(), ValidationError> {
        ensure(!self.title.trim().is_empty(), "title", || {
            "must not be empty".into()
        })?;
        ensure(!self.beats.is_empty(), "beats", || {
            "a narration has at least one beat".into()
        })?;
        let total = self.sentences().count();
        ensure(total <= MAX_SENTENCES, "beats", || {
            format!("{total} sentences is more than {MAX_SENTENCES}")
        })?;
        for (b, beat) in self.beats.iter().enumerate() {
            ensure(
                !beat.sentences.is_empty(),
                &format!("beats[{b}].sentences"),
                || "every beat says something".into(),
            )?;
            for (s, sentence) in beat.sentences.iter().enumerate() {
                let field = format!("beats[{b}].sentences[{s}]");
                ensure(!sentence.trim().is_empty(), &field, || {
                    "must not be empty".into()
                })?;
                ensure(
                    sentence.chars().count() <= MAX_SENTENCE_CHARS,
                    &field,
                    || format!("is longer than {MAX_SENTENCE_CHARS} characters"),
                )?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directions_follow_the_script_of_the_language() {
        assert_eq!(Direction::of("ar"), Direction::RightToLeft);
        assert_eq!(Direction::of("ar-EG"), Direction::RightToLeft);
        assert_eq!(Direction::of("HE"), Direction::RightToLeft);
        assert_eq!(Direction::of("en-US"), Direction::LeftToRight);
        assert_eq!(Direction::of(""), Direction::LeftToRight);
    }

    #[test]
    fn a_narration_says_something_on_every_beat() {
        let beat = |sentences: Vec<&str>| Beat {
            slide: Slide::Title {
                title: "T".into(),
                subtitle: None,
            },
            sentences: sentences.into_iter().map(String::from).collect(),
        };
        let mut n = Narration {
            title: "Vaccines".into(),
            language: "en".into(),
            beats: vec![beat(vec!["Welcome."]), beat(vec!["One.", "Two."])],
        };
        assert!(n.validate().is_ok());
        assert_eq!(
            n.sentences().collect::<Vec<_>>(),
            ["Welcome.", "One.", "Two."]
        );
        n.beats[1].sentences.clear();
        assert_eq!(n.validate().unwrap_err().field, "beats[1].sentences");
        n.beats[1].sentences = vec![" ".into()];
        assert_eq!(n.validate().unwrap_err().field, "beats[1].sentences[0]");
    }
}
