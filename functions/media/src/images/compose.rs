//! A storyboard frame as it is shown: its picture, from whichever source,
//! fitted to the frame (scaled to cover it, centred, the overflow cut), and
//! its on-screen text laid over the lower third on a dark band — set in
//! DejaVu Sans, shaped and ordered for its script, wrapped to fit.

use std::path::Path;

use coursegen_core::narration::Direction;
use coursegen_core::ports::{FrameSize, MediaError};
use resvg::tiny_skia::{FilterQuality, Pixmap, PixmapPaint, Transform};

use crate::slides::fonts::{Fonts, Weight};
use crate::slides::measure::measure;
use crate::slides::scene::{Anchor, Bounds, Line, text_svg};
use crate::slides::wrap::{Measure, clamp, wrap};
use crate::slides::{MAX_SIDE, debian_fonts};

/// Caption lines at most, and the band's colour and opacity.
const MAX_LINES: usize = 3;
const BAND: &str = "#141C2E";
const BAND_OPACITY: f32 = 0.72;
const CAPTION_INK: &str = "#FFFFFF";

/// Lays on-screen text over frame pictures. Cheap to clone.
#[derive(Debug, Clone)]
pub struct FrameComposer {
    fonts: Fonts,
}

impl FrameComposer {
    /// With Debian's DejaVu fonts; `Missing` names the package.
    pub fn new() -> Result<Self, MediaError> {
        Ok(FrameComposer {
            fonts: debian_fonts()?,
        })
    }

    /// With the DejaVu Sans files found in `dir`.
    pub fn from_dir(dir: &Path) -> Result<Self, MediaError> {
        Ok(FrameComposer {
            fonts: Fonts::load(dir)?,
        })
    }

    /// The frame's PNG: `picture` (a PNG of any size) covering `size`,
    /// `text` (its lines kept, each wrapped) over it when there is any.
    pub fn compose(
        &self,
        picture: &[u8],
        text: Option<&str>,
        size: FrameSize,
        direction: Direction,
    ) -> Result<Vec<u8>, MediaError> {
        let FrameSize { width, height } = size;
        if width == 0 || height == 0 || width.max(height) > MAX_SIDE {
            return Err(MediaError::Invalid(format!(
                "a frame of {width}×{height} cannot be composed: each side must be 1 to {MAX_SIDE} pixels"
            )));
        }
        let source = Pixmap::decode_png(picture).map_err(|e| {
            MediaError::Failed(format!(
                "the frame's picture is not a PNG that can be read: {e}"
            ))
        })?;
        let mut frame = Pixmap::new(width, height)
            .ok_or_else(|| MediaError::Failed("no memory for the frame".into()))?;
        let scale =
            (width as f32 / source.width() as f32).max(height as f32 / source.height() as f32);
        let (dx, dy) = (
            (width as f32 - source.width() as f32 * scale) / 2.0,
            (height as f32 - source.height() as f32 * scale) / 2.0,
        );
        let paint = PixmapPaint {
            quality: FilterQuality::Bicubic,
            ..PixmapPaint::default()
        };
        frame.draw_pixmap(
            0,
            0,
            source.as_ref(),
            &paint,
            Transform::from_row(scale, 0.0, 0.0, scale, dx, dy),
            None,
        );
        if let Some(text) = text.filter(|t| !t.trim().is_empty()) {
            let tree = self.fonts.parse(&self.caption(text, size, direction)?)?;
            resvg::render(&tree, Transform::default(), &mut frame.as_mut());
        }
        frame
            .encode_png()
            .map_err(|e| MediaError::Failed(format!("the frame's PNG: {e}")))
    }

    /// The caption band as an SVG of the frame's size, in pixels.
    fn caption(
        &self,
        text: &str,
        size: FrameSize,
        direction: Direction,
    ) -> Result<String, MediaError> {
        let (w, h) = (size.width as f32, size.height as f32);
        let font = w.min(h) * 0.05;
        let metrics = measure(&self.fonts, [(Weight::Bold, text)])?;
        let face = metrics.face(Weight::Bold, font);
        let max = w * 0.84;
        let lines: Vec<String> = text
            .lines()
            .flat_map(|line| wrap(line, max, &face))
            .collect();
        let lines = clamp(lines, MAX_LINES, max, &face);
        let leading = face.height() * 1.15;
        let pad = font * 0.7;
        let band_h = leading * lines.len() as f32 + 2.0 * pad;
        let widest = lines.iter().map(|l| face.line(l)).fold(0.0, f32::max);
        let band_w = widest + 2.0 * pad * 1.5;
        let top = h * 0.94 - band_h;
        let mut svg = format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}"><rect x="{:.1}" y="{top:.1}" width="{band_w:.1}" height="{band_h:.1}" rx="{:.1}" fill="{BAND}" opacity="{BAND_OPACITY}"/>"#,
            (w - band_w) / 2.0,
            pad
        );
        for (i, text) in lines.into_iter().enumerate() {
            let line_top = top + pad + leading * i as f32;
            let line = Line {
                text,
                x: w / 2.0,
                baseline: line_top + (leading - face.height()) / 2.0 + face.ascent(),
                size: font,
                weight: Weight::Bold,
                fill: CAPTION_INK,
                anchor: Anchor::Middle,
                rtl: direction == Direction::RightToLeft,
                bounds: Bounds {
                    left: (w - max) / 2.0,
                    top: line_top,
                    right: (w + max) / 2.0,
                    bottom: line_top + leading,
                },
            };
            svg.push_str(&text_svg(&line, ""));
        }
        svg.push_str("</svg>");
        Ok(svg)
    }
}
