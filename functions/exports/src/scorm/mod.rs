//! SCORM 1.2 and SCORM 2004 4th edition packages. A package holds the
//! manifest at its root, one page per SCO and one script that runs them
//! all (assets/scorm/player.js), and the lessons' videos when they were
//! rendered. Multi-SCO (the default) gives each lesson a SCO, grouped by
//! module, and the final assessment its own; single-SCO puts the whole
//! course in one. Nothing is fetched from elsewhere at run time.

mod manifest;
mod page;
mod quiz;

use coursegen_core::course::{Assessment, Course, Lesson};
use serde::{Deserialize, Serialize};

use crate::Video;
use crate::bank::Report;
use crate::package::Package;

/// The SCORM edition a package is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    V12,
    V2004,
}

/// How the course is cut into SCOs.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Scos {
    /// A SCO per lesson and one for the final assessment.
    #[default]
    Multi,
    /// The whole course as one SCO.
    Single,
}

/// What the assessment's outcome is reported as: a pass, then a fail. In
/// SCORM 2004 success (passed/failed) is always reported; a fail
/// reported as incomplete leaves the attempt's completion open.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Reporting {
    #[default]
    PassedFailed,
    PassedIncomplete,
    CompletedFailed,
    CompletedIncomplete,
}

impl Reporting {
    fn outcomes(self) -> (&'static str, &'static str) {
        match self {
            Reporting::PassedFailed => ("passed", "failed"),
            Reporting::PassedIncomplete => ("passed", "incomplete"),
            Reporting::CompletedFailed => ("completed", "failed"),
            Reporting::CompletedIncomplete => ("completed", "incomplete"),
        }
    }
}

/// The choices a SCORM package is made with.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
pub struct Options {
    #[serde(default)]
    pub sco: Scos,
    #[serde(default)]
    pub reporting: Reporting,
}

impl Options {
    /// The choices' name when they are not the defaults (`single.passed-failed`):
    /// what tells a package made with them from the default one.
    pub fn variant(self) -> Option<String> {
        let name = |v: serde_json::Value| v.as_str().unwrap_or_default().to_owned();
        (self != Options::default()).then(|| {
            format!(
                "{}.{}",
                name(serde_json::json!(self.sco)),
                name(serde_json::json!(self.reporting))
            )
        })
    }
}

macro_rules! parse_by_serde {
    ($($t:ty),*) => {$(
        impl std::str::FromStr for $t {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                serde_json::from_value(serde_json::Value::String(s.to_owned()))
                    .map_err(|_| format!("{s:?} is not one of: {}", <$t>::NAMES.join(", ")))
            }
        }
    )*};
}

impl Scos {
    pub const NAMES: [&str; 2] = ["multi", "single"];
}

impl Reporting {
    pub const NAMES: [&str; 4] = [
        "passed-failed",
        "passed-incomplete",
        "completed-failed",
        "completed-incomplete",
    ];
}

parse_by_serde!(Scos, Reporting);

/// One part of a SCO: a lesson or the final assessment.
#[derive(Debug)]
enum Part<'a> {
    Lesson {
        /// `m1-l2`: where the lesson is, and the name of its media.
        id: String,
        lesson: &'a Lesson,
    },
    Assessment(&'a Assessment),
}

/// A SCO: its identifier (also its folder), title and parts.
#[derive(Debug)]
struct Sco<'a> {
    id: String,
    title: String,
    /// The module it sits under in the course's tree (multi-SCO).
    module: Option<usize>,
    parts: Vec<Part<'a>>,
}

impl Sco<'_> {
    fn page(&self) -> String {
        format!("{}/index.html", self.id)
    }

    fn assessment(&self) -> Option<&Assessment> {
        self.parts.iter().find_map(|p| match p {
            Part::Assessment(a) => Some(*a),
            Part::Lesson { .. } => None,
        })
    }
}

/// The title of the final assessment's SCO or part.
const ASSESSMENT_TITLE: &str = "Final assessment";

fn plan(course: &Course, sco: Scos) -> Vec<Sco<'_>> {
    let mut parts: Vec<(Option<usize>, String, Part<'_>)> = Vec::new();
    for (m, module) in course.modules.iter().enumerate() {
        for (l, lesson) in module.lessons.iter().enumerate() {
            let id = format!("m{}-l{}", m + 1, l + 1);
            parts.push((Some(m), lesson.title.clone(), Part::Lesson { id, lesson }));
        }
    }
    if let Some(a) = course
        .assessment
        .as_ref()
        .filter(|a| !a.questions.is_empty())
    {
        parts.push((None, ASSESSMENT_TITLE.into(), Part::Assessment(a)));
    }
    if parts.is_empty() {
        return Vec::new();
    }
    match sco {
        Scos::Single => vec![Sco {
            id: "course".into(),
            title: course.title.clone(),
            module: None,
            parts: parts.into_iter().map(|(_, _, part)| part).collect(),
        }],
        Scos::Multi => parts
            .into_iter()
            .map(|(module, title, part)| Sco {
                id: match &part {
                    Part::Lesson { id, .. } => id.clone(),
                    Part::Assessment(_) => "assessment".into(),
                },
                title,
                module,
                parts: vec![part],
            })
            .collect(),
    }
}

pub const PLAYER_JS: &str = include_str!("../../assets/scorm/player.js");
pub const PLAYER_CSS: &str = include_str!("../../assets/scorm/player.css");

/// `course` as a SCORM `version` package named `identifier`, with the
/// lessons' `videos`; and what the package could not carry.
pub fn write(
    version: Version,
    course: &Course,
    identifier: &str,
    videos: &[Video],
    options: Options,
) -> std::io::Result<(Vec<u8>, Report)> {
    let scos = plan(course, options.sco);
    if scos.is_empty() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "the course has no lesson and no assessment to package",
        ));
    }
    let mut package = Package::default();
    let mut report = Report::default();
    package.add("shared/player.js", PLAYER_JS);
    package.add("shared/player.css", PLAYER_CSS);
    let lesson_exists = |v: &&Video| {
        course
            .modules
            .get(v.at.module)
            .is_some_and(|m| v.at.lesson < m.lessons.len())
    };
    for video in videos.iter().filter(lesson_exists) {
        let name = format!("media/m{}-l{}", video.at.module + 1, video.at.lesson + 1);
        package.add(format!("{name}.mp4"), video.mp4.clone());
        if let Some(vtt) = &video.vtt {
            package.add(format!("{name}.vtt"), vtt.clone());
        }
    }
    for sco in &scos {
        let html = page::html(version, course, sco, &package, options, &mut report);
        package.add(sco.page(), html);
    }
    let xml = manifest::xml(version, course, identifier, &scos, &package);
    package.add(manifest::FILE, xml);
    Ok((package.zip(manifest::FILE)?, report))
}
