//! One storyboard video, all offline and real: six frames in two shots (a
//! fixed 30-odd seconds of English narration), each drawn and captioned by
//! resvg, the narration spoken by espeak-ng, each frame animated by
//! ffmpeg's Ken Burns move, the clips joined into shots and the shots put
//! under the narration — at 720p. After criterion's report it prints the
//! render time over the narration's length and how it splits between the
//! pictures, the speech, the clips and the film.
//!
//! Needs ffmpeg, espeak-ng and fonts-dejavu-core (`scripts/test` installs
//! them). `cargo bench -p coursegen-media --bench storyboard` (about five
//! minutes).

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use coursegen_core::image_prompt::{FramePrompt, StyleGuide, VideoPrompts};
use coursegen_core::narration::Direction;
use coursegen_core::ports::{
    ClipImage, ClipRequest, ClipState, Clips, FrameSize, ImageRequest, Images,
};
use coursegen_core::storyboard::{Camera, Frame, Shot, VideoBoard};
use coursegen_media::clips::OfflineClips;
use coursegen_media::encoder::Ffmpeg;
use coursegen_media::film;
use coursegen_media::images::{FrameComposer, IllustratedImages};
use coursegen_media::motion::FADE_MS;
use coursegen_media::speech::Espeak;
use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use tokio::runtime::Runtime;
use tokio::sync::watch;

const SIZE: FrameSize = FrameSize::HD;

/// A video on how a water meter finds a leak, written for this bench.
fn video() -> VideoBoard {
    let frame = |number: u32, seen: &str, shown: Option<&str>, said: &[&str], camera| Frame {
        number,
        seen: seen.into(),
        on_screen_text: shown.map(String::from),
        narration: said.iter().map(|s| (*s).into()).collect(),
        duration_ms: 5_000,
        camera,
    };
    let shots = vec![
        Shot {
            number: 1,
            scene: None,
            frames: vec![
                frame(
                    1,
                    "Wide establishing view: water meter, garden path, house",
                    Some("Finding a hidden leak"),
                    &[
                        "Every house has a water meter, usually near the garden path or under the kitchen sink.",
                        "It counts every litre that enters the house.",
                    ],
                    Camera::PushIn,
                ),
                frame(
                    2,
                    "Medium view: meter dial, night, reading",
                    Some("Read it at night, read it at dawn"),
                    &[
                        "Read the dial before you go to bed, and again in the morning before anyone uses water.",
                    ],
                    Camera::PanRight,
                ),
                frame(
                    3,
                    "Close-up detail: moving dial, hidden leak",
                    None,
                    &[
                        "If the numbers moved overnight, water is escaping somewhere.",
                        "That is a leak, even if you cannot see it.",
                    ],
                    Camera::TiltUp,
                ),
            ],
        },
        Shot {
            number: 2,
            scene: None,
            frames: vec![
                frame(
                    1,
                    "Wide view: toilet tank, food colouring",
                    Some("The toilet test"),
                    &[
                        "The toilet is the usual suspect.",
                        "Put a few drops of food colouring in the tank and wait fifteen minutes.",
                    ],
                    Camera::PushIn,
                ),
                frame(
                    2,
                    "Medium view: coloured water, toilet bowl",
                    Some("Colour in the bowl = a leaking flapper"),
                    &[
                        "If colour appears in the bowl without a flush, the flapper valve is leaking.",
                    ],
                    Camera::PanRight,
                ),
                frame(
                    3,
                    "Close-up detail: flapper valve, new part",
                    None,
                    &["A new flapper costs little and can save thousands of litres a year."],
                    Camera::PullOut,
                ),
            ],
        },
    ];
    VideoBoard {
        number: 1,
        title: "Finding a hidden leak".into(),
        language: "en".into(),
        shots,
    }
}

/// Its prompts, as the offline engine writes them: a palette for the
/// video, and each frame framed by its place in its shot.
fn prompts(video: &VideoBoard) -> VideoPrompts {
    let frames = video
        .shots
        .iter()
        .flat_map(|shot| {
            shot.frames.iter().map(move |f| FramePrompt {
                shot: shot.number,
                frame: f.number,
                subject: f.seen.clone(),
                composition: match f.number {
                    1 => "wide shot".into(),
                    3 => "close-up on one telling detail".into(),
                    _ => "medium shot".into(),
                },
                lens: "35 mm".into(),
                lighting: "soft".into(),
                negative: String::new(),
            })
        })
        .collect();
    VideoPrompts {
        video: video.number,
        style: StyleGuide {
            style: "flat vector illustration".into(),
            palette: ["#1f6f8b", "#99a8b2", "#e6d5b8", "#f5f1e9"]
                .map(String::from)
                .to_vec(),
            lighting: "soft, even daylight".into(),
            negative: "text".into(),
        },
        frames,
    }
}

