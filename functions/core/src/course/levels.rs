//! Difficulty and Bloom's taxonomy levels, with the lenient parsing that
//! other tools' formats need (names, old names, 1–6, L1–L6).

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Default,
    Serialize,
    Deserialize,
    JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Difficulty {
    Easy,
    #[default]
    Medium,
    Hard,
}

impl Difficulty {
    pub const ALL: [Difficulty; 3] = [Difficulty::Easy, Difficulty::Medium, Difficulty::Hard];
    pub fn as_str(self) -> &'static str {
        match self {
            Difficulty::Easy => "easy",
            Difficulty::Medium => "medium",
            Difficulty::Hard => "hard",
        }
    }
}

impl FromStr for Difficulty {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "easy" | "beginner" => Ok(Difficulty::Easy),
            "medium" | "intermediate" => Ok(Difficulty::Medium),
            "hard" | "advanced" => Ok(Difficulty::Hard),
            other => Err(format!(
                "unknown difficulty {other:?} (easy, medium or hard)"
            )),
        }
    }
}

/// The revised Bloom's taxonomy, lowest to highest.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum BloomLevel {
    Remember,
    Understand,
    Apply,
    Analyze,
    Evaluate,
    Create,
}

impl BloomLevel {
    pub const ALL: [BloomLevel; 6] = [
        BloomLevel::Remember,
        BloomLevel::Understand,
        BloomLevel::Apply,
        BloomLevel::Analyze,
        BloomLevel::Evaluate,
        BloomLevel::Create,
    ];

    /// 1 (remember) to 6 (create).
    pub fn number(self) -> u8 {
        self as u8 + 1
    }

    pub fn as_str(self) -> &'static str {
        match self {
            BloomLevel::Remember => "remember",
            BloomLevel::Understand => "understand",
            BloomLevel::Apply => "apply",
            BloomLevel::Analyze => "analyze",
            BloomLevel::Evaluate => "evaluate",
            BloomLevel::Create => "create",
        }
    }

    /// Reads a level as other tools write it: a name of the revised taxonomy,
    /// a name of the original one (knowledge … creation, also "synthesis"),
    /// `1`–`6` or `L1`–`L6`. Case and surrounding space do not matter.
    pub fn parse_lenient(s: &str) -> Option<BloomLevel> {
        let s = s.trim().to_ascii_lowercase();
        let digits = s.strip_prefix('l').unwrap_or(&s);
        if let Ok(n) = digits.parse::<u8>() {
            return Self::from_number(n);
        }
        Some(match s.as_str() {
            "remember" | "remembering" | "knowledge" => BloomLevel::Remember,
            "understand" | "understanding" | "comprehension" => BloomLevel::Understand,
            "apply" | "applying" | "application" => BloomLevel::Apply,
            "analyze" | "analyse" | "analyzing" | "analysing" | "analysis" => BloomLevel::Analyze,
            "evaluate" | "evaluating" | "evaluation" => BloomLevel::Evaluate,
            "create" | "creating" | "creation" | "synthesis" => BloomLevel::Create,
            _ => return None,
        })
    }

    pub fn from_number(n: u8) -> Option<BloomLevel> {
        Self::ALL.get(usize::from(n).checked_sub(1)?).copied()
    }
}

impl fmt::Display for BloomLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for BloomLevel {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::parse_lenient(s).ok_or_else(|| {
            format!(
                "unknown Bloom level {s:?} (remember … create, knowledge … creation, 1–6 or L1–L6)"
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bloom_levels_parse_in_every_listed_form() {
        let cases = [
            ("knowledge", BloomLevel::Remember),
            ("Remember", BloomLevel::Remember),
            ("comprehension", BloomLevel::Understand),
            ("application", BloomLevel::Apply),
            ("L4", BloomLevel::Analyze),
            ("analysis", BloomLevel::Analyze),
            ("5", BloomLevel::Evaluate),
            ("creation", BloomLevel::Create),
            (" l6 ", BloomLevel::Create),
        ];
        for (text, level) in cases {
            assert_eq!(text.parse::<BloomLevel>(), Ok(level), "{text}");
        }
        for bad in ["0", "7", "L0", "wisdom", ""] {
            assert!(bad.parse::<BloomLevel>().is_err(), "{bad:?}");
        }
        assert_eq!(BloomLevel::Create.number(), 6);
    }
}
