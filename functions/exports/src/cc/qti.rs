//! QTI 1.2 assessments as Common Cartridge's profiles allow them: multiple
//! choice, multiple response, true/false, fill-in-the-blank and essay. A
//! question of a type with no profile (numeric, ordering, code) becomes an
//! essay that carries its answer for the grader, and the report says so.

use std::fmt::Write as _;

use coursegen_core::course::{ChoiceOption, Question, QuestionBody};
use quick_xml::escape::escape;

use crate::bank::{Report, note_calculated};

/// The profile of every question an assessment may hold.
pub const PROFILES: [&str; 5] = [
    "cc.multiple_choice.v0p1",
    "cc.multiple_response.v0p1",
    "cc.true_false.v0p1",
    "cc.fib.v0p1",
    "cc.essay.v0p1",
];

/// Text as QTI's `mattext`, without the control characters XML 1.0
/// cannot hold.
fn mattext(s: &str) -> String {
    let kept: String = s
        .chars()
        .filter(|c| matches!(c, '\t' | '\n' | '\r') || !c.is_control())
        .collect();
    format!(
        "<material><mattext texttype=\"text/plain\">{}</mattext></material>",
        escape(&kept)
    )
}

/// The assessment `ident`, titled `title`, of `questions`.
pub fn assessment(ident: &str, title: &str, questions: &[Question], report: &mut Report) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<questestinterop xmlns=\"http://www.imsglobal.org/xsd/ims_qtiasiv1p2\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:schemaLocation=\"http://www.imsglobal.org/xsd/ims_qtiasiv1p2 http://www.imsglobal.org/profile/cc/ccv1p3/ccv1p3_qtiasiv1p2p1_v1p0.xsd\">\n",
    );
    let _ = writeln!(
        out,
        "  <assessment ident=\"{ident}\" title=\"{}\">\n    <qtimetadata>\n{}{}{}    </qtimetadata>\n    <section ident=\"{ident}-section\">",
        escape(title),
        field("cc_profile", "cc.exam.v0p1"),
        field("qmd_assessmenttype", "Examination"),
        field("cc_maxattempts", "unlimited"),
    );
    for (n, q) in questions.iter().enumerate() {
        item(&mut out, &format!("{ident}-q{}", n + 1), q, report);
    }
    out.push_str("    </section>\n  </assessment>\n</questestinterop>\n");
    out
}

fn field(label: &str, entry: &str) -> String {
    format!(
        "      <qtimetadatafield><fieldlabel>{label}</fieldlabel><fieldentry>{}</fieldentry></qtimetadatafield>\n",
        escape(entry)
    )
}

fn item(out: &mut String, ident: &str, q: &Question, report: &mut Report) {
    let (profile, essay_answer) = match &q.body {
        QuestionBody::SingleChoice { .. } => (PROFILES[0], None),
        QuestionBody::MultiChoice { .. } => (PROFILES[1], None),
        QuestionBody::TrueFalse { .. } => (PROFILES[2], None),
        QuestionBody::ShortAnswer { .. } | QuestionBody::FillBlank { .. } => (PROFILES[3], None),
        QuestionBody::Descriptive { model_answer, .. } => {
            (PROFILES[4], Some(format!("Model answer: {model_answer}")))
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
                (Some(v), _) => format!("{v} (± {})", tolerance.unwrap_or(0.0)),
                (None, Some(r)) => format!("{} to {}", r.min, r.max),
                (None, None) => String::from("none given"),
            };
            report.note(q, "Common Cartridge has no numeric profile: exported as an essay with the answer for the grader");
            (PROFILES[4], Some(format!("Answer: {answer}")))
        }
        QuestionBody::Ordering { items } => {
            report.note(q, "Common Cartridge has no ordering profile: exported as an essay with the right order for the grader");
            (
                PROFILES[4],
                Some(format!("Right order: {}", items.join(" → "))),
            )
        }
        QuestionBody::Code {
            language, solution, ..
        } => {
            report.note(q, format!("Common Cartridge has no code profile: exported as an essay ({language}); its template and tests are not carried"));
            (
                PROFILES[4],
                solution.as_ref().map(|s| format!("A solution:\n{s}")),
            )
        }
    };
    let _ = writeln!(
        out,
        "      <item ident=\"{ident}\" title=\"{}\">\n        <itemmetadata>\n          <qtimetadata>\n{}{}          </qtimetadata>\n        </itemmetadata>\n        <presentation>\n          {}",
        escape(&q.id),
        field("cc_profile", profile),
        field("cc_weighting", &q.points.max(1).to_string()),
        mattext(&q.prompt)
    );
    let general = [q.explanation.clone(), essay_answer]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("\n");
    let shows_general = !general.is_empty();
    let mut feedback: Vec<(String, String)> = Vec::new();
    match &q.body {
        QuestionBody::SingleChoice { options } | QuestionBody::MultiChoice { options } => {
            let single = profile == PROFILES[0];
            choices(out, options, single);
            processing_choice(out, options, single, shows_general);
            for (i, o) in options.iter().enumerate() {
                if let Some(e) = &o.explanation {
                    feedback.push((format!("o{}-fb", i + 1), e.clone()));
                }
            }
        }
        QuestionBody::TrueFalse { answer } => {
            let options = [("true", "True", *answer), ("false", "False", !*answer)];
            let _ = writeln!(
                out,
                "          <response_lid ident=\"response1\" rcardinality=\"Single\">\n            <render_choice>"
            );
            for (id, label, _) in options {
                let _ = writeln!(
                    out,
                    "              <response_label ident=\"{id}\">{}</response_label>",
                    mattext(label)
                );
            }
            out.push_str("            </render_choice>\n          </response_lid>\n        </presentation>\n");
            let right = if *answer { "true" } else { "false" };
            processing(
                out,
                &format!("<varequal respident=\"response1\">{right}</varequal>"),
                shows_general,
            );
        }
        QuestionBody::ShortAnswer { accepted, .. } | QuestionBody::FillBlank { accepted, .. } => {
            let case = match &q.body {
                QuestionBody::FillBlank {
                    case_sensitive: true,
                    ..
                } => "Yes",
                _ => "No",
            };
            text_response(out);
            let any: String = accepted
                .iter()
                .map(|a| {
                    format!(
                        "<varequal respident=\"response1\" case=\"{case}\">{}</varequal>",
                        escape(a)
                    )
                })
                .collect();
            processing(out, &format!("<or>{any}</or>"), shows_general);
        }
        _ => {
            text_response(out);
            processing_head(out, shows_general);
            out.push_str("        </resprocessing>\n");
        }
    }
    if !general.is_empty() {
        feedback.insert(0, ("general_fb".into(), general));
    }
    for (id, text) in feedback {
        let _ = writeln!(
            out,
            "        <itemfeedback ident=\"{id}\"><flow_mat>{}</flow_mat></itemfeedback>",
            mattext(&text)
        );
    }
    out.push_str("      </item>\n");
}

