//! The invariants the offline engine's questions keep, checked on the
//! model's: each answer stated in the material it claims to come from (and
//! that place becomes the question's source), no repeated options, the
//! asked-for count of each type, and the Bloom mix. Failing items are named
//! so that only they are regenerated.

use std::collections::{BTreeMap, HashSet};

use coursegen_core::course::{BloomLevel, Question, QuestionBody, QuestionType, SourceSpan};
use coursegen_core::material::Sentence;

use crate::offline::text::content_stems;

/// Share of an answer's content words a passage must contain to state it.
const SUPPORT: f64 = 0.6;
/// The longest passage an answer may be drawn from, in sentences.
const WINDOW: usize = 3;

/// The question's answer, as the words the material must state.
fn claim(q: &Question) -> String {
    match &q.body {
        QuestionBody::SingleChoice { options } | QuestionBody::MultiChoice { options } => options
            .iter()
            .filter(|o| o.correct)
            .map(|o| o.text.as_str())
            .collect::<Vec<_>>()
            .join(" "),
        QuestionBody::FillBlank { accepted, .. } | QuestionBody::ShortAnswer { accepted, .. } => {
            accepted.first().cloned().unwrap_or_default()
        }
        QuestionBody::Numeric { value, range, .. } => match (value, range) {
            (Some(v), _) => v.to_string(),
            (None, Some(r)) => format!("{} {}", r.min, r.max),
            _ => String::new(),
        },
        QuestionBody::Ordering { items } => items.join(" "),
        QuestionBody::Descriptive { model_answer, .. } => model_answer.clone(),
        QuestionBody::TrueFalse { .. } | QuestionBody::Code { .. } => String::new(),
    }
}

/// Where in `sentences` the question's answer is stated, or why it is not.
pub fn support(sentences: &[Sentence], q: &Question) -> Result<SourceSpan, String> {
    if sentences.is_empty() {
        return Err("there is no material to check it against".into());
    }
    let answer = claim(q);
    let mut wanted: Vec<String> = content_stems(&answer);
    // A true/false statement, a blank's sentence and a bare number are
    // checked with their prompt's words too.
    let with_prompt = matches!(
        q.body,
        QuestionBody::TrueFalse { .. } | QuestionBody::FillBlank { .. } | QuestionBody::Code { .. }
    ) || wanted.len() < 2;
    if with_prompt {
        wanted.extend(content_stems(&q.prompt.replace("____", " ")));
    }
    let wanted: HashSet<String> = wanted.into_iter().collect();
    if wanted.is_empty() {
        return Err("it has no words to look for in the material".into());
    }
    let numbers: Vec<&str> = answer
        .split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .filter(|t| t.chars().any(|c| c.is_ascii_digit()))
        .map(|t| t.trim_matches('.'))
        .collect();
    let stems: Vec<HashSet<String>> = sentences
        .iter()
        .map(|s| content_stems(&s.text).into_iter().collect())
        .collect();
    let mut best: Option<(f64, usize, usize)> = None;
    for start in 0..sentences.len() {
        let mut seen: HashSet<&String> = HashSet::new();
        for end in start..(start + WINDOW).min(sentences.len()) {
            seen.extend(stems[end].iter());
            let covered = wanted.iter().filter(|w| seen.contains(w)).count();
            let score = covered as f64 / wanted.len() as f64;
            let states_numbers = numbers
                .iter()
                .all(|n| sentences[start..=end].iter().any(|s| s.text.contains(n)));
            if states_numbers
                && best.is_none_or(|(b, bs, be)| {
                    score > b + 1e-9 || (score >= b - 1e-9 && end - start < be - bs)
                })
            {
                best = Some((score, start, end));
            }
        }
    }
    match best {
        Some((score, start, end)) if score >= SUPPORT => Ok(SourceSpan {
            start_ms: sentences[start].start_ms,
            end_ms: sentences[end].end_ms,
        }),
        _ => Err(format!(
            "its answer is not stated in the material (\"{}\")",
            if answer.is_empty() {
                &q.prompt
            } else {
                &answer
            }
        )),
    }
}

/// A question whose options repeat one another.
pub fn repeated_option(q: &Question) -> Option<String> {
    let texts: Vec<String> = match &q.body {
        QuestionBody::SingleChoice { options } | QuestionBody::MultiChoice { options } => options
            .iter()
            .map(|o| o.text.trim().to_lowercase())
            .collect(),
        QuestionBody::Ordering { items } => items.iter().map(|i| i.trim().to_lowercase()).collect(),
        _ => return None,
    };
    let mut seen = HashSet::new();
    texts
        .into_iter()
        .find(|t| !seen.insert(t.clone()))
        .map(|t| format!("the option {t:?} appears twice"))
}

