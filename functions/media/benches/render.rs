//! One lesson's video, all real: espeak-ng speaking a fixed narration of
//! about two minutes (a title, four points of four or five sentences, a
//! summary), resvg drawing its six slides and ffmpeg encoding them, at 720p
//! and at 1080p. After criterion's report it prints, for each size, the
//! render time over the narration's length (the target: ≤ 0.15 at 720p on
//! two cores) and how that time splits between speech, slides and ffmpeg.
//!
//! Needs ffmpeg, espeak-ng and fonts-dejavu-core (`scripts/test` installs
//! them). `cargo bench -p coursegen-media --bench render` (about 2½ minutes).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use coursegen_core::narration::{Beat, Narration, Slide};
use coursegen_core::ports::VideoRenderer;
use coursegen_core::videos::{Resolution, VideoOptions};
use coursegen_media::encoder::Ffmpeg;
use coursegen_media::speech::Espeak;
use coursegen_media::{LessonRenderer, ResvgSlides};
use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use tokio::runtime::Runtime;
use tokio::sync::watch;

fn points(heading: &str, bullets: &[&str], terms: &[&str], sentences: &[&str]) -> Beat {
    Beat {
        slide: Slide::Points {
            heading: heading.into(),
            bullets: bullets.iter().map(|b| (*b).into()).collect(),
            terms: terms.iter().map(|t| (*t).into()).collect(),
        },
        sentences: sentences.iter().map(|s| (*s).into()).collect(),
    }
}

/// A lesson on how hash tables find things, written for this bench.
fn lesson() -> Narration {
    let title = Beat {
        slide: Slide::Title {
            title: "How a hash table finds things".into(),
            subtitle: Some("Data structures, module two".into()),
        },
        sentences: vec![
            "In this lesson we look inside the hash table, the structure behind most dictionaries and sets.".into(),
            "By the end you will know why finding a key usually takes the same short time, however many keys there are.".into(),
        ],
    };
    let beats = vec![
        title,
        points(
            "From key to bucket",
            &["A hash function turns a key into a number", "The number picks one bucket of an array", "Equal keys always land in the same bucket"],
            &["hash function", "bucket"],
            &[
                "A hash table keeps its entries in an array of buckets.",
                "To store a key, we first give it to a hash function, which turns it into a large number.",
                "Taking that number modulo the length of the array picks one bucket.",
                "Because the function is deterministic, the same key always leads to the same bucket.",
                "So a lookup repeats the same steps and goes straight to the place where the key must be.",
            ],
        ),
        points(
            "When keys collide",
            &["Two keys may share a bucket", "Chaining keeps a short list per bucket", "Open addressing probes the next free slot"],
            &["collision", "chaining", "open addressing"],
            &[
                "Sooner or later two different keys will pick the same bucket, which is called a collision.",
                "One answer is chaining, where each bucket holds a short list of the entries that landed there.",
                "Another is open addressing, where a new entry walks forward until it finds an empty slot.",
                "Either way, a lookup compares the key it wants with the few candidates it meets on its way.",
            ],
        ),
        points(
            "Keeping it fast",
            &["The load factor counts entries per bucket", "Past a threshold the table grows", "Every entry is placed again"],
            &["load factor", "resizing"],
            &[
                "The cost of a lookup depends on how crowded the buckets are.",
                "We measure that with the load factor, the number of entries divided by the number of buckets.",
                "When the load factor passes a threshold, often around three quarters, the table allocates a larger array.",
                "Every entry is then hashed again and moved to its bucket in the new array.",
                "Growing by doubling means this expensive step happens rarely, so the average cost of an insert stays small.",
            ],
        ),
        points(
            "Choosing good keys",
            &["Keys must not change while stored", "Equal keys need equal hashes", "Poor hashes pile keys together"],
            &["immutability", "equality"],
            &[
                "A key must not change while it sits in the table, or its hash would point to the wrong bucket.",
                "Two keys that are equal must also produce the same hash, otherwise lookups would miss them.",
                "A poor hash function that sends many keys to a few buckets turns the table into a slow list.",
                "Good libraries use well tested hash functions, and some add a random seed to resist attacks.",
            ],
        ),
        Beat {
            slide: Slide::Summary {
                heading: "What to remember".into(),
                points: vec![
                    "Hashing sends each key to one bucket".into(),
                    "Collisions are resolved by chaining or probing".into(),
                    "A low load factor keeps lookups fast".into(),
                ],
            },
            sentences: vec![
                "To sum up, a hash table trades a little memory for very quick lookups.".into(),
                "It hashes each key to a bucket, handles collisions, and grows before it gets crowded.".into(),
                "Next time, we will compare it with balanced trees, which keep their keys in order.".into(),
            ],
        },
    ];
    Narration {
        title: "How a hash table finds things".into(),
        language: "en".into(),
        beats,
    }
}

