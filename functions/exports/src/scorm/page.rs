//! A SCO's page: its lessons' text and videos drawn here (readable before
//! any script runs), and what the player needs as JSON (the questions, the
//! mastery score, the SCORM version, the words of its buttons).

use std::fmt::Write as _;

use coursegen_core::course::{Course, right_to_left};
use quick_xml::escape::escape;
use serde_json::{Value, json};

use super::quiz;
use super::{Options, Part, Sco, Version};
use crate::bank::Report;
use crate::document::markdown_html;
use crate::package::Package;

/// The player's words, in English and in Arabic (the languages coursegen's
/// engines write courses in); by key, as player.js names them.
const LABELS: &[(&str, &str, &str)] = &[
    (
        "tracked",
        "Your progress is recorded by your learning system.",
        "يُسجَّل تقدّمك في نظام التعلّم.",
    ),
    (
        "untracked",
        "Not connected to a learning system: progress is not recorded.",
        "غير متصل بنظام تعلّم: لن يُسجَّل تقدّمك.",
    ),
    ("save_exit", "Save and exit", "احفظ واخرج"),
    (
        "saved",
        "Your place is saved. You can close this window.",
        "حُفظ موضعك. يمكنك إغلاق هذه النافذة.",
    ),
    ("answer", "Answer", "الإجابة"),
    ("true_", "True", "صواب"),
    ("false_", "False", "خطأ"),
    ("up", "Move up", "انقل إلى الأعلى"),
    ("down", "Move down", "انقل إلى الأسفل"),
    ("correct", "Correct.", "إجابة صحيحة."),
    ("incorrect", "Not quite.", "إجابة غير صحيحة."),
    (
        "graded_by_teacher",
        "A teacher grades this answer.",
        "يقيّم المعلّم هذه الإجابة.",
    ),
    ("model_answer", "Model answer:", "الإجابة النموذجية:"),
    ("hint", "Show a hint", "اعرض تلميحًا"),
    ("check", "Check", "تحقّق"),
    ("exercises", "Exercises", "تمارين"),
    ("done_next", "Done: next", "تم: التالي"),
    ("finish_lesson", "Finish lesson", "أنهِ الدرس"),
    (
        "lesson_done",
        "Lesson complete. You can close this window.",
        "اكتمل الدرس. يمكنك إغلاق هذه النافذة.",
    ),
    ("pass_mark", "Pass mark: {n}%", "درجة النجاح: {n}%"),
    ("question_of", "Question {i} of {n}", "السؤال {i} من {n}"),
    ("previous", "Previous", "السابق"),
    ("next", "Next", "التالي"),
    ("submit", "Submit answers", "أرسل الإجابات"),
    ("score", "Your score: {pct}%.", "نتيجتك: {pct}%."),
    ("passed", "Passed.", "ناجح."),
    ("failed", "Not passed yet.", "لم تنجح بعد."),
    ("try_again", "Try again", "حاول مجددًا"),
    ("exit", "Finish", "إنهاء"),
    (
        "attempt_done",
        "Your result is recorded. You can close this window.",
        "سُجّلت نتيجتك. يمكنك إغلاق هذه النافذة.",
    ),
    ("contents", "Contents", "المحتويات"),
];

fn labels(lang: &str) -> serde_json::Map<String, Value> {
    let arabic = lang.split(['-', '_']).next() == Some("ar");
    LABELS
        .iter()
        .map(|(key, en, ar)| ((*key).to_owned(), json!(if arabic { ar } else { en })))
        .collect()
}

fn text(s: &str) -> std::borrow::Cow<'_, str> {
    escape(s)
}

