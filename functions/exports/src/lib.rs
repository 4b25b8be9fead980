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

pub use coursegen_core::exports::Format;

/// `course` in `format`, and what the format could not carry. Fails only
/// for a course with nothing a package can hold.
pub fn write(
    format: Format,
    course: &coursegen_core::course::Course,
    extras: &Extras<'_>,
) -> std::io::Result<(Vec<u8>, Report)> {
    let id = if extras.identifier.is_empty() {
        title_identifier(&course.title)
    } else {
        extras.identifier.to_owned()
    };
    let scorm = |version| scorm::write(version, course, &id, extras.videos, extras.scorm);
    match format {
        Format::Gift => Ok(text(gift::write(course))),
        Format::Moodle => Ok(text(moodle::write(course))),
        Format::Scorm12 => scorm(scorm::Version::V12),
        Format::Scorm2004 => scorm(scorm::Version::V2004),
        Format::Cc13 => cc::write(course, &id, extras.videos),
    }
}

/// The exports a job's export step writes: every format with its
/// choices' defaults.
#[derive(Debug, Clone, Copy, Default)]
pub struct Exports;

impl coursegen_core::exports::Exporter for Exports {
    fn export(
        &self,
        format: Format,
        course: &coursegen_core::course::Course,
        identifier: &str,
        videos: &[Video],
    ) -> std::io::Result<coursegen_core::exports::Exported> {
        let extras = Extras {
            identifier,
            videos,
            ..Extras::default()
        };
        let (bytes, report) = write(format, course, &extras)?;
        Ok(coursegen_core::exports::Exported {
            bytes,
            notes: report.notes,
        })
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
