//! IMS Common Cartridge 1.3: each lesson a web page (with its video when
//! rendered) followed by its exercises as a QTI 1.2 assessment, grouped by
//! module, then the final assessment. Canvas, Blackboard, Moodle, D2L and
//! Schoology import it. Identifiers follow the course's structure and the
//! package's identifier, so a re-import updates rather than duplicates.

mod qti;

use std::fmt::Write as _;

use coursegen_core::course::Course;
use quick_xml::escape::escape;

pub use qti::PROFILES;

use crate::Video;
use crate::bank::Report;
use crate::document;
use crate::package::{Package, xml_id};

pub const MANIFEST: &str = "imsmanifest.xml";
/// The resource type of a QTI assessment in a 1.3 cartridge.
pub const ASSESSMENT: &str = "imsqti_xmlv1p2/imscc_xmlv1p3/assessment";

/// One resource: its identifier, type, launch file and files.
struct Resource {
    id: String,
    kind: &'static str,
    href: Option<String>,
    files: Vec<String>,
}

/// `course` as a Common Cartridge 1.3 named `identifier`, with the
/// lessons' `videos`; and what it could not carry.
pub fn write(
    course: &Course,
    identifier: &str,
    videos: &[Video],
) -> std::io::Result<(Vec<u8>, Report)> {
    let mut package = Package::default();
    let mut report = Report::default();
    let mut resources = Vec::new();
    let mut tree = String::new();
    let lang = if course.language.is_empty() {
        "en"
    } else {
        course.language.as_str()
    };
    for (m, module) in course.modules.iter().enumerate() {
        let _ = writeln!(
            tree,
            "        <item identifier=\"item-m{}\">\n          <title>{}</title>",
            m + 1,
            escape(&module.title)
        );
        for (l, lesson) in module.lessons.iter().enumerate() {
            let id = format!("m{}-l{}", m + 1, l + 1);
            let mut files = vec![format!("{id}/index.html")];
            let mut body = String::new();
            if !lesson.content_md.trim_start().starts_with('#') {
                let _ = writeln!(body, "<h2>{}</h2>", escape(&lesson.title));
            }
            if let Some(video) = videos.iter().find(|v| (v.at.module, v.at.lesson) == (m, l)) {
                let mp4 = format!("media/{id}.mp4");
                let mut track = String::new();
                if let Some(vtt) = &video.vtt {
                    let name = format!("media/{id}.vtt");
                    track = format!(
                        "<track kind=\"subtitles\" src=\"../{name}\" srclang=\"{}\" default>",
                        escape(lang)
                    );
                    package.add(name.clone(), vtt.clone());
                    files.push(name);
                }
                let _ = writeln!(
                    body,
                    "<video controls preload=\"metadata\" src=\"../{mp4}\">{track}</video>"
                );
                package.add(mp4.clone(), video.mp4.clone());
                files.push(mp4);
            }
            body.push_str(&document::markdown_html(&lesson.content_md));
            package.add(files[0].clone(), document::page(&lesson.title, lang, &body));
            let _ = writeln!(
                tree,
                "          <item identifier=\"item-{id}\" identifierref=\"res-{id}\">\n            <title>{}</title>\n          </item>",
                escape(&lesson.title)
            );
            resources.push(Resource {
                id: format!("res-{id}"),
                kind: "webcontent",
                href: Some(files[0].clone()),
                files,
            });
            if !lesson.exercises.is_empty() {
                let title = format!("Exercises: {}", lesson.title);
                let quiz = format!("res-{id}-exercises");
                add_assessment(
                    &mut package,
                    &mut resources,
                    &quiz,
                    &title,
                    &lesson.exercises,
                    &mut report,
                );
                let _ = writeln!(
                    tree,
                    "          <item identifier=\"item-{id}-exercises\" identifierref=\"{quiz}\">\n            <title>{}</title>\n          </item>",
                    escape(&title)
                );
            }
        }
        tree.push_str("        </item>\n");
    }
    if let Some(a) = course
        .assessment
        .as_ref()
        .filter(|a| !a.questions.is_empty())
    {
        add_assessment(
            &mut package,
            &mut resources,
            "res-assessment",
            "Final assessment",
            &a.questions,
            &mut report,
        );
        tree.push_str("        <item identifier=\"item-assessment\" identifierref=\"res-assessment\">\n          <title>Final assessment</title>\n        </item>\n");
        report.note_course(format!(
            "QTI 1.2 has no pass mark: set the final assessment's ({} %) in the LMS",
            a.passing_score
        ));
    }
    if resources.is_empty() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "the course has no lesson and no assessment to package",
        ));
    }
    let manifest = manifest(course, &xml_id(identifier), lang, &tree, &resources);
    package.add(MANIFEST, manifest);
    Ok((package.zip(MANIFEST)?, report))
}

fn add_assessment(
    package: &mut Package,
    resources: &mut Vec<Resource>,
    id: &str,
    title: &str,
    questions: &[coursegen_core::course::Question],
    report: &mut Report,
) {
    let file = format!("{id}/assessment.xml");
    package.add(file.clone(), qti::assessment(id, title, questions, report));
    resources.push(Resource {
        id: id.to_owned(),
        kind: ASSESSMENT,
        href: None,
        files: vec![file],
    });
}

fn manifest(
    course: &Course,
    identifier: &str,
    lang: &str,
    tree: &str,
    resources: &[Resource],
) -> String {
    let mut out = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="{identifier}"
  xmlns="http://www.imsglobal.org/xsd/imsccv1p3/imscp_v1p1"
  xmlns:lomimscc="http://ltsc.ieee.org/xsd/imsccv1p3/LOM/manifest"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="http://www.imsglobal.org/xsd/imsccv1p3/imscp_v1p1 http://www.imsglobal.org/profile/cc/ccv1p3/ccv1p3_imscp_v1p2_v1p0.xsd http://ltsc.ieee.org/xsd/imsccv1p3/LOM/manifest http://www.imsglobal.org/profile/cc/ccv1p3/LOM/ccv1p3_lommanifest_v1p0.xsd">
  <metadata>
    <schema>IMS Common Cartridge</schema>
    <schemaversion>1.3.0</schemaversion>
    <lomimscc:lom>
      <lomimscc:general>
        <lomimscc:title><lomimscc:string language="{lang}">{title}</lomimscc:string></lomimscc:title>
        <lomimscc:language>{lang}</lomimscc:language>
        <lomimscc:description><lomimscc:string language="{lang}">{description}</lomimscc:string></lomimscc:description>
      </lomimscc:general>
    </lomimscc:lom>
  </metadata>
  <organizations>
    <organization identifier="org" structure="rooted-hierarchy">
      <item identifier="root">
{tree}      </item>
    </organization>
  </organizations>
  <resources>
"#,
        lang = escape(lang),
        title = escape(&course.title),
        description = escape(&course.description),
    );
    for r in resources {
        let href = r
            .href
            .as_ref()
            .map(|h| format!(" href=\"{h}\""))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "    <resource identifier=\"{}\" type=\"{}\"{href}>",
            r.id, r.kind
        );
        for file in &r.files {
            let _ = writeln!(out, "      <file href=\"{file}\"/>");
        }
        out.push_str("    </resource>\n");
    }
    out.push_str("  </resources>\n</manifest>\n");
    out
}
