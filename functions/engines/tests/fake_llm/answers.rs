//! What the fake model answers to each kind of call: the offline engine's
//! work on exactly what the request showed it, the fake topic course's
//! outline, notes and questions, and the weak model's replies some tests
//! ask for.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use coursegen_core::course::{BloomLevel, Question, QuestionType};
use coursegen_core::material::{Material, Sentence};
use coursegen_core::options::Options;
use coursegen_engines::offline::knowledge::Knowledge;
use coursegen_engines::offline::notes::{flashcards, glossary};
use coursegen_engines::offline::questions::{Scope, generate};
use serde_json::{Value, json};

use super::Fake;

impl Fake {
    /// The lecture, or the notes of the topic course's chapters.
    fn all_material(&self) -> Vec<Sentence> {
        if self.material.is_empty() {
            course_notes().0
        } else {
            self.material.clone()
        }
    }

    /// Questions on `statements`: where they are a stretch of the lecture
    /// (or of the topic course's notes), on that stretch; else on them alone.
    fn statement_questions(
        &self,
        statements: &[&str],
        mix: BTreeMap<QuestionType, u8>,
    ) -> Vec<Question> {
        let material = self.all_material();
        let at: Option<Vec<usize>> = statements
            .iter()
            .map(|t| material.iter().position(|s| s.text == *t))
            .collect();
        match at {
            Some(at) if !at.is_empty() => {
                let (first, last) = (*at.iter().min().unwrap(), *at.iter().max().unwrap());
                questions_in(material, first..last + 1, mix)
            }
            _ => {
                let sentences = statements
                    .iter()
                    .enumerate()
                    .map(|(i, t)| Sentence {
                        start_ms: i as u64 * 1000,
                        end_ms: i as u64 * 1000 + 900,
                        text: (*t).to_owned(),
                        end_trust: coursegen_core::material::EndTrust::Sure,
                    })
                    .collect();
                questions(sentences, mix)
            }
        }
    }
}

/// Counts one off `left`, if any are left.
fn take_one(left: &AtomicUsize) -> bool {
    left.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
        .is_ok()
}

/// Numbered lines (`12. [03:45] …`) of a prompt: how many there are.
fn numbered_lines(text: &str) -> usize {
    text.lines()
        .filter(|l| {
            let digits: String = l.chars().take_while(char::is_ascii_digit).collect();
            !digits.is_empty() && l[digits.len()..].starts_with(". [")
        })
        .count()
}

/// Segments every 4 blocks (or where fixed), two per lesson, three lessons
/// per module.
fn plan(user: &str) -> Value {
    let blocks = numbered_lines(user);
    let starts: Vec<usize> = match user.split_once("starting at blocks ") {
        Some((_, rest)) => rest
            .split('.')
            .next()
            .unwrap()
            .split(", ")
            .map(|n| n.trim().parse().unwrap())
            .collect(),
        None => (1..=blocks).step_by(4).collect(),
    };
    let mut v = outline(starts.len());
    v["segments"] = starts
        .iter()
        .enumerate()
        .map(|(i, b)| json!({"first_block": b, "title": format!("Segment {}", i + 1),
                             "summary": format!("Part {} of the lecture.", i + 1), "keyphrases": []}))
        .collect();
    v
}

fn outline(segments: usize) -> Value {
    let lessons: Vec<Vec<usize>> = (1..=segments)
        .collect::<Vec<_>>()
        .chunks(2)
        .map(<[usize]>::to_vec)
        .collect();
    let modules: Vec<Value> = lessons
        .chunks(3)
        .enumerate()
        .map(|(m, ls)| {
            json!({"title": format!("Module {}", m + 1), "summary": "A module.",
                   "lessons": ls.iter().map(|segs| json!({
                       "title": format!("Lesson {}", segs[0].div_ceil(2)),
                       "segments": segs, "objectives": ["Explain the part"]})).collect::<Vec<_>>()})
        })
        .collect();
    json!({"title": "The Course", "description": "A course.", "modules": modules})
}

