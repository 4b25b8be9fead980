//! A storyboard from a course script, deterministically: each video's
//! spoken lines (the sentences of its paragraphs, its list items and table
//! rows) are timed at a speaking rate, cut into shots that never cross one
//! of the script's scene headings, and each shot into frames of whole
//! sentences. How many shots follows from how long the narration runs;
//! a short video gets the seed's four shots of three frames. Each frame is
//! described by its key phrases, shows its video's title, a list item or a
//! figure it states, and moves the camera the way the text reads.

use coursegen_core::material::ScriptSection;
use coursegen_core::narration::Direction;
use coursegen_core::ports::{EngineError, StoryboardRequest};
use coursegen_core::storyboard::{
    Camera, Frame, MAX_FRAME_MS, MIN_FRAME_MS, Shot, Storyboard, VideoBoard,
};

use std::collections::HashMap;

use super::keyphrases::{Phrase, keyphrases};
use super::shots::{Line, durations, lines_of, shots_of};

/// Key phrases describing a frame, and words of on-screen text at most.
const FRAME_PHRASES: usize = 3;
/// Phrases a frame's are chosen from.
const CANDIDATE_PHRASES: usize = 8;
const SHOWN_WORDS: usize = 8;

/// The storyboard of every video of the request.
pub fn storyboard(request: StoryboardRequest<'_>) -> Result<Storyboard, EngineError> {
    if request.videos.is_empty() {
        return Err(EngineError::Invalid(
            "the script has no text to make a storyboard from".into(),
        ));
    }
    let videos = request
        .videos
        .iter()
        .enumerate()
        .map(|(i, section)| video(i as u32 + 1, section, request.language))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Storyboard {
        title: request.title.trim().to_owned(),
        videos,
    })
}

