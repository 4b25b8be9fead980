//! Text widths measured by usvg itself. Every word and every character a
//! slide shows is set once, at a reference size, in one throwaway SVG: the
//! advances usvg reports are those the slide will be drawn with (the same
//! fonts, shaped by the same harfrust), so wrapping needs no second text
//! stack. A word is measured whole (kerning, ligatures, Arabic joining);
//! characters are measured for the rare word that must be cut.

use std::collections::HashMap;

use coursegen_core::ports::MediaError;
use resvg::usvg::Node;

use super::fonts::{FAMILY, Fonts, Weight};
use super::wrap::{ELLIPSIS, Measure};
use crate::xml::escape;

/// The size words are measured at; widths are kept per em.
const REFERENCE: f32 = 100.0;
/// The key the space's advance is kept under.
const SPACE: &str = " ";
/// A text that stands all in whitespace has no box to measure, so the
/// space is measured between two letters, less the letters alone (DejaVu
/// kerns neither pair).
const SPACED: &str = "n n";
const UNSPACED: &str = "nn";

/// Widths (in em) of the words and characters of one slide.
#[derive(Debug)]
pub(crate) struct Metrics {
    widths: HashMap<(Weight, String), f32>,
    /// Above and below the baseline, in em: the height of a line of text.
    ascent: f32,
    descent: f32,
}

/// Measures every word and character of `texts`, each in its weight.
pub(crate) fn measure<'a>(
    fonts: &Fonts,
    texts: impl IntoIterator<Item = (Weight, &'a str)>,
) -> Result<Metrics, MediaError> {
    let mut wanted: Vec<(Weight, String)> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut want = |weight: Weight, s: &str| {
        if seen.insert((weight, s.to_string())) {
            wanted.push((weight, s.to_string()));
        }
    };
    for weight in [Weight::Regular, Weight::Bold] {
        want(weight, SPACED);
        want(weight, UNSPACED);
        want(weight, ELLIPSIS);
    }
    for (weight, text) in texts {
        for word in text.split_whitespace() {
            want(weight, word);
            for c in word.chars() {
                want(weight, c.encode_utf8(&mut [0; 4]));
            }
        }
    }

    let mut svg = String::from(r#"<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1">"#);
    for (i, (weight, s)) in wanted.iter().enumerate() {
        svg.push_str(&format!(
            r#"<text id="m{i}" font-family="{FAMILY}" font-size="{REFERENCE}" font-weight="{}">{}</text>"#,
            weight.css(),
            escape(s)
        ));
    }
    svg.push_str("</svg>");
    let tree = fonts.parse(&svg)?;

    let mut widths = HashMap::with_capacity(wanted.len());
    let (mut ascent, mut descent) = (0.93, 0.24);
    for (i, key) in wanted.into_iter().enumerate() {
        // Text that draws nothing (a lone joiner) has no node: it takes no room.
        let Some(Node::Text(text)) = tree.node_by_id(&format!("m{i}")) else {
            widths.insert(key, 0.0);
            continue;
        };
        // usvg's text box spans the glyphs' advances and the font's ascent
        // and descent, with the baseline at y = 0.
        let bbox = text.bounding_box();
        if key.0 == Weight::Regular && key.1 == ELLIPSIS {
            ascent = -bbox.top() / REFERENCE;
            descent = bbox.bottom() / REFERENCE;
        }
        widths.insert(key, bbox.width() / REFERENCE);
    }
    for weight in [Weight::Regular, Weight::Bold] {
        let space = widths[&(weight, SPACED.to_string())] - widths[&(weight, UNSPACED.to_string())];
        widths.insert((weight, SPACE.to_string()), space);
    }
    Ok(Metrics {
        widths,
        ascent,
        descent,
    })
}

impl Metrics {
    /// `text` in `weight` at `size`.
    pub(crate) fn face(&self, weight: Weight, size: f32) -> Face<'_> {
        Face {
            metrics: self,
            weight,
            size,
        }
    }

    /// The width of `text` in em: measured when it is a whole word, else
    /// the sum of its characters (a cut or shortened word), which errs wide
    /// since it leaves out kerning.
    fn em(&self, weight: Weight, text: &str) -> f32 {
        if let Some(&w) = self.widths.get(&(weight, text.to_string())) {
            return w;
        }
        text.chars()
            .map(|c| {
                let key = (weight, c.to_string());
                self.widths.get(&key).copied().unwrap_or(0.6)
            })
            .sum()
    }
}

/// One weight at one size: what wrapping measures with.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Face<'a> {
    metrics: &'a Metrics,
    pub(crate) weight: Weight,
    pub(crate) size: f32,
}

impl Face<'_> {
    pub(crate) fn ascent(&self) -> f32 {
        self.metrics.ascent * self.size
    }

    /// Ascent and descent: the height of the box a line's glyphs take.
    pub(crate) fn height(&self) -> f32 {
        (self.metrics.ascent + self.metrics.descent) * self.size
    }
}

impl Measure for Face<'_> {
    fn advance(&self, text: &str) -> f32 {
        self.metrics.em(self.weight, text) * self.size
    }

    fn space(&self) -> f32 {
        self.metrics.em(self.weight, SPACE) * self.size
    }
}
