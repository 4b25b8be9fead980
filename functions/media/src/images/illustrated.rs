//! Pictures with no model: a flat illustration drawn from the frame's own
//! description, so the embedded default gives every frame a picture. A
//! landscape in the video's palette (sky, sun, clouds, hills, shaped by a
//! seed taken from the description, so each frame differs and the same
//! frame is drawn the same every time) carries the description's key
//! phrases as its subject, framed as the prompt asks: signposts across a
//! wide view, a card in a medium one, one large emblem in a close-up.

use std::fmt::Write as _;
use std::path::Path;

use async_trait::async_trait;
use coursegen_core::narration::Direction;
use coursegen_core::ports::{FrameSize, ImageRequest, Images, MediaError};
use resvg::tiny_skia;

use crate::slides::fonts::{Fonts, Weight};
use crate::slides::measure::{Metrics, measure};
use crate::slides::scene::{Anchor, Bounds, Line, text_svg};
use crate::slides::wrap::{Measure, ellipsize};
use crate::slides::{MAX_SIDE, debian_fonts};

/// The drawing's width in its own units; its height follows the frame.
const UNITS: f32 = 1600.0;
/// Key phrases drawn at most.
const MAX_TERMS: usize = 3;
/// Used when the style guide's palette is short or holds no usable colour:
/// dark, mid, warm, light.
const FALLBACK: [&str; 4] = ["#1f6f8b", "#99a8b2", "#e6d5b8", "#f5f1e9"];
const CARD: &str = "#FFFFFF";
const INK: &str = "#141C2E";
const ON_DARK: &str = "#FFFFFF";

/// Draws frames with resvg, in DejaVu Sans. Cheap to clone.
#[derive(Debug, Clone)]
pub struct IllustratedImages {
    fonts: Fonts,
}

impl IllustratedImages {
    /// With Debian's DejaVu fonts; `Missing` names the package.
    pub fn new() -> Result<Self, MediaError> {
        Ok(IllustratedImages {
            fonts: debian_fonts()?,
        })
    }

    /// With the DejaVu Sans files found in `dir`.
    pub fn from_dir(dir: &Path) -> Result<Self, MediaError> {
        Ok(IllustratedImages {
            fonts: Fonts::load(dir)?,
        })
    }

    /// The frame's SVG, in `size`.
    fn svg(&self, request: &ImageRequest<'_>) -> Result<String, MediaError> {
        let size = request.size;
        let (w, h) = (UNITS, UNITS * size.height as f32 / size.width as f32);
        let palette = palette(&request.style.palette);
        let terms = terms(&request.frame.seen);
        let metrics = measure(
            &self.fonts,
            terms.iter().map(|t| (Weight::Bold, t.as_str())),
        )?;
        let mut rng = Rng::new(&format!(
            "{}|{}|{}",
            request.frame.seen, request.prompt.shot, request.prompt.frame
        ));
        let mut svg = format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{}" height="{}" viewBox="0 0 {w} {h}"><defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="{}"/><stop offset="1" stop-color="{}"/></linearGradient></defs><rect width="{w}" height="{h}" fill="url(#sky)"/>"#,
            size.width, size.height, palette[3], palette[2]
        );
        landscape(&mut svg, &mut rng, &palette, w, h);
        let art = Art {
            svg: &mut svg,
            metrics: &metrics,
            palette: &palette,
            rtl: request.direction == Direction::RightToLeft,
            w,
            h,
            m: w.min(h),
        };
        match Framing::of(&request.prompt.composition, request.frame.number) {
            Framing::Wide => art.signposts(&terms, &mut rng),
            Framing::Medium => art.card(&terms),
            Framing::Close => art.emblem(&terms),
        }
        svg.push_str("</svg>");
        Ok(svg)
    }
}

