//! The points and summary slides: a heading over an accent rule, then a
//! list (bullets marked with accent dots, summary points with ticks), and a
//! point's key terms as chips under the list (not at the foot, where burned
//! subtitles go).
//!
//! Everything shrinks together, scale by scale, until it fits. At the
//! smallest scale the least important text goes first: key terms past one
//! row, then the last points (an ellipsis line says some are left out),
//! then the lines of the one point that is left; a heading keeps three
//! lines, fewer only when nothing else would fit.

use super::super::measure::{Face, Metrics};
use super::super::scene::{Anchor, Item, Scene};
use super::super::theme::{self, SCALES};
use super::super::wrap::{self, ELLIPSIS, Measure};
use super::{Block, Frame};

pub(crate) struct List<'a> {
    pub heading: &'a str,
    pub items: &'a [String],
    pub marker: Marker,
    pub terms: &'a [String],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Marker {
    Dot,
    Tick,
}

impl Marker {
    /// How far a point's text sits in from its marker's edge.
    fn indent(self, size: f32) -> f32 {
        match self {
            Marker::Dot => size * 1.05,
            Marker::Tick => size * 1.55,
        }
    }
}

/// Rows of key terms at most, before any are cut.
const TERM_ROWS: usize = 2;
/// The accent rule under the heading, in frame units.
const RULE_WIDTH: f32 = 72.0;

struct Parts<'m> {
    heading: Block<'m>,
    items: Vec<Block<'m>>,
    /// Points were left out: an ellipsis line follows the list.
    more: bool,
    chips: Chips<'m>,
    /// The body text's size, which the spacing follows.
    body: f32,
    ellipsis: Block<'m>,
}

impl Parts<'_> {
    fn rule(&self) -> f32 {
        self.body * 0.19
    }

    /// The heading, its rule and the space around it.
    fn head_height(&self) -> f32 {
        if self.heading.lines.is_empty() {
            return 0.0;
        }
        self.heading.height() + self.body * 0.5 + self.rule() + self.body * 0.9
    }

    fn items_height(&self) -> f32 {
        let gap = self.body * 0.5;
        let blocks = self.items.iter().map(Block::height).sum::<f32>();
        let gaps = gap * self.items.len().saturating_sub(1) as f32;
        let more = if self.more {
            gap + self.ellipsis.height()
        } else {
            0.0
        };
        blocks + gaps + more
    }

    fn chips_height(&self) -> f32 {
        if self.chips.rows.is_empty() {
            0.0
        } else {
            self.body * 0.9 + self.chips.height()
        }
    }

    fn height(&self) -> f32 {
        self.head_height() + self.items_height() + self.chips_height()
    }
}

pub(super) fn compose(frame: &Frame, metrics: &Metrics, list: &List) -> Scene {
    let room = frame.content_height();
    let parts = |scale: f32, term_rows: usize| {
        let body = theme::BODY.at(scale);
        let width = frame.measure() - list.marker.indent(body);
        Parts {
            heading: Block::wrap(
                metrics,
                theme::HEADING,
                scale,
                list.heading,
                frame.measure(),
            ),
            items: list
                .items
                .iter()
                .map(|item| Block::wrap(metrics, theme::BODY, scale, item, width))
                .filter(|b| !b.lines.is_empty())
                .collect(),
            more: false,
            chips: Chips::flow(metrics, scale, list.terms, frame.measure(), term_rows),
            body,
            ellipsis: Block::wrap(metrics, theme::BODY, scale, ELLIPSIS, width),
        }
    };
    for scale in SCALES {
        let p = parts(scale, TERM_ROWS);
        if p.height() <= room {
            return draw(frame, list.marker, p);
        }
    }
    squeeze(parts(SCALES[SCALES.len() - 1], 1), room, frame, list.marker)
}

