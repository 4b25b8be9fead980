//! Questions of every type, built from the facts the material states. Each
//! generator offers candidates; a candidate is one fact asked about at one or
//! more Bloom levels. Selection then fills the requested count of each type,
//! preferring unused facts and the Bloom levels furthest below their target
//! share.

mod choice;
mod cloze;
mod code;
mod open;
mod recall;
mod statements;

use std::collections::{BTreeMap, HashSet};
use std::ops::Range;

use coursegen_core::course::{
    BloomLevel, Difficulty, Question, QuestionBody, QuestionType, SourceSpan,
};
use coursegen_core::options::Options;

use super::facts::{Definition, same_key, term_key};
use super::knowledge::Knowledge;
use statements::KeyStatement;

/// The part of the material one set of questions is about.
#[derive(Debug, Clone)]
pub struct Scope<'a> {
    pub knowledge: &'a Knowledge,
    /// Sentences of the lesson.
    pub range: Range<usize>,
    /// The lesson's span of the material.
    pub start_ms: u64,
    pub end_ms: u64,
    pub title: &'a str,
    /// Prefix of the question ids ("m1-l2").
    pub id_prefix: String,
}

/// Wrong options come from the defined terms nearest the one asked about:
/// at most this many are looked at for one question, so a lesson's
/// questions cost the same whatever the number of terms in the material.
const NEARBY: usize = 48;
/// Distinct other terms, and distinct terms defined as noun phrases
/// ([`choice::is_swappable`]), that any question needs: three distractors.
const OTHERS_WANTED: usize = 3;

impl<'a> Scope<'a> {
    fn definitions(&self) -> std::slice::Iter<'a, Definition> {
        self.knowledge.definitions_in(&self.range).iter()
    }

    /// Other defined terms, nearest to sentence `near` first (so the same
    /// lesson's terms come first: the most plausible wrong answers; the
    /// earlier first at equal distance), with no two naming the same thing,
    /// none `excluded` (given each term's position among the material's
    /// definitions). With `outside`, only terms from other parts of the
    /// material. Enough for any question: [`OTHERS_WANTED`] terms and as
    /// many defined as noun phrases, from the [`NEARBY`] nearest at most.
    fn other_definitions(
        &self,
        near: usize,
        outside: bool,
        mut excluded: impl FnMut(usize, &Definition) -> bool,
    ) -> Vec<&'a Definition> {
        let all = &self.knowledge.definitions;
        // The scope's own terms, skipped when `outside`.
        let own = if outside {
            self.knowledge.definition_positions(&self.range)
        } else {
            0..0
        };
        let mut nearest = Nearest::new(all, near, own);
        let (mut others, mut swappable): (Vec<&'a Definition>, usize) = (Vec::new(), 0);
        for _ in 0..NEARBY {
            if others.len() >= OTHERS_WANTED && swappable >= OTHERS_WANTED {
                break;
            }
            let Some(k) = nearest.next() else { break };
            let d = &all[k];
            crate::work::add(1 + others.len());
            if excluded(k, d) || others.iter().any(|o| same_key(&o.key, &d.key)) {
                continue;
            }
            swappable += usize::from(choice::is_swappable(d));
            others.push(d);
        }
        others
    }

    fn span(&self, sentences: Range<usize>) -> SourceSpan {
        let (start_ms, _) = self.knowledge.timing(sentences.start);
        let (_, end_ms) = self
            .knowledge
            .timing(sentences.end.max(sentences.start + 1) - 1);
        SourceSpan { start_ms, end_ms }
    }
}

/// Positions of `definitions` (in sentence order) by distance of their
/// sentence from `near`, nearest first, the earlier first at equal
/// distance (and in order within one sentence), skipping `skip`.
struct Nearest<'d> {
    definitions: &'d [Definition],
    near: usize,
    skip: Range<usize>,
    /// The definitions before `left` and from `right` on are still to come.
    left: usize,
    right: usize,
    /// The rest of the sentence group last taken from the left, in order.
    group: Range<usize>,
}

