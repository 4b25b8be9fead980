//! Slides laid out in the frame: the frame's units and margins, blocks of
//! wrapped lines, and the three layouts (title, points, summary). Each
//! layout tries its text at shrinking scales until it fits the frame, and at
//! the smallest cuts the least important text, marked with an ellipsis.

mod list;
mod title;

use coursegen_core::narration::{Direction, Slide};
use coursegen_core::ports::FrameSize;

use super::fonts::Weight;
use super::measure::{Face, Metrics};
use super::scene::{Anchor, Bounds, Item, Line, Scene};
use super::theme::{self, Role};
use super::wrap;

/// The frame in its own units: 720 across its short side, whatever its
/// pixels, so a layout scales with the frame instead of counting pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Frame {
    pub width: f32,
    pub height: f32,
    pub rtl: bool,
    /// The safe area text and marks stay inside.
    pub content: Bounds,
    /// How much the content box is narrowed on each side (see `narrower`).
    inset: f32,
}

/// Units across the frame's short side.
const SHORT_SIDE: f32 = 720.0;

impl Frame {
    pub(crate) fn new(size: FrameSize, direction: Direction) -> Frame {
        let short = size.width.min(size.height).max(1) as f32;
        let width = size.width as f32 * SHORT_SIDE / short;
        let height = size.height as f32 * SHORT_SIDE / short;
        let mx = (width * 0.07).max(56.0);
        let my = (height * 0.08).max(56.0);
        Frame {
            width,
            height,
            rtl: direction == Direction::RightToLeft,
            content: Bounds {
                left: mx,
                top: my,
                right: width - mx,
                bottom: height - my,
            },
            inset: 0.0,
        }
    }

    /// The same frame with text kept `by` further in on each side: the
    /// retry when a measured line was drawn wider than it was measured.
    pub(crate) fn narrower(mut self, by: f32) -> Frame {
        self.inset += by;
        self
    }

    /// The width lines may take.
    pub(crate) fn measure(&self) -> f32 {
        self.content.right - self.content.left - 2.0 * self.inset
    }

    pub(crate) fn content_height(&self) -> f32 {
        self.content.bottom - self.content.top
    }

    /// The x of a point `offset` from where lines start (the left edge of
    /// the text, or the right for right-to-left text).
    pub(crate) fn x(&self, offset: f32) -> f32 {
        let start = self.content.left + self.inset;
        if self.rtl {
            self.width - start - offset
        } else {
            start + offset
        }
    }

    /// The left edge of a span `width` wide that starts `offset` in.
    pub(crate) fn left_of(&self, offset: f32, width: f32) -> f32 {
        if self.rtl {
            self.x(offset) - width
        } else {
            self.x(offset)
        }
    }

    /// Where a line anchored at its start has its `x`.
    pub(crate) fn start(&self) -> Anchor {
        if self.rtl { Anchor::End } else { Anchor::Start }
    }

    /// A scene on `background`, to be filled.
    pub(crate) fn scene(&self, background: &'static str) -> Scene {
        Scene {
            width: self.width,
            height: self.height,
            background,
            items: Vec::new(),
        }
    }

    /// A line of text anchored at its start; like all text, it must stay
    /// inside the content box.
    pub(crate) fn line(
        &self,
        text: String,
        x: f32,
        baseline: f32,
        face: Face<'_>,
        fill: &'static str,
    ) -> Line {
        Line {
            text,
            x,
            baseline,
            size: face.size,
            weight: face.weight,
            fill,
            anchor: self.start(),
            rtl: self.rtl,
            bounds: Bounds {
                left: self.content.left,
                top: self.content.top,
                right: self.content.right,
                bottom: self.content.bottom,
            },
        }
    }
}

/// The scene of `slide` in `frame`, its words measured by `metrics`.
pub(crate) fn compose(slide: &Slide, frame: &Frame, metrics: &Metrics) -> Scene {
    match slide {
        Slide::Title { title, subtitle } => {
            title::compose(frame, metrics, title, subtitle.as_deref())
        }
        Slide::Points {
            heading,
            bullets,
            terms,
        } => list::compose(
            frame,
            metrics,
            &list::List {
                heading,
                items: bullets,
                marker: list::Marker::Dot,
                terms,
            },
        ),
        Slide::Summary { heading, points } => list::compose(
            frame,
            metrics,
            &list::List {
                heading,
                items: points,
                marker: list::Marker::Tick,
                terms: &[],
            },
        ),
    }
}

/// The texts `slide` shows, each in the weight it is set in: what must be
/// measured before it is laid out.
pub(crate) fn texts(slide: &Slide) -> Vec<(Weight, &str)> {
    let mut out = Vec::new();
    match slide {
        Slide::Title { title, subtitle } => {
            out.push((theme::TITLE.weight, title.as_str()));
            out.extend(
                subtitle
                    .iter()
                    .map(|s| (theme::SUBTITLE.weight, s.as_str())),
            );
        }
        Slide::Points {
            heading,
            bullets,
            terms,
        } => {
            out.push((theme::HEADING.weight, heading.as_str()));
            out.extend(bullets.iter().map(|b| (theme::BODY.weight, b.as_str())));
            out.extend(terms.iter().map(|t| (theme::TERM.weight, t.as_str())));
        }
        Slide::Summary { heading, points } => {
            out.push((theme::HEADING.weight, heading.as_str()));
            out.extend(points.iter().map(|p| (theme::BODY.weight, p.as_str())));
        }
    }
    out
}

/// Lines of one role at one size, wrapped to a width.
#[derive(Debug, Clone)]
pub(crate) struct Block<'m> {
    pub lines: Vec<String>,
    pub face: Face<'m>,
    /// The height of each line's box.
    pub leading: f32,
    pub width: f32,
}

impl<'m> Block<'m> {
    /// `text` in `role` at `scale`, wrapped to `width`.
    pub(crate) fn wrap(
        metrics: &'m Metrics,
        role: Role,
        scale: f32,
        text: &str,
        width: f32,
    ) -> Block<'m> {
        let face = metrics.face(role.weight, role.at(scale));
        Block {
            lines: wrap::wrap(text, width, &face),
            face,
            leading: face.size * role.leading,
            width,
        }
    }

    pub(crate) fn height(&self) -> f32 {
        self.lines.len() as f32 * self.leading
    }

    /// At most `n` lines, the last ending with an ellipsis if any were cut.
    pub(crate) fn clamp(mut self, n: usize) -> Block<'m> {
        self.lines = wrap::clamp(self.lines, n, self.width, &self.face);
        self
    }

    /// How many lines of this block fit `height`.
    pub(crate) fn lines_in(&self, height: f32) -> usize {
        (height / self.leading + 1e-3).floor().max(0.0) as usize
    }

    /// The baseline of line `k` when the block's top is at `top`: glyph
    /// boxes centred in the line boxes.
    pub(crate) fn baseline(&self, top: f32, k: usize) -> f32 {
        top + k as f32 * self.leading
            + (self.leading - self.face.height()) / 2.0
            + self.face.ascent()
    }

    /// The block's lines added to `scene`, starting `offset` in from where
    /// lines start, with its top at `top`.
    pub(crate) fn draw(
        &self,
        frame: &Frame,
        scene: &mut Scene,
        offset: f32,
        top: f32,
        fill: &'static str,
    ) {
        for (k, text) in self.lines.iter().enumerate() {
            let line = frame.line(
                text.clone(),
                frame.x(offset),
                self.baseline(top, k),
                self.face,
                fill,
            );
            scene.items.push(Item::Text(line));
        }
    }
}