/// `n` split by `weights` (shares in any unit), by largest remainder:
/// how many questions of each Bloom level or type a set should have.
pub fn apportion<K: Ord + Copy>(weights: &BTreeMap<K, u8>, n: usize) -> BTreeMap<K, usize> {
    let total: usize = weights.values().map(|s| usize::from(*s)).sum::<usize>();
    if total == 0 {
        return BTreeMap::new();
    }
    let mut counts: BTreeMap<K, usize> = weights
        .iter()
        .map(|(k, s)| (*k, n * usize::from(*s) / total))
        .collect();
    let mut rest: Vec<(usize, K)> = weights
        .iter()
        .map(|(k, s)| ((n * usize::from(*s)) % total, *k))
        .collect();
    rest.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let given: usize = counts.values().sum();
    for (_, k) in rest.into_iter().take(n - given) {
        *counts.entry(k).or_default() += 1;
    }
    counts
}

/// The outcome of reviewing a set of questions against what was asked.
#[derive(Debug, Default)]
pub struct Review {
    /// Questions kept, with where their answer is stated.
    pub kept: Vec<Question>,
    /// Why each dropped question was dropped.
    pub problems: Vec<String>,
    /// The types (and Bloom levels) still needed, one entry per question.
    pub missing: Vec<(QuestionType, Option<BloomLevel>)>,
}

/// Keeps the questions that pass every guard, up to `wanted` of each type
/// and within one of each Bloom level's target, and says what is missing.
/// With `sentences`, each answer must be stated in them (and the question
/// gets their span as its source).
pub fn review(
    questions: Vec<Question>,
    sentences: Option<&[Sentence]>,
    wanted: &BTreeMap<QuestionType, usize>,
    bloom: &BTreeMap<BloomLevel, u8>,
) -> Review {
    let n: usize = wanted.values().sum();
    let targets = apportion(bloom, n);
    let mut review = Review::default();
    let mut per_type: BTreeMap<QuestionType, usize> = BTreeMap::new();
    let mut per_level: BTreeMap<BloomLevel, usize> = BTreeMap::new();
    for (i, mut q) in questions.into_iter().enumerate() {
        let ty = q.question_type();
        let label = format!("exercise {} ({})", i + 1, ty.as_str());
        let verdict =
            if per_type.get(&ty).copied().unwrap_or(0) >= wanted.get(&ty).copied().unwrap_or(0) {
                Err(format!("no more {} questions are wanted", ty.as_str()))
            } else if per_level.get(&q.bloom).copied().unwrap_or(0)
                > targets.get(&q.bloom).copied().unwrap_or(0)
            {
                Err(format!("too many at Bloom level {}", q.bloom.as_str()))
            } else if let Err(e) = q.validate() {
                Err(e.to_string())
            } else if let Some(repeat) = repeated_option(&q) {
                Err(repeat)
            } else {
                match sentences {
                    Some(sentences) => support(sentences, &q).map(|span| q.source = Some(span)),
                    None => Ok(()),
                }
            };
        match verdict {
            Ok(()) => {
                *per_type.entry(ty).or_default() += 1;
                *per_level.entry(q.bloom).or_default() += 1;
                review.kept.push(q);
            }
            Err(why) => review.problems.push(format!("{label}: {why}")),
        }
    }
    let mut short_levels: Vec<BloomLevel> = targets
        .iter()
        .flat_map(|(l, t)| {
            std::iter::repeat_n(*l, t.saturating_sub(per_level.get(l).copied().unwrap_or(0)))
        })
        .collect();
    for (ty, want) in wanted {
        for _ in per_type.get(ty).copied().unwrap_or(0)..*want {
            let level = (!short_levels.is_empty()).then(|| short_levels.remove(0));
            review.missing.push((*ty, level));
        }
    }
    review
}

/// The missing questions, as the prompt asks for them.
pub fn describe_missing(missing: &[(QuestionType, Option<BloomLevel>)]) -> String {
    missing
        .iter()
        .map(|(ty, level)| match level {
            Some(l) => format!("1 {} at Bloom level {}", ty.as_str(), l.as_str()),
            None => format!("1 {}", ty.as_str()),
        })
        .collect::<Vec<_>>()
        .join(", ")
}
