//! A lesson's video from its narration with the real toolkit (espeak-ng,
//! resvg slides, ffmpeg): ffprobe finds H.264 yuv420p, AAC at 48 kHz and a
//! language-tagged mov_text track; the video lasts as long as the
//! narration within a frame; one cue per sentence; progress rises to 100;
//! burned subtitles leave no track; portrait frames; a cancel stops it.

use crate::probe;

use std::sync::{Arc, Mutex};

use coursegen_core::narration::{Beat, Narration, Slide};
use coursegen_core::ports::{MediaError, VideoRenderer};
use coursegen_core::videos::{Aspect, Subtitles, VideoOptions};
use coursegen_media::encoder::{FRAMES_PER_SECOND, Ffmpeg};
use coursegen_media::speech::Espeak;
use coursegen_media::{LessonRenderer, ResvgSlides};
use probe::{find_stream, probe, seconds, stream};
use tokio::sync::watch;

fn renderer() -> LessonRenderer {
    LessonRenderer {
        speaker: Arc::new(Espeak::new()),
        slides: Arc::new(ResvgSlides::new().unwrap()),
        encoder: Arc::new(Ffmpeg::default()),
    }
}

fn narration(language: &str, sentences: &[&[&str]]) -> Narration {
    let mut beats: Vec<Beat> = sentences
        .iter()
        .enumerate()
        .map(|(i, said)| Beat {
            slide: Slide::Points {
                heading: format!("Point {}", i + 1),
                bullets: said.iter().map(|s| (*s).to_owned()).collect(),
                terms: vec!["antibody".into()],
            },
            sentences: said.iter().map(|s| (*s).to_owned()).collect(),
        })
        .collect();
    beats[0].slide = Slide::Title {
        title: "Memory cells".into(),
        subtitle: Some("The immune system".into()),
    };
    Narration {
        title: "Memory cells".into(),
        language: language.into(),
        beats,
    }
}

fn english() -> Narration {
    narration(
        "en",
        &[
            &["This lesson is about memory cells."],
            &[
                "An antibody binds to one antigen.",
                "B cells make antibodies.",
            ],
            &["Memory cells remember an infection for years."],
        ],
    )
}

async fn render(
    narration: &Narration,
    options: &VideoOptions,
) -> (coursegen_core::ports::RenderedVideo, Vec<u8>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    let progress = move |p: u8| record.lock().unwrap().push(p);
    let (_keep, cancel) = watch::channel(false);
    let video = renderer()
        .render(narration, options, &progress, cancel)
        .await
        .unwrap();
    let seen = seen.lock().unwrap().clone();
    (video, seen)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_narration_becomes_a_video_with_its_voice_slides_and_subtitles() {
    let narration = english();
    let (video, progress) = render(&narration, &VideoOptions::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lesson.mp4");
    std::fs::write(&path, &video.mp4).unwrap();
    let p = probe(&path);
    let (v, a, s) = (
        stream(&p, "video"),
        stream(&p, "audio"),
        stream(&p, "subtitle"),
    );
    assert_eq!(
        (&v["codec_name"], &v["pix_fmt"], &v["width"], &v["height"]),
        (&"h264".into(), &"yuv420p".into(), &1280.into(), &720.into())
    );
    assert_eq!(
        (&a["codec_name"], &a["sample_rate"]),
        (&"aac".into(), &"48000".into())
    );
    assert_eq!(
        (&s["codec_name"], &s["tags"]["language"]),
        (&"mov_text".into(), &"eng".into())
    );
    let frame = 1.0 / f64::from(FRAMES_PER_SECOND);
    let narrated = video.duration_ms as f64 / 1000.0;
    for length in [seconds(&v["duration"]), seconds(&p["format"]["duration"])] {
        assert!(
            (length - narrated).abs() <= frame + 1e-3,
            "{length} s against {narrated} s narrated"
        );
    }
    assert!(narrated > 5.0, "four sentences take more than {narrated} s");
    let sentences = narration.sentences().count();
    assert_eq!(video.vtt.matches(" --> ").count(), sentences);
    assert_eq!(video.srt.matches(" --> ").count(), sentences);
    assert!(video.vtt.contains("B cells make antibodies."));
    assert!(progress.windows(2).all(|w| w[0] <= w[1]), "{progress:?}");
    assert_eq!(progress.last(), Some(&100));
}

#[tokio::test(flavor = "multi_thread")]
async fn burned_subtitles_portrait_and_arabic() {
    let options = VideoOptions {
        aspect: Aspect::Portrait,
        subtitles: Subtitles::Burned,
        ..VideoOptions::default()
    };
    let arabic = narration(
        "ar",
        &[
            &["هذا الدرس عن خلايا الذاكرة."],
            &["الأجسام المضادة تحمي الجسم."],
        ],
    );
    let (video, _) = render(&arabic, &options).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lesson.mp4");
    std::fs::write(&path, &video.mp4).unwrap();
    let p = probe(&path);
    let v = stream(&p, "video");
    assert_eq!((&v["width"], &v["height"]), (&720.into(), &1280.into()));
    assert!(find_stream(&p, "subtitle").is_none(), "burned in, no track");
    assert_eq!(video.vtt.matches(" --> ").count(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_voice_is_refused_naming_voices_and_a_cancel_stops() {
    let options = VideoOptions {
        voice: Some("no-such-voice".into()),
        ..VideoOptions::default()
    };
    let (_keep, cancel) = watch::channel(false);
    let err = renderer()
        .render(&english(), &options, &|_| {}, cancel)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, MediaError::Invalid(m) if m.contains("no-such-voice") && m.contains("en")),
        "{err}"
    );

    let (stop, cancel) = watch::channel(true);
    let err = renderer()
        .render(&english(), &VideoOptions::default(), &|_| {}, cancel)
        .await
        .unwrap_err();
    drop(stop);
    assert_eq!(err, MediaError::Cancelled);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_narration_with_nothing_to_say_is_refused() {
    let mut empty = english();
    empty.beats.clear();
    let (_keep, cancel) = watch::channel(false);
    let err = renderer()
        .render(&empty, &VideoOptions::default(), &|_| {}, cancel)
        .await
        .unwrap_err();
    assert!(matches!(err, MediaError::Invalid(m) if m.contains("beats")));
}
