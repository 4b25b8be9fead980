//! Moodle XML: a `<question type="category">` per category, then its
//! questions with their marks (`defaultgrade`), feedback per option,
//! general feedback (the explanation) and hints. Every answer's grade is
//! one Moodle offers (fractions.rs). Ordering becomes matching (each item
//! to its place); code questions become essays with their template.

use std::fmt::Write as _;

use coursegen_core::course::{ChoiceOption, Course, Question, QuestionBody};
use quick_xml::escape::escape;

use crate::bank::{Bank, Report, note_calculated};
use crate::fractions;

/// The course's questions as Moodle XML, and what it could not carry.
pub fn write(course: &Course) -> (String, Report) {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<quiz>\n");
    let mut report = Report::default();
    for category in Bank::of(course).categories {
        let path: Vec<String> = category
            .path
            .iter()
            .map(|name| {
                name.split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .replace('/', "//")
            })
            .collect();
        let _ = writeln!(
            out,
            "  <question type=\"category\">\n    <category>{}</category>\n  </question>",
            text(&format!("$course$/top/{}", path.join("/")))
        );
        for question in category.questions {
            self::question(&mut out, question, &mut report);
        }
    }
    out.push_str("</quiz>\n");
    (out, report)
}

/// `<text>…</text>`, escaped, without the control characters XML 1.0
/// cannot hold at all (captions and model output carry some).
fn text(s: &str) -> String {
    let allowed: String = s
        .chars()
        .filter(|c| matches!(c, '\t' | '\n' | '\r') || !c.is_control())
        .collect();
    format!("<text>{}</text>", escape(&allowed))
}

/// An element of plain text: `<name format="plain_text"><text>…</text></name>`.
fn plain(name: &str, s: &str) -> String {
    format!("<{name} format=\"plain_text\">{}</{name}>", text(s))
}

fn question(out: &mut String, q: &Question, report: &mut Report) {
    let kind = match &q.body {
        QuestionBody::SingleChoice { .. } | QuestionBody::MultiChoice { .. } => "multichoice",
        QuestionBody::TrueFalse { .. } => "truefalse",
        QuestionBody::Numeric {
            value: None,
            range: None,
            ..
        } => "essay",
        QuestionBody::Numeric { .. } => "numerical",
        QuestionBody::ShortAnswer { .. } | QuestionBody::FillBlank { .. } => "shortanswer",
        QuestionBody::Ordering { .. } => "matching",
        QuestionBody::Descriptive { .. } | QuestionBody::Code { .. } => "essay",
    };
    let _ = writeln!(out, "  <question type=\"{kind}\">");
    let _ = writeln!(out, "    <name>{}</name>", text(&q.id));
    let _ = writeln!(out, "    {}", plain("questiontext", &q.prompt));
    let _ = writeln!(
        out,
        "    {}",
        plain("generalfeedback", &general_feedback(q))
    );
    let _ = writeln!(out, "    <defaultgrade>{}</defaultgrade>", q.points.max(1));
    let _ = writeln!(
        out,
        "    <penalty>0.3333333</penalty>\n    <hidden>0</hidden>"
    );
    let _ = writeln!(out, "    <idnumber>{}</idnumber>", escape(&q.id));
    match &q.body {
        QuestionBody::SingleChoice { options } => choices(out, options, true, report, q),
        QuestionBody::MultiChoice { options } => choices(out, options, false, report, q),
        QuestionBody::TrueFalse { answer } => {
            let feedback = q.explanation.as_deref().unwrap_or("");
            for (value, grade) in [("true", *answer), ("false", !*answer)] {
                let fraction = if grade { "100" } else { "0" };
                let _ = writeln!(
                    out,
                    "    <answer fraction=\"{fraction}\" format=\"plain_text\">{}<feedback format=\"plain_text\">{}</feedback></answer>",
                    text(value),
                    text(feedback)
                );
            }
        }
        QuestionBody::Numeric {
            value,
            tolerance,
            range,
            expression,
            ..
        } => {
            note_calculated(q, expression, report);
            let answer = match (value, range) {
                (Some(value), _) => Some((*value, tolerance.unwrap_or(0.0))),
                (None, Some(r)) => Some(((r.min + r.max) / 2.0, (r.max - r.min).abs() / 2.0)),
                (None, None) => None,
            };
            match answer {
                Some((value, tolerance)) => {
                    let _ = writeln!(
                        out,
                        "    <answer fraction=\"100\" format=\"plain_text\">{}<tolerance>{tolerance}</tolerance></answer>",
                        text(&value.to_string())
                    );
                }
                None => {
                    report.note(
                        q,
                        "a numeric question with no value or range: exported as an essay",
                    );
                    essay(out, None, "");
                }
            }
        }
        QuestionBody::ShortAnswer { accepted, .. } => short_answers(out, accepted, false),
        QuestionBody::FillBlank {
            accepted,
            case_sensitive,
        } => {
            short_answers(out, accepted, *case_sensitive);
        }
        QuestionBody::Descriptive {
            model_answer,
            rubric,
        } => {
            let mut info = format!("Model answer: {model_answer}");
            for item in rubric {
                let _ = write!(info, "\n• {} ({} points)", item.criterion, item.points);
            }
            essay(out, None, &info);
        }
        QuestionBody::Ordering { items } => {
            report.note(q, "ordering: exported as matching each item to its place");
            let _ = writeln!(out, "    <shuffleanswers>true</shuffleanswers>");
            for (i, item) in items.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "    <subquestion format=\"plain_text\">{}<answer>{}</answer></subquestion>",
                    text(item),
                    text(&(i + 1).to_string())
                );
            }
        }
        QuestionBody::Code {
            language,
            template,
            solution,
            ..
        } => {
            report.note(q, format!("Moodle XML has no code questions: exported as an essay ({language}) with its template; its tests are not carried"));
            let info = solution
                .as_deref()
                .map(|s| format!("A solution:\n{s}"))
                .unwrap_or_default();
            essay(out, Some(template), &info);
        }
    }
    if let Some(hint) = &q.hint {
        let _ = writeln!(out, "    {}", plain("hint", hint));
    }
    out.push_str("  </question>\n");
}

