//! The outline gate's editor: rename the course, its modules and lessons,
//! reorder lessons and move them between modules (or into a new module).
//! What a lesson is made of (segments, times, objectives) moves with it.

use coursegen_core::outputs::{Outline, OutlineModule};

use super::page::{Fields, field};
use crate::error::ApiError;

pub(super) struct ModuleForm {
    pub title: String,
}

pub(super) struct LessonForm {
    pub title: String,
    /// 1-based; one past the modules is the new module.
    pub module: usize,
    pub position: usize,
}

pub(super) struct OutlineEditor {
    pub title: String,
    pub modules: Vec<ModuleForm>,
    /// The title a new module gets, if lessons are moved into it.
    pub new_module: String,
    pub lessons: Vec<LessonForm>,
}

impl OutlineEditor {
    pub fn of(outline: &Outline) -> Self {
        let mut lessons = Vec::new();
        for (m, module) in outline.modules.iter().enumerate() {
            for lesson in &module.lessons {
                lessons.push(LessonForm {
                    title: lesson.title.clone(),
                    module: m + 1,
                    position: lessons.len() + 1,
                });
            }
        }
        OutlineEditor {
            title: outline.title.clone(),
            modules: outline
                .modules
                .iter()
                .map(|m| ModuleForm {
                    title: m.title.clone(),
                })
                .collect(),
            new_module: String::new(),
            lessons,
        }
    }

    /// The form as posted, over the outline it was made from (same lessons,
    /// in the same order as the form lists them).
    pub fn posted(base: &Outline, fields: &Fields) -> Result<Self, ApiError> {
        let mut editor = OutlineEditor::of(base);
        let text = |name: &str| field(fields, name).map(|v| v.trim().to_owned());
        if let Some(title) = text("title") {
            editor.title = title;
        }
        for (m, module) in editor.modules.iter_mut().enumerate() {
            if let Some(title) = text(&format!("module.{m}.title")) {
                module.title = title;
            }
        }
        editor.new_module = text("module.new.title").unwrap_or_default();
        let most = editor.modules.len() + 1;
        for (i, lesson) in editor.lessons.iter_mut().enumerate() {
            if let Some(title) = text(&format!("lesson.{i}.title")) {
                lesson.title = title;
            }
            if let Some(module) = text(&format!("lesson.{i}.module")) {
                lesson.module = module
                    .parse()
                    .ok()
                    .filter(|m| (1..=most).contains(m))
                    .ok_or_else(|| ApiError::invalid("module", "choose one of the modules"))?;
            }
            if let Some(position) = text(&format!("lesson.{i}.position")) {
                lesson.position = position
                    .parse()
                    .map_err(|_| ApiError::invalid("position", "must be a whole number"))?;
            }
        }
        Ok(editor)
    }

    /// The outline this form makes of `base`: modules in their order (the
    /// new one last), each with its lessons by position; modules left
    /// without lessons are dropped.
    pub fn apply(&self, base: &Outline) -> Outline {
        let originals: Vec<_> = base.lessons().cloned().collect();
        let mut modules: Vec<OutlineModule> = base
            .modules
            .iter()
            .zip(&self.modules)
            .map(|(module, form)| OutlineModule {
                title: form.title.clone(),
                summary: module.summary.clone(),
                lessons: Vec::new(),
            })
            .collect();
        modules.push(OutlineModule {
            title: self.new_module.clone(),
            summary: String::new(),
            lessons: Vec::new(),
        });
        let mut order: Vec<(usize, &LessonForm)> = self.lessons.iter().enumerate().collect();
        order.sort_by_key(|(i, form)| (form.position, *i));
        for (i, form) in order {
            let mut lesson = originals[i].clone();
            lesson.title = form.title.clone();
            modules[form.module - 1].lessons.push(lesson);
        }
        modules.retain(|m| !m.lessons.is_empty());
        Outline {
            title: self.title.clone(),
            description: base.description.clone(),
            modules,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use coursegen_core::outputs::OutlineLesson;

    fn lesson(title: &str, segment: usize) -> OutlineLesson {
        OutlineLesson {
            title: title.into(),
            segments: vec![segment],
            start_ms: segment as u64 * 1000,
            end_ms: segment as u64 * 1000 + 1000,
            objectives: vec![format!("objective {segment}")],
        }
    }

    fn outline() -> Outline {
        Outline {
            title: "Course".into(),
            description: "d".into(),
            modules: vec![
                OutlineModule {
                    title: "One".into(),
                    summary: "s1".into(),
                    lessons: vec![lesson("a", 0), lesson("b", 1)],
                },
                OutlineModule {
                    title: "Two".into(),
                    summary: "s2".into(),
                    lessons: vec![lesson("c", 2)],
                },
            ],
        }
    }

    fn fields(pairs: &[(&str, &str)]) -> Fields {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn an_untouched_form_gives_back_the_same_outline() {
        let base = outline();
        let editor = OutlineEditor::posted(&base, &fields(&[])).unwrap();
        assert_eq!(editor.apply(&base), base);
    }

    #[test]
    fn lessons_are_renamed_reordered_and_moved_with_what_they_are_made_of() {
        let base = outline();
        let form = fields(&[
            ("lesson.0.title", "A renamed"),
            ("lesson.1.module", "2"),
            ("lesson.1.position", "9"),
            ("lesson.2.position", "0"),
        ]);
        let made = OutlineEditor::posted(&base, &form).unwrap().apply(&base);
        assert_eq!(made.modules[0].lessons.len(), 1);
        assert_eq!(made.modules[0].lessons[0].title, "A renamed");
        let two: Vec<_> = made.modules[1].lessons.iter().map(|l| &l.title).collect();
        assert_eq!(two, ["c", "b"], "c has the lower position");
        assert_eq!(made.modules[1].lessons[1].segments, vec![1]);
        assert_eq!(made.modules[1].lessons[1].objectives, vec!["objective 1"]);
    }

    #[test]
    fn a_module_left_empty_goes_and_a_new_one_can_be_made() {
        let base = outline();
        let form = fields(&[("lesson.2.module", "3"), ("module.new.title", "Three")]);
        let made = OutlineEditor::posted(&base, &form).unwrap().apply(&base);
        let titles: Vec<_> = made.modules.iter().map(|m| m.title.as_str()).collect();
        assert_eq!(titles, ["One", "Three"]);
        assert!(OutlineEditor::posted(&base, &fields(&[("lesson.0.module", "7")])).is_err());
    }
}
