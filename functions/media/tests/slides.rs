//! Slides drawn by resvg: PNGs of the asked size, text drawn and always
//! inside the frame's margins however long it is, right-to-left text set
//! from the right, and every preset size. With `SLIDES_SAMPLES` set to a
//! directory, the samples are written there to be looked at.

use coursegen_core::narration::{Direction, Slide};
use coursegen_core::ports::{FrameSize, MediaError, SlideRenderer};
use coursegen_media::ResvgSlides;
use resvg::tiny_skia::Pixmap;

const LTR: Direction = Direction::LeftToRight;
const RTL: Direction = Direction::RightToLeft;
const PRESETS: [FrameSize; 3] = [FrameSize::HD, FrameSize::FULL_HD, FrameSize::PORTRAIT];

fn slides() -> ResvgSlides {
    ResvgSlides::new().expect("fonts-dejavu-core is installed")
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn title(title: &str, subtitle: Option<&str>) -> Slide {
    Slide::Title {
        title: title.into(),
        subtitle: subtitle.map(String::from),
    }
}

fn points(heading: &str, bullets: &[&str], terms: &[&str]) -> Slide {
    Slide::Points {
        heading: heading.into(),
        bullets: strings(bullets),
        terms: strings(terms),
    }
}

fn summary(heading: &str, items: &[&str]) -> Slide {
    Slide::Summary {
        heading: heading.into(),
        points: strings(items),
    }
}

fn english() -> Slide {
    points(
        "How vaccines train the immune system",
        &[
            "A vaccine shows the body a harmless piece of a germ.",
            "White blood cells learn to recognise it and make antibodies.",
            "Memory cells remember, so a later infection is stopped quickly.",
        ],
        &["antigen", "antibody", "memory cell", "immunity"],
    )
}

fn arabic() -> Slide {
    points(
        "كيف تدرّب اللقاحات جهاز المناعة",
        &[
            "يعرض اللقاح على الجسم جزءًا غير ضار من الجرثومة.",
            "تتعلم خلايا الدم البيضاء التعرف عليه وتصنع الأجسام المضادة.",
            "تتذكر خلايا الذاكرة ذلك، فتوقف العدوى اللاحقة بسرعة.",
        ],
        &["مستضد", "جسم مضاد", "خلية ذاكرة"],
    )
}

/// A word no line can hold.
const UNBREAKABLE: &str = "Pneumonoultramicroscopicsilicovolcanoconiosis\
    Pneumonoultramicroscopicsilicovolcanoconiosis\
    Pneumonoultramicroscopicsilicovolcanoconiosis";

fn long() -> Vec<Slide> {
    let sentence = "Every one of these points goes on and on, far longer than any slide should \
        carry, so that it must wrap over several lines and shrink to fit the frame";
    let many: Vec<&str> = std::iter::repeat_n(sentence, 14).collect();
    let heading = "A heading that is itself much too long to sit on one line of the slide, \
        even at the smallest size the slide allows for headings";
    vec![
        title(&heading.repeat(3), Some(&sentence.repeat(2))),
        title(UNBREAKABLE, Some(UNBREAKABLE)),
        points(heading, &many, &["a term", UNBREAKABLE, "another term"]),
        points(UNBREAKABLE, &[UNBREAKABLE, "short", UNBREAKABLE], &[]),
        summary(heading, &many),
        points(&"كلمة طويلة جدا ".repeat(20), &many, &["مصطلح"; 30]),
    ]
}

fn render(slide: &Slide, size: FrameSize, direction: Direction) -> Pixmap {
    let png = slides().render(slide, size, direction).unwrap();
    let pixmap = Pixmap::decode_png(&png).expect("a PNG");
    assert_eq!((pixmap.width(), pixmap.height()), (size.width, size.height));
    pixmap
}

/// The pixels that differ from the top-left corner (the background).
fn ink(p: &Pixmap) -> Vec<(u32, u32)> {
    let pixels = p.pixels();
    let bg = pixels[0];
    pixels
        .iter()
        .enumerate()
        .filter(|&(_, &c)| c != bg)
        .map(|(i, _)| (i as u32 % p.width(), i as u32 / p.width()))
        .collect()
}

/// Nothing is drawn in the band along the frame's edges: 4% of the short
/// side, well inside the slides' margins.
fn assert_clear_margin(p: &Pixmap, what: &str) {
    let band = p.width().min(p.height()) * 4 / 100;
    let outside: Vec<_> = ink(p)
        .into_iter()
        .filter(|&(x, y)| x < band || y < band || x >= p.width() - band || y >= p.height() - band)
        .collect();
    assert!(
        outside.is_empty(),
        "{what} at {}×{}: drawn in the margin at {:?}",
        p.width(),
        p.height(),
        &outside[..outside.len().min(5)]
    );
}

/// The horizontal centre of the drawn pixels, as a fraction of the width.
fn centre_of_ink(p: &Pixmap) -> f32 {
    let ink = ink(p);
    assert!(!ink.is_empty());
    let sum: f64 = ink.iter().map(|&(x, _)| x as f64).sum();
    (sum / ink.len() as f64 / p.width() as f64) as f32
}

#[test]
fn every_slide_is_a_png_of_the_size_with_text_drawn() {
    let all = [
        title("Vaccines", Some("Biology 101 · Immunity")),
        english(),
        summary("What to remember", &["Vaccines teach.", "Memory lasts."]),
    ];
    for size in PRESETS.into_iter().chain([FrameSize {
        width: 640,
        height: 480,
    }]) {
        for slide in &all {
            let p = render(slide, size, LTR);
            // Text covers a fair part of the frame, not a few stray pixels.
            let share = ink(&p).len() as f32 / (size.width * size.height) as f32;
            assert!(share > 0.01, "{slide:?} at {size:?}: {share}");
            assert_clear_margin(&p, &format!("{slide:?}"));
        }
    }
}

#[test]
fn long_text_never_leaves_the_frame() {
    for size in PRESETS.into_iter().chain([FrameSize {
        width: 320,
        height: 180,
    }]) {
        for slide in long() {
            for direction in [LTR, RTL] {
                let p = render(&slide, size, direction);
                assert!(!ink(&p).is_empty());
                assert_clear_margin(&p, &format!("{slide:?} {direction:?}"));
            }
        }
    }
}

#[test]
fn right_to_left_text_is_set_from_the_right() {
    for size in PRESETS {
        let ar = centre_of_ink(&render(&arabic(), size, RTL));
        let en = centre_of_ink(&render(&english(), size, LTR));
        assert!(ar > 0.5, "Arabic at {size:?}: centre {ar}");
        assert!(en < 0.5, "English at {size:?}: centre {en}");
    }
}

#[test]
fn empty_slides_draw_what_they_have() {
    for slide in [
        points("Just a heading", &[], &[]),
        points("Blank bullets", &["", "  "], &[""]),
        summary("Nothing more", &[]),
        title("", None),
        points("", &[], &[]),
    ] {
        for size in PRESETS {
            let p = render(&slide, size, LTR);
            assert_clear_margin(&p, &format!("{slide:?}"));
        }
    }
}

#[test]
fn markup_in_text_is_only_text() {
    let slide = points(
        "<b>Tags</b> & \"quotes\" 'too' ]]> <!--",
        &[
            "</text><rect width='9999' height='9999' fill='red'/>",
            "a\u{0}b\u{7}c",
        ],
        &["<&>"],
    );
    let p = render(&slide, FrameSize::HD, LTR);
    assert_clear_margin(&p, "markup");
}

#[test]
fn an_impossible_size_is_refused() {
    for (width, height) in [(0, 720), (1280, 0), (100_000, 720)] {
        let err = slides()
            .render(&english(), FrameSize { width, height }, LTR)
            .unwrap_err();
        assert!(matches!(err, MediaError::Invalid(_)), "{err:?}");
    }
}

#[test]
fn missing_fonts_name_the_debian_package() {
    let empty = tempfile::tempdir().unwrap();
    let err = ResvgSlides::from_dir(empty.path()).unwrap_err();
    assert_eq!(
        err,
        MediaError::Missing {
            tool: "DejaVu fonts".into(),
            package: "fonts-dejavu-core".into()
        }
    );
}

/// Not timed: many slides from one renderer, which reads its fonts once.
#[test]
fn one_renderer_draws_many_slides() {
    let slides = slides();
    for i in 0..20 {
        let slide = points(&format!("Point {i}"), &["One.", "Two."], &["term"]);
        assert!(
            !slides
                .render(&slide, FrameSize::HD, LTR)
                .unwrap()
                .is_empty()
        );
    }
}

#[test]
fn samples() {
    let Some(dir) = std::env::var_os("SLIDES_SAMPLES") else {
        return;
    };
    let dir = std::path::PathBuf::from(dir);
    std::fs::create_dir_all(&dir).unwrap();
    let write = |name: &str, slide: &Slide, size: FrameSize, direction: Direction| {
        let png = slides().render(slide, size, direction).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    };
    let hd = FrameSize::HD;
    write(
        "title",
        &title(
            "How Vaccines Work",
            Some("Biology 101 · Module 3: The immune system"),
        ),
        hd,
        LTR,
    );
    write("points", &english(), hd, LTR);
    write(
        "summary",
        &summary(
            "What to remember",
            &[
                "A vaccine is a harmless preview of a germ.",
                "Antibodies and memory cells are what it leaves behind.",
                "Herd immunity protects those who cannot be vaccinated.",
            ],
        ),
        hd,
        LTR,
    );
    write("arabic", &arabic(), hd, RTL);
    write(
        "arabic-title",
        &title("كيف تعمل اللقاحات", Some("علم الأحياء ١٠١")),
        hd,
        RTL,
    );
    write("portrait", &english(), FrameSize::PORTRAIT, LTR);
    write(
        "portrait-title",
        &title("How Vaccines Work", Some("Biology 101")),
        FrameSize::PORTRAIT,
        LTR,
    );
    write("full-hd", &english(), FrameSize::FULL_HD, LTR);
    for (i, slide) in long().iter().enumerate() {
        write(&format!("long-{i}"), slide, hd, LTR);
    }
    write("long-rtl", &long()[5], hd, RTL);
    write("long-portrait", &long()[2], FrameSize::PORTRAIT, LTR);
}
