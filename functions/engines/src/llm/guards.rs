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
/// A compound answer ("X is …, while Y is …", or the right options of a
/// multiple choice) is stated where each of its parts is.
pub fn support(sentences: &[Sentence], q: &Question) -> Result<SourceSpan, String> {
    if sentences.is_empty() {
        return Err("there is no material to check it against".into());
    }
    let answer = claim(q);
    // A true/false statement, a blank's sentence and a bare number are
    // checked with their prompt's words too.
    let with_prompt = matches!(
        q.body,
        QuestionBody::TrueFalse { .. } | QuestionBody::FillBlank { .. } | QuestionBody::Code { .. }
    ) || content_stems(&answer).len() < 2;
    // Each part: the words to find, and the answer's figures among them
    // (a false statement's figures are not the material's).
    let parts: Vec<(String, &str)> = match &q.body {
        _ if with_prompt => {
            vec![(
                format!("{answer} {}", q.prompt.replace("____", " ")),
                answer.as_str(),
            )]
        }
        // Each right option of a multiple choice on its own.
        QuestionBody::MultiChoice { options } => options
            .iter()
            .filter(|o| o.correct)
            .map(|o| (o.text.clone(), o.text.as_str()))
            .collect(),
        _ => answer
            .split(", while ")
            .map(|p| (p.to_owned(), p))
            .collect(),
    };
    let stems: Vec<HashSet<String>> = sentences
        .iter()
        .map(|s| content_stems(&s.text).into_iter().collect())
        .collect();
    let mut span: Option<(usize, usize)> = None;
    for (part, figures) in &parts {
        let wanted: HashSet<String> = content_stems(part).into_iter().collect();
        if wanted.is_empty() {
            return Err("it has no words to look for in the material".into());
        }
        let Some((start, end)) = locate(sentences, &stems, &wanted, &numbers(figures)) else {
            return Err(format!(
                "its answer is not stated in the material (\"{}\")",
                if answer.is_empty() {
                    &q.prompt
                } else {
                    &answer
                }
            ));
        };
        span = Some(span.map_or((start, end), |(s, e)| (s.min(start), e.max(end))));
    }
    let (start, end) = span.ok_or("it has no answer to look for")?;
    Ok(SourceSpan {
        start_ms: sentences[start].start_ms,
        end_ms: sentences[end].end_ms,
    })
}

/// The figures in `text`.
fn numbers(text: &str) -> Vec<&str> {
    text.split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .filter(|t| t.chars().any(|c| c.is_ascii_digit()))
        .map(|t| t.trim_matches('.'))
        .collect()
}

/// The shortest passage of at most [`WINDOW`] sentences holding the most
/// of `wanted` (at least [`SUPPORT`] of it) and every one of `numbers`.
fn locate(
    sentences: &[Sentence],
    stems: &[HashSet<String>],
    wanted: &HashSet<String>,
    numbers: &[&str],
) -> Option<(usize, usize)> {
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
    best.filter(|(score, _, _)| *score >= SUPPORT)
        .map(|(_, start, end)| (start, end))
}

/// Words (holding a letter) a prompt needs to ask anything: a weak model
/// fills a prompt with a label such as "q2" or "1".
const PROMPT_WORDS: usize = 2;

/// A prompt that asks nothing: fewer than [`PROMPT_WORDS`] words.
pub fn empty_prompt(q: &Question) -> Option<String> {
    let words = q
        .prompt
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphabetic))
        .count();
    (words < PROMPT_WORDS).then(|| format!("the prompt {:?} asks nothing", q.prompt.trim()))
}

