//! A playlist made into one course: a module per video, in the playlist's
//! order, and each lesson linking into its own video at its own times.

use super::VideoPart;
use crate::outputs::{Outline, OutlineModule};

/// The video whose part of the material `ms` falls in.
pub fn part_at(parts: &[VideoPart], ms: u64) -> Option<&VideoPart> {
    parts
        .iter()
        .rev()
        .find(|p| p.start_ms <= ms)
        .or(parts.first())
}

/// `outline` regrouped a module per video: each lesson goes to the video
/// its start falls in, in order; a video without lessons has no module.
/// A module is titled by its video and keeps the summary of the module its
/// first lesson came from.
pub fn modules_by_video(outline: Outline, parts: &[VideoPart]) -> Outline {
    if parts.is_empty() {
        return outline;
    }
    let mut modules: Vec<OutlineModule> = parts
        .iter()
        .enumerate()
        .map(|(i, part)| OutlineModule {
            title: part
                .title
                .clone()
                .unwrap_or_else(|| format!("Video {}", i + 1)),
            summary: String::new(),
            lessons: Vec::new(),
        })
        .collect();
    let Outline {
        title,
        description,
        modules: planned,
    } = outline;
    for module in planned {
        for lesson in module.lessons {
            let k = parts
                .iter()
                .rposition(|p| p.start_ms <= lesson.start_ms)
                .unwrap_or(0);
            if modules[k].lessons.is_empty() {
                modules[k].summary = module.summary.clone();
            }
            modules[k].lessons.push(lesson);
        }
    }
    modules.retain(|m| !m.lessons.is_empty());
    Outline {
        title,
        description,
        modules,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outputs::OutlineLesson;

    fn part(id: &str, start_ms: u64, end_ms: u64) -> VideoPart {
        VideoPart {
            video_id: id.into(),
            url: format!("https://www.youtube.com/watch?v={id}"),
            title: Some(format!("About {id}")),
            start_ms,
            end_ms,
            chapter_ends_ms: Vec::new(),
        }
    }

    fn lesson(title: &str, start_ms: u64) -> OutlineLesson {
        OutlineLesson {
            title: title.into(),
            segments: Vec::new(),
            start_ms,
            end_ms: start_ms + 1000,
            objectives: Vec::new(),
        }
    }

    #[test]
    fn each_video_becomes_a_module_of_its_lessons() {
        let parts = [
            part("a", 0, 60_000),
            part("b", 61_000, 90_000),
            part("c", 91_000, 99_000),
        ];
        let outline = Outline {
            title: "T".into(),
            description: "D".into(),
            modules: vec![
                OutlineModule {
                    title: "planned 1".into(),
                    summary: "first".into(),
                    lessons: vec![lesson("l1", 0), lesson("l2", 30_000), lesson("l3", 61_000)],
                },
                OutlineModule {
                    title: "planned 2".into(),
                    summary: "second".into(),
                    lessons: vec![lesson("l4", 80_000)],
                },
            ],
        };
        let regrouped = modules_by_video(outline, &parts);
        let shape: Vec<(&str, &str, Vec<&str>)> = regrouped
            .modules
            .iter()
            .map(|m| {
                let lessons = m.lessons.iter().map(|l| l.title.as_str()).collect();
                (m.title.as_str(), m.summary.as_str(), lessons)
            })
            .collect();
        // Video c has no lesson of its own, so no module.
        assert_eq!(
            shape,
            [
                ("About a", "first", vec!["l1", "l2"]),
                ("About b", "first", vec!["l3", "l4"]),
            ]
        );
        assert_eq!(regrouped.title, "T");
        assert_eq!(part_at(&parts, 95_000).unwrap().video_id, "c");
        assert_eq!(part_at(&parts, 60_500).unwrap().video_id, "a");
    }
}
