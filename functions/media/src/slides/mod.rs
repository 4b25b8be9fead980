//! Lesson slides as PNGs ([`ResvgSlides`]): each slide is laid out in the
//! frame (its words measured with the fonts it is drawn in), written as an
//! SVG and drawn by resvg.
//!
//! - `fonts`: DejaVu Sans from Debian's files, loaded once.
//! - `measure` and `wrap`: word widths, and lines broken to fit them.
//! - `layout`: the title, points and summary slides, shrunk until they fit.
//! - `scene`: what a slide draws, and its SVG (all text escaped).
//! - `theme`: colours and type sizes.

pub(crate) mod fonts;
mod layout;
pub(crate) mod measure;
pub(crate) mod scene;
mod theme;
pub(crate) mod wrap;

use std::path::Path;
use std::sync::OnceLock;

use coursegen_core::narration::{Direction, Slide};
use coursegen_core::ports::{FrameSize, MediaError, SlideRenderer};
use resvg::{tiny_skia, usvg};

pub use fonts::{DEJAVU_DIR, DEJAVU_PACKAGE};

use fonts::Fonts;
use layout::Frame;
use scene::Scene;

/// Debian's DejaVu fonts ([`DEJAVU_DIR`]), read once per process however
/// many renderers are made; `Missing` names the package when they are not
/// installed.
pub(crate) fn debian_fonts() -> Result<Fonts, MediaError> {
    static DEBIAN: OnceLock<Result<Fonts, MediaError>> = OnceLock::new();
    DEBIAN
        .get_or_init(|| Fonts::load(Path::new(DEJAVU_DIR)))
        .clone()
}

/// The largest side a frame may have: a 4K portrait is 3840.
pub const MAX_SIDE: u32 = 4096;

/// Draws slides with resvg, in DejaVu Sans. Cheap to clone: the fonts are
/// shared.
#[derive(Debug, Clone)]
pub struct ResvgSlides {
    fonts: Fonts,
}

impl ResvgSlides {
    /// With Debian's DejaVu fonts ([`DEJAVU_DIR`]), read once per process
    /// however many renderers are made; `Missing` names the package when
    /// they are not installed.
    pub fn new() -> Result<Self, MediaError> {
        Ok(ResvgSlides {
            fonts: debian_fonts()?,
        })
    }

    /// With the DejaVu Sans files (`DejaVuSans.ttf`, `DejaVuSans-Bold.ttf`)
    /// found in `dir`.
    pub fn from_dir(dir: &Path) -> Result<Self, MediaError> {
        Ok(ResvgSlides {
            fonts: Fonts::load(dir)?,
        })
    }

    /// The SVG a slide is drawn from, and the tree resvg parsed from it.
    fn lay_out(
        &self,
        slide: &Slide,
        size: FrameSize,
        direction: Direction,
    ) -> Result<usvg::Tree, MediaError> {
        let metrics = measure::measure(&self.fonts, layout::texts(slide))?;
        let mut frame = Frame::new(size, direction);
        // A line is measured as its words' sum, but drawn shaped as a whole;
        // should that come out wider, the slide is laid out again with its
        // text kept that much further in. Margins absorb the last attempt's
        // excess, if any.
        let mut attempts = 0;
        loop {
            let scene = layout::compose(slide, &frame, &metrics);
            let tree = self.fonts.parse(&scene.svg(size.width, size.height))?;
            let excess = overflow(&tree, &scene, size);
            attempts += 1;
            if excess <= 0.0 || attempts == 4 {
                return Ok(tree);
            }
            frame = frame.narrower(excess + 1.0);
        }
    }
}

impl SlideRenderer for ResvgSlides {
    fn render(
        &self,
        slide: &Slide,
        size: FrameSize,
        direction: Direction,
    ) -> Result<Vec<u8>, MediaError> {
        if size.width == 0 || size.height == 0 || size.width.max(size.height) > MAX_SIDE {
            return Err(MediaError::Invalid(format!(
                "a slide of {}×{} cannot be drawn: each side must be 1 to {MAX_SIDE} pixels",
                size.width, size.height
            )));
        }
        let tree = self.lay_out(slide, size, direction)?;
        let mut pixmap = tiny_skia::Pixmap::new(size.width, size.height)
            .ok_or_else(|| MediaError::Failed("no memory for the slide's picture".into()))?;
        resvg::render(&tree, tiny_skia::Transform::default(), &mut pixmap.as_mut());
        pixmap
            .encode_png()
            .map_err(|e| MediaError::Failed(format!("the slide's PNG: {e}")))
    }
}

/// How far (in frame units) the widest drawn line's ink reaches past the
/// box it was laid out in; zero or less when every line keeps inside. Ink,
/// not the text's box: usvg gives a zero-width character (the embedding
/// marks) a unit of box that draws nothing.
fn overflow(tree: &usvg::Tree, scene: &Scene, size: FrameSize) -> f32 {
    let px = size.width as f32 / scene.width;
    scene
        .lines()
        .filter_map(|(id, line)| {
            let usvg::Node::Text(text) = tree.node_by_id(&id)? else {
                return None;
            };
            let b = text.flattened().abs_bounding_box();
            let (left, right) = (b.left() / px, b.right() / px);
            Some((line.bounds.left - left).max(right - line.bounds.right))
        })
        .fold(0.0, f32::max)
}