/// Where `text` is in the material, as a run of its sentences.
fn run_of(material: &[Sentence], text: &str) -> Option<std::ops::Range<usize>> {
    let first = material.iter().position(|s| text.starts_with(&s.text))?;
    let mut end = first;
    let mut rest = text;
    for s in &material[first..] {
        match rest.strip_prefix(&s.text) {
            Some(r) => {
                end += 1;
                rest = r.trim_start();
            }
            None => break,
        }
    }
    rest.is_empty().then_some(first..end)
}

/// "2 single_choice, 1 true_false" (with optional Bloom notes) → counts.
fn wanted(list: &str) -> BTreeMap<QuestionType, u8> {
    let mut mix = BTreeMap::new();
    for item in list.split(", ") {
        let mut words = item.split_whitespace();
        let (Some(n), Some(ty)) = (words.next(), words.next()) else {
            continue;
        };
        let ty = ty.trim_end_matches('.');
        if let (Ok(n), Ok(ty)) = (n.parse::<u8>(), serde_json::from_value(json!(ty))) {
            *mix.entry(ty).or_default() += n;
        }
    }
    mix
}

fn questions(sentences: Vec<Sentence>, mix: BTreeMap<QuestionType, u8>) -> Vec<Question> {
    let n = sentences.len();
    questions_in(sentences, 0..n, mix)
}

/// Questions on the `range` of `sentences` (the rest is what distractors
/// may come from).
fn questions_in(
    sentences: Vec<Sentence>,
    range: std::ops::Range<usize>,
    mix: BTreeMap<QuestionType, u8>,
) -> Vec<Question> {
    let knowledge = Knowledge::new(Material::from(sentences));
    let s = &knowledge.sentences;
    let (start_ms, end_ms) = (s[range.start].start_ms, s[range.end - 1].end_ms);
    let scope = Scope {
        knowledge: &knowledge,
        range,
        start_ms,
        end_ms,
        title: "",
        id_prefix: "q".into(),
    };
    generate(
        &scope,
        &Options {
            question_mix: mix,
            ..Options::default()
        },
    )
}

/// Every chapter's notes of the fake's topic course, and where each is.
fn course_notes() -> (Vec<Sentence>, Vec<(String, std::ops::Range<usize>)>) {
    let mut all = Vec::new();
    let mut chapters = Vec::new();
    for k in 0..4 {
        let title = format!("Chapter {}: {}", k + 1, TERMS[4 * k]);
        let notes = chapter_notes(&title, &TERMS[4 * k..4 * k + 3].join("; "));
        let start = all.len();
        all.extend(notes.into_iter().map(|mut s| {
            s.start_ms += start as u64 * 1000;
            s.end_ms += start as u64 * 1000;
            s
        }));
        chapters.push((title, start..all.len()));
    }
    (all, chapters)
}

/// Questions of a chapter of the fake's topic course: the offline
/// engine's, and a multiple choice on the chapter's terms (which that
/// engine cannot make from notes this short).
fn chapter_questions(title: &str, mix: BTreeMap<QuestionType, u8>) -> Vec<Question> {
    let (all, chapters) = course_notes();
    let k = chapters.iter().position(|(t, _)| t == title).unwrap_or(0);
    let mut qs = questions_in(all, chapters[k].1.clone(), mix.clone());
    let multi = mix.get(&QuestionType::MultiChoice).copied().unwrap_or(0);
    if multi > 0
        && qs
            .iter()
            .all(|q| q.question_type() != QuestionType::MultiChoice)
    {
        let other = (k + 1) % 4;
        let option = |t: &str, correct| {
            let bare = t.trim_start_matches("a ").trim_start_matches("an ");
            json!({"text": capitalise(bare), "correct": correct})
        };
        qs.push(
            serde_json::from_value(json!({
                "id": "q-multi", "type": "multi_choice", "bloom": "remember", "difficulty": "easy",
                "points": 1, "prompt": "Which of these does the chapter define?",
                "options": [option(TERMS[4 * k], true), option(TERMS[4 * other], false),
                            option(TERMS[4 * k + 1], true), option(TERMS[4 * other + 1], false)]
            }))
            .unwrap(),
        );
    }
    qs
}

