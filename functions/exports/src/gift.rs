//! GIFT, Moodle's text format for question banks: a `$CATEGORY:` line per
//! category and one question per paragraph. GIFT's special characters
//! (`~ = # { } :` and the backslash) are escaped everywhere text goes —
//! titles, prompts, options, feedback — and line breaks become `\n`, since
//! a blank line would end the question. GIFT carries no marks, hints or
//! time limits (Moodle gives each question a mark of 1); the file says so
//! in its header.

use std::fmt::Write as _;

use coursegen_core::course::{ChoiceOption, Course, Question, QuestionBody};

use crate::bank::{Bank, Report, blank, note_calculated};
use crate::fractions;

/// The course's questions as GIFT, and what GIFT could not carry.
pub fn write(course: &Course) -> (String, Report) {
    let mut out = String::new();
    let mut report = Report::default();
    let _ = writeln!(
        out,
        "// {} — questions exported by coursegen.\n// GIFT carries no marks, hints or time limits: Moodle gives each question a mark of 1.\n",
        one_line(&course.title)
    );
    for category in Bank::of(course).categories {
        let path: Vec<String> = category
            .path
            .iter()
            .map(|name| one_line(name).replace('/', "//"))
            .collect();
        let _ = writeln!(out, "$CATEGORY: {}\n", path.join("/"));
        for question in category.questions {
            out.push_str(&self::question(question, &mut report));
            out.push_str("\n\n");
        }
    }
    (out, report)
}

fn question(q: &Question, report: &mut Report) -> String {
    let title = format!("::{}::", escape(&q.id));
    let general = q
        .explanation
        .as_deref()
        .map(|e| format!("####{}", escape(e)))
        .unwrap_or_default();
    let prompt = escape(&q.prompt);
    match &q.body {
        QuestionBody::SingleChoice { options } => {
            let answers: String = options
                .iter()
                .map(|o| format!("\n{}{}", if o.correct { "=" } else { "~" }, option(o)))
                .collect();
            format!("{title}{prompt} {{{answers}\n{general}}}")
        }
        QuestionBody::MultiChoice { options } => {
            let weights = fractions::multi_choice(q, options, report);
            let answers: String = options
                .iter()
                .zip(weights)
                .map(|(o, weight)| format!("\n~%{weight}%{}", option(o)))
                .collect();
            format!("{title}{prompt} {{{answers}\n{general}}}")
        }
        QuestionBody::TrueFalse { answer } => {
            let answer = if *answer { "TRUE" } else { "FALSE" };
            format!("{title}{prompt} {{{answer}{general}}}")
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
                (Some(value), _) => match tolerance {
                    Some(t) if *t > 0.0 => format!("#{value}:{t}"),
                    _ => format!("#{value}"),
                },
                (None, Some(range)) => format!("#{}..{}", range.min, range.max),
                (None, None) => {
                    report.note(
                        q,
                        "a numeric question with no value or range: exported as an essay",
                    );
                    String::new()
                }
            };
            format!("{title}{prompt} {{{answer}{general}}}")
        }
        QuestionBody::ShortAnswer {
            accepted,
            model_answer,
        } => {
            let general = match model_answer {
                Some(model) if q.explanation.is_none() => format!("####{}", escape(model)),
                _ => general,
            };
            format!(
                "{title}{prompt} {{{}{general}}}",
                accepted_answers(accepted)
            )
        }
        QuestionBody::FillBlank {
            accepted,
            case_sensitive,
        } => {
            if *case_sensitive {
                report.note(q, "GIFT's answers ignore case: exported case-insensitive");
            }
            let answers = format!("{{{}{general}}}", accepted_answers(accepted));
            match blank(&q.prompt) {
                Some((before, after)) => {
                    format!("{title}{}{answers}{}", escape(before), escape(after))
                }
                None => format!("{title}{prompt} {answers}"),
            }
        }
        QuestionBody::Descriptive {
            model_answer,
            rubric,
        } => {
            if !rubric.is_empty() {
                report.note(
                    q,
                    "GIFT's essays have no rubric: the model answer is its feedback",
                );
            }
            let mut feedback = format!("Model answer: {model_answer}");
            if let Some(explanation) = &q.explanation {
                feedback = format!("{explanation}\n{feedback}");
            }
            format!("{title}{prompt} {{####{}}}", escape(&feedback))
        }
        QuestionBody::Ordering { items } if items.len() >= 3 => {
            report.note(q, "ordering: exported as matching each item to its place");
            let pairs: String = items
                .iter()
                .enumerate()
                .map(|(i, item)| format!("\n={} -> {}", escape(item), i + 1))
                .collect();
            format!("{title}{prompt} {{{pairs}\n{general}}}")
        }
        QuestionBody::Ordering { items } => {
            report.note(q, "ordering of fewer than three items (GIFT's matching needs three): exported as an essay");
            let feedback = format!("In order: {}", items.join(" → "));
            format!("{title}{prompt} {{####{}}}", escape(&feedback))
        }
        QuestionBody::Code { language, .. } => {
            report.note(q, format!("GIFT has no code questions: exported as an essay ({language}); its tests are not carried"));
            format!("{title}{prompt} {{{general}}}")
        }
    }
}

fn option(o: &ChoiceOption) -> String {
    match &o.explanation {
        Some(why) => format!("{}#{}", escape(&o.text), escape(why)),
        None => escape(&o.text),
    }
}

fn accepted_answers(accepted: &[String]) -> String {
    accepted
        .iter()
        .map(|a| format!("={} ", escape(a)))
        .collect::<String>()
}

/// Text with GIFT's special characters escaped and line breaks as `\n`.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '~' | '=' | '#' | '{' | '}' | ':' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\n"),
            '\r' => {}
            // Control characters mean nothing in a question and trip importers.
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A name on one line: a category path or a comment.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_special_character_is_escaped() {
        assert_eq!(escape(r"a~b=c#d{e}f:g\h"), r"a\~b\=c\#d\{e\}f\:g\\h");
        assert_eq!(escape("one\r\ntwo\u{1}"), r"one\ntwo");
    }
}