#[async_trait]
impl Images for IllustratedImages {
    async fn image(&self, request: ImageRequest<'_>) -> Result<Vec<u8>, MediaError> {
        let FrameSize { width, height } = request.size;
        if width == 0 || height == 0 || width.max(height) > MAX_SIDE {
            return Err(MediaError::Invalid(format!(
                "a frame of {width}×{height} cannot be drawn: each side must be 1 to {MAX_SIDE} pixels"
            )));
        }
        let svg = self.svg(&request)?;
        let fonts = self.fonts.clone();
        // Drawing takes a core for a tenth of a second at HD: off the
        // async workers, as a job draws many frames.
        tokio::task::spawn_blocking(move || {
            let tree = fonts.parse(&svg)?;
            let mut pixmap = tiny_skia::Pixmap::new(width, height)
                .ok_or_else(|| MediaError::Failed("no memory for the frame's picture".into()))?;
            resvg::render(&tree, tiny_skia::Transform::default(), &mut pixmap.as_mut());
            pixmap
                .encode_png()
                .map_err(|e| MediaError::Failed(format!("the frame's PNG: {e}")))
        })
        .await
        .map_err(|e| MediaError::Failed(format!("drawing the frame stopped: {e}")))?
    }
}

/// How close the picture is, as the prompt's composition says (a wide
/// view opens a shot when it says nothing usable).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Framing {
    Wide,
    Medium,
    Close,
}

impl Framing {
    fn of(composition: &str, frame: u32) -> Framing {
        let c = composition.to_lowercase();
        if c.contains("close") || c.contains("detail") || c.contains("macro") {
            Framing::Close
        } else if c.contains("wide") || c.contains("establishing") || c.contains("long shot") {
            Framing::Wide
        } else if c.contains("medium") || frame > 1 {
            Framing::Medium
        } else {
            Framing::Wide
        }
    }
}

/// The description's key phrases: what follows a short framing label
/// ("Wide view: a, b, c"), split at commas; a free description is one
/// phrase.
fn terms(seen: &str) -> Vec<String> {
    let body = match seen.split_once(':') {
        Some((label, rest)) if label.split_whitespace().count() <= 4 && !rest.trim().is_empty() => {
            rest
        }
        _ => seen,
    };
    body.split([',', '،', ';', '؛'])
        .map(|t| t.trim().trim_end_matches('.').trim())
        .filter(|t| !t.is_empty())
        .take(MAX_TERMS)
        .map(str::to_owned)
        .collect()
}

/// Four colours from the style guide (dark, mid, warm, light), each a
/// hex colour or a plain CSS name; anything else (an edit may put any
/// text there) is replaced, never written into the SVG.
fn palette(given: &[String]) -> [String; 4] {
    let usable = |c: &&String| {
        let c = c.trim();
        let hex = c
            .strip_prefix('#')
            .is_some_and(|h| matches!(h.len(), 3 | 6) && h.chars().all(|d| d.is_ascii_hexdigit()));
        let name = (3..=20).contains(&c.len()) && c.chars().all(|d| d.is_ascii_lowercase());
        hex || name
    };
    let good: Vec<&String> = given.iter().filter(usable).collect();
    std::array::from_fn(|i| {
        good.get(i)
            .map_or(FALLBACK[i].to_owned(), |c| c.trim().to_owned())
    })
}

/// Sun, clouds and three hills, back to front.
fn landscape(svg: &mut String, rng: &mut Rng, palette: &[String; 4], w: f32, h: f32) {
    let (sx, sy, r) = (
        rng.within(0.15, 0.85) * w,
        rng.within(0.12, 0.3) * h,
        0.07 * h,
    );
    let _ = write!(
        svg,
        r#"<circle cx="{sx:.1}" cy="{sy:.1}" r="{:.1}" fill="{}" opacity="0.35"/><circle cx="{sx:.1}" cy="{sy:.1}" r="{r:.1}" fill="{}"/>"#,
        r * 1.6,
        palette[2],
        palette[2]
    );
    for _ in 0..2 + (rng.next() % 2) as usize {
        let (cx, cy, s) = (
            rng.within(0.05, 0.95) * w,
            rng.within(0.08, 0.35) * h,
            rng.within(0.6, 1.2) * h * 0.05,
        );
        let _ = write!(
            svg,
            r#"<g fill="{CARD}" opacity="0.75"><ellipse cx="{cx:.1}" cy="{cy:.1}" rx="{:.1}" ry="{s:.1}"/><ellipse cx="{:.1}" cy="{:.1}" rx="{:.1}" ry="{:.1}"/></g>"#,
            s * 2.4,
            cx + s * 1.2,
            cy - s * 0.5,
            s * 1.4,
            s * 0.9
        );
    }
    for (layer, (fill, opacity)) in [(&palette[1], 0.55), (&palette[1], 0.85), (&palette[0], 1.0)]
        .into_iter()
        .enumerate()
    {
        let base = h * (0.62 + 0.1 * layer as f32);
        let amplitude = h * rng.within(0.03, 0.07);
        let phase = rng.within(0.0, std::f32::consts::TAU);
        let waves = rng.within(1.0, 2.5);
        let mut d = format!("M0 {h:.1}");
        for i in 0..=32 {
            let x = w * i as f32 / 32.0;
            let y =
                base - amplitude * (phase + waves * std::f32::consts::TAU * i as f32 / 32.0).sin();
            let _ = write!(d, " L{x:.1} {y:.1}");
        }
        let _ = write!(
            svg,
            r#"<path d="{d} L{w:.1} {h:.1} Z" fill="{fill}" opacity="{opacity}"/>"#
        );
    }
}