/// The fake's topic course's questions: `mix` of them, from its chapters.
fn topic_questions(mix: BTreeMap<QuestionType, u8>) -> Vec<Question> {
    let (_, chapters) = course_notes();
    let pool: Vec<Question> = chapters
        .iter()
        .flat_map(|(t, _)| chapter_questions(t, mix.clone()))
        .collect();
    let mut taken: BTreeMap<QuestionType, u8> = BTreeMap::new();
    pool.into_iter()
        .filter(|q| {
            let n = taken.entry(q.question_type()).or_default();
            *n += 1;
            *n <= mix.get(&q.question_type()).copied().unwrap_or(0)
        })
        .collect()
}

/// "1 single_choice at Bloom level apply, 1 true_false" → the requests.
fn requested(list: &str) -> Vec<(QuestionType, Option<BloomLevel>)> {
    list.split(", ")
        .filter_map(|item| {
            let (head, level) = match item.split_once(" at Bloom level ") {
                Some((h, l)) => (
                    h,
                    serde_json::from_value(json!(l.trim_end_matches('.'))).ok(),
                ),
                None => (item, None),
            };
            let ty = serde_json::from_value(json!(
                head.split_whitespace().nth(1)?.trim_end_matches('.')
            ))
            .ok()?;
            Some((ty, level))
        })
        .collect()
}

/// For each request, a question of its type from `pool` — of its Bloom
/// level where the pool has one — each used once.
fn pick(mut pool: Vec<Question>, requests: &[(QuestionType, Option<BloomLevel>)]) -> Vec<Question> {
    let mut out = Vec::new();
    for (ty, level) in requests {
        let exact = pool
            .iter()
            .position(|q| q.question_type() == *ty && Some(q.bloom) == *level);
        if let Some(i) = exact.or_else(|| pool.iter().position(|q| q.question_type() == *ty)) {
            out.push(pool.remove(i));
        }
    }
    out
}

/// Plenty of each requested type to pick from.
fn pool_mix(requests: &[(QuestionType, Option<BloomLevel>)]) -> BTreeMap<QuestionType, u8> {
    requests.iter().map(|(t, _)| (*t, 4)).collect()
}

fn between<'a>(text: &'a str, a: &str, b: &str) -> &'a str {
    let start = text.find(a).map_or(0, |i| i + a.len());
    let end = text[start..].find(b).map_or(text.len(), |i| start + i);
    &text[start..end]
}

