//! Frames drawn with no model: PNGs of the asked size, each frame its own
//! picture and the same frame always the same, whatever text or colours an
//! edit puts in the prompt. With `FRAME_SAMPLES` set to a directory, the
//! samples are written there to be looked at.

use coursegen_core::image_prompt::{FramePrompt, StyleGuide};
use coursegen_core::narration::Direction;
use coursegen_core::ports::{FrameSize, ImageRequest, Images, MediaError};
use coursegen_core::storyboard::{Camera, Frame};
use coursegen_media::images::IllustratedImages;
use resvg::tiny_skia::Pixmap;

fn frame(number: u32, seen: &str) -> Frame {
    Frame {
        number,
        seen: seen.into(),
        on_screen_text: None,
        narration: vec!["Said.".into()],
        duration_ms: 3_000,
        camera: Camera::PushIn,
    }
}

fn prompt(frame: u32, composition: &str) -> FramePrompt {
    FramePrompt {
        shot: 1,
        frame,
        subject: "s".into(),
        composition: composition.into(),
        lens: "35 mm".into(),
        lighting: "soft".into(),
        negative: String::new(),
    }
}

fn style(palette: &[&str]) -> StyleGuide {
    StyleGuide {
        style: "flat".into(),
        palette: palette.iter().map(|c| c.to_string()).collect(),
        lighting: "even".into(),
        negative: "text".into(),
    }
}

async fn draw(
    seen: &str,
    composition: &str,
    palette: &[&str],
    size: FrameSize,
    direction: Direction,
) -> Vec<u8> {
    let frame = frame(2, seen);
    let prompt = prompt(2, composition);
    let style = style(palette);
    IllustratedImages::new()
        .expect("fonts-dejavu-core is installed")
        .image(ImageRequest {
            prompt: &prompt,
            style: &style,
            frame: &frame,
            size,
            direction,
        })
        .await
        .expect("drawn")
}

fn keep(name: &str, png: &[u8]) {
    if let Some(dir) = std::env::var("FRAME_SAMPLES")
        .ok()
        .filter(|d| !d.is_empty())
    {
        std::fs::write(std::path::Path::new(&dir).join(name), png).unwrap();
    }
}

const PALETTE: [&str; 4] = ["#2d6a4f", "#74c69d", "#e9c46a", "#f4f1de"];

#[tokio::test]
async fn every_framing_in_every_size_is_a_picture_of_that_size() {
    for (name, composition) in [
        ("wide", "wide shot"),
        ("medium", "medium shot"),
        ("close", "close-up on a detail"),
    ] {
        for size in [FrameSize::HD, FrameSize::FULL_HD, FrameSize::PORTRAIT] {
            let png = draw(
                "Wide view: water meter, night, kitchen tap",
                composition,
                &PALETTE,
                size,
                Direction::LeftToRight,
            )
            .await;
            let p = Pixmap::decode_png(&png).expect("a PNG");
            assert_eq!((p.width(), p.height()), (size.width, size.height));
            keep(&format!("{name}-{}x{}.png", size.width, size.height), &png);
        }
    }
    let ar = draw(
        "Medium view: الدش, الدقيقة, الاستحمام",
        "medium shot",
        &PALETTE,
        FrameSize::HD,
        Direction::RightToLeft,
    )
    .await;
    keep("arabic-medium.png", &ar);
    let ar = draw(
        "Wide view: الدش, الدقيقة, الاستحمام",
        "wide shot",
        &PALETTE,
        FrameSize::HD,
        Direction::RightToLeft,
    )
    .await;
    keep("arabic-wide.png", &ar);
}

#[tokio::test]
async fn the_same_frame_is_drawn_the_same_and_another_differently() {
    let a = draw(
        "Wide view: meter, night",
        "wide shot",
        &PALETTE,
        FrameSize::HD,
        Direction::LeftToRight,
    )
    .await;
    let b = draw(
        "Wide view: meter, night",
        "wide shot",
        &PALETTE,
        FrameSize::HD,
        Direction::LeftToRight,
    )
    .await;
    let c = draw(
        "Wide view: garden hose, morning",
        "wide shot",
        &PALETTE,
        FrameSize::HD,
        Direction::LeftToRight,
    )
    .await;
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[tokio::test]
async fn whatever_an_edit_writes_is_drawn_as_text_or_not_at_all() {
    let hostile = ["red\" onload=\"x", "</svg>", "#zzz", "url(#sky)"];
    let png = draw(
        "Wide view: </text><rect width='9999' fill='red'/>, a & b, \"quoted\"",
        "<b>wide</b>",
        &hostile,
        FrameSize::HD,
        Direction::LeftToRight,
    )
    .await;
    assert!(Pixmap::decode_png(&png).is_ok());
}

#[tokio::test]
async fn an_impossible_size_is_refused() {
    let frame = frame(1, "Wide view: x");
    let prompt = prompt(1, "wide");
    let style = style(&PALETTE);
    let images = IllustratedImages::new().unwrap();
    for (width, height) in [(0, 720), (100_000, 720)] {
        let err = images
            .image(ImageRequest {
                prompt: &prompt,
                style: &style,
                frame: &frame,
                size: FrameSize { width, height },
                direction: Direction::LeftToRight,
            })
            .await
            .unwrap_err();
        assert!(matches!(err, MediaError::Invalid(_)), "{err:?}");
    }
}
