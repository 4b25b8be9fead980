//! Material after ingestion: a timed transcript (from captions, a
//! transcription or narrated text) or a structured document (from a course
//! script). Everything later in the pipeline reads these, whatever the source.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A normalised transcript: clean, de-duplicated cues in time order.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub struct Transcript {
    /// BCP 47 tag, when the source says or it was detected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    pub cues: Vec<Cue>,
}

/// A stretch of speech with its timing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Cue {
    pub start_ms: u64,
    pub end_ms: u64,
    pub text: String,
    /// Who speaks, when the captions say (`>> ANNA:`, `<v Anna>`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speaker: Option<String>,
}

impl Transcript {
    /// Milliseconds from the start to the end of the last cue.
    pub fn duration_ms(&self) -> u64 {
        self.cues.iter().map(|c| c.end_ms).max().unwrap_or(0)
    }

    pub fn word_count(&self) -> usize {
        self.cues
            .iter()
            .map(|c| c.text.split_whitespace().count())
            .sum()
    }
}

/// A sentence rebuilt from cues, with the time it is spoken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Sentence {
    pub start_ms: u64,
    pub end_ms: u64,
    pub text: String,
    /// How far to trust where it ends: captions without punctuation have
    /// their sentences restored by a model that can be wrong. Summaries
    /// and key points prefer sentences that end where the speaker's did.
    #[serde(default, skip_serializing_if = "EndTrust::is_sure")]
    pub end_trust: EndTrust,
}

/// How far to trust where a sentence ends; the order is from most trusted.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum EndTrust {
    /// Punctuated in the source, or restored with a margin the model
    /// seldom has where no sentence ends.
    #[default]
    Sure,
    /// Restored with a fair margin: most such ends are real.
    Likely,
    /// A guess: the model was unsure, or the sentence ran long.
    Guess,
}

impl EndTrust {
    pub fn is_sure(&self) -> bool {
        *self == EndTrust::Sure
    }
}

/// A code listing shown at a point in the material.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CodeSample {
    pub start_ms: u64,
    pub end_ms: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    pub code: String,
}

/// What the content engines read: the material's sentences, and any code it
/// shows (code is kept verbatim, outside the sentences); or, for a
/// topic-only course, no sentences and the topic it is to teach.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub struct Material {
    pub sentences: Vec<Sentence>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub code: Vec<CodeSample>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<TopicBrief>,
    /// The language spoken, when transcription detected it (BCP 47).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

/// What a topic-only course is asked to teach (seed 004).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TopicBrief {
    pub topic: String,
    /// The kind of course: programming, language, exam-prep, general, …
    pub course_type: String,
    pub difficulty: crate::course::Difficulty,
}

impl From<Vec<Sentence>> for Material {
    fn from(sentences: Vec<Sentence>) -> Self {
        Material {
            sentences,
            ..Material::default()
        }
    }
}

/// The primary language subtag of a BCP 47 tag, lower-cased ("en-GB",
/// "pt_BR", "en-orig" → "en", "pt", "en").
pub fn primary_language(tag: &str) -> String {
    tag.split(['-', '_'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase()
}

/// The language a text's letters show where the script alone tells it:
/// Arabic or Hebrew when most of them are written in that script. `None`
/// for anything else (a Latin-script text could be one of many languages).
/// At most the first 20,000 letters are looked at.
pub fn script_language(text: &str) -> Option<&'static str> {
    let (mut arabic, mut hebrew, mut letters) = (0usize, 0usize, 0usize);
    for c in text.chars().filter(|c| c.is_alphabetic()).take(20_000) {
        letters += 1;
        match c as u32 {
            0x0600..=0x06FF
            | 0x0750..=0x077F
            | 0x08A0..=0x08FF
            | 0xFB50..=0xFDFF
            | 0xFE70..=0xFEFF => arabic += 1,
            0x0590..=0x05FF | 0xFB1D..=0xFB4F => hebrew += 1,
            _ => {}
        }
    }
    if arabic * 2 > letters && letters > 0 {
        Some("ar")
    } else if hebrew * 2 > letters && letters > 0 {
        Some("he")
    } else {
        None
    }
}

impl Material {
    /// The language of its sentences, where their script tells it.
    pub fn script_language(&self) -> Option<&'static str> {
        let mut text = String::new();
        for sentence in &self.sentences {
            if text.len() > 80_000 {
                break;
            }
            text.push_str(&sentence.text);
            text.push(' ');
        }
        script_language(&text)
    }

    /// The language a course of this material is written in: the options'
    /// (target, else source), else the one transcription heard, else what
    /// its script shows, else English.
    pub fn course_language(&self, options: &crate::options::Options) -> String {
        options
            .course_language()
            .or(self.language.as_deref())
            .or_else(|| self.script_language())
            .unwrap_or("en")
            .to_owned()
    }

    /// The material of a topic-only course: the brief alone.
    pub fn topic(brief: TopicBrief) -> Self {
        Material {
            topic: Some(brief),
            ..Material::default()
        }
    }
}

/// A course script or other written material.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub struct Document {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Block {
    /// Level 1 is the top level.
    Heading {
        level: u8,
        text: String,
    },
    Paragraph {
        text: String,
    },
    /// Level 0 is the outermost list.
    ListItem {
        level: u8,
        ordered: bool,
        text: String,
    },
    /// Rows of cells, as text.
    Table {
        rows: Vec<Vec<String>>,
    },
    /// A code listing, verbatim.
    Code {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        language: Option<String>,
        text: String,
    },
}

impl Block {
    /// The block's text, with table cells joined by ` | ` and rows by newlines.
    pub fn text(&self) -> String {
        match self {
            Block::Heading { text, .. }
            | Block::Paragraph { text }
            | Block::ListItem { text, .. }
            | Block::Code { text, .. } => text.clone(),
            Block::Table { rows } => rows
                .iter()
                .map(|row| row.join(" | "))
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }
}

/// One video (or lesson) of a course script, as split by its headers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ScriptSection {
    /// The header as written ("الفيديو الأول: …", "Video 4: …").
    pub header: String,
    /// The position the header gives (1 for "Video 1" or "الفيديو الأول"),
    /// when it gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<u32>,
    /// The title after the ordinal, when there is one.
    pub title: String,
    pub blocks: Vec<Block>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_course_is_in_the_language_its_script_shows_unless_the_options_say() {
        let material = |text: &str| Material {
            sentences: vec![Sentence {
                start_ms: 0,
                end_ms: 1000,
                text: text.into(),
                end_trust: EndTrust::default(),
            }],
            ..Material::default()
        };
        let options = crate::options::Options::default();
        let arabic = material("تسقط أشعة الشمس على سطح البحار فتسخن المياه (H2O) بسرعة.");
        assert_eq!(arabic.course_language(&options), "ar");
        assert_eq!(
            material("שלום עולם, זה שיעור").course_language(&options),
            "he"
        );
        assert_eq!(
            material("The moon pulls on the oceans.").course_language(&options),
            "en"
        );
        let asked = crate::options::Options {
            target_language: Some("fr".into()),
            ..Default::default()
        };
        assert_eq!(arabic.course_language(&asked), "fr");
        // What transcription heard wins over the script, not over the options.
        let heard = Material {
            language: Some("de".into()),
            ..material("Die Sonne erwärmt das Meer.")
        };
        assert_eq!(heard.course_language(&options), "de");
        assert_eq!(heard.course_language(&asked), "fr");
        assert_eq!(script_language(""), None);
    }
}
