//! A course's questions as a question bank: a category per module (its
//! lessons' exercises) and one for the final assessment, each question
//! with a stable name, so importing a course again updates rather than
//! duplicates where a system matches questions by name.

use coursegen_core::course::{Course, Question};

/// The questions of one category.
#[derive(Debug)]
pub struct Category<'a> {
    /// From the course down: `[course title, module title]`.
    pub path: Vec<&'a str>,
    pub questions: Vec<&'a Question>,
}

/// Every question of a course, by category.
#[derive(Debug)]
pub struct Bank<'a> {
    pub categories: Vec<Category<'a>>,
}

/// The name of the final assessment's category.
pub const ASSESSMENT: &str = "Final assessment";

impl<'a> Bank<'a> {
    pub fn of(course: &'a Course) -> Self {
        let mut categories: Vec<Category<'a>> = course
            .modules
            .iter()
            .map(|module| Category {
                path: vec![course.title.as_str(), module.title.as_str()],
                questions: module
                    .lessons
                    .iter()
                    .flat_map(|lesson| &lesson.exercises)
                    .collect(),
            })
            .filter(|c| !c.questions.is_empty())
            .collect();
        if let Some(assessment) = course.assessment.as_ref()
            && !assessment.questions.is_empty()
        {
            categories.push(Category {
                path: vec![course.title.as_str(), ASSESSMENT],
                questions: assessment.questions.iter().collect(),
            });
        }
        Bank { categories }
    }

    pub fn questions(&self) -> impl Iterator<Item = &'a Question> + '_ {
        self.categories
            .iter()
            .flat_map(|c| c.questions.iter().copied())
    }
}

/// What a format could not carry of one question.
pub use coursegen_core::exports::ExportNote as Note;

/// What an export could not carry, question by question.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub notes: Vec<Note>,
}

impl Report {
    pub fn note(&mut self, question: &Question, note: impl Into<String>) {
        self.notes.push(Note {
            question: question.id.clone(),
            note: note.into(),
        });
    }

    /// A note about the course as a whole, not one question.
    pub fn note_course(&mut self, note: impl Into<String>) {
        self.notes.push(Note {
            question: "(course)".into(),
            note: note.into(),
        });
    }

    pub fn is_empty(&self) -> bool {
        self.notes.is_empty()
    }
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for note in &self.notes {
            writeln!(f, "{}: {}", note.question, note.note)?;
        }
        Ok(())
    }
}

/// Notes a numeric question made from a formula or parameters: neither
/// format keeps that, only its fixed value.
pub fn note_calculated(q: &Question, expression: &Option<String>, report: &mut Report) {
    if expression.is_some() || !q.parameters.is_empty() {
        report.note(
            q,
            "exported with its fixed value, not as a calculated question",
        );
    }
}

/// The blank of a fill-in-the-blank prompt: the text before and after its
/// first run of three or more underscores.
pub fn blank(prompt: &str) -> Option<(&str, &str)> {
    let start = prompt.find("___")?;
    let end = prompt[start..]
        .find(|c| c != '_')
        .map_or(prompt.len(), |n| start + n);
    Some((&prompt[..start], &prompt[end..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blank_is_a_run_of_underscores() {
        assert_eq!(blank("The ____ is red."), Some(("The ", " is red.")));
        assert_eq!(blank("Ends with ___"), Some(("Ends with ", "")));
        assert_eq!(blank("No blank _ here"), None);
    }
}