/// A fill-in-the-blank whose prompt has no blank (`____`) to fill.
pub fn missing_blank(q: &Question) -> Option<String> {
    (matches!(q.body, QuestionBody::FillBlank { .. }) && !q.prompt.contains("___")).then(|| {
        format!(
            "the fill_blank prompt {:?} has no ____ to fill",
            q.prompt.trim()
        )
    })
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
            } else if let Some(why) = empty_prompt(&q)
                .or_else(|| missing_blank(&q))
                .or_else(|| repeated_option(&q))
            {
                Err(why)
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

#[cfg(test)]
mod tests {
    use coursegen_core::course::{ChoiceOption, Difficulty};

    use super::*;

    fn lecture() -> Vec<Sentence> {
        [
            "An antigen is a molecule that the immune system recognises as foreign.",
            "Vaccines were first used against smallpox.",
            "Measles spreads through the air in small droplets.",
            "Recovery from measles usually takes about 14 days.",
            "Doctors record every case in a national register.",
            "An antibody is a protein that binds to one specific antigen.",
        ]
        .iter()
        .enumerate()
        .map(|(i, t)| Sentence {
            start_ms: i as u64 * 10_000,
            end_ms: i as u64 * 10_000 + 9_000,
            text: (*t).to_owned(),
            end_trust: coursegen_core::material::EndTrust::Sure,
        })
        .collect()
    }

    fn question(prompt: &str, body: QuestionBody) -> Question {
        Question {
            id: "q1".into(),
            prompt: prompt.into(),
            source: None,
            bloom: BloomLevel::Remember,
            difficulty: Difficulty::Easy,
            points: 1,
            time_limit_s: None,
            hint: None,
            explanation: None,
            parameters: Vec::new(),
            body,
        }
    }

    fn choice(correct: &str, wrong: &str) -> QuestionBody {
        let option = |text: &str, correct| ChoiceOption {
            text: text.into(),
            correct,
            explanation: None,
        };
        QuestionBody::SingleChoice {
            options: vec![option(correct, true), option(wrong, false)],
        }
    }

    #[test]
    fn an_answer_is_found_where_the_material_states_it() {
        let q = question(
            "What is an antibody?",
            choice("A protein that binds to one specific antigen", "A virus"),
        );
        let span = support(&lecture(), &q).unwrap();
        assert_eq!((span.start_ms, span.end_ms), (50_000, 59_000));
        let made_up = question(
            "What is an antibody?",
            choice("A sugar that stores energy in plant cells", "A virus"),
        );
        let e = support(&lecture(), &made_up).unwrap_err();
        assert!(e.contains("not stated in the material"), "{e}");
    }

    #[test]
    fn a_compound_answer_is_stated_where_each_part_is() {
        let q = question(
            "How does an antigen differ from an antibody?",
            choice(
                "An antigen is a molecule the immune system recognises as foreign, while an antibody is a protein that binds to one specific antigen",
                "They are the same",
            ),
        );
        let span = support(&lecture(), &q).unwrap();
        assert_eq!((span.start_ms, span.end_ms), (0, 59_000));
    }

    #[test]
    fn figures_must_be_the_materials_but_a_false_statement_may_alter_them() {
        let right = question(
            "How long does recovery from measles take?",
            choice("About 14 days", "About 3 days"),
        );
        assert!(support(&lecture(), &right).is_ok());
        let wrong = question(
            "How long does recovery from measles take?",
            choice("About 40 days", "About 3 days"),
        );
        assert!(support(&lecture(), &wrong).is_err());
        let false_statement = question(
            "Recovery from measles usually takes about 40 days.",
            QuestionBody::TrueFalse { answer: false },
        );
        assert!(support(&lecture(), &false_statement).is_ok());
    }

    #[test]
    fn review_keeps_the_good_names_the_bad_and_counts_what_is_missing() {
        let good = question(
            "What is an antibody?",
            choice("A protein that binds to one specific antigen", "A virus"),
        );
        let repeated = question(
            "What is an antigen?",
            choice(
                "A molecule recognised as foreign",
                "A molecule recognised as foreign",
            ),
        );
        let extra_good = good.clone();
        let wanted = BTreeMap::from([
            (QuestionType::SingleChoice, 2),
            (QuestionType::TrueFalse, 1),
        ]);
        let bloom = BTreeMap::from([(BloomLevel::Remember, 100)]);
        let lecture = lecture();
        let review = review(
            vec![good, repeated, extra_good],
            Some(&lecture),
            &wanted,
            &bloom,
        );
        assert_eq!(review.kept.len(), 2);
        assert!(review.kept.iter().all(|q| q.source.is_some()));
        assert_eq!(review.problems.len(), 1);
        assert!(
            review.problems[0].contains("distinct"),
            "{:?}",
            review.problems
        );
        assert_eq!(
            review.missing,
            vec![(QuestionType::TrueFalse, Some(BloomLevel::Remember))]
        );
        // With nothing to check answers against, only the other guards.
        let unsourced = question("What is X?", choice("Something nowhere stated", "Else"));
        let review = super::review(vec![unsourced], None, &wanted, &bloom);
        assert_eq!(review.kept.len(), 1);
        assert!(review.kept[0].source.is_none());
    }

    #[test]
    fn a_prompt_that_is_only_a_label_asks_nothing() {
        let wanted = BTreeMap::from([(QuestionType::SingleChoice, 3)]);
        let bloom = BTreeMap::from([(BloomLevel::Remember, 100)]);
        let labels = ["q2", "1", " 10 ", "Q1 2"]
            .map(|p| question(p, choice("Something", "Else")))
            .to_vec();
        let review = review(labels, None, &wanted, &bloom);
        assert!(review.kept.is_empty());
        assert_eq!(review.problems.len(), 4);
        assert!(
            review.problems[0].contains("\"q2\" asks nothing"),
            "{:?}",
            review.problems
        );
        assert_eq!(review.missing.len(), 3);
        for asks in ["Define recursion.", "____ binds an antigen."] {
            assert_eq!(
                empty_prompt(&question(asks, choice("a", "b"))),
                None,
                "{asks}"
            );
        }
    }

    #[test]
    fn a_fill_in_the_blank_needs_its_blank() {
        let blank = |prompt: &str| {
            question(
                prompt,
                QuestionBody::FillBlank {
                    accepted: vec!["antibodies".into()],
                    case_sensitive: false,
                },
            )
        };
        let why = missing_blank(&blank("Python list comprehensions")).unwrap();
        assert!(why.contains("has no ____"), "{why}");
        assert_eq!(missing_blank(&blank("____ coat a virus.")), None);
        // Other types have no blank to hold.
        assert_eq!(
            missing_blank(&question("Is it so?", choice("a", "b"))),
            None
        );
    }
}
