//! The validation gate: one cheap call on three short excerpts (start,
//! middle, end) rather than the whole material.

use std::collections::BTreeMap;

use coursegen_core::material::Material;
use coursegen_core::options::Options;
use coursegen_core::outputs::{MaterialCategory, Validation};
use coursegen_core::ports::EngineError;
use coursegen_core::stage::Stage;
use schemars::JsonSchema;
use serde::Deserialize;

use super::chat::Message;
use super::{LlmEngine, prompts};

/// Words per excerpt.
const EXCERPT_WORDS: usize = 80;

/// The validation call's reply.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct Verdict {
    pub suitable: bool,
    /// 0–1.
    pub confidence: f64,
    pub reason: String,
    pub category: MaterialCategory,
}

/// Up to three excerpts of about [`EXCERPT_WORDS`] words, where they start.
pub fn excerpts(material: &Material) -> Vec<String> {
    let s = &material.sentences;
    let mut starts = vec![0, s.len() * 45 / 100, s.len() * 85 / 100];
    starts.dedup();
    let mut taken_until = 0;
    let mut out = Vec::new();
    for start in starts {
        let start = start.max(taken_until);
        let mut words = 0;
        let mut text = Vec::new();
        for sentence in s.iter().skip(start) {
            if words >= EXCERPT_WORDS {
                break;
            }
            words += sentence.text.split_whitespace().count();
            text.push(sentence.text.as_str());
            taken_until += 1;
        }
        taken_until = taken_until.max(start + text.len());
        if !text.is_empty() {
            out.push(text.join(" "));
        }
    }
    out
}

impl LlmEngine {
    pub(super) async fn judge(
        &self,
        material: &Material,
        options: &Options,
    ) -> Result<Validation, EngineError> {
        let excerpts = excerpts(material);
        let words: usize = material
            .sentences
            .iter()
            .map(|s| s.text.split_whitespace().count())
            .sum();
        let minutes = material
            .sentences
            .last()
            .map_or(0, |s| s.end_ms.div_ceil(60_000));
        let user = prompts::render(
            prompts::VALIDATE,
            &[
                ("words", &words.to_string()),
                ("minutes", &minutes.to_string()),
                (
                    "excerpts",
                    &excerpts
                        .iter()
                        .map(|e| format!("<<<\n{e}\n>>>"))
                        .collect::<Vec<_>>()
                        .join("\n"),
                ),
            ],
        );
        let verdict = self
            .chat
            .ask::<Verdict>(
                Stage::Validate,
                options,
                "verdict",
                vec![Message::system(prompts::SYSTEM), Message::user(user)],
                |v| {
                    if (0.0..=1.0).contains(&v.confidence) {
                        Vec::new()
                    } else {
                        vec![format!(
                            "confidence {} is not between 0 and 1",
                            v.confidence
                        )]
                    }
                },
            )
            .await?
            .value;
        let sampled: usize = excerpts.iter().map(|e| e.split_whitespace().count()).sum();
        Ok(Validation {
            suitable: verdict.suitable,
            confidence: verdict.confidence,
            reason: verdict.reason,
            category: verdict.category,
            signals: BTreeMap::from([
                ("words".to_owned(), words as f64),
                ("sampled_words".to_owned(), sampled as f64),
            ]),
        })
    }
}
