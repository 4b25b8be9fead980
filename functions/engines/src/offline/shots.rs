//! A video's spoken lines, and how they are grouped into shots of frames:
//! frames as the narration's length asks, shots within the script's scenes
//! in proportion to their length, and every cut at a whole sentence,
//! between blocks where it can be.

use coursegen_core::material::{Block, ScriptSection};
use coursegen_core::storyboard::{MAX_FRAME_MS, MAX_FRAMES_PER_VIDEO, MIN_FRAME_MS};

use super::narration::{split_sentences, spoken};
use super::partition::partition;
use crate::ingest::plain::MS_PER_WORD;

/// How long a frame shows as planned: long enough to read its picture,
/// short enough that the picture keeps up with what is said.
const FRAME_TARGET_MS: u64 = 7_000;
/// Frames per shot at most (the seed's three).
pub const FRAMES_PER_SHOT: usize = 3;
/// The seed's shots for a short video.
const SHORT_VIDEO_SHOTS: usize = 4;

/// One spoken line of a video: a whole sentence, where it comes from.
#[derive(Debug, Clone)]
pub struct Line {
    pub text: String,
    /// Index of the scene (the run of blocks under one scene heading).
    pub scene: usize,
    /// Index of the block it comes from: a cut between blocks is a break.
    pub block: usize,
    /// A list item, which is worth showing as it is written.
    pub item: bool,
    pub ms: u64,
}

/// The video's spoken lines and its scenes' headings (`None` for the
/// lines before the first heading).
pub fn lines_of(section: &ScriptSection) -> (Vec<Line>, Vec<Option<String>>) {
    let mut lines = Vec::new();
    let mut scenes = vec![None];
    for (b, block) in section.blocks.iter().enumerate() {
        let (texts, item) = match block {
            Block::Heading { text, .. } => {
                // A heading opens a scene, unless nothing was said under the last.
                let scene = Some(text.trim().to_owned());
                if lines
                    .last()
                    .is_some_and(|l: &Line| l.scene == scenes.len() - 1)
                {
                    scenes.push(scene);
                } else {
                    *scenes.last_mut().expect("one scene") = scene;
                }
                continue;
            }
            Block::Paragraph { text } => (split_sentences(text), false),
            Block::ListItem { text, .. } => (spoken(text).into_iter().collect(), true),
            Block::Table { rows } => (
                rows.iter().filter_map(|r| spoken(&r.join(", "))).collect(),
                false,
            ),
            // A listing is shown, not read; a storyboard frame is a picture.
            Block::Code { .. } => continue,
        };
        for text in texts {
            let words = text.split_whitespace().count() as u64;
            lines.push(Line {
                ms: (words * MS_PER_WORD).clamp(MIN_FRAME_MS, MAX_FRAME_MS),
                text,
                scene: scenes.len() - 1,
                block: b,
                item,
            });
        }
    }
    (lines, scenes)
}

/// The lines grouped into shots of frames: frames as the narration's
/// length asks (the seed's 4 × 3 at least, where there are lines enough),
/// shots within scenes in proportion to their length, frames within shots.
pub fn shots_of(lines: &[Line]) -> Vec<Vec<&[Line]>> {
    let total: u64 = lines.iter().map(|l| l.ms).sum();
    let frames = (total.div_ceil(FRAME_TARGET_MS) as usize)
        .max(SHORT_VIDEO_SHOTS * FRAMES_PER_SHOT)
        .min(lines.len())
        .min(MAX_FRAMES_PER_VIDEO);
    let shots = frames.div_ceil(FRAMES_PER_SHOT);
    let scenes = runs(lines, |l| l.scene);
    let per_scene = apportion(
        &scenes.iter().map(|s| durations(s)).collect::<Vec<_>>(),
        shots,
    );
    let mut out = Vec::new();
    for (scene, shots) in scenes.into_iter().zip(per_scene) {
        for shot in cut(scene, shots) {
            let frames = shot.len().min(FRAMES_PER_SHOT);
            out.push(cut(shot, frames));
        }
    }
    out
}

/// `lines` cut into `parts`, preferring cuts between blocks.
fn cut(lines: &[Line], parts: usize) -> Vec<&[Line]> {
    let lengths: Vec<u64> = lines.iter().map(|l| l.ms).collect();
    let starts = partition(&lengths, parts, |i| lines[i].block != lines[i - 1].block);
    starts
        .iter()
        .enumerate()
        .map(|(k, &a)| &lines[a..starts.get(k + 1).copied().unwrap_or(lines.len())])
        .collect()
}

/// Maximal runs of lines with the same key.
fn runs<K: PartialEq>(lines: &[Line], key: impl Fn(&Line) -> K) -> Vec<&[Line]> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=lines.len() {
        if i == lines.len() || key(&lines[i]) != key(&lines[start]) {
            out.push(&lines[start..i]);
            start = i;
        }
    }
    out
}

pub fn durations(lines: &[Line]) -> u64 {
    lines.iter().map(|l| l.ms).sum()
}

/// `total` shots shared among scenes of these durations in proportion
/// (largest remainder), each scene at least one; a scene gets no more
/// shots than it has lines, which [`cut`] enforces.
fn apportion(durations: &[u64], total: usize) -> Vec<usize> {
    let sum: u64 = durations.iter().sum::<u64>().max(1);
    let total = total.max(durations.len());
    let exact: Vec<f64> = durations
        .iter()
        .map(|&d| d as f64 * total as f64 / sum as f64)
        .collect();
    let mut shares: Vec<usize> = exact.iter().map(|&e| (e.floor() as usize).max(1)).collect();
    let mut order: Vec<usize> = (0..durations.len()).collect();
    order.sort_by(|&a, &b| {
        (exact[b] - exact[b].floor())
            .total_cmp(&(exact[a] - exact[a].floor()))
            .then(a.cmp(&b))
    });
    let missing = total.saturating_sub(shares.iter().sum());
    for &i in order.iter().take(missing) {
        shares[i] += 1;
    }
    shares
}