pub(super) fn answer(fake: &Fake, task: &str, messages: &[String], repeat_option: bool) -> Value {
    let user = messages.get(1).map_or("", String::as_str);
    // The follow-up's request (a repair turn may come after it).
    let last = messages
        .iter()
        .rev()
        .find(|m| m.contains("to replace them: "))
        .or(messages.last())
        .map_or("", String::as_str);
    match task {
        "verdict" => json!({"suitable": true, "confidence": 0.9,
                            "reason": "It explains its topics step by step.", "category": "instructional"}),
        "plan" if fake.weak => {
            let mut v = plan(user);
            let segments = v["segments"].as_array_mut().unwrap();
            segments.reverse();
            v["modules"] = outline(1)["modules"].clone();
            v["modules"][0]["lessons"][0]["segments"] = json!([2]);
            v
        }
        "plan" => plan(user),
        "outline" => outline(numbered_lines(user)),
        "topic_outline" => topic_outline(between(user, "level:\n\n", "\n\n")),
        "chapter" => {
            let title = between(user, "the chapter \"", "\"").to_owned();
            let sentences = chapter_notes(&title, between(user, "covering these topics: ", ".\n"));
            fake.chapters
                .lock()
                .unwrap()
                .insert(title.clone(), sentences.clone());
            let mix = wanted(between(user, "exercises: exactly ", ". Bloom"));
            let text: Vec<&str> = sentences.iter().map(|s| s.text.as_str()).collect();
            let content = format!(
                "## {title}\n\n```rust\nfn main() {{}}\n```\n\n{}",
                text.join(" ")
            );
            json!({"title": title, "objectives": [], "content_md": content,
                   "key_concepts": ["the topic"], "exercises": chapter_questions(&title, mix)})
        }
        "replacements" if user.starts_with("Some exercises for") => {
            // A follow-up quoting the material's central statements.
            let statements: Vec<&str> = between(user, "<<<\n", "\n>>>").lines().collect();
            let wanted = requested(between(user, "new exercises: ", ". Each must"));
            json!({"exercises": pick(fake.statement_questions(&statements, pool_mix(&wanted)), &wanted)})
        }
        "replacements" if user.contains("Write the detailed notes of the chapter") => {
            let title = between(user, "the chapter \"", "\"");
            let wanted = requested(between(last, "to replace them: ", ". Same rules"));
            json!({"exercises": pick(chapter_questions(title, pool_mix(&wanted)), &wanted)})
        }
        "assessment" | "replacements"
            if !user.contains("<<<") && take_one(&fake.blank_assessments) =>
        {
            json!({"questions": [], "exercises": [], "glossary": [], "flashcards": []})
        }
        "assessment" | "replacements"
            if !user.contains("<<<") && take_one(&fake.labelled_assessments) =>
        {
            let mut qs = serde_json::to_value(topic_questions(pool_mix(&requested(between(
                user,
                "of these types: ",
                ". Bloom",
            )))))
            .unwrap();
            for (i, q) in qs.as_array_mut().unwrap().iter_mut().enumerate() {
                q["prompt"] = json!(format!("q{}", i + 1));
            }
            let knowledge = Knowledge::new(Material::from(fake.all_material()));
            json!({"questions": qs, "exercises": qs, "glossary": glossary(&knowledge),
                   "flashcards": flashcards(&knowledge)})
        }
        "replacements" if !user.contains("<<<") => {
            // The assessment's follow-up: questions from the whole lecture
            // (or every chapter's notes).
            let wanted = requested(between(last, "to replace them: ", ". Same rules"));
            let pool = if fake.material.is_empty() {
                topic_questions(pool_mix(&wanted))
            } else {
                questions(fake.material.clone(), pool_mix(&wanted))
            };
            json!({"exercises": pick(pool, &wanted)})
        }
        "lesson" | "replacements" => {
            let span = between(user, "<<<\n", "\n>>>");
            let Some(range) = run_of(&fake.material, span) else {
                fake.problem(format!(
                    "{task}: the span is not a run of the material: {} messages, {:.300?}",
                    messages.len(),
                    span
                ));
                return json!({});
            };
            if task == "replacements" {
                let wanted = requested(between(last, "to replace them: ", ". Same rules"));
                let pool = questions_in(fake.material.clone(), range, pool_mix(&wanted));
                return json!({"exercises": pick(pool, &wanted)});
            }
            let mix = wanted(between(user, "exercises: exactly ", ". Bloom"));
            let title = between(user, "Write the lesson \"", "\"").to_owned();
            let content: Vec<&str> = fake.material[range.clone()]
                .iter()
                .take(3)
                .map(|s| s.text.as_str())
                .collect();
            let written = questions_in(fake.material.clone(), range, mix);
            let mut exercises = serde_json::to_value(written).unwrap();
            if repeat_option
                && let Some(q) = exercises
                    .as_array_mut()
                    .unwrap()
                    .iter_mut()
                    .find(|q| q["type"] == "single_choice")
            {
                let first = q["options"][0].clone();
                q["options"][1]["text"] = first["text"].clone();
            }
            json!({"title": title, "objectives": ["Explain the part"], "content_md": content.join(" "),
                   "key_concepts": ["the part"], "exercises": exercises})
        }
        "assessment" => {
            let count: usize = between(user, "exactly ", " questions").parse().unwrap_or(0);
            let mix = wanted(between(user, "of these types: ", ". Bloom"));
            let knowledge = Knowledge::new(Material::from(fake.all_material()));
            let mut qs = if fake.material.is_empty() {
                topic_questions(mix)
            } else {
                questions(fake.material.clone(), mix)
            };
            qs.truncate(count);
            json!({"questions": qs, "glossary": glossary(&knowledge), "flashcards": flashcards(&knowledge)})
        }
        "notes" => {
            let knowledge = Knowledge::new(Material::from(fake.all_material()));
            json!({"glossary": glossary(&knowledge), "flashcards": flashcards(&knowledge)})
        }
        // A weak model's first storyboard of each video misses a frame.
        "storyboard" => {
            let count: usize = between(user, "), ", " frames:").parse().unwrap();
            let first = !messages.iter().any(|m| m.contains("answer exactly"));
            let drawn = if fake.weak && first { count - 1 } else { count };
            let cameras = ["push_in", "pan_right", "still", "tilt_up", "pull_out"];
            let frames: Vec<Value> = (0..drawn)
                .map(|i| json!({
                    "seen": format!("Drawn by the model: frame {} of the keeper's tower at dusk", i + 1),
                    "on_screen_text": if i == 0 { "The title".to_owned() } else { String::new() },
                    "camera": cameras[i % cameras.len()],
                }))
                .collect();
            json!({"frames": frames})
        }
        "image_prompts" => {
            let count: usize = between(user, "), ", " frames:").parse().unwrap();
            let frames: Vec<Value> = (0..count)
                .map(|i| json!({
                    "subject": format!("The model's subject {}: a keeper trims the lamp", i + 1),
                    "composition": "wide shot, the lower third calm",
                    "lens": "35 mm, deep focus",
                    "lighting": "warm lamplight",
                    "negative": "",
                }))
                .collect();
            json!({"style": {"style": "ink and watercolour", "palette": ["#12355b", "#f2c14e", "#f7f7f2"],
                             "lighting": "dusk", "negative": "text, letters, watermark"},
                   "frames": frames})
        }
        other => {
            fake.problem(format!("an unknown task {other:?}"));
            json!({})
        }
    }
}

