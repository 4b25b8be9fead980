//! A lesson told aloud, from the lesson the course already has: its
//! objectives open it over the title slide, each section of its notes
//! becomes a beat (the section's heading and points on the slide, its
//! prose and points spoken as whole sentences), and its summary or key
//! points close it. Everything said comes from the lesson, in its own
//! language; nothing is a template sentence in English.

use coursegen_core::course::Lesson;
use coursegen_core::narration::{Beat, Narration, Slide, subtitle};
use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};

/// Spoken words at most: about four minutes at a lecturer's pace.
const MAX_WORDS: usize = 560;
/// Bullets and key terms on one slide at most, and words per bullet.
const MAX_BULLETS: usize = 5;
const MAX_TERMS: usize = 6;
const BULLET_WORDS: usize = 12;

/// One section of the lesson's notes: its heading, the sentences of its
/// prose and the items of its lists.
#[derive(Debug, Default)]
struct Section {
    heading: String,
    prose: Vec<String>,
    items: Vec<String>,
}

/// The lesson's notes as sections, split at headings below the lesson's
/// own title. Code and emphasised asides (a source note) are left out.
fn sections(markdown: &str) -> Vec<Section> {
    let mut out = vec![Section::default()];
    let mut text = String::new();
    let (mut in_heading, mut in_item, mut in_code, mut emphasis) = (false, 0usize, false, 0usize);
    // Whether the paragraph so far is all emphasis (an aside, not prose).
    let mut aside = true;
    for event in Parser::new(markdown) {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                in_heading = level > HeadingLevel::H2;
                text.clear();
            }
            Event::End(TagEnd::Heading(_)) => {
                if in_heading {
                    out.push(Section {
                        heading: clean(&text),
                        ..Section::default()
                    });
                }
                in_heading = false;
                text.clear();
            }
            Event::Start(Tag::Item) => {
                in_item += 1;
                text.clear();
            }
            Event::End(TagEnd::Item) => {
                in_item = in_item.saturating_sub(1);
                let item = clean(&text);
                if !item.is_empty() {
                    out.last_mut().expect("one section").items.push(item);
                }
                text.clear();
            }
            Event::Start(Tag::Paragraph) if in_item == 0 => {
                text.clear();
                aside = true;
            }
            Event::End(TagEnd::Paragraph) if in_item == 0 => {
                if !aside {
                    let section = out.last_mut().expect("one section");
                    section.prose.extend(split_sentences(&text));
                }
                text.clear();
            }
            Event::Start(Tag::CodeBlock(_)) => in_code = true,
            Event::End(TagEnd::CodeBlock) => in_code = false,
            Event::Start(Tag::Emphasis | Tag::Strong) => emphasis += 1,
            Event::End(TagEnd::Emphasis | TagEnd::Strong) => emphasis = emphasis.saturating_sub(1),
            Event::Text(t) | Event::Code(t) if !in_code => {
                if emphasis == 0 && t.chars().any(char::is_alphanumeric) {
                    aside = false;
                }
                text.push_str(&t);
            }
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            _ => {}
        }
    }
    out.retain(|s| !s.prose.is_empty() || !s.items.is_empty());
    out
}