impl<'d> Nearest<'d> {
    fn new(definitions: &'d [Definition], near: usize, skip: Range<usize>) -> Self {
        let at = definitions.partition_point(|d| d.sentence < near);
        Nearest {
            definitions,
            near,
            skip,
            left: at,
            right: at,
            group: 0..0,
        }
    }
}

impl Iterator for Nearest<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        if let Some(k) = self.group.next() {
            return Some(k);
        }
        if self.skip.contains(&self.right) {
            self.right = self.skip.end;
        }
        if self.left > self.skip.start && self.left <= self.skip.end {
            self.left = self.skip.start;
        }
        let defs = self.definitions;
        let from_left = defs[..self.left]
            .last()
            .map(|d| self.near.abs_diff(d.sentence));
        let from_right = defs.get(self.right).map(|d| self.near.abs_diff(d.sentence));
        match (from_left, from_right) {
            (Some(l), r) if r.is_none_or(|r| l <= r) => {
                // All of that sentence's definitions, in their own order.
                let sentence = defs[self.left - 1].sentence;
                let start = defs[..self.left].partition_point(|d| d.sentence < sentence);
                self.group = start..self.left;
                self.left = start;
                self.group.next()
            }
            (_, Some(_)) => {
                self.right += 1;
                Some(self.right - 1)
            }
            _ => None,
        }
    }
}

/// Excludes every term naming the same thing as one of `terms`.
fn excluding(terms: &[&str]) -> impl Fn(usize, &Definition) -> bool + use<> {
    let keys: Vec<String> = terms.iter().map(|t| term_key(t)).collect();
    move |_, d| keys.iter().any(|k| same_key(k, &d.key))
}

/// Two terms are the same when their stems are, or one contains the other.
pub(crate) fn same_term(a: &str, b: &str) -> bool {
    same_key(&term_key(a), &term_key(b))
}

/// One fact, askable at the Bloom levels of its variants.
#[derive(Debug, Clone)]
struct Candidate {
    fact: String,
    variants: Vec<Question>,
}

/// A question before its id, points and limits are set.
fn draft(prompt: String, bloom: BloomLevel, source: SourceSpan, body: QuestionBody) -> Question {
    Question {
        id: String::new(),
        prompt,
        source: Some(source),
        bloom,
        difficulty: Difficulty::Medium,
        points: 1,
        time_limit_s: None,
        hint: None,
        explanation: None,
        parameters: Vec::new(),
        body,
    }
}

