//! A course in every format it leaves coursegen in (DESIGN.md §1,
//! `functions/exports`): Markdown and HTML to read, the AI server's
//! questions format, question banks for Moodle and anything else that
//! reads GIFT or Moodle XML, and SCORM packages that teach the course and
//! report learners' scores, and Common Cartridges. Each writer says in a [`bank::Report`] what
//! its format could not carry, so nothing is dropped without a word.

pub mod ai_questions;
pub mod bank;
pub mod cc;
pub mod document;
pub mod fractions;
pub mod gift;
pub mod moodle;
pub mod package;
pub mod scorm;

pub use bank::{Bank, Note, Report};
/// A lesson's finished video, as packages carry it.
pub use coursegen_core::videos::FinishedVideo as Video;

/// What a package is made from besides the course.
#[derive(Debug, Clone, Copy, Default)]
pub struct Extras<'a> {
    /// Names the package in the LMS (the job's id): the same identifier
    /// makes a re-export update the course there. Empty: one made from
    /// the course's title.
    pub identifier: &'a str,
    pub videos: &'a [Video],
    pub scorm: scorm::Options,
}

/// The formats a course is exported in for a learning system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// GIFT question bank.
    Gift,
    /// Moodle XML question bank.
    Moodle,
    /// SCORM 1.2 package.
    Scorm12,
    /// SCORM 2004 4th edition package.
    Scorm2004,
    /// IMS Common Cartridge 1.3 with QTI 1.2 assessments.
    Cc13,
}

impl Format {
    pub const ALL: [Format; 5] = [
        Format::Gift,
        Format::Moodle,
        Format::Scorm12,
        Format::Scorm2004,
        Format::Cc13,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Format::Gift => "gift",
            Format::Moodle => "moodle",
            Format::Scorm12 => "scorm12",
            Format::Scorm2004 => "scorm2004",
            Format::Cc13 => "cc13",
        }
    }

    /// What the export is called as a file.
    pub fn file_name(self) -> &'static str {
        match self {
            Format::Gift => "course.gift.txt",
            Format::Moodle => "course.moodle.xml",
            Format::Scorm12 => "course.scorm12.zip",
            Format::Scorm2004 => "course.scorm2004.zip",
            Format::Cc13 => "course.imscc",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Gift => "text/plain; charset=utf-8",
            Format::Moodle => "application/xml; charset=utf-8",
            Format::Scorm12 | Format::Scorm2004 | Format::Cc13 => "application/zip",
        }
    }

    /// Whether the format carries the lessons' videos (so a caller fetches
    /// them only then).
    pub fn carries_videos(self) -> bool {
        matches!(self, Format::Scorm12 | Format::Scorm2004 | Format::Cc13)
    }

    /// `course` in this format, and what the format could not carry. Fails
    /// only for a course with nothing a package can hold.
    pub fn write(
        self,
        course: &coursegen_core::course::Course,
        extras: &Extras<'_>,
    ) -> std::io::Result<(Vec<u8>, Report)> {
        let id = if extras.identifier.is_empty() {
            title_identifier(&course.title)
        } else {
            extras.identifier.to_owned()
        };
        let scorm = |version| scorm::write(version, course, &id, extras.videos, extras.scorm);
        match self {
            Format::Gift => Ok(text(gift::write(course))),
            Format::Moodle => Ok(text(moodle::write(course))),
            Format::Scorm12 => scorm(scorm::Version::V12),
            Format::Scorm2004 => scorm(scorm::Version::V2004),
            Format::Cc13 => cc::write(course, &id, extras.videos),
        }
    }
}

fn text((text, report): (String, Report)) -> (Vec<u8>, Report) {
    (text.into_bytes(), report)
}

/// A package identifier from a course's title alone (FNV-1a: stable across
/// builds and platforms, unlike std's hasher).
fn title_identifier(title: &str) -> String {
    let hash = title.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("coursegen-{hash:016x}")
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
