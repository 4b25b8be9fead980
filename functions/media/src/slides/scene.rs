//! What a slide draws, placed in the frame's own units, and the SVG that
//! draws it. Text is escaped here, and right-to-left lines are embedded so
//! they read right-to-left.

use crate::xml::escape;
use std::fmt::Write as _;

use super::fonts::{FAMILY, Weight};

/// A slide's drawing: a background and what lies on it, in order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Scene {
    /// The frame in its own units (see `Frame`).
    pub width: f32,
    pub height: f32,
    pub background: &'static str,
    pub items: Vec<Item>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Item {
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        radius: f32,
        fill: &'static str,
    },
    Circle {
        cx: f32,
        cy: f32,
        r: f32,
        fill: &'static str,
    },
    /// A tick drawn as a stroke: a summary point's mark.
    Tick {
        cx: f32,
        cy: f32,
        size: f32,
        stroke: &'static str,
    },
    Text(Line),
}

/// One line of text, and the box it must stay inside.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Line {
    pub text: String,
    pub x: f32,
    pub baseline: f32,
    pub size: f32,
    pub weight: Weight,
    pub fill: &'static str,
    pub anchor: Anchor,
    pub rtl: bool,
    pub bounds: Bounds,
}

/// Where a line's `x` is: its start, end or middle (SVG's text-anchor).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Anchor {
    Start,
    Middle,
    End,
}

/// A box in the frame's units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Bounds {
    pub left: f32,
    pub top: f32,
    pub right: f32,
    pub bottom: f32,
}

impl Scene {
    /// The lines of text, with the ids their `<text>` elements carry.
    pub(crate) fn lines(&self) -> impl Iterator<Item = (String, &Line)> {
        self.items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| match item {
                Item::Text(line) => Some((format!("t{i}"), line)),
                _ => None,
            })
    }

    /// The scene as an SVG of `width` × `height` pixels; the view box keeps
    /// the frame's units, so every size shows the same slide.
    pub(crate) fn svg(&self, width: u32, height: u32) -> String {
        let mut out = format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {} {}"><rect width="{}" height="{}" fill="{}"/>"#,
            n(self.width),
            n(self.height),
            n(self.width),
            n(self.height),
            self.background
        );
        for (i, item) in self.items.iter().enumerate() {
            let _ = match item {
                Item::Rect {
                    x,
                    y,
                    w,
                    h,
                    radius,
                    fill,
                } => write!(
                    out,
                    r#"<rect x="{}" y="{}" width="{}" height="{}" rx="{}" fill="{fill}"/>"#,
                    n(*x),
                    n(*y),
                    n(*w),
                    n(*h),
                    n(*radius)
                ),
                Item::Circle { cx, cy, r, fill } => write!(
                    out,
                    r#"<circle cx="{}" cy="{}" r="{}" fill="{fill}"/>"#,
                    n(*cx),
                    n(*cy),
                    n(*r)
                ),
                Item::Tick {
                    cx,
                    cy,
                    size,
                    stroke,
                } => {
                    let s = size / 2.0;
                    write!(
                        out,
                        r#"<path d="M{} {}L{} {}L{} {}" fill="none" stroke="{stroke}" stroke-width="{}" stroke-linecap="round" stroke-linejoin="round"/>"#,
                        n(cx - s * 0.85),
                        n(cy + s * 0.05),
                        n(cx - s * 0.25),
                        n(cy + s * 0.6),
                        n(cx + s * 0.85),
                        n(cy - s * 0.55),
                        n(size * 0.2)
                    )
                }
                Item::Text(line) => {
                    out.push_str(&text_svg(line, &format!("t{i}")));
                    Ok(())
                }
            };
        }
        out.push_str("</svg>");
        out
    }
}

/// One line of text as an SVG `<text>` element (with `id` unless it is
/// empty), its characters escaped.
pub(crate) fn text_svg(line: &Line, id: &str) -> String {
    let anchor = match line.anchor {
        Anchor::Start => "start",
        Anchor::Middle => "middle",
        Anchor::End => "end",
    };
    // usvg lays every text out in a left-to-right paragraph; an embedding
    // makes the line's base direction right-to-left, so its neutral
    // characters (a final full stop, brackets) and any Latin words fall in
    // right-to-left order.
    let (open, close) = if line.rtl {
        ("\u{202B}", "\u{202C}")
    } else {
        ("", "")
    };
    let id = if id.is_empty() {
        String::new()
    } else {
        format!(r#" id="{id}""#)
    };
    format!(
        r#"<text{id} x="{}" y="{}" font-family="{FAMILY}" font-size="{}" font-weight="{}" fill="{}" text-anchor="{anchor}">{open}{}{close}</text>"#,
        n(line.x),
        n(line.baseline),
        n(line.size),
        line.weight.css(),
        line.fill,
        escape(&line.text)
    )
}

/// A coordinate, short.
fn n(v: f32) -> String {
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coordinates_are_short() {
        assert_eq!(n(12.0), "12");
        assert_eq!(n(12.5), "12.5");
        assert_eq!(n(0.333), "0.33");
        assert_eq!(n(-0.001), "0");
    }
}
