//! A lesson's text: summary, key points, key terms with the sentence that
//! defines them, steps and figures, each with a timestamped pointer back into
//! the material; its key concepts; and its exercises.

use std::fmt::Write as _;

use coursegen_core::course::Lesson;
use coursegen_core::material::EndTrust;
use coursegen_core::options::Options;
use coursegen_core::outputs::OutlineLesson;

use super::keyphrases::keyphrases;
use super::knowledge::{Knowledge, clock};
use super::questions::{self, Scope};
use super::summary::{central_sentences, summary_sentences};

/// Sentences in the summary, and further key points after it.
const SUMMARY_SENTENCES: usize = 2;
const KEY_POINTS: usize = 4;
/// Key concepts listed per lesson, at most.
const MAX_KEY_CONCEPTS: usize = 8;

/// Where a time in the material can be opened: a link into the video at
/// that second when the material is one, else the plain time.
fn pointer(ms: u64, video: Option<&str>) -> String {
    match video {
        Some(video) => format!("[{}]({})", clock(ms), at_second(video, ms / 1000)),
        None => format!("({})", clock(ms)),
    }
}

/// `video` (its URL, or a bare YouTube id) opened at `s` seconds: a page's
/// `t` parameter, or a media file's time fragment.
fn at_second(video: &str, s: u64) -> String {
    if !video.starts_with("http://") && !video.starts_with("https://") {
        return format!("https://www.youtube.com/watch?v={video}&t={s}s");
    }
    let page = video.contains("youtube.com/") || video.contains("youtu.be/");
    match (page, video.contains('?')) {
        (true, true) => format!("{video}&t={s}s"),
        (true, false) => format!("{video}?t={s}s"),
        (false, _) => format!("{video}#t={s}"),
    }
}

/// The lesson `plan` asks for; links and times are `video`'s own, which
/// begins at `video_start_ms` in the material.
pub fn lesson(
    knowledge: &Knowledge,
    plan: &OutlineLesson,
    id_prefix: &str,
    video: Option<&str>,
    video_start_ms: u64,
    options: &Options,
) -> Lesson {
    let in_video = |ms: u64| ms.saturating_sub(video_start_ms);
    let at = |ms: u64| pointer(in_video(ms), video);
    let range = knowledge.span(plan.start_ms, plan.end_ms);
    let sentences = &knowledge.sentences[range.clone()];
    // Word weights against the whole material, so what is special here counts.
    let (stems, weights) = (&knowledge.stems[range.clone()], &knowledge.idf);
    let central = central_sentences(sentences, stems, weights, SUMMARY_SENTENCES + KEY_POINTS);
    let summary = summary_sentences(sentences, stems, weights, SUMMARY_SENTENCES);
    let mut md = String::new();
    let _ = writeln!(md, "## {}\n", plan.title);
    if !plan.objectives.is_empty() {
        let _ = writeln!(md, "**In this lesson you will:**\n");
        for o in &plan.objectives {
            let _ = writeln!(md, "- {o}");
        }
        md.push('\n');
    }
    if !summary.is_empty() {
        let text: Vec<&str> = summary
            .iter()
            .map(|&i| sentences[i].text.as_str())
            .collect();
        let _ = writeln!(md, "### Summary\n\n{}\n", text.join(" "));
    }
    // Fewer key points rather than one cut off where restored punctuation
    // may have ended it wrong.
    let points: Vec<usize> = central
        .into_iter()
        .filter(|i| !summary.contains(i) && sentences[*i].end_trust < EndTrust::Guess)
        .collect();
    if !points.is_empty() {
        let _ = writeln!(md, "### Key points\n");
        for i in points {
            let s = &sentences[i];
            let _ = writeln!(md, "- {} {}", s.text, at(s.start_ms));
        }
        md.push('\n');
    }
    let defs = knowledge.definitions_in(&range);
    if !defs.is_empty() {
        let _ = writeln!(md, "### Key terms\n");
        for d in defs {
            let s = &knowledge.sentences[d.sentence];
            let _ = writeln!(md, "- **{}**: \"{}\" {}", d.term, s.text, at(s.start_ms));
        }
        md.push('\n');
    }
    for seq in knowledge.sequences_in(&range) {
        let start = knowledge.sentences[seq.sentences[0]].start_ms;
        let _ = writeln!(md, "### Steps {}\n", at(start));
        for (n, step) in seq.steps.iter().enumerate() {
            let _ = writeln!(md, "{}. {}", n + 1, step);
        }
        md.push('\n');
    }
    // Each sentence stating a figure once (quantities are in sentence order).
    let mut figures: Vec<usize> = knowledge
        .quantities_in(&range)
        .iter()
        .map(|q| q.sentence)
        .collect();
    figures.dedup();
    if !figures.is_empty() {
        let _ = writeln!(md, "### Figures to remember\n");
        for i in figures {
            let s = &knowledge.sentences[i];
            let _ = writeln!(md, "- {} {}", s.text, at(s.start_ms));
        }
        md.push('\n');
    }
    for sample in knowledge.code_in(plan.start_ms, plan.end_ms).1 {
        let language = sample.language.as_deref().unwrap_or("");
        let _ = writeln!(
            md,
            "### Code {}\n\n```{language}\n{}\n```\n",
            at(sample.start_ms),
            sample.code
        );
    }
    let _ = writeln!(
        md,
        "*From the material, {} to {}.*",
        clock(in_video(plan.start_ms)),
        clock(in_video(plan.end_ms))
    );

    let mut key_concepts: Vec<String> = defs.iter().map(|d| d.term.clone()).collect();
    let text = knowledge.text(range.clone());
    for p in keyphrases(&[text], MAX_KEY_CONCEPTS).into_iter().flatten() {
        if key_concepts
            .iter()
            .all(|k| !questions::same_term(k, &p.text))
        {
            key_concepts.push(p.text);
        }
    }
    key_concepts.truncate(MAX_KEY_CONCEPTS);

    let scope = Scope {
        knowledge,
        range,
        start_ms: plan.start_ms,
        end_ms: plan.end_ms,
        title: &plan.title,
        id_prefix: id_prefix.to_owned(),
    };
    Lesson {
        title: plan.title.clone(),
        objectives: plan.objectives.clone(),
        content_md: md,
        key_concepts,
        source_video: video.map(str::to_owned),
        start_ms: in_video(plan.start_ms),
        end_ms: in_video(plan.end_ms),
        exercises: questions::generate(&scope, options),
    }
}

#[cfg(test)]
mod tests {
    use super::at_second;

    #[test]
    fn links_open_the_video_at_the_second() {
        assert_eq!(
            at_second("henIVlCPVIY", 75),
            "https://www.youtube.com/watch?v=henIVlCPVIY&t=75s"
        );
        assert_eq!(
            at_second("https://www.youtube.com/watch?v=henIVlCPVIY", 75),
            "https://www.youtube.com/watch?v=henIVlCPVIY&t=75s"
        );
        assert_eq!(
            at_second("https://youtu.be/henIVlCPVIY", 5),
            "https://youtu.be/henIVlCPVIY?t=5s"
        );
        assert_eq!(
            at_second("http://127.0.0.1:8/talk.mp4", 5),
            "http://127.0.0.1:8/talk.mp4#t=5"
        );
    }
}
