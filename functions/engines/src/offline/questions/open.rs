//! Ordering questions from the steps the material lists, and descriptive
//! questions with model answers and rubrics taken from what it says.

use coursegen_core::course::{BloomLevel, QuestionBody, RubricItem};

use super::{Candidate, Scope, draft, named, statement};
use crate::offline::facts::Definition;
use crate::offline::find::contains_marker;
use crate::offline::text::words;

/// Steps longer than this are cut (with an ellipsis) to stay readable.
const MAX_STEP_WORDS: usize = 16;
/// The most steps an ordering question lists.
const MAX_STEPS: usize = 6;
/// Main points in a "the order the lesson makes them" question.
const FLOW_POINTS: usize = 4;

/// Ordering needs distinct items; a repeated one keeps its first place.
fn dedupe(items: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    items
        .into_iter()
        .filter(|i| seen.insert(i.to_lowercase()))
        .collect()
}

fn shorten(step: &str) -> String {
    let ws: Vec<&str> = step.split_whitespace().collect();
    let text = if ws.len() > MAX_STEP_WORDS {
        format!("{} …", ws[..MAX_STEP_WORDS].join(" "))
    } else {
        ws.join(" ")
    };
    let mut c = text.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

pub(super) fn ordering(scope: &Scope<'_>) -> Vec<Candidate> {
    let mut out = step_orderings(scope);
    out.extend(flow_ordering(scope));
    out
}

/// The order in which the lesson makes its main points: for lessons that
/// explain rather than list steps.
fn flow_ordering(scope: &Scope<'_>) -> Option<Candidate> {
    let sentences = &scope.knowledge.sentences[scope.range.clone()];
    let stems = &scope.knowledge.stems[scope.range.clone()];
    let picked = crate::offline::summary::central_sentences(
        sentences,
        stems,
        &scope.knowledge.idf,
        FLOW_POINTS,
    );
    if picked.len() < 3 {
        return None;
    }
    let items: Vec<String> = picked
        .iter()
        .map(|&i| shorten(&sentences[i].text))
        .collect();
    let first = scope.range.start + picked[0];
    let last = scope.range.start + picked[picked.len() - 1];
    let mut q = draft(
        format!(
            "Put these points from \"{}\" in the order the lesson makes them.",
            scope.title
        ),
        BloomLevel::Understand,
        scope.span(first..last + 1),
        QuestionBody::Ordering { items },
    );
    q.explanation = Some("The lesson builds its explanation in this order.".to_owned());
    Some(Candidate {
        fact: format!("flow:{}", scope.range.start),
        variants: vec![q],
    })
}

fn step_orderings(scope: &Scope<'_>) -> Vec<Candidate> {
    scope
        .knowledge
        .sequences_in(&scope.range)
        .iter()
        .map(|seq| {
            let items: Vec<String> = seq.steps.iter().take(MAX_STEPS).map(|s| shorten(s)).collect();
            let items = dedupe(items);
            let first = seq.sentences[0];
            let last = seq.sentences[items.len() - 1];
            let source = scope.span(first..last + 1);
            let body = QuestionBody::Ordering { items };
            let mut understand = draft(
                "Put these steps in the order the lesson describes them.".to_owned(),
                BloomLevel::Understand,
                source,
                body.clone(),
            );
            understand.explanation = Some(format!("The lesson walks through them in this order, starting: \"{}\"", scope.knowledge.sentences[first].text));
            let mut apply = draft(
                format!("You are explaining \"{}\" to someone else. In what order do these steps happen?", scope.title),
                BloomLevel::Apply,
                source,
                body,
            );
            apply.explanation = understand.explanation.clone();
            Candidate { fact: format!("seq:{first}"), variants: vec![understand, apply] }
        })
        .collect()
}

/// The definition sentence and the one after it, when it continues the idea.
fn model_answer(scope: &Scope<'_>, d: &Definition) -> String {
    let sentences = &scope.knowledge.sentences;
    let mut answer = sentences[d.sentence].text.clone();
    if let Some(next) = sentences.get(d.sentence + 1)
        && scope.range.contains(&(d.sentence + 1))
        && words(&next.text).len() >= 6
    {
        answer.push(' ');
        answer.push_str(&next.text);
    }
    answer
}

/// An example the lesson gives near the definition ("for example", "like",
/// "such as"), if any.
fn example_near(scope: &Scope<'_>, d: &Definition) -> Option<String> {
    let sentences = &scope.knowledge.sentences;
    (d.sentence..(d.sentence + 4).min(scope.range.end))
        .map(|i| &sentences[i].text)
        .find(|t| {
            [
                "for example",
                "for instance",
                "such as",
                " like a",
                " like the",
            ]
            .iter()
            .any(|m| contains_marker(t, m))
        })
        .cloned()
}

fn rubric(d: &Definition) -> Vec<RubricItem> {
    let key: Vec<String> = words(&d.description)
        .into_iter()
        .filter(|w| crate::offline::text::is_content(w))
        .take(4)
        .collect();
    vec![
        RubricItem {
            criterion: format!("Says what {} is: {}", d.term, d.description),
            points: 2,
        },
        RubricItem {
            criterion: format!("Uses the lesson's key ideas ({})", key.join(", ")),
            points: 1,
        },
        RubricItem {
            criterion: "Adds a detail, example or consequence from the lesson".to_owned(),
            points: 1,
        },
    ]
}

pub(super) fn descriptive(scope: &Scope<'_>) -> Vec<Candidate> {
    let here: Vec<&Definition> = scope.definitions().collect();
    let mut out = Vec::new();
    for (k, d) in here.iter().enumerate() {
        let source = scope.span(d.sentence..(d.sentence + 2).min(scope.range.end).max(d.until));
        let model = model_answer(scope, d);
        let mut variants = vec![
            draft(
                format!("Explain in your own words what {} is.", named(d)),
                BloomLevel::Understand,
                source,
                QuestionBody::Descriptive {
                    model_answer: model.clone(),
                    rubric: rubric(d),
                },
            ),
            draft(
                format!(
                    "Design a short explanation, with a diagram or analogy, that would teach {} to someone new to the topic.",
                    d.term
                ),
                BloomLevel::Create,
                source,
                QuestionBody::Descriptive {
                    model_answer: format!(
                        "A good explanation starts from the lesson's definition — {} — and builds on it: {model}",
                        statement(d)
                    ),
                    rubric: rubric(d),
                },
            ),
        ];
        if let Some(example) = example_near(scope, d) {
            variants.push(draft(
                format!(
                    "Give an example of {} and explain how it fits the lesson's definition.",
                    named(d)
                ),
                BloomLevel::Apply,
                source,
                QuestionBody::Descriptive {
                    model_answer: format!("{model} The lesson's own example: {example}"),
                    rubric: rubric(d),
                },
            ));
        }
        if let Some(b) = here
            .get(k + 1)
            .or_else(|| here.get(k.wrapping_sub(1)))
            .filter(|b| b.term != d.term)
        {
            let first = d.sentence.min(b.sentence);
            let last = d.until.max(b.until) - 1;
            variants.push(draft(
                format!(
                    "Compare {} and {}: how are they related, and how do they differ?",
                    d.term, b.term
                ),
                BloomLevel::Analyze,
                scope.span(first..last + 1),
                QuestionBody::Descriptive {
                    model_answer: format!(
                        "{} {}",
                        scope.knowledge.sentences[d.sentence].text,
                        scope.knowledge.sentences[b.sentence].text
                    ),
                    rubric: vec![
                        RubricItem {
                            criterion: format!("Describes {} correctly", d.term),
                            points: 1,
                        },
                        RubricItem {
                            criterion: format!("Describes {} correctly", b.term),
                            points: 1,
                        },
                        RubricItem {
                            criterion: "States a real difference and a link between them"
                                .to_owned(),
                            points: 2,
                        },
                    ],
                },
            ));
            variants.push(draft(
                format!(
                    "The lesson treats {} and {} as separate ideas. How well does it justify keeping them apart? Support your judgement with what the lesson says.",
                    d.term, b.term
                ),
                BloomLevel::Evaluate,
                scope.span(first..last + 1),
                QuestionBody::Descriptive {
                    model_answer: format!(
                        "They are distinct: {} {} A judgement should weigh these two statements.",
                        statement(d),
                        statement(b)
                    ),
                    rubric: vec![
                        RubricItem { criterion: "Reaches a clear judgement".to_owned(), points: 1 },
                        RubricItem { criterion: "Supports it with both definitions from the lesson".to_owned(), points: 2 },
                        RubricItem { criterion: "Considers how the two ideas connect".to_owned(), points: 1 },
                    ],
                },
            ));
        }
        out.push(Candidate {
            fact: format!("def:{}", d.term.to_lowercase()),
            variants,
        });
    }
    out
}