#[derive(Debug, Clone, Copy)]
struct Timing {
    pictures: Duration,
    speech: Duration,
    clips: Duration,
    film: Duration,
    narration_ms: u64,
}

impl Timing {
    fn total(&self) -> Duration {
        self.pictures + self.speech + self.clips + self.film
    }
}

async fn render_once(video: &VideoBoard, prompts: &VideoPrompts, dir: &Path) -> Timing {
    let never = watch::channel(false).1;
    let (images, composer) = (
        IllustratedImages::new().unwrap(),
        FrameComposer::new().unwrap(),
    );
    let clips = OfflineClips::new(
        Ffmpeg::default(),
        dir.join(format!("tasks-{}", ulid_like())),
    );
    let start = Instant::now();
    let mut stills = Vec::new();
    for (at, (_, frame)) in video.frames().enumerate() {
        let request = ImageRequest {
            prompt: &prompts.frames[at],
            style: &prompts.style,
            frame,
            size: SIZE,
            direction: Direction::LeftToRight,
        };
        let picture = images.image(request).await.unwrap();
        stills.push(
            composer
                .compose(
                    &picture,
                    frame.on_screen_text.as_deref(),
                    SIZE,
                    Direction::LeftToRight,
                )
                .unwrap(),
        );
    }
    let pictures = start.elapsed();
    let narrated = film::narrate(&Espeak::new(), video, None, 1.0, &|_, _| {}, &never)
        .await
        .unwrap();
    let speech = start.elapsed() - pictures;
    let mut frame_clips: Vec<PathBuf> = Vec::new();
    for (at, (_, frame)) in video.frames().enumerate() {
        let request = ClipRequest {
            start: ClipImage {
                png: &stills[at],
                url: None,
            },
            end: None,
            prompt: &prompts.frames[at].subject,
            camera: frame.camera,
            duration_ms: narrated.frame_ms[at] + FADE_MS,
            size: SIZE,
        };
        let task = clips.submit(request).await.unwrap();
        let ClipState::Succeeded { url } = clips.poll(&task).await.unwrap() else {
            panic!("made")
        };
        frame_clips.push(PathBuf::from(url.trim_start_matches("file://")));
    }
    let clipped = start.elapsed() - pictures - speech;
    let out = dir.join(format!("film-{}", ulid_like()));
    std::fs::create_dir_all(&out).unwrap();
    film::film(
        &Ffmpeg::default(),
        video,
        &frame_clips,
        &narrated,
        &out,
        SIZE,
        &never,
    )
    .await
    .unwrap();
    let film = start.elapsed() - pictures - speech - clipped;
    Timing {
        pictures,
        speech,
        clips: clipped,
        film,
        narration_ms: narrated.duration_ms,
    }
}

/// A name no earlier run used, so no clip is found already made.
fn ulid_like() -> String {
    format!(
        "{:x}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    )
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort_unstable();
    values[values.len() / 2]
}

fn bench(c: &mut Criterion) {
    let rt = Runtime::new().expect("a tokio runtime");
    rt.block_on(coursegen_media::preflight())
        .expect("ffmpeg, espeak-ng and fonts-dejavu-core are installed");
    let video = video();
    let prompts = prompts(&video);
    let dir = tempfile::tempdir().unwrap();
    let runs = Mutex::new(Vec::new());
    let mut group = c.benchmark_group("storyboard");
    // A render takes tens of seconds: ten samples of one render each.
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .measurement_time(Duration::from_secs(1));
    group.bench_function("720p", |b| {
        b.iter(|| {
            runs.lock()
                .unwrap()
                .push(rt.block_on(render_once(&video, &prompts, dir.path())))
        })
    });
    group.finish();
    let runs = runs.into_inner().unwrap();
    let narration = Duration::from_millis(runs[0].narration_ms);
    let m = |f: fn(&Timing) -> Duration| median(runs.iter().map(f).collect());
    let total = m(Timing::total);
    eprintln!(
        "720p: narration {:.1} s, render {:.1} s (median of {}) → render/narration {:.2}; \
         pictures {:.2} s, speech {:.2} s, clips {:.1} s, film {:.1} s",
        narration.as_secs_f64(),
        total.as_secs_f64(),
        runs.len(),
        total.as_secs_f64() / narration.as_secs_f64(),
        m(|t| t.pictures).as_secs_f64(),
        m(|t| t.speech).as_secs_f64(),
        m(|t| t.clips).as_secs_f64(),
        m(|t| t.film).as_secs_f64(),
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