/// What draws the subject: the SVG so far and the text's measures.
struct Art<'a> {
    svg: &'a mut String,
    metrics: &'a Metrics,
    palette: &'a [String; 4],
    rtl: bool,
    w: f32,
    h: f32,
    /// The shorter side: what sizes scale with, in any orientation.
    m: f32,
}

impl Art<'_> {
    /// A label centred at (`cx`, `cy`) on a rounded pill, shortened to
    /// `max` wide; returns the pill's width.
    fn pill(
        &mut self,
        text: &str,
        (cx, cy): (f32, f32),
        size: f32,
        max: f32,
        (fill, ink): (&str, &'static str),
    ) -> f32 {
        let face = self.metrics.face(Weight::Bold, size);
        let pad = size * 0.8;
        let mut label = text.to_owned();
        if face.line(&label) > max - 2.0 * pad {
            label = ellipsize(&label, max - 2.0 * pad, &face);
        }
        let pw = face.line(&label) + 2.0 * pad;
        let ph = face.height() + pad;
        let _ = write!(
            self.svg,
            r#"<rect x="{:.1}" y="{:.1}" width="{pw:.1}" height="{ph:.1}" rx="{:.1}" fill="{fill}"/>"#,
            cx - pw / 2.0,
            cy - ph / 2.0,
            ph / 2.0
        );
        let baseline = cy - face.height() / 2.0 + face.ascent();
        let line = Line {
            text: label,
            x: cx,
            baseline,
            size,
            weight: Weight::Bold,
            fill: ink,
            anchor: Anchor::Middle,
            rtl: self.rtl,
            bounds: Bounds {
                left: cx - pw / 2.0,
                top: cy - ph / 2.0,
                right: cx + pw / 2.0,
                bottom: cy + ph / 2.0,
            },
        };
        self.svg.push_str(&text_svg(&line, ""));
        pw
    }

    /// A wide view: each phrase a sign on a post standing on the hills,
    /// trees between, in reading order.
    fn signposts(mut self, terms: &[String], rng: &mut Rng) {
        let (w, h) = (self.w, self.h);
        for _ in 0..3 + (rng.next() % 3) as usize {
            let (x, y, s) = (
                rng.within(0.03, 0.97) * w,
                h * rng.within(0.74, 0.8),
                h * rng.within(0.05, 0.08),
            );
            let _ = write!(
                self.svg,
                r#"<rect x="{:.1}" y="{y:.1}" width="{:.1}" height="{:.1}" fill="{INK}" opacity="0.6"/><path d="M{:.1} {:.1} L{x:.1} {:.1} L{:.1} {:.1} Z" fill="{}"/>"#,
                x - s * 0.08,
                s * 0.16,
                s * 0.6,
                x - s * 0.6,
                y + s * 0.1,
                y - s * 1.6,
                x + s * 0.6,
                y + s * 0.1,
                self.palette[0]
            );
        }
        let n = terms.len().max(1) as f32;
        for (i, term) in terms.iter().enumerate() {
            let slot = if self.rtl {
                n - 1.0 - i as f32
            } else {
                i as f32
            };
            let cx = w * (slot + 0.5) / n;
            let cy = h * (0.5 + 0.06 * (i % 2) as f32);
            let _ = write!(
                self.svg,
                r#"<rect x="{:.1}" y="{cy:.1}" width="8" height="{:.1}" fill="{INK}" opacity="0.7"/>"#,
                cx - 4.0,
                h * 0.22
            );
            let fill = self.palette[3].clone();
            self.pill(term, (cx, cy), self.m * 0.045, w / n - 40.0, (&fill, INK));
        }
    }

    /// A medium view: a card in the middle, the first phrase on a band of
    /// the palette's dark colour, the others beneath it.
    fn card(mut self, terms: &[String]) {
        let (w, h) = (self.w, self.h);
        let (cw, ch) = (w * 0.56, self.m * 0.6);
        let (x, y) = ((w - cw) / 2.0, (h - ch) / 2.0 - h * 0.04);
        let _ = write!(
            self.svg,
            r#"<rect x="{:.1}" y="{:.1}" width="{cw:.1}" height="{ch:.1}" rx="28" fill="{INK}" opacity="0.18"/><rect x="{x:.1}" y="{y:.1}" width="{cw:.1}" height="{ch:.1}" rx="28" fill="{CARD}" opacity="0.95"/><circle cx="{:.1}" cy="{:.1}" r="{:.1}" fill="{}"/>"#,
            x + 12.0,
            y + 16.0,
            w / 2.0,
            y + ch * 0.28,
            ch * 0.12,
            self.palette[2]
        );
        let dark = self.palette[0].clone();
        let mut cy = y + ch * 0.52;
        for (i, term) in terms.iter().enumerate() {
            let (size, fill, ink) = if i == 0 {
                (self.m * 0.05, dark.as_str(), ON_DARK)
            } else {
                (self.m * 0.035, self.palette[3].as_str(), INK)
            };
            let fill = fill.to_owned();
            self.pill(term, (w / 2.0, cy), size, cw - 60.0, (&fill, ink));
            cy += size * 1.9;
        }
    }

    /// A close-up: one large emblem holding the first phrase, the others
    /// as small tags at its foot.
    fn emblem(mut self, terms: &[String]) {
        let (w, h) = (self.w, self.h);
        let r = self.m * 0.3;
        let (cx, cy) = (w / 2.0, h * 0.46);
        let _ = write!(
            self.svg,
            r#"<circle cx="{cx:.1}" cy="{cy:.1}" r="{:.1}" fill="{}" opacity="0.5"/><circle cx="{cx:.1}" cy="{cy:.1}" r="{r:.1}" fill="{}"/><circle cx="{cx:.1}" cy="{cy:.1}" r="{:.1}" fill="none" stroke="{}" stroke-width="6" opacity="0.8"/>"#,
            r * 1.15,
            self.palette[3],
            self.palette[0],
            r * 0.86,
            self.palette[2]
        );
        let dark = self.palette[0].clone();
        if let Some(first) = terms.first() {
            self.pill(first, (cx, cy), self.m * 0.06, r * 1.8, (&dark, ON_DARK));
        }
        let rest = &terms[terms.len().min(1)..];
        let n = rest.len().max(1) as f32;
        for (i, term) in rest.iter().enumerate() {
            let slot = if self.rtl {
                n - 1.0 - i as f32
            } else {
                i as f32
            };
            let fill = self.palette[3].clone();
            self.pill(
                term,
                (w * (slot + 0.5) / n, cy + r * 1.35),
                self.m * 0.035,
                w / n - 60.0,
                (&fill, INK),
            );
        }
    }
}

/// A small deterministic generator (xorshift), seeded from text: the same
/// frame is always drawn the same. Hand-written: a picture's layout needs
/// no statistical quality, and a crate would add nothing.
struct Rng(u64);

impl Rng {
    fn new(seed: &str) -> Rng {
        // FNV-1a.
        let hash = seed.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        Rng(hash | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// Uniform in `lo..hi`.
    fn within(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * (self.next() % 10_000) as f32 / 10_000.0
    }
}
