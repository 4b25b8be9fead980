//! The course as a document: Markdown for reading and editing, and a
//! standalone HTML page rendered from it.

use std::fmt::Write as _;

use coursegen_core::course::{Course, Question, QuestionBody};

/// The whole course as one Markdown document.
pub fn markdown(course: &Course) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "# {}\n", course.title);
    if !course.description.is_empty() {
        let _ = writeln!(md, "{}\n", course.description);
    }
    for (m, module) in course.modules.iter().enumerate() {
        let _ = writeln!(md, "## Module {}: {}\n", m + 1, module.title);
        if !module.summary.is_empty() {
            let _ = writeln!(md, "{}\n", module.summary);
        }
        for lesson in &module.lessons {
            // Lesson text starts at level 2; inside a module it moves down one.
            for line in lesson.content_md.lines() {
                if line.starts_with('#') {
                    let _ = writeln!(md, "#{line}");
                } else {
                    let _ = writeln!(md, "{line}");
                }
            }
            if !lesson.exercises.is_empty() {
                let _ = writeln!(md, "\n#### Exercises\n");
                for (i, q) in lesson.exercises.iter().enumerate() {
                    question(&mut md, i + 1, q);
                }
            }
            md.push('\n');
        }
    }
    if let Some(a) = &course.assessment {
        let _ = writeln!(md, "## Final assessment\n");
        let limit = a
            .time_limit_s
            .map(|s| format!(", {} minutes", s / 60))
            .unwrap_or_default();
        let _ = writeln!(
            md,
            "*Pass with {}% of the points{limit}.*\n",
            a.passing_score
        );
        for (i, q) in a.questions.iter().enumerate() {
            question(&mut md, i + 1, q);
        }
    }
    if !course.glossary.is_empty() {
        let _ = writeln!(md, "## Glossary\n");
        for g in &course.glossary {
            let _ = writeln!(md, "- **{}**: {}", g.term, g.definition);
        }
        md.push('\n');
    }
    if !course.flashcards.is_empty() {
        let _ = writeln!(md, "## Flashcards\n");
        for f in &course.flashcards {
            let _ = writeln!(
                md,
                "- **Q:** {}  \n  **A:** {}",
                f.front,
                f.back.replace('\n', "  \n  ")
            );
        }
    }
    md
}

fn question(md: &mut String, n: usize, q: &Question) {
    let _ = writeln!(
        md,
        "{n}. **{}** *({}, {}, {} pt)*",
        q.prompt,
        q.question_type().as_str().replace('_', " "),
        q.bloom,
        q.points
    );
    match &q.body {
        QuestionBody::SingleChoice { options } | QuestionBody::MultiChoice { options } => {
            for o in options {
                let _ = writeln!(
                    md,
                    "   - [{}] {}",
                    if o.correct { "x" } else { " " },
                    o.text
                );
            }
        }
        QuestionBody::TrueFalse { answer } => {
            let _ = writeln!(
                md,
                "   - Answer: {}",
                if *answer { "true" } else { "false" }
            );
        }
        QuestionBody::Numeric { value, range, .. } => {
            let answer = match (value, range) {
                (Some(v), _) => v.to_string(),
                (None, Some(r)) => format!("{} to {}", r.min, r.max),
                (None, None) => String::new(),
            };
            let _ = writeln!(md, "   - Answer: {answer}");
        }
        QuestionBody::Ordering { items } => {
            for (i, item) in items.iter().enumerate() {
                let _ = writeln!(md, "   {}. {item}", i + 1);
            }
        }
        QuestionBody::FillBlank { accepted, .. } | QuestionBody::ShortAnswer { accepted, .. } => {
            let _ = writeln!(md, "   - Answer: {}", accepted.join(" / "));
        }
        QuestionBody::Descriptive { model_answer, .. } => {
            let _ = writeln!(md, "   - Model answer: {model_answer}");
        }
        QuestionBody::Code {
            language, template, ..
        } => {
            let _ = writeln!(
                md,
                "\n   ```{language}\n{}\n   ```",
                template
                    .lines()
                    .map(|l| format!("   {l}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            );
        }
    }
    if let Some(e) = &q.explanation {
        let _ = writeln!(md, "   - *{e}*");
    }
}

/// Markdown as HTML. The material is untrusted: any HTML in it is shown
/// as text, never run.
pub fn markdown_html(md: &str) -> String {
    let mut body = String::new();
    let options =
        pulldown_cmark::Options::ENABLE_TABLES | pulldown_cmark::Options::ENABLE_TASKLISTS;
    let events = pulldown_cmark::Parser::new_ext(md, options).map(|e| match e {
        pulldown_cmark::Event::Html(h) | pulldown_cmark::Event::InlineHtml(h) => {
            pulldown_cmark::Event::Text(h)
        }
        other => other,
    });
    pulldown_cmark::html::push_html(&mut body, events);
    body
}

/// A standalone HTML page of the course.
pub fn html(course: &Course) -> String {
    page(
        &course.title,
        &course.language,
        &markdown_html(&markdown(course)),
    )
}

/// A standalone page titled `title` of `body` (HTML) in language `lang`,
/// right to left where the language is written so.
pub fn page(title: &str, lang: &str, body: &str) -> String {
    let dir = if coursegen_core::course::right_to_left(lang) {
        "rtl"
    } else {
        "ltr"
    };
    format!(
        "<!doctype html>\n<html lang=\"{}\" dir=\"{dir}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>body{{max-width:46rem;margin:2rem auto;padding:0 1rem;font:17px/1.6 system-ui,sans-serif;color:#222}}h1,h2,h3{{line-height:1.25}}code,pre{{background:#f4f4f4}}li{{margin:.2rem 0}}video{{width:100%}}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        quick_xml::escape::escape(lang),
        quick_xml::escape::escape(title)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use coursegen_core::course::{COURSE_SCHEMA_VERSION, Lesson, Module};

    #[test]
    fn exports_escape_material_and_keep_structure() {
        let course = Course {
            schema_version: COURSE_SCHEMA_VERSION,
            title: "Tags <b>& more</b>".into(),
            description: String::new(),
            language: "en".into(),
            modules: vec![Module {
                title: "One".into(),
                summary: String::new(),
                lessons: vec![Lesson {
                    title: "L".into(),
                    objectives: vec![],
                    content_md: "## L\n\nSay <script>alert(1)</script> aloud.".into(),
                    key_concepts: vec![],
                    source_video: None,
                    start_ms: 0,
                    end_ms: 1,
                    exercises: vec![],
                }],
            }],
            assessment: None,
            glossary: vec![],
            flashcards: vec![],
        };
        let md = markdown(&course);
        assert!(
            md.starts_with("# Tags") && md.contains("## Module 1: One") && md.contains("### L")
        );
        let page = html(&course);
        assert!(
            !page.contains("<script>") && page.contains("&lt;script&gt;"),
            "{page}"
        );
        assert!(page.contains("<title>Tags &lt;b&gt;&amp; more&lt;/b&gt;</title>"));
    }
}
