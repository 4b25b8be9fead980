//! A course in every format it leaves coursegen in (DESIGN.md §1,
//! `functions/exports`): Markdown and HTML to read, the AI server's
//! questions format, and question banks for Moodle and anything else that
//! reads GIFT or Moodle XML. Each writer walks the same bank
//! ([`bank::Bank`]) and says in a [`bank::Report`] what its format could
//! not carry, so nothing is dropped without a word.

pub mod ai_questions;
pub mod bank;
pub mod document;
pub mod fractions;
pub mod gift;
pub mod moodle;

pub use bank::{Bank, Note, Report};

/// The formats a course is exported in for a learning system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// GIFT question bank.
    Gift,
    /// Moodle XML question bank.
    Moodle,
}

impl Format {
    pub const ALL: [Format; 2] = [Format::Gift, Format::Moodle];

    pub fn name(self) -> &'static str {
        match self {
            Format::Gift => "gift",
            Format::Moodle => "moodle",
        }
    }

    /// What the export is called as a file.
    pub fn file_name(self) -> &'static str {
        match self {
            Format::Gift => "course.gift.txt",
            Format::Moodle => "course.moodle.xml",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Gift => "text/plain; charset=utf-8",
            Format::Moodle => "application/xml; charset=utf-8",
        }
    }

    /// `course` in this format, and what the format could not carry.
    pub fn write(self, course: &coursegen_core::course::Course) -> (String, Report) {
        match self {
            Format::Gift => gift::write(course),
            Format::Moodle => moodle::write(course),
        }
    }
}

impl std::str::FromStr for Format {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, String> {
        Format::ALL
            .into_iter()
            .find(|f| f.name() == name)
            .ok_or_else(|| {
                let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
                format!("no export format {name:?}: one of {}", names.join(", "))
            })
    }
}