/// The questions for one lesson: `options.question_mix` of each type, Bloom
/// levels as close to `options.bloom` as the facts allow.
pub fn generate(scope: &Scope<'_>, options: &Options) -> Vec<Question> {
    let total: u32 = options.question_mix.values().map(|n| u32::from(*n)).sum();
    let target: BTreeMap<BloomLevel, f64> = options
        .bloom
        .iter()
        .map(|(l, pct)| (*l, f64::from(*pct) * f64::from(total) / 100.0))
        .collect();
    let mut assigned: BTreeMap<BloomLevel, f64> = BTreeMap::new();
    let mut used_facts: HashSet<String> = HashSet::new();
    let statements = statements::key_statements(scope);
    // Types whose questions come at fewer Bloom levels choose first; the
    // flexible ones then make up what the mix still lacks.
    let mut pools: Vec<(QuestionType, usize, Vec<Candidate>)> = QuestionType::ALL
        .into_iter()
        .map(|ty| {
            (
                ty,
                usize::from(options.question_mix.get(&ty).copied().unwrap_or(0)),
            )
        })
        .filter(|(_, wanted)| *wanted > 0)
        .map(|(ty, wanted)| (ty, wanted, candidates(scope, ty, &statements)))
        .collect();
    pools.sort_by_key(|(ty, _, pool)| {
        let levels: HashSet<BloomLevel> = pool
            .iter()
            .flat_map(|c| c.variants.iter().map(|q| q.bloom))
            .collect();
        (levels.len(), *ty)
    });
    let mut chosen: Vec<(QuestionType, Question)> = Vec::new();
    for (ty, wanted, mut pool) in pools {
        for _ in 0..wanted {
            let deficit = |level: BloomLevel| {
                target.get(&level).copied().unwrap_or(0.0)
                    - assigned.get(&level).copied().unwrap_or(0.0)
            };
            // The level furthest below its target wins; a fact not yet asked
            // about counts as half a question of deficit; ties go to the
            // earlier candidate (material order).
            let score = |c: usize, level: BloomLevel| {
                deficit(level)
                    + if used_facts.contains(&pool[c].fact) {
                        0.0
                    } else {
                        0.5
                    }
            };
            let best = pool
                .iter()
                .enumerate()
                .flat_map(|(c, cand)| {
                    cand.variants
                        .iter()
                        .enumerate()
                        .map(move |(v, q)| (c, v, q.bloom))
                })
                .max_by(|a, b| {
                    score(a.0, a.2)
                        .total_cmp(&score(b.0, b.2))
                        .then(b.0.cmp(&a.0))
                        .then(b.1.cmp(&a.1))
                });
            let Some((c, v, level)) = best else { break };
            let candidate = pool.remove(c);
            used_facts.insert(candidate.fact.clone());
            *assigned.entry(level).or_insert(0.0) += 1.0;
            chosen.push((ty, candidate.variants[v].clone()));
        }
    }
    // Present them in the usual type order.
    chosen.sort_by_key(|(ty, _)| *ty);
    let mut out: Vec<Question> = chosen.into_iter().map(|(_, q)| q).collect();
    for (n, q) in out.iter_mut().enumerate() {
        q.id = format!("{}-q{}", scope.id_prefix, n + 1);
        finish(q, options.difficulty);
    }
    out.retain(|q| q.validate().is_ok());
    out
}

/// A type's candidates: from the terms the lesson defines first, then from
/// its key statements.
fn candidates(scope: &Scope<'_>, ty: QuestionType, said: &[KeyStatement]) -> Vec<Candidate> {
    let mut out = match ty {
        QuestionType::SingleChoice => choice::single_choice(scope),
        QuestionType::MultiChoice => choice::multi_choice(scope),
        QuestionType::TrueFalse => choice::true_false(scope),
        QuestionType::FillBlank => recall::fill_blank(scope),
        QuestionType::ShortAnswer => recall::short_answer(scope),
        QuestionType::Numeric => recall::numeric(scope),
        QuestionType::Ordering => open::ordering(scope),
        QuestionType::Descriptive => open::descriptive(scope),
        // Only material that shows code gets code questions.
        QuestionType::Code => code::code(scope),
    };
    out.extend(match ty {
        QuestionType::SingleChoice => cloze::single_choice(scope, said),
        QuestionType::MultiChoice => cloze::multi_choice(scope, said),
        QuestionType::TrueFalse => cloze::true_false(scope, said),
        QuestionType::FillBlank => cloze::fill_blank(scope, said),
        QuestionType::ShortAnswer => cloze::short_answer(scope, said),
        QuestionType::Descriptive => cloze::descriptive(scope, said),
        QuestionType::Numeric | QuestionType::Ordering | QuestionType::Code => Vec::new(),
    });
    out
}

/// Difficulty, points and time limit from type and Bloom level.
fn finish(q: &mut Question, base: Difficulty) {
    let level_step = match q.bloom {
        BloomLevel::Remember => 0,
        BloomLevel::Understand | BloomLevel::Apply => 1,
        BloomLevel::Analyze | BloomLevel::Evaluate | BloomLevel::Create => 2,
    };
    let base_step = match base {
        Difficulty::Easy => 0,
        Difficulty::Medium => 1,
        Difficulty::Hard => 2,
    };
    q.difficulty = match (level_step + base_step).min(4) {
        0 | 1 => Difficulty::Easy,
        2 => Difficulty::Medium,
        _ => Difficulty::Hard,
    };
    q.points = match q.difficulty {
        Difficulty::Easy => 1,
        Difficulty::Medium => 2,
        Difficulty::Hard => 3,
    };
    q.time_limit_s = Some(match q.question_type() {
        QuestionType::TrueFalse => 30,
        QuestionType::SingleChoice | QuestionType::FillBlank => 45,
        QuestionType::MultiChoice | QuestionType::Numeric | QuestionType::ShortAnswer => 60,
        QuestionType::Ordering => 90,
        QuestionType::Descriptive => 300,
        QuestionType::Code => 900,
    });
}

