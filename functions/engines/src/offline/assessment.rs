//! The final assessment: fresh questions (none repeats a lesson exercise),
//! taken from every module in turn (and from each module's lessons in
//! turn), rotating through the requested types, so it is balanced across
//! modules, lessons and types.

use std::collections::{BTreeMap, HashSet};

use coursegen_core::course::{Assessment, Lesson, QuestionType};
use coursegen_core::options::{MAX_QUESTIONS_PER_TYPE, Options};
use coursegen_core::outputs::Outline;

use super::knowledge::Knowledge;
use super::questions::{self, Scope};

pub fn assessment(
    knowledge: &Knowledge,
    outline: &Outline,
    lessons: &[Lesson],
    options: &Options,
) -> Option<Assessment> {
    let settings = &options.assessment;
    if !settings.enabled {
        return None;
    }
    let asked: HashSet<&str> = lessons
        .iter()
        .flat_map(|l| &l.exercises)
        .map(|q| q.prompt.as_str())
        .collect();
    // A larger mix per lesson than the exercises use, so there is enough left
    // after dropping what the exercises already ask.
    let mix: BTreeMap<QuestionType, u8> = options
        .question_mix
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(t, n)| {
            (
                *t,
                n.saturating_mul(2)
                    .saturating_add(2)
                    .min(MAX_QUESTIONS_PER_TYPE),
            )
        })
        .collect();
    let pool_options = Options {
        question_mix: mix.clone(),
        ..options.clone()
    };
    let mut pools: Vec<Vec<coursegen_core::course::Question>> = outline
        .lessons()
        .enumerate()
        .map(|(i, plan)| {
            let scope = Scope {
                knowledge,
                range: knowledge.span(plan.start_ms, plan.end_ms),
                start_ms: plan.start_ms,
                end_ms: plan.end_ms,
                title: &plan.title,
                id_prefix: format!("a{}", i + 1),
            };
            questions::generate(&scope, &pool_options)
                .into_iter()
                .filter(|q| !asked.contains(q.prompt.as_str()))
                .collect()
        })
        .collect();
    let types: Vec<QuestionType> = mix.keys().copied().collect();
    // Each module's lessons, as positions among all the lessons.
    let mut first = 0;
    let modules: Vec<std::ops::Range<usize>> = outline
        .modules
        .iter()
        .map(|m| {
            first += m.lessons.len();
            first - m.lessons.len()..first
        })
        .filter(|r| !r.is_empty())
        .collect();
    let wanted = usize::from(settings.questions);
    let mut chosen = Vec::with_capacity(wanted);
    // Turns taken per module, so each of its lessons comes round in turn.
    let mut turns = vec![0; modules.len()];
    let mut turn = 0;
    // Questions left in all pools: a turn costs one lesson's pool, not a
    // look at every lesson's.
    let mut left: usize = pools.iter().map(Vec::len).sum();
    // Round robin over modules, then over each module's lessons, so a short
    // assessment still asks about every module; each pick takes the next
    // type in rotation that the lesson still has, else whatever it has.
    while chosen.len() < wanted && left > 0 {
        let module = turn % modules.len();
        let lessons = &modules[module];
        let ty = types[turn % types.len().max(1)];
        turn += 1;
        // The module's next lesson with questions left, if any.
        let Some(lesson) = (0..lessons.len())
            .map(|k| lessons.start + (turns[module] + k) % lessons.len())
            .find(|&l| !pools[l].is_empty())
        else {
            continue;
        };
        turns[module] = lesson - lessons.start + 1;
        let pool = &mut pools[lesson];
        crate::work::add(1 + pool.len());
        let at = pool
            .iter()
            .position(|q| q.question_type() == ty)
            .unwrap_or(0);
        chosen.push(pool.remove(at));
        left -= 1;
    }
    for (n, q) in chosen.iter_mut().enumerate() {
        q.id = format!("assessment-q{}", n + 1);
    }
    Some(Assessment {
        questions: chosen,
        passing_score: settings.passing_score,
        time_limit_s: settings.time_limit_s,
    })
}
