//! The prompts, as templates in `prompts/*.md` with `{{name}}` slots that
//! the stage modules fill from our types. A dozen lines of substitution
//! serve better here than a template engine: the slots hold text we built,
//! and a slot left unfilled is a bug the tests catch.

pub const SYSTEM: &str = include_str!("prompts/system.md");
pub const JSON_MODE: &str = include_str!("prompts/json_mode.md");
pub const REPAIR: &str = include_str!("prompts/repair.md");
pub const BRIEFER: &str = include_str!("prompts/briefer.md");
pub const VALIDATE: &str = include_str!("prompts/validate.md");
pub const PLAN: &str = include_str!("prompts/plan.md");
pub const OUTLINE: &str = include_str!("prompts/outline.md");
pub const LESSON: &str = include_str!("prompts/lesson.md");
pub const REGENERATE: &str = include_str!("prompts/regenerate.md");
pub const REPLACE: &str = include_str!("prompts/replace.md");
pub const ASSESSMENT: &str = include_str!("prompts/assessment.md");
pub const NOTES: &str = include_str!("prompts/notes.md");
pub const TOPIC_OUTLINE: &str = include_str!("prompts/topic_outline.md");
pub const CHAPTER: &str = include_str!("prompts/chapter.md");
pub const TOPIC_NOTES: &str = include_str!("prompts/topic_notes.md");
pub const NARRATION: &str = include_str!("prompts/narration.md");
pub const STORYBOARD: &str = include_str!("prompts/storyboard.md");
pub const IMAGE_PROMPTS: &str = include_str!("prompts/image_prompts.md");

/// `template` with each `{{name}}` replaced by its value.
///
/// # Panics
/// When a slot has no value or a value has no slot: both are
/// programming errors in this crate, caught by its tests.
pub fn render(template: &str, values: &[(&str, &str)]) -> String {
    let mut out =
        String::with_capacity(template.len() + values.iter().map(|v| v.1.len()).sum::<usize>());
    let mut rest = template;
    let mut used = Vec::new();
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after
            .find("}}")
            .expect("an unclosed slot in a prompt template");
        let name = after[..end].trim();
        let value = values
            .iter()
            .find(|(n, _)| *n == name)
            .unwrap_or_else(|| panic!("no value for the prompt slot {name:?}"));
        out.push_str(value.1);
        used.push(name);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    for (name, _) in values {
        assert!(used.contains(name), "the prompt has no slot {name:?}");
    }
    out.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_filled() {
        assert_eq!(
            render("a {{x}} b {{ y }}", &[("x", "1"), ("y", "2")]),
            "a 1 b 2"
        );
    }

    #[test]
    #[should_panic(expected = "no value for the prompt slot")]
    fn a_missing_value_is_a_bug() {
        render("{{x}}", &[]);
    }
}