/// A stable position for the correct option, from the fact it asks about,
/// so answers are not always first yet output stays deterministic.
fn position(seed: &str, len: usize) -> usize {
    let hash = seed.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    (hash % len.max(1) as u64) as usize
}

/// Capitalises the first letter (for terms that start sentences).
fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// "{Subject} is {description}." (or "means", "refers to"…; "{Term}: …" for
/// a term that names the sentence before it).
fn claim(subject: &str, verb: &str, description: &str) -> String {
    if verb.is_empty() {
        format!("{}: {}.", capitalise(subject), description)
    } else {
        format!("{} {} {}.", capitalise(subject), verb, description)
    }
}

/// What the material states about a defined term.
pub(crate) fn statement(d: &Definition) -> String {
    claim(&d.subject, d.verb, &d.description)
}

/// The term as a sentence would name it mid-sentence: "an antigen",
/// "magnitude", "TCP", "Mutt".
pub(crate) fn named(d: &Definition) -> String {
    for article in ["A ", "An ", "The "] {
        if let Some(rest) = d.subject.strip_prefix(article) {
            return format!("{}{rest}", article.to_lowercase());
        }
    }
    if d.name {
        return d.subject.clone();
    }
    let mut c = d.subject.chars();
    match (c.next(), c.clone().next()) {
        // "TCP", "B cell": a capital second letter or a one-letter word is a name.
        (Some(f), Some(second)) if !second.is_uppercase() && second != ' ' => {
            f.to_lowercase().chain(c).collect()
        }
        _ => d.subject.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defined_at(sentence: usize) -> Definition {
        Definition {
            term: format!("term {sentence}"),
            subject: String::new(),
            key: String::new(),
            description: String::new(),
            verb: "is",
            sentence,
            until: sentence + 1,
            name: false,
        }
    }

    #[test]
    fn a_name_keeps_its_capital_where_a_common_term_loses_it() {
        let sentences = crate::offline::facts::tests::sentences(&[
            "Mutt is a text-based mail client.",
            "You start Mutt from a shell, and Mutt reads your mailbox.",
            "Compost is a mix of rotted green waste.",
            "Turn the compost every week.",
            "A mailbox is a file of messages.",
        ]);
        let defs = crate::offline::facts::definitions(&sentences);
        let names: Vec<String> = defs.iter().map(named).collect();
        assert_eq!(names, ["Mutt", "compost", "a mailbox"]);
    }

    #[test]
    fn nearest_first_as_sorting_by_distance_would_give() {
        let mut x = 0x2545_f491_u64;
        let mut next = move |m: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % m) as usize
        };
        for _ in 0..500 {
            // Sentence numbers in order, some repeated (two facts in one sentence).
            let mut sentences: Vec<usize> = (0..next(12)).map(|_| next(30)).collect();
            sentences.sort_unstable();
            let defs: Vec<Definition> = sentences.iter().map(|&s| defined_at(s)).collect();
            let near = next(32);
            let (a, b) = (next(40), next(40));
            let range = a.min(b)..a.max(b);
            let skip = if next(2) == 0 {
                let start = defs.partition_point(|d| d.sentence < range.start);
                start..defs.partition_point(|d| d.sentence < range.end).max(start)
            } else {
                0..0
            };
            let mut expected: Vec<usize> = (0..defs.len()).filter(|k| !skip.contains(k)).collect();
            expected.sort_by_key(|&k| (defs[k].sentence.abs_diff(near), defs[k].sentence));
            let walked: Vec<usize> = Nearest::new(&defs, near, skip.clone()).collect();
            assert_eq!(
                walked, expected,
                "{sentences:?} near {near}, skipping {skip:?}"
            );
        }
    }
}