/// Terms a topic course's chapters teach, four to a chapter.
const TERMS: [&str; 16] = [
    "ownership",
    "borrowing",
    "a lifetime",
    "a trait",
    "a generic",
    "a closure",
    "an iterator",
    "a module",
    "a macro",
    "a result",
    "a thread",
    "a channel",
    "a slice",
    "a vector",
    "a string",
    "an enum",
];
const KINDS: [&str; 4] = ["rule", "feature", "construct", "tool"];
const PURPOSES: [&str; 4] = [
    "decides which part of a program frees each value",
    "lets code use a value without taking it over",
    "describes how long a reference stays valid",
    "groups behaviour that many types can share",
];

/// Two modules of two chapters, each with three topics.
fn topic_outline(topic: &str) -> Value {
    let chapter = |k: usize| {
        let topics: Vec<String> = TERMS[4 * k..4 * k + 3]
            .iter()
            .map(|t| (*t).to_owned())
            .collect();
        json!({"title": format!("Chapter {}: {}", k + 1, TERMS[4 * k]), "topics": topics})
    };
    json!({"title": format!("Learning {topic}"), "description": "A course.",
           "modules": [
               {"title": "Foundations", "summary": "The basics.", "chapters": [chapter(0), chapter(1)]},
               {"title": "Practice", "summary": "Using them.", "chapters": [chapter(2), chapter(3)]}]})
}

/// A chapter's notes: for each topic a definition, a figure and an order
/// of steps, so every kind of question has something to ask about.
fn chapter_notes(title: &str, topics: &str) -> Vec<Sentence> {
    let mut texts = vec![format!("This chapter, {title}, explains {topics}.")];
    for (i, topic) in topics.split("; ").enumerate() {
        let term = topic.trim();
        let bare = term.trim_start_matches("a ").trim_start_matches("an ");
        texts.push(format!(
            "{} is a {} that {}.",
            capitalise(term),
            KINDS[i % 4],
            PURPOSES[i % 4]
        ));
        texts.push(format!("About {} of every 10 programs use {bare}.", 3 + i));
        texts.push(format!(
            "First you declare the {bare}, then you use the {bare}, and finally the compiler checks the {bare}."
        ));
    }
    texts
        .into_iter()
        .enumerate()
        .map(|(i, text)| Sentence {
            start_ms: i as u64 * 1000,
            end_ms: i as u64 * 1000 + 900,
            text,
            end_trust: coursegen_core::material::EndTrust::Sure,
        })
        .collect()
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map_or(String::new(), |f| f.to_uppercase().chain(c).collect())
}