/// One render's times: the whole, and when speaking and then drawing ended.
#[derive(Debug, Clone, Copy)]
struct Timing {
    total: Duration,
    spoken: Duration,
    drawn: Duration,
    narration_ms: u64,
}

/// Renders once, reading the phases off the progress reports: speaking
/// reports up to 35 %, the slides drawn make it 40 %, ffmpeg the rest
/// (render.rs).
fn render_once(
    rt: &Runtime,
    renderer: &LessonRenderer,
    lesson: &Narration,
    options: &VideoOptions,
) -> Timing {
    let start = Instant::now();
    let marks: Mutex<(Option<Duration>, Option<Duration>)> = Mutex::new((None, None));
    let progress = |p: u8| {
        let mut marks = marks.lock().unwrap();
        if p >= 35 && marks.0.is_none() {
            marks.0 = Some(start.elapsed());
        }
        if p >= 40 && marks.1.is_none() {
            marks.1 = Some(start.elapsed());
        }
    };
    let (_cancel, cancelled) = watch::channel(false);
    let video = rt
        .block_on(renderer.render(lesson, options, &progress, cancelled))
        .expect("the lesson renders");
    let total = start.elapsed();
    let (spoken, drawn) = *marks.lock().unwrap();
    Timing {
        total,
        spoken: spoken.expect("speaking reported its end"),
        drawn: drawn.expect("drawing reported its end"),
        narration_ms: video.duration_ms,
    }
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort_unstable();
    values[values.len() / 2]
}

fn report(name: &str, runs: &[Timing]) {
    let Some(first) = runs.first() else { return };
    let narration = Duration::from_millis(first.narration_ms);
    let total = median(runs.iter().map(|t| t.total).collect());
    let speech = median(runs.iter().map(|t| t.spoken).collect());
    let slides = median(runs.iter().map(|t| t.drawn - t.spoken).collect());
    let ffmpeg = median(runs.iter().map(|t| t.total - t.drawn).collect());
    eprintln!(
        "{name}: narration {:.1} s, render {:.2} s (median of {}) → render/narration {:.3}; \
         speech {:.2} s, slides {:.2} s, ffmpeg {:.2} s",
        narration.as_secs_f64(),
        total.as_secs_f64(),
        runs.len(),
        total.as_secs_f64() / narration.as_secs_f64(),
        speech.as_secs_f64(),
        slides.as_secs_f64(),
        ffmpeg.as_secs_f64(),
    );
}

fn bench(c: &mut Criterion) {
    let rt = Runtime::new().expect("a tokio runtime");
    rt.block_on(coursegen_media::preflight())
        .expect("ffmpeg, espeak-ng and fonts-dejavu-core are installed");
    let renderer = LessonRenderer {
        speaker: Arc::new(Espeak::new()),
        slides: Arc::new(ResvgSlides::new().expect("the DejaVu fonts load")),
        encoder: Arc::new(Ffmpeg::default()),
    };
    let lesson = lesson();
    let sizes = [("720p", Resolution::Hd), ("1080p", Resolution::FullHd)];
    let mut timings = Vec::new();
    let mut group = c.benchmark_group("render");
    // A render takes seconds: a single warm-up render, then ten samples of
    // one render each (less time than ten renders take, so criterion asks
    // for more and runs one each). Every render is timed alone and reported
    // below, the warm-up's too.
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(1))
        .measurement_time(Duration::from_secs(30));
    for (name, resolution) in sizes {
        let options = VideoOptions {
            resolution,
            ..VideoOptions::default()
        };
        let mut runs = Vec::new();
        group.bench_function(format!("two-minute lesson, espeak-ng, {name}"), |b| {
            b.iter_custom(|iters| {
                (0..iters)
                    .map(|_| {
                        let timing = render_once(&rt, &renderer, &lesson, &options);
                        runs.push(timing);
                        timing.total
                    })
                    .sum()
            })
        });
        timings.push((name, runs));
    }
    group.finish();
    for (name, runs) in &timings {
        report(name, runs);
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
