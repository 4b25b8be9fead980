//! The formats a course is exported in: their names, file names and
//! content types. A leaf: job options name formats without depending on
//! how exports are made or kept.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// An export format.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
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
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
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