/// At the smallest scale: one row of terms, then as many points as fit.
fn squeeze<'m>(mut p: Parts<'m>, room: f32, frame: &Frame, marker: Marker) -> Scene {
    let all = std::mem::take(&mut p.items);
    let full = p.heading.clone();
    let face = p.chips.face;
    let chips = std::mem::replace(&mut p.chips, Chips::none(face));
    for heading_lines in [3, 2, 1] {
        p.heading = full.clone().clamp(heading_lines);
        for with_chips in [true, false] {
            p.chips = if with_chips {
                chips.clone()
            } else {
                Chips::none(chips.face)
            };
            p.items.clear();
            p.more = false;
            let left = room - p.height();
            if all.is_empty() && left >= 0.0 {
                return draw(frame, marker, p);
            }
            if let Some((items, more)) = fill(&all, &p.ellipsis, left, p.body * 0.5) {
                p.items = items;
                p.more = more;
                return draw(frame, marker, p);
            }
        }
    }
    // A frame too small for one line under a one-line heading: the heading
    // and the first line of the first point, as small as they go.
    p.items = all
        .first()
        .map(|b| b.clone().clamp(1))
        .into_iter()
        .collect();
    draw(frame, marker, p)
}

/// The points that fit `room` whole, and whether some were left out (an
/// ellipsis line then follows them, within `room` too); when not even the
/// first fits, that point cut to the lines that do. `None` when not one
/// line fits.
fn fill<'m>(
    items: &[Block<'m>],
    ellipsis: &Block<'m>,
    room: f32,
    gap: f32,
) -> Option<(Vec<Block<'m>>, bool)> {
    let height = |kept: &[Block], extra: f32| {
        let gaps = gap * kept.len().saturating_sub(1) as f32;
        let extra = if kept.is_empty() { extra } else { gap + extra };
        kept.iter().map(Block::height).sum::<f32>() + gaps + extra
    };
    let mut kept: Vec<Block> = Vec::new();
    for item in items {
        if height(&kept, item.height()) <= room {
            kept.push(item.clone());
            continue;
        }
        while !kept.is_empty() && height(&kept, ellipsis.height()) > room {
            kept.pop();
        }
        if !kept.is_empty() {
            return Some((kept, true));
        }
        let first = &items[0];
        let lines = first.lines_in(room).min(first.lines.len());
        if lines == 0 {
            return None;
        }
        return Some((vec![first.clone().clamp(lines)], false));
    }
    Some((kept, false))
}

fn draw(frame: &Frame, marker: Marker, p: Parts) -> Scene {
    let mut scene = frame.scene(theme::PAPER);
    let b = p.body;
    // A slide that is only a heading has it in the middle, not at the top;
    // so does a tall frame, which a short list would leave half empty.
    let lone = p.items.is_empty() && p.chips.rows.is_empty();
    let mut y = if lone || frame.height > frame.width {
        (frame.height * 0.45 - p.height() / 2.0).max(frame.content.top)
    } else {
        frame.content.top
    };
    if !p.heading.lines.is_empty() {
        p.heading.draw(frame, &mut scene, 0.0, y, theme::INK);
        y += p.heading.height() + b * 0.5;
        scene.items.push(Item::Rect {
            x: frame.left_of(0.0, RULE_WIDTH),
            y,
            w: RULE_WIDTH,
            h: p.rule(),
            radius: p.rule() / 2.0,
            fill: theme::ACCENT,
        });
        y += p.rule() + b * 0.9;
    }
    let indent = marker.indent(b);
    let chips_top = y + p.items_height() + b * 0.9;
    for item in &p.items {
        let baseline = item.baseline(y, 0);
        match marker {
            Marker::Dot => scene.items.push(Item::Circle {
                cx: frame.x(b * 0.3),
                cy: baseline - b * 0.33,
                r: b * 0.17,
                fill: theme::ACCENT,
            }),
            Marker::Tick => {
                let (cx, cy) = (frame.x(b * 0.5), baseline - b * 0.36);
                scene.items.push(Item::Circle {
                    cx,
                    cy,
                    r: b * 0.5,
                    fill: theme::ACCENT,
                });
                scene.items.push(Item::Tick {
                    cx,
                    cy,
                    size: b * 0.55,
                    stroke: theme::ON_ACCENT,
                });
            }
        }
        item.draw(frame, &mut scene, indent, y, theme::BODY_INK);
        y += item.height() + b * 0.5;
    }
    if p.more {
        p.ellipsis.draw(frame, &mut scene, indent, y, theme::MUTED);
    }
    p.chips.draw(frame, &mut scene, chips_top);
    scene
}