/// The explanation; for a short answer without one, its model answer.
fn general_feedback(q: &Question) -> String {
    match (&q.explanation, &q.body) {
        (Some(explanation), _) => explanation.clone(),
        (
            None,
            QuestionBody::ShortAnswer {
                model_answer: Some(model),
                ..
            },
        ) => {
            format!("Model answer: {model}")
        }
        _ => String::new(),
    }
}

fn choices(
    out: &mut String,
    options: &[ChoiceOption],
    single: bool,
    report: &mut Report,
    q: &Question,
) {
    let weights = match single {
        true => options
            .iter()
            .map(|o| if o.correct { "100" } else { "0" }.to_owned())
            .collect(),
        false => fractions::multi_choice(q, options, report),
    };
    let _ = writeln!(
        out,
        "    <single>{single}</single>\n    <shuffleanswers>true</shuffleanswers>\n    <answernumbering>abc</answernumbering>"
    );
    for (o, fraction) in options.iter().zip(weights) {
        let _ = writeln!(
            out,
            "    <answer fraction=\"{fraction}\" format=\"plain_text\">{}<feedback format=\"plain_text\">{}</feedback></answer>",
            text(&o.text),
            text(o.explanation.as_deref().unwrap_or(""))
        );
    }
}

fn short_answers(out: &mut String, accepted: &[String], case_sensitive: bool) {
    let _ = writeln!(out, "    <usecase>{}</usecase>", u8::from(case_sensitive));
    for answer in accepted {
        let _ = writeln!(
            out,
            "    <answer fraction=\"100\" format=\"plain_text\">{}</answer>",
            text(answer)
        );
    }
}

fn essay(out: &mut String, template: Option<&str>, grader_info: &str) {
    let _ = writeln!(
        out,
        "    <responseformat>{}</responseformat>\n    <responserequired>1</responserequired>\n    <responsefieldlines>15</responsefieldlines>\n    <attachments>0</attachments>",
        if template.is_some() {
            "monospaced"
        } else {
            "editor"
        }
    );
    let _ = writeln!(out, "    {}", plain("graderinfo", grader_info));
    let _ = writeln!(
        out,
        "    {}",
        plain("responsetemplate", template.unwrap_or(""))
    );
}