fn choices(out: &mut String, options: &[ChoiceOption], single: bool) {
    let cardinality = if single { "Single" } else { "Multiple" };
    let _ = writeln!(
        out,
        "          <response_lid ident=\"response1\" rcardinality=\"{cardinality}\">\n            <render_choice>"
    );
    for (i, o) in options.iter().enumerate() {
        let _ = writeln!(
            out,
            "              <response_label ident=\"o{}\">{}</response_label>",
            i + 1,
            mattext(&o.text)
        );
    }
    out.push_str(
        "            </render_choice>\n          </response_lid>\n        </presentation>\n",
    );
}

/// Full marks when the right options, and only they, are chosen; each
/// chosen option's feedback shown.
fn processing_choice(out: &mut String, options: &[ChoiceOption], single: bool, general: bool) {
    let condition = if single {
        let right = options.iter().position(|o| o.correct).unwrap_or(0);
        format!(
            "<varequal respident=\"response1\">o{}</varequal>",
            right + 1
        )
    } else {
        let all: String = options
            .iter()
            .enumerate()
            .map(|(i, o)| {
                let equal = format!("<varequal respident=\"response1\">o{}</varequal>", i + 1);
                if o.correct {
                    equal
                } else {
                    format!("<not>{equal}</not>")
                }
            })
            .collect();
        format!("<and>{all}</and>")
    };
    processing_head(out, general);
    for (i, o) in options.iter().enumerate() {
        if o.explanation.is_some() {
            let _ = writeln!(
                out,
                "          <respcondition continue=\"Yes\"><conditionvar><varequal respident=\"response1\">o{n}</varequal></conditionvar><displayfeedback feedbacktype=\"Response\" linkrefid=\"o{n}-fb\"/></respcondition>",
                n = i + 1
            );
        }
    }
    let _ = writeln!(
        out,
        "          <respcondition continue=\"No\"><conditionvar>{condition}</conditionvar><setvar varname=\"SCORE\" action=\"Set\">100</setvar></respcondition>\n        </resprocessing>"
    );
}

fn text_response(out: &mut String) {
    out.push_str("          <response_str ident=\"response1\" rcardinality=\"Single\">\n            <render_fib><response_label ident=\"answer1\" rshuffle=\"No\"/></render_fib>\n          </response_str>\n        </presentation>\n");
}

/// Full marks when `condition` holds.
fn processing(out: &mut String, condition: &str, general: bool) {
    processing_head(out, general);
    let _ = writeln!(
        out,
        "          <respcondition continue=\"No\"><conditionvar>{condition}</conditionvar><setvar varname=\"SCORE\" action=\"Set\">100</setvar></respcondition>\n        </resprocessing>"
    );
}

/// The score's declaration, and the general feedback shown whatever the
/// answer when there is one.
fn processing_head(out: &mut String, general: bool) {
    out.push_str("        <resprocessing>\n          <outcomes><decvar varname=\"SCORE\" vartype=\"Decimal\" minvalue=\"0\" maxvalue=\"100\"/></outcomes>\n");
    if general {
        out.push_str("          <respcondition continue=\"Yes\"><conditionvar><other/></conditionvar><displayfeedback feedbacktype=\"Response\" linkrefid=\"general_fb\"/></respcondition>\n");
    }
}
