//! Code questions from the code the material shows: complete a line taken
//! out of the lesson's listing, or write the listing from its description.
//! Doctest-style examples in the listing (`>>> call` then the result) become
//! the question's tests.

use coursegen_core::course::{BloomLevel, CodeTest, QuestionBody};
use coursegen_core::material::CodeSample;

use super::recall::BLANK;
use super::{Candidate, Scope, draft};

/// Listings shorter than this have no line worth taking out.
const MIN_LINES: usize = 2;

pub(super) fn code(scope: &Scope<'_>) -> Vec<Candidate> {
    let (first, samples) = scope.knowledge.code_in(scope.start_ms, scope.end_ms);
    if samples.is_empty() {
        return Vec::new();
    }
    let before = SaidBefore::new(scope);
    samples
        .iter()
        .enumerate()
        .filter_map(|(i, sample)| candidate(scope, &before, first + i, sample))
        .collect()
}

/// The last sentence of a lesson that ends by a given time, for any number
/// of times: the running minimum of sentence ends from the lesson's end
/// backwards rises towards the end, so a binary search finds it (sentences
/// need not end in order).
struct SaidBefore {
    /// The least end of sentences `range.start + k..range.end`.
    least_end_from: Vec<u64>,
    start: usize,
}

impl SaidBefore {
    fn new(scope: &Scope<'_>) -> Self {
        let sentences = &scope.knowledge.sentences[scope.range.clone()];
        crate::work::add(sentences.len());
        let mut least_end_from: Vec<u64> = sentences.iter().map(|s| s.end_ms).collect();
        for k in (0..least_end_from.len().saturating_sub(1)).rev() {
            least_end_from[k] = least_end_from[k].min(least_end_from[k + 1]);
        }
        SaidBefore {
            least_end_from,
            start: scope.range.start,
        }
    }

    /// The last sentence (its index in the material) ending at or before `at`.
    fn at(&self, at: u64) -> Option<usize> {
        let after = self.least_end_from.partition_point(|&end| end <= at);
        after.checked_sub(1).map(|k| self.start + k)
    }
}

fn candidate(
    scope: &Scope<'_>,
    before: &SaidBefore,
    index: usize,
    sample: &CodeSample,
) -> Option<Candidate> {
    let lines: Vec<&str> = sample.code.lines().collect();
    let body: Vec<usize> = (0..lines.len())
        .filter(|&i| is_significant(lines[i]))
        .collect();
    if body.len() < MIN_LINES {
        return None;
    }
    // The longest significant line after the first (which names the thing).
    let target = *body[1..]
        .iter()
        .max_by_key(|&&i| (lines[i].trim().len(), std::cmp::Reverse(i)))?;
    let indent: String = lines[target]
        .chars()
        .take_while(|c| c.is_whitespace())
        .collect();
    let template: Vec<String> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            if i == target {
                format!("{indent}{BLANK}")
            } else {
                (*l).to_owned()
            }
        })
        .collect();
    let language = sample.language.clone().unwrap_or_else(|| "text".to_owned());
    let tests = doctests(&lines);
    let source = coursegen_core::course::SourceSpan {
        start_ms: sample.start_ms,
        end_ms: sample.end_ms,
    };
    // What the lesson says just before showing the code describes it.
    let described = before
        .at(sample.start_ms)
        .map(|i| scope.knowledge.sentences[i].text.clone());
    let mut complete = draft(
        format!(
            "Complete the missing line ({BLANK}) of the {language} code from \"{}\".",
            scope.title
        ),
        BloomLevel::Apply,
        source,
        QuestionBody::Code {
            language: language.clone(),
            template: template.join("\n"),
            tests: tests.clone(),
            solution: Some(sample.code.clone()),
        },
    );
    complete.hint = Some(format!(
        "The missing line is line {} of {}.",
        target + 1,
        lines.len()
    ));
    let mut variants = vec![complete];
    if let Some(description) = described {
        let first = lines[body[0]];
        variants.push(draft(
            format!("Write {language} code that does what the lesson describes: {description}"),
            BloomLevel::Create,
            source,
            QuestionBody::Code {
                language,
                template: format!("{first}\n{indent}{BLANK}"),
                tests,
                solution: Some(sample.code.clone()),
            },
        ));
    }
    Some(Candidate {
        fact: format!("code:{index}"),
        variants,
    })
}

/// Not blank, not a comment, not a doctest line.
fn is_significant(line: &str) -> bool {
    let t = line.trim();
    !(t.is_empty()
        || t.starts_with('#')
        || t.starts_with("//")
        || t.starts_with(">>>")
        || t.starts_with("--"))
}

/// `>>> expression` followed by its expected output line.
fn doctests(lines: &[&str]) -> Vec<CodeTest> {
    lines
        .windows(2)
        .filter_map(|w| {
            let input = w[0].trim().strip_prefix(">>> ")?;
            let output = w[1].trim();
            (!output.is_empty() && !output.starts_with(">>>")).then(|| CodeTest {
                input: input.to_owned(),
                expected_output: output.to_owned(),
                hidden: false,
            })
        })
        .collect()
}
