//! `imsmanifest.xml`: the course's tree of items (a module holding its
//! lessons' SCOs, then the assessment's), each SCO's resource with every
//! file it uses, and the files all SCOs share. Identifiers follow the
//! course's structure and the package's identifier, so exporting the same
//! job again gives the LMS the same ones and it updates, not duplicates.

use std::fmt::Write as _;

use coursegen_core::course::Course;
use quick_xml::escape::escape;

use super::{Part, Sco, Version};
use crate::package::{Package, xml_id};

pub const FILE: &str = "imsmanifest.xml";
const SHARED: &str = "res-shared";

fn head(version: Version, identifier: &str) -> String {
    match version {
        Version::V12 => format!(
            r#"<manifest identifier="{identifier}" version="1.0"
  xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="http://www.imsproject.org/xsd/imscp_rootv1p1p2 imscp_rootv1p1p2.xsd http://www.imsglobal.org/xsd/imsmd_rootv1p2p1 imsmd_rootv1p2p1.xsd http://www.adlnet.org/xsd/adlcp_rootv1p2 adlcp_rootv1p2.xsd">
  <metadata>
    <schema>ADL SCORM</schema>
    <schemaversion>1.2</schemaversion>
  </metadata>
"#
        ),
        Version::V2004 => format!(
            r#"<manifest identifier="{identifier}" version="1"
  xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3"
  xmlns:adlseq="http://www.adlnet.org/xsd/adlseq_v1p3"
  xmlns:adlnav="http://www.adlnet.org/xsd/adlnav_v1p3"
  xmlns:imsss="http://www.imsglobal.org/xsd/imsss"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="http://www.imsglobal.org/xsd/imscp_v1p1 imscp_v1p1.xsd http://www.adlnet.org/xsd/adlcp_v1p3 adlcp_v1p3.xsd http://www.adlnet.org/xsd/adlseq_v1p3 adlseq_v1p3.xsd http://www.adlnet.org/xsd/adlnav_v1p3 adlnav_v1p3.xsd http://www.imsglobal.org/xsd/imsss imsss_v1p0.xsd">
  <metadata>
    <schema>ADL SCORM</schema>
    <schemaversion>2004 4th Edition</schemaversion>
  </metadata>
"#
        ),
    }
}

/// Where SCO `sco` sits and how it is tracked, as its `<item>`.
fn item(out: &mut String, version: Version, sco: &Sco<'_>, indent: &str) {
    let _ = writeln!(
        out,
        "{indent}<item identifier=\"item-{id}\" identifierref=\"res-{id}\">\n{indent}  <title>{title}</title>",
        id = sco.id,
        title = escape(&sco.title)
    );
    let mastery = sco.assessment().map(|a| a.passing_score.min(100));
    match (version, mastery) {
        (Version::V12, Some(score)) => {
            let _ = writeln!(
                out,
                "{indent}  <adlcp:masteryscore>{score}</adlcp:masteryscore>"
            );
        }
        (Version::V12, None) => {}
        // The assessment is satisfied by its score; lessons report only
        // completion, so they count in neither success nor score.
        (Version::V2004, Some(score)) => {
            let _ = writeln!(
                out,
                "{indent}  <imsss:sequencing>\n{indent}    <imsss:objectives>\n{indent}      <imsss:primaryObjective objectiveID=\"{}-passed\" satisfiedByMeasure=\"true\">\n{indent}        <imsss:minNormalizedMeasure>{}</imsss:minNormalizedMeasure>\n{indent}      </imsss:primaryObjective>\n{indent}    </imsss:objectives>\n{indent}    <imsss:deliveryControls completionSetByContent=\"true\" objectiveSetByContent=\"true\"/>\n{indent}  </imsss:sequencing>",
                sco.id,
                f64::from(score) / 100.0
            );
        }
        (Version::V2004, None) => {
            let _ = writeln!(
                out,
                "{indent}  <imsss:sequencing>\n{indent}    <imsss:rollupRules rollupObjectiveSatisfied=\"false\" objectiveMeasureWeight=\"0\"/>\n{indent}    <imsss:deliveryControls completionSetByContent=\"true\" objectiveSetByContent=\"true\"/>\n{indent}  </imsss:sequencing>"
            );
        }
    }
    let _ = writeln!(out, "{indent}</item>");
}

/// The manifest of a package of `scos`, whose files are in `package`.
pub(super) fn xml(
    version: Version,
    course: &Course,
    identifier: &str,
    scos: &[Sco<'_>],
    package: &Package,
) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&head(version, &xml_id(identifier)));
    let _ = writeln!(
        out,
        "  <organizations default=\"org\">\n    <organization identifier=\"org\">\n      <title>{}</title>",
        escape(&course.title)
    );
    // Lessons under their module, in course order; the assessment after.
    let mut open_module: Option<usize> = None;
    for sco in scos {
        if sco.module != open_module {
            if open_module.is_some() {
                module_end(&mut out, version);
            }
            if let Some(m) = sco.module {
                let _ = writeln!(
                    out,
                    "      <item identifier=\"item-m{}\">\n        <title>{}</title>",
                    m + 1,
                    escape(&course.modules[m].title)
                );
            }
            open_module = sco.module;
        }
        let indent = if sco.module.is_some() {
            "        "
        } else {
            "      "
        };
        item(&mut out, version, sco, indent);
    }
    if open_module.is_some() {
        module_end(&mut out, version);
    }
    if version == Version::V2004 {
        out.push_str("      <imsss:sequencing>\n        <imsss:controlMode choice=\"true\" flow=\"true\"/>\n      </imsss:sequencing>\n");
    }
    out.push_str("    </organization>\n  </organizations>\n  <resources>\n");
    let kind = match version {
        Version::V12 => "adlcp:scormtype",
        Version::V2004 => "adlcp:scormType",
    };
    for sco in scos {
        let _ = writeln!(
            out,
            "    <resource identifier=\"res-{}\" type=\"webcontent\" {kind}=\"sco\" href=\"{}\">\n      <file href=\"{}\"/>",
            sco.id,
            sco.page(),
            sco.page()
        );
        for part in &sco.parts {
            if let Part::Lesson { id, .. } = part {
                for file in [format!("media/{id}.mp4"), format!("media/{id}.vtt")] {
                    if package.contains(&file) {
                        let _ = writeln!(out, "      <file href=\"{file}\"/>");
                    }
                }
            }
        }
        let _ = writeln!(
            out,
            "      <dependency identifierref=\"{SHARED}\"/>\n    </resource>"
        );
    }
    let _ = writeln!(
        out,
        "    <resource identifier=\"{SHARED}\" type=\"webcontent\" {kind}=\"asset\">\n      <file href=\"shared/player.js\"/>\n      <file href=\"shared/player.css\"/>\n    </resource>\n  </resources>\n</manifest>"
    );
    out
}

/// Closes a module's item; in 2004 a module, made only of lessons, has no
/// say in whether the course is passed.
fn module_end(out: &mut String, version: Version) {
    if version == Version::V2004 {
        out.push_str("        <imsss:sequencing>\n          <imsss:rollupRules rollupObjectiveSatisfied=\"false\" objectiveMeasureWeight=\"0\"/>\n        </imsss:sequencing>\n");
    }
    out.push_str("      </item>\n");
}