/// Key terms, each a rounded chip, flowed in rows.
#[derive(Clone)]
struct Chips<'m> {
    rows: Vec<Vec<Chip>>,
    face: Face<'m>,
}

#[derive(Clone)]
struct Chip {
    text: String,
    width: f32,
}

impl<'m> Chips<'m> {
    fn none(face: Face<'m>) -> Chips<'m> {
        Chips {
            rows: Vec::new(),
            face,
        }
    }

    fn pad(&self) -> f32 {
        self.face.size * 0.8
    }

    fn gap(&self) -> f32 {
        self.face.size * 0.5
    }

    fn chip_height(&self) -> f32 {
        self.face.size * 1.9
    }

    fn height(&self) -> f32 {
        let rows = self.rows.len() as f32;
        rows * self.chip_height() + (rows - 1.0).max(0.0) * self.gap()
    }

    /// `terms` in at most `max_rows` rows `width` wide; a term too long for
    /// a row is shortened, and an ellipsis chip ends the last row when
    /// terms are left out.
    fn flow(
        metrics: &'m Metrics,
        scale: f32,
        terms: &[String],
        width: f32,
        max_rows: usize,
    ) -> Chips<'m> {
        let mut chips = Chips::none(metrics.face(theme::TERM.weight, theme::TERM.at(scale)));
        let (pad, gap) = (chips.pad(), chips.gap());
        let chip = |text: String| {
            let width = chips.face.line(&text) + 2.0 * pad;
            Chip { text, width }
        };
        let row_width = |row: &[Chip]| row.iter().map(|c| c.width + gap).sum::<f32>() - gap;
        let mut rows: Vec<Vec<Chip>> = Vec::new();
        let terms: Vec<String> = terms
            .iter()
            .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|t| !t.is_empty())
            .collect();
        for term in &terms {
            let text = if chips.face.line(term) + 2.0 * pad > width {
                wrap::ellipsize(term, width - 2.0 * pad, &chips.face)
            } else {
                term.clone()
            };
            let c = chip(text);
            let room = |row: &&mut Vec<Chip>| row_width(row) + gap + c.width <= width;
            if let Some(row) = rows.last_mut().filter(room) {
                row.push(c);
            } else if rows.len() < max_rows {
                rows.push(vec![c]);
            } else {
                // Out of rows: the last row ends with an ellipsis chip.
                let more = chip(ELLIPSIS.to_string());
                if let Some(row) = rows.last_mut() {
                    while row.len() > 1 && row_width(row) + gap + more.width > width {
                        row.pop();
                    }
                    if row_width(row) + gap + more.width <= width {
                        row.push(more);
                    }
                }
                break;
            }
        }
        chips.rows = rows;
        chips
    }

    /// The rows drawn from `top` down.
    fn draw(&self, frame: &Frame, scene: &mut Scene, mut top: f32) {
        let (h, gap) = (self.chip_height(), self.gap());
        for row in &self.rows {
            let mut offset = 0.0;
            for chip in row {
                let left = frame.left_of(offset, chip.width);
                scene.items.push(Item::Rect {
                    x: left,
                    y: top,
                    w: chip.width,
                    h,
                    radius: h / 2.0,
                    fill: theme::TERM_FILL,
                });
                let baseline = top + (h - self.face.height()) / 2.0 + self.face.ascent();
                let mut line = frame.line(
                    chip.text.clone(),
                    left + chip.width / 2.0,
                    baseline,
                    self.face,
                    theme::TERM_INK,
                );
                line.anchor = Anchor::Middle;
                scene.items.push(Item::Text(line));
                offset += chip.width + gap;
            }
            top += h + gap;
        }
    }
}