/// Text as one spoken line: markup and timestamps (`(01:22)`) out,
/// quotes around a quoted definition out, spaces single.
fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('(') {
        let (before, after) = rest.split_at(open);
        out.push_str(before);
        match after.find(')') {
            Some(close) if is_timestamp(&after[1..close]) => rest = &after[close + 1..],
            _ => {
                out.push('(');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    let words: Vec<&str> = out.split_whitespace().collect();
    words
        .join(" ")
        .trim_matches(|c: char| c == '"' || c == '\u{201c}' || c == '\u{201d}' || c.is_whitespace())
        .to_owned()
}

fn is_timestamp(inner: &str) -> bool {
    !inner.is_empty()
        && inner.len() <= 8
        && inner.chars().all(|c| c.is_ascii_digit() || c == ':')
        && inner.contains(':')
}

/// Sentences of a paragraph: split after `.`, `!`, `?` (and their
/// full-width and Arabic forms) followed by a space.
pub(crate) fn split_sentences(paragraph: &str) -> Vec<String> {
    let text = clean(paragraph);
    let mut out = Vec::new();
    let mut start = 0;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    for (i, &(at, c)) in chars.iter().enumerate() {
        let next_is_space = chars.get(i + 1).is_none_or(|(_, n)| n.is_whitespace());
        if matches!(c, '.' | '!' | '?' | '؟' | '。' | '！' | '？') && next_is_space {
            let end = at + c.len_utf8();
            out.push(text[start..end].trim().to_owned());
            start = end;
        }
    }
    if text[start..].trim().chars().any(char::is_alphanumeric) {
        out.push(text[start..].trim().to_owned());
    }
    out.into_iter().filter_map(|s| spoken(&s)).collect()
}

/// A line made a whole spoken sentence: first letter capitalised, a full
/// stop when it has no end mark; `None` when it has nothing to say.
pub(crate) fn spoken(line: &str) -> Option<String> {
    let line = line.trim().trim_end_matches([':', ';', ',']);
    if !line.chars().any(char::is_alphabetic) {
        return None;
    }
    let mut chars = line.chars();
    let first = chars.next()?;
    let mut out: String = first.to_uppercase().chain(chars).collect();
    if !out.ends_with(['.', '!', '?', '؟', '。', '！', '？', '…']) {
        out.push('.');
    }
    Some(out)
}

/// An item shortened for a slide.
fn bullet(item: &str) -> String {
    let words: Vec<&str> = item.split_whitespace().collect();
    if words.len() <= BULLET_WORDS {
        item.trim_end_matches('.').to_owned()
    } else {
        format!("{} …", words[..BULLET_WORDS].join(" "))
    }
}

fn words(sentences: &[String]) -> usize {
    sentences.iter().map(|s| s.split_whitespace().count()).sum()
}

/// The lesson's narration.
pub fn narration(lesson: &Lesson, module_title: &str, language: &str) -> Narration {
    let sections = sections(&lesson.content_md);
    let objectives: Vec<String> = lesson.objectives.iter().filter_map(|o| spoken(o)).collect();
    // The opening: the objectives, else the notes' first sentence.
    let opening = if objectives.is_empty() {
        sections
            .iter()
            .flat_map(|s| s.prose.iter().chain(&s.items))
            .find_map(|s| spoken(s))
            .into_iter()
            .collect()
    } else {
        objectives.clone()
    };
    let mut beats = vec![Beat {
        slide: Slide::Title {
            title: lesson.title.clone(),
            subtitle: subtitle(module_title, &lesson.title),
        },
        sentences: opening,
    }];
    // The closing says the opening's first sentences again: keep room.
    let recap: Vec<String> = beats[0].sentences.iter().take(2).cloned().collect();
    let mut budget = MAX_WORDS.saturating_sub(words(&beats[0].sentences) + words(&recap));
    for section in &sections {
        // The objectives' list was said over the title slide already.
        let restates_objectives = section.prose.is_empty()
            && section
                .items
                .iter()
                .all(|i| spoken(i).is_some_and(|i| objectives.contains(&i)));
        if restates_objectives {
            continue;
        }
        let mut sentences: Vec<String> = section
            .prose
            .iter()
            .cloned()
            .chain(section.items.iter().filter_map(|i| spoken(i)))
            .collect();
        let mut kept = 0;
        let mut used = 0;
        for s in &sentences {
            let n = s.split_whitespace().count();
            if kept > 0 && used + n > budget {
                break;
            }
            used += n;
            kept += 1;
        }
        sentences.truncate(kept);
        if sentences.is_empty() || (used > budget && beats.len() > 1) {
            break;
        }
        budget = budget.saturating_sub(used);
        let bullets: Vec<String> = if section.items.is_empty() {
            sentences.iter().map(|s| bullet(s)).collect()
        } else {
            section.items.iter().map(|i| bullet(i)).collect()
        };
        let heading = if section.heading.is_empty() {
            lesson.title.clone()
        } else {
            section.heading.clone()
        };
        let said = sentences.join(" ").to_lowercase();
        beats.push(Beat {
            slide: Slide::Points {
                heading,
                bullets: bullets.into_iter().take(MAX_BULLETS).collect(),
                terms: lesson
                    .key_concepts
                    .iter()
                    .filter(|t| said.contains(&t.to_lowercase()))
                    .take(MAX_TERMS)
                    .cloned()
                    .collect(),
            },
            sentences,
        });
        if budget == 0 {
            break;
        }
    }
    beats.push(closing(lesson, &beats, recap));
    beats.retain(|b| !b.sentences.is_empty());
    Narration {
        title: lesson.title.clone(),
        language: language.to_owned(),
        beats,
    }
}

/// The summary slide: the lesson's key concepts (else its objectives),
/// over `recap`, the opening said once more, when the lesson had more.
fn closing(lesson: &Lesson, beats: &[Beat], recap: Vec<String>) -> Beat {
    let points: Vec<String> = if lesson.key_concepts.is_empty() {
        lesson.objectives.iter().map(|o| bullet(o)).collect()
    } else {
        lesson.key_concepts.clone()
    };
    Beat {
        slide: Slide::Summary {
            heading: lesson.title.clone(),
            points: points.into_iter().take(MAX_BULLETS + 1).collect(),
        },
        sentences: if beats.len() > 1 { recap } else { Vec::new() },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lesson(content_md: &str, objectives: &[&str], key_concepts: &[&str]) -> Lesson {
        Lesson {
            title: "Memory Cells".into(),
            objectives: objectives.iter().map(|s| (*s).to_owned()).collect(),
            content_md: content_md.into(),
            key_concepts: key_concepts.iter().map(|s| (*s).to_owned()).collect(),
            source_video: None,
            start_ms: 0,
            end_ms: 60_000,
            exercises: Vec::new(),
        }
    }

    const NOTES: &str = "## Memory Cells\n\n**In this lesson you will:**\n\n- Explain what an antibody is.\n- Recall the key figures.\n\n### Summary\n\nA killer t cell finds infected cells and destroys them. We call this memory.\n\n### Key points\n\n- When antibodies coat a virus it can no longer enter your cells. (00:44)\n- A helper t cell confirms the threat is real (01:22)\n\n```python\nprint('not spoken')\n```\n\n*From the material, 00:00 to 04:52.*\n";

    #[test]
    fn a_lesson_is_told_over_its_own_sections() {
        let n = narration(
            &lesson(
                NOTES,
                &["Explain what an antibody is.", "Recall the key figures."],
                &["antibody", "helper t cell"],
            ),
            "The immune system",
            "en",
        );
        assert!(n.validate().is_ok(), "{:?}", n.validate());
        let slides: Vec<&Slide> = n.beats.iter().map(|b| &b.slide).collect();
        assert!(
            matches!(slides[0], Slide::Title { subtitle: Some(s), .. } if s == "The immune system")
        );
        assert_eq!(
            n.beats[0].sentences,
            ["Explain what an antibody is.", "Recall the key figures."]
        );
        assert!(matches!(slides[1], Slide::Points { heading, .. } if heading == "Summary"));
        assert_eq!(
            n.beats[1].sentences,
            [
                "A killer t cell finds infected cells and destroys them.",
                "We call this memory."
            ]
        );
        let Slide::Points { bullets, terms, .. } = slides[2] else {
            panic!("{slides:?}")
        };
        assert_eq!(bullets[1], "A helper t cell confirms the threat is real");
        assert_eq!(terms, &["helper t cell"], "named as the notes name them");
        assert_eq!(
            n.beats[2].sentences[0],
            "When antibodies coat a virus it can no longer enter your cells.",
            "timestamps are not read out"
        );
        assert!(matches!(slides.last(), Some(Slide::Summary { .. })));
        let said: String = n.sentences().collect::<Vec<_>>().join(" ");
        assert!(
            !said.contains("print") && !said.contains("From the material"),
            "{said}"
        );
    }

    #[test]
    fn a_long_lesson_is_cut_to_about_four_minutes_and_other_languages_keep_their_words() {
        let long = format!(
            "### Part\n\n{}",
            "هذه جملة طويلة عن الخلايا المناعية في الجسم. ".repeat(300)
        );
        let n = narration(&lesson(&long, &[], &[]), "", "ar");
        assert!(n.validate().is_ok(), "{:?}", n.validate());
        let words: usize = n.sentences().map(|s| s.split_whitespace().count()).sum();
        assert!(words <= MAX_WORDS && words > MAX_WORDS / 2, "{words}");
        assert!(n.sentences().all(|s| s.ends_with('.')));
        assert!(matches!(
            &n.beats[0].slide,
            Slide::Title { subtitle: None, .. }
        ));
    }

    #[test]
    fn a_lesson_with_nothing_to_say_has_an_empty_narration() {
        let n = narration(&lesson("```\ncode only\n```\n", &[], &[]), "M", "en");
        assert!(n.beats.is_empty());
        assert!(
            n.validate().is_err(),
            "the renderer refuses it with a reason"
        );
    }
}
