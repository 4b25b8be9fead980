//! Frames composed: any picture fitted to the frame with no bars, and the
//! on-screen text laid over it shaped and ordered for its script — checked
//! on the rendered pixels. With `FRAME_SAMPLES` set to a directory, the
//! samples are written there to be looked at.

use coursegen_core::narration::Direction;
use coursegen_core::ports::{FrameSize, MediaError};
use coursegen_media::images::FrameComposer;
use resvg::tiny_skia::{Color, Pixmap};

const GREY: [u8; 3] = [90, 110, 130];

fn picture(width: u32, height: u32) -> Vec<u8> {
    let mut p = Pixmap::new(width, height).unwrap();
    p.fill(Color::from_rgba8(GREY[0], GREY[1], GREY[2], 255));
    p.encode_png().unwrap()
}

fn compose(text: Option<&str>, direction: Direction) -> Pixmap {
    let png = FrameComposer::new()
        .expect("fonts-dejavu-core is installed")
        .compose(&picture(600, 900), text, FrameSize::HD, direction)
        .expect("composed");
    if let (Some(dir), Some(text)) = (
        std::env::var("FRAME_SAMPLES")
            .ok()
            .filter(|d| !d.is_empty()),
        text,
    ) {
        let name = format!("caption-{}.png", text.chars().count());
        std::fs::write(std::path::Path::new(&dir).join(name), &png).unwrap();
    }
    Pixmap::decode_png(&png).unwrap()
}

/// Columns (x) holding caption ink: near-white pixels.
fn ink_columns(p: &Pixmap) -> Vec<bool> {
    (0..p.width())
        .map(|x| {
            (0..p.height()).any(|y| {
                let c = p.pixel(x, y).unwrap();
                c.red() > 200 && c.green() > 200 && c.blue() > 200
            })
        })
        .collect()
}

/// Empty columns between the first and the last inked one.
fn gaps(p: &Pixmap) -> usize {
    let cols = ink_columns(p);
    let first = cols.iter().position(|&c| c).expect("some ink");
    let last = cols.iter().rposition(|&c| c).unwrap();
    cols[first..=last].iter().filter(|&&c| !c).count()
}

#[test]
fn a_picture_of_another_shape_covers_the_frame() {
    let p = compose(None, Direction::LeftToRight);
    assert_eq!((p.width(), p.height()), (1280, 720));
    for (x, y) in [(0, 0), (1279, 0), (0, 719), (1279, 719), (640, 360)] {
        let c = p.pixel(x, y).unwrap();
        assert_eq!([c.red(), c.green(), c.blue()], GREY, "at {x},{y}");
    }
}

#[test]
fn arabic_letters_are_joined_as_the_script_writes_them() {
    // Six behs joined are one unbroken stroke; kept apart by zero-width
    // non-joiners, each stands alone and light shows between them.
    let joined = compose(Some("بببببب"), Direction::RightToLeft);
    let apart = compose(
        Some("ب\u{200C}ب\u{200C}ب\u{200C}ب\u{200C}ب\u{200C}ب"),
        Direction::RightToLeft,
    );
    assert_eq!(gaps(&joined), 0);
    assert!(gaps(&apart) > 5, "{}", gaps(&apart));
}

#[test]
fn arabic_is_set_from_the_right() {
    // An alef (a tall stroke) then kashidas (a low line): read right to
    // left, the tall stroke is at the right end of the ink.
    let p = compose(Some("اـــــــــــ"), Direction::RightToLeft);
    let height = |x: u32| {
        (0..p.height())
            .filter(|&y| {
                let c = p.pixel(x, y).unwrap();
                c.red() > 200 && c.green() > 200 && c.blue() > 200
            })
            .count()
    };
    let cols = ink_columns(&p);
    let first = cols.iter().position(|&c| c).unwrap() as u32;
    let last = cols.iter().rposition(|&c| c).unwrap() as u32;
    let tallest = (first..=last).max_by_key(|&x| height(x)).unwrap();
    assert!(
        tallest > (first + last) / 2,
        "tallest column {tallest} in {first}..{last}"
    );
}

#[test]
fn long_text_wraps_inside_the_frame() {
    let text = "Turn off the supply valve under the sink, open the tap to drain it, \
                remove the handle and unscrew the valve body with an adjustable spanner";
    let p = compose(Some(text), Direction::LeftToRight);
    let cols = ink_columns(&p);
    assert!(!cols[..60].iter().any(|&c| c) && !cols[1220..].iter().any(|&c| c));
}

#[test]
fn a_picture_that_is_no_png_is_refused_by_name() {
    let err = FrameComposer::new()
        .unwrap()
        .compose(
            b"GIF89a....",
            Some("x"),
            FrameSize::HD,
            Direction::LeftToRight,
        )
        .unwrap_err();
    assert!(
        matches!(&err, MediaError::Failed(m) if m.contains("not a PNG")),
        "{err:?}"
    );
}
