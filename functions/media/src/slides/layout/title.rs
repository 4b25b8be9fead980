//! The title slide: the lesson's title, large, on the accent colour, under a
//! short bar; the subtitle beneath. The block sits a little above the
//! middle of the frame.

use super::super::measure::Metrics;
use super::super::scene::{Item, Scene};
use super::super::theme::{self, SCALES};
use super::{Block, Frame};

/// The bar above the title, in frame units.
const BAR_WIDTH: f32 = 96.0;
const BAR_HEIGHT: f32 = 8.0;

struct Parts<'m> {
    title: Block<'m>,
    subtitle: Option<Block<'m>>,
}

impl Parts<'_> {
    /// Space between the bar and the title, and the title and subtitle.
    fn gaps(&self) -> (f32, f32) {
        let after_bar = self.title.face.size * 0.5;
        let before_subtitle = self.subtitle.as_ref().map_or(0.0, |s| s.face.size * 0.7);
        (after_bar, before_subtitle)
    }

    fn height(&self) -> f32 {
        let (after_bar, before_subtitle) = self.gaps();
        BAR_HEIGHT
            + after_bar
            + self.title.height()
            + before_subtitle
            + self.subtitle.as_ref().map_or(0.0, Block::height)
    }
}

pub(super) fn compose(
    frame: &Frame,
    metrics: &Metrics,
    title: &str,
    subtitle: Option<&str>,
) -> Scene {
    let width = frame.measure();
    let room = frame.content_height();
    let parts = |scale: f32| Parts {
        title: Block::wrap(metrics, theme::TITLE, scale, title, width),
        subtitle: subtitle
            .map(|s| Block::wrap(metrics, theme::SUBTITLE, scale, s, width))
            .filter(|b| !b.lines.is_empty()),
    };
    for scale in SCALES {
        let p = parts(scale);
        if p.height() <= room {
            return draw(frame, &p);
        }
    }
    // At the smallest sizes: the subtitle keeps two lines, the title the
    // lines that fit beside it (without the subtitle if it must).
    let mut p = parts(SCALES[SCALES.len() - 1]);
    p.subtitle = p.subtitle.map(|s| s.clamp(2));
    let title_room = |p: &Parts| room - (p.height() - p.title.height());
    if p.title.lines_in(title_room(&p)) == 0 {
        p.subtitle = None;
    }
    let fits = p.title.lines_in(title_room(&p)).max(1);
    p.title = p.title.clamp(fits);
    draw(frame, &p)
}

fn draw(frame: &Frame, p: &Parts) -> Scene {
    let mut scene = frame.scene(theme::ACCENT);
    let height = p.height();
    // Centred a little above the middle, never out of the content box.
    let top = (frame.height * 0.47 - height / 2.0)
        .min(frame.content.bottom - height)
        .max(frame.content.top);
    let (after_bar, before_subtitle) = p.gaps();
    scene.items.push(Item::Rect {
        x: frame.left_of(0.0, BAR_WIDTH),
        y: top,
        w: BAR_WIDTH,
        h: BAR_HEIGHT,
        radius: BAR_HEIGHT / 2.0,
        fill: theme::TITLE_BAR,
    });
    let title_top = top + BAR_HEIGHT + after_bar;
    p.title
        .draw(frame, &mut scene, 0.0, title_top, theme::ON_ACCENT);
    if let Some(subtitle) = &p.subtitle {
        let sub_top = title_top + p.title.height() + before_subtitle;
        subtitle.draw(frame, &mut scene, 0.0, sub_top, theme::ON_ACCENT_SOFT);
    }
    scene
}