/// The page of `sco`, whose media already sit in `package`.
pub(super) fn html(
    version: Version,
    course: &Course,
    sco: &Sco<'_>,
    package: &Package,
    options: Options,
    report: &mut Report,
) -> String {
    let lang = if course.language.is_empty() {
        "en"
    } else {
        course.language.as_str()
    };
    let dir = if right_to_left(lang) { "rtl" } else { "ltr" };
    let mut sections = String::new();
    let mut parts = Vec::new();
    for (p, part) in sco.parts.iter().enumerate() {
        let hidden = if p == 0 { "" } else { " hidden" };
        match part {
            Part::Lesson { id, lesson } => {
                let _ = writeln!(
                    sections,
                    "<section class=\"part\" data-kind=\"lesson\"{hidden}>"
                );
                if !lesson.content_md.trim_start().starts_with('#') {
                    let _ = writeln!(sections, "<h2>{}</h2>", text(&lesson.title));
                }
                let mp4 = format!("media/{id}.mp4");
                if package.contains(&mp4) {
                    let vtt = format!("media/{id}.vtt");
                    let track = if package.contains(&vtt) {
                        format!(
                            "<track kind=\"subtitles\" src=\"../{vtt}\" srclang=\"{}\" label=\"{}\" default>",
                            text(lang),
                            text(&lesson.title)
                        )
                    } else {
                        String::new()
                    };
                    let _ = writeln!(
                        sections,
                        "<video controls preload=\"metadata\" src=\"../{mp4}\">{track}</video>"
                    );
                }
                let _ = writeln!(
                    sections,
                    "<div class=\"content\">\n{}</div>\n<div class=\"exercises\"></div>\n<p class=\"actions\"></p>\n</section>",
                    markdown_html(&lesson.content_md)
                );
                let exercises: Vec<_> = lesson
                    .exercises
                    .iter()
                    .enumerate()
                    .map(|(i, q)| quiz::item(i + 1, q, report))
                    .collect();
                parts
                    .push(json!({"kind": "lesson", "title": lesson.title, "exercises": exercises}));
            }
            Part::Assessment(a) => {
                let _ = writeln!(
                    sections,
                    "<section class=\"part\" data-kind=\"assessment\"{hidden}>\n<h2>{}</h2>\n<div class=\"quiz\"></div>\n</section>",
                    super::ASSESSMENT_TITLE
                );
                let questions: Vec<_> = a
                    .questions
                    .iter()
                    .enumerate()
                    .map(|(i, q)| quiz::item(i + 1, q, report))
                    .collect();
                parts.push(json!({"kind": "assessment", "title": super::ASSESSMENT_TITLE, "questions": questions}));
            }
        }
    }
    let (pass, fail) = options.reporting.outcomes();
    let data = json!({
        "scorm": match version { Version::V12 => "1.2", Version::V2004 => "2004" },
        "lang": lang,
        "mastery": sco.assessment().map(|a| a.passing_score),
        "reporting": {"pass": pass, "fail": fail},
        "labels": labels(lang),
        "parts": parts,
    });
    // `</` inside the JSON would end its script element early.
    let data = data.to_string().replace("</", "<\\/");
    let words = labels(lang);
    let word = |key: &str| words[key].as_str().unwrap_or_default().to_owned();
    let module = sco
        .module
        .and_then(|m| course.modules.get(m))
        .map(|m| format!(" <span class=\"lms\">· {}</span>", text(&m.title)))
        .unwrap_or_default();
    format!(
        "<!doctype html>
<html lang=\"{lang}\" dir=\"{dir}\">
<head>
<meta charset=\"utf-8\">
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">
<title>{title}</title>
<link rel=\"stylesheet\" href=\"../shared/player.css\">
</head>
<body>
<header class=\"bar\">
<p class=\"course\">{course_title}{module}</p>
<p class=\"lms\" id=\"lms-status\" role=\"status\"></p>
<button type=\"button\" id=\"save-exit\" hidden>{save_exit}</button>
</header>
<div class=\"layout\">
<nav class=\"contents\" hidden></nav>
<main>
{sections}</main>
</div>
<script type=\"application/json\" id=\"coursegen-sco\">{data}</script>
<script src=\"../shared/player.js\"></script>
</body>
</html>
",
        lang = text(lang),
        title = text(&sco.title),
        course_title = text(&course.title),
        save_exit = text(&word("save_exit")),
    )
}