fn video(
    number: u32,
    section: &ScriptSection,
    course_language: &str,
) -> Result<VideoBoard, EngineError> {
    let (lines, scenes) = lines_of(section);
    let title = if section.title.trim().is_empty() {
        section.header.trim().to_owned()
    } else {
        section.title.trim().to_owned()
    };
    if lines.is_empty() {
        return Err(EngineError::Invalid(format!(
            "video {number} (\"{title}\") has nothing to narrate"
        )));
    }
    let text: String = lines
        .iter()
        .map(|l| l.text.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let language = language_of(&text, course_language);
    let direction = Direction::of(&language);
    let groups = shots_of(&lines);
    let frame_texts: Vec<String> = groups
        .iter()
        .flatten()
        .map(|frame| {
            frame
                .iter()
                .map(|l| l.text.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    let mut phrases = frame_phrases(&frame_texts).into_iter();
    let shot_count = groups.len();
    let shots = groups
        .into_iter()
        .enumerate()
        .map(|(s, frames)| {
            let scene = frames[0][0].scene;
            let count = frames.len();
            Shot {
                number: s as u32 + 1,
                scene: scenes[scene].clone(),
                frames: frames
                    .into_iter()
                    .enumerate()
                    .map(|(f, lines)| {
                        let at = Place {
                            shot: s,
                            shots: shot_count,
                            frame: f,
                            frames: count,
                        };
                        let terms: Vec<String> = phrases
                            .next()
                            .unwrap_or_default()
                            .into_iter()
                            .map(|p| cased(&p.text, &text))
                            .collect();
                        frame(lines, &terms, at, &title, direction)
                    })
                    .collect(),
            }
        })
        .collect();
    Ok(VideoBoard {
        number: section.number.unwrap_or(number),
        title,
        language,
        shots,
    })
}

/// Each frame's key phrases, best first: of the phrases that set a frame
/// apart, those the video keeps coming back to (what it is about, and so
/// what to show) before those it says once ("caused", "four").
fn frame_phrases(texts: &[String]) -> Vec<Vec<Phrase>> {
    let candidates = keyphrases(texts, CANDIDATE_PHRASES);
    let mut spread: HashMap<&[String], usize> = HashMap::new();
    for phrase in candidates.iter().flatten() {
        *spread.entry(&phrase.stems).or_default() += 1;
    }
    let weight = |p: &Phrase| p.score * (spread[p.stems.as_slice()] as f64).sqrt();
    candidates
        .iter()
        .map(|frame| {
            let mut ranked = frame.clone();
            ranked.sort_by(|a, b| weight(b).total_cmp(&weight(a)));
            ranked.truncate(FRAME_PHRASES);
            ranked
        })
        .collect()
}

/// `phrase` with its capital only if `text` writes it so inside a
/// sentence: "Turn" and "Narrator" that only ever open one are "turn" and
/// "narrator"; a name ("Mutt", "Wireshark") keeps it.
fn cased(phrase: &str, text: &str) -> String {
    let mut chars = phrase.chars();
    let Some(first) = chars.next().filter(|c| c.is_uppercase()) else {
        return phrase.to_owned();
    };
    let inside = text.match_indices(phrase).any(|(at, _)| {
        let before = text[..at].trim_end();
        let boundary = text[at + phrase.len()..]
            .chars()
            .next()
            .is_none_or(|c| !c.is_alphanumeric());
        boundary && !before.is_empty() && !before.ends_with(['.', '!', '?', ':', '؟', '\n'])
    });
    if inside {
        phrase.to_owned()
    } else {
        first.to_lowercase().chain(chars).collect()
    }
}

/// Where a frame is in its video.
#[derive(Debug, Clone, Copy)]
struct Place {
    shot: usize,
    shots: usize,
    frame: usize,
    frames: usize,
}

impl Place {
    fn opens_video(self) -> bool {
        self.shot == 0 && self.frame == 0
    }

    fn closes_video(self) -> bool {
        self.shot + 1 == self.shots && self.frame + 1 == self.frames
    }
}

fn frame(lines: &[Line], terms: &[String], at: Place, title: &str, direction: Direction) -> Frame {
    let narration: Vec<String> = lines.iter().map(|l| l.text.clone()).collect();
    Frame {
        number: at.frame as u32 + 1,
        seen: seen(lines, terms, at),
        on_screen_text: shown(lines, at, title),
        duration_ms: durations(lines).clamp(MIN_FRAME_MS, MAX_FRAME_MS),
        camera: camera(at, direction),
        narration,
    }
}

/// The frame described: how it is framed, then what it is of.
fn seen(lines: &[Line], terms: &[String], at: Place) -> String {
    let framing = if at.opens_video() {
        "Wide establishing view"
    } else if at.frame == 0 {
        "Wide view"
    } else if at.frame + 1 == at.frames {
        "Close-up detail"
    } else {
        "Medium view"
    };
    let subject = if terms.is_empty() {
        // Nothing stands out: the first words of what is said.
        lines[0]
            .text
            .split_whitespace()
            .take(SHOWN_WORDS)
            .collect::<Vec<_>>()
            .join(" ")
    } else {
        terms.join(", ")
    };
    format!("{framing}: {subject}")
}

/// Text over the frame: the video's title as it opens, the list items it
/// speaks, else a figure it states (the clause holding the number).
fn shown(lines: &[Line], at: Place, title: &str) -> Option<String> {
    if at.opens_video() {
        return Some(title.to_owned());
    }
    let items: Vec<String> = lines
        .iter()
        .filter(|l| l.item)
        .map(|l| short(&l.text))
        .collect();
    if !items.is_empty() {
        return Some(items.join("\n"));
    }
    lines
        .iter()
        .flat_map(|l| l.text.split([',', ';', '،', '؛', ':']))
        .find(|clause| clause.chars().any(|c| c.is_numeric()))
        .map(short)
}

/// At most [`SHOWN_WORDS`] words, without the sentence's end mark.
fn short(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    let kept = words[..words.len().min(SHOWN_WORDS)].join(" ");
    let kept = kept.trim_end_matches(['.', '!', '?', '؟', '。']).trim();
    if words.len() > SHOWN_WORDS {
        format!("{kept} …")
    } else {
        kept.to_owned()
    }
}

/// The camera opens a shot moving in, follows the reading direction across
/// it, and pulls out on the video's last frame.
fn camera(at: Place, direction: Direction) -> Camera {
    let across = match direction {
        Direction::LeftToRight => Camera::PanRight,
        Direction::RightToLeft => Camera::PanLeft,
    };
    if at.closes_video() && at.frames > 1 {
        Camera::PullOut
    } else if at.frame == 0 {
        Camera::PushIn
    } else if at.frame % 2 == 1 {
        across
    } else {
        Camera::TiltUp
    }
}

/// A video's language: Arabic or Hebrew when most of its letters are, else
/// the course's (or English, when the course's is written right to left
/// and this video is not).
fn language_of(text: &str, course: &str) -> String {
    match coursegen_core::material::script_language(text) {
        Some(language) => language.into(),
        None if Direction::of(course) == Direction::RightToLeft || course.trim().is_empty() => {
            "en".into()
        }
        None => course.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::offline::shots::FRAMES_PER_SHOT;
    use coursegen_core::material::Block;
    use coursegen_core::options::Options;
    use coursegen_core::source::DocumentFormat;

    fn sentences(n: usize, words: usize) -> Vec<Block> {
        (0..n)
            .map(|i| Block::Paragraph {
                text: format!("Sentence {i} {}.", vec!["water"; words - 2].join(" ")),
            })
            .collect()
    }

    fn section(blocks: Vec<Block>) -> ScriptSection {
        ScriptSection {
            header: "Video 1: Meters".into(),
            number: Some(1),
            title: "Meters".into(),
            blocks,
        }
    }

    fn board_of(sections: &[ScriptSection]) -> Result<Storyboard, EngineError> {
        storyboard(StoryboardRequest {
            title: "Water",
            videos: sections,
            language: "en",
            options: &Options::default(),
        })
    }

    #[test]
    fn every_sentence_is_said_once_in_order_over_frames_of_its_own_video() {
        let path = format!(
            "{}/../../examples/course-script/course-script.md",
            env!("CARGO_MANIFEST_DIR")
        );
        let doc =
            crate::ingest::document(&std::fs::read(path).unwrap(), DocumentFormat::Md).unwrap();
        let sections = crate::ingest::split_sections(&doc);
        let board = board_of(&sections).unwrap();
        board.validate().expect("valid");
        assert_eq!(board.videos.len(), sections.len());
        for (video, section) in board.videos.iter().zip(&sections) {
            let said: Vec<&str> = video
                .frames()
                .flat_map(|(_, f)| f.narration.iter().map(String::as_str))
                .collect();
            let (lines, _) = lines_of(section);
            assert_eq!(
                said,
                lines.iter().map(|l| l.text.as_str()).collect::<Vec<_>>()
            );
            assert!(
                video
                    .shots
                    .iter()
                    .all(|s| s.frames.len() <= FRAMES_PER_SHOT)
            );
            let opening = &video.shots[0].frames[0];
            assert_eq!(
                opening.on_screen_text.as_deref(),
                Some(video.title.as_str())
            );
            // Arabic videos read right to left, and the camera follows.
            let across = if video.language == "ar" {
                Camera::PanLeft
            } else {
                Camera::PanRight
            };
            assert!(
                video.frames().any(|(_, f)| f.camera == across),
                "{}",
                video.title
            );
        }
        let languages: Vec<&str> = board.videos.iter().map(|v| v.language.as_str()).collect();
        assert_eq!(languages, ["ar", "ar", "ar", "en", "en"]);
        // The first video's two scenes are never mixed in one shot.
        let scenes: Vec<&str> = board.videos[0]
            .shots
            .iter()
            .filter_map(|s| s.scene.as_deref())
            .collect();
        assert_eq!(scenes.first(), Some(&"المشهد الأول"));
        assert_eq!(scenes.last(), Some(&"المشهد الثاني"));
        assert!(
            scenes
                .windows(2)
                .all(|w| w[0] == w[1] || w[1] == "المشهد الثاني")
        );
        // The same script gives the same storyboard, byte for byte.
        assert_eq!(board_of(&sections).unwrap(), board);
    }

    #[test]
    fn how_many_shots_follows_from_how_long_the_narration_runs() {
        // Twelve 4 s sentences: the seed's four shots of three frames.
        let short = board_of(&[section(sentences(12, 10))]).unwrap();
        let shape: Vec<usize> = short.videos[0]
            .shots
            .iter()
            .map(|s| s.frames.len())
            .collect();
        assert_eq!(shape, [3, 3, 3, 3]);
        // Sixty of them (four minutes): a frame per ~7 s (35), three to a
        // shot.
        let long = board_of(&[section(sentences(60, 10))]).unwrap();
        assert_eq!(long.videos[0].shots.len(), 12);
        assert_eq!(long.videos[0].frames().count(), 36);
        // Five sentences make five frames: no frame is without words.
        let few = board_of(&[section(sentences(5, 10))]).unwrap();
        assert_eq!(few.videos[0].frames().count(), 5);
        assert!(few.validate().is_ok());
    }

    #[test]
    fn list_items_and_figures_go_on_screen() {
        let mut blocks = sentences(3, 10);
        blocks.push(Block::Paragraph {
            text: "A dripping tap, at one drop a second, wastes 20 litres a day.".into(),
        });
        blocks.push(Block::ListItem {
            level: 0,
            ordered: false,
            text: "Check the meter overnight".into(),
        });
        let board = board_of(&[section(blocks)]).unwrap();
        let shown: Vec<Option<&str>> = board.videos[0]
            .frames()
            .map(|(_, f)| f.on_screen_text.as_deref())
            .collect();
        assert_eq!(shown[0], Some("Meters"));
        assert!(shown.contains(&Some("wastes 20 litres a day")), "{shown:?}");
        assert!(
            shown.contains(&Some("Check the meter overnight")),
            "{shown:?}"
        );
    }

    #[test]
    fn a_phrase_keeps_its_capital_only_where_the_text_writes_it_inside_a_sentence() {
        let text = "Turn the valve. Then ask Mutt. Mutt answers. Narrator: hello.";
        assert_eq!(cased("Turn", text), "turn");
        assert_eq!(cased("Narrator", text), "narrator");
        assert_eq!(cased("Mutt", text), "Mutt");
        assert_eq!(cased("valve", text), "valve");
        assert_eq!(cased("الماء", "الماء"), "الماء");
    }

    #[test]
    fn a_video_with_nothing_to_say_is_refused_by_name() {
        let empty = section(vec![Block::Heading {
            level: 3,
            text: "Scene 1".into(),
        }]);
        let err = board_of(&[empty]).unwrap_err();
        assert!(
            matches!(&err, EngineError::Invalid(m) if m.contains("video 1 (\"Meters\")")),
            "{err}"
        );
        assert!(board_of(&[]).is_err());
    }
}
