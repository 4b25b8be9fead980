//! ffmpeg makes a lesson's MP4 from stills, speech and subtitles: checked
//! with ffprobe for codecs, pixel format, the tagged subtitle track and a
//! length equal to the narration's within a frame; a cancel leaves nothing;
//! burned subtitles change the picture while a cue shows.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::probe;

use probe::{probe, seconds, stream};

use coursegen_core::ports::{Encoder, FrameSize, MediaError, VideoPlan};
use coursegen_media::encoder::{FRAMES_PER_SECOND, Ffmpeg};
use coursegen_media::subtitles::{timed, vtt};
use coursegen_media::wav;
use tokio::sync::watch;

const SIZE: FrameSize = FrameSize {
    width: 320,
    height: 180,
};

/// A flat-coloured still, drawn by ffmpeg itself.
fn still(dir: &Path, name: &str, colour: &str) -> PathBuf {
    let path = dir.join(name);
    let status = Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-f", "lavfi", "-i"])
        .arg(format!("color=c={colour}:s=320x180"))
        .args(["-frames:v", "1"])
        .arg(&path)
        .status()
        .unwrap();
    assert!(status.success());
    path
}

/// `ms` of a quiet tone, as a voice's WAV.
fn speech(ms: u64) -> Vec<u8> {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 22_050,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut out = std::io::Cursor::new(Vec::new());
    let mut w = hound::WavWriter::new(&mut out, spec).unwrap();
    for i in 0..22_050 * ms / 1000 {
        let t = i as f32 / 22_050.0;
        w.write_sample(((t * 440.0 * std::f32::consts::TAU).sin() * 3_000.0) as i16)
            .unwrap();
    }
    w.finalize().unwrap();
    out.into_inner()
}

/// A plan of two stills over three sentences.
fn plan(dir: &Path, burn: bool, sentences_ms: &[u64]) -> VideoPlan {
    let parts: Vec<Vec<u8>> = sentences_ms.iter().map(|ms| speech(*ms)).collect();
    let audio = wav::join(&parts).unwrap();
    let duration_ms = wav::duration_ms(&audio).unwrap();
    std::fs::write(dir.join("narration.wav"), audio).unwrap();
    let texts = [
        "First we look at the cell.",
        "Then the membrane.",
        "That is all.",
    ];
    let cues = timed(texts.iter().copied().zip(sentences_ms.iter().copied()));
    std::fs::write(dir.join("narration.vtt"), vtt(&cues)).unwrap();
    let first = sentences_ms[0];
    VideoPlan {
        stills: vec![
            (still(dir, "a.png", "navy"), first),
            (still(dir, "b.png", "darkgreen"), duration_ms - first),
        ],
        audio: dir.join("narration.wav"),
        duration_ms,
        subtitles: dir.join("narration.vtt"),
        subtitle_language: "eng".into(),
        burn_subtitles: burn,
        size: SIZE,
        output: dir.join("lesson.mp4"),
    }
}

#[tokio::test]
async fn a_lesson_video_has_the_narrations_length_and_a_tagged_subtitle_track() {
    let dir = tempfile::tempdir().unwrap();
    let plan = plan(dir.path(), false, &[1_800, 1_100, 900]);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    let (_cancel, cancelled) = watch::channel(false);
    Ffmpeg::default()
        .encode(&plan, &move |p| record.lock().unwrap().push(p), cancelled)
        .await
        .unwrap();

    let p = probe(&plan.output);
    let video = stream(&p, "video");
    assert_eq!(
        (video["codec_name"].as_str(), video["pix_fmt"].as_str()),
        (Some("h264"), Some("yuv420p"))
    );
    assert_eq!(
        (video["width"].as_u64(), video["height"].as_u64()),
        (Some(320), Some(180))
    );
    let audio = stream(&p, "audio");
    assert_eq!(audio["codec_name"], "aac");
    assert_eq!(audio["sample_rate"], "48000");
    let subtitles = stream(&p, "subtitle");
    assert_eq!(subtitles["codec_name"], "mov_text");
    assert_eq!(subtitles["tags"]["language"], "eng");
    let frame = 1.0 / f64::from(FRAMES_PER_SECOND);
    let narration = plan.duration_ms as f64 / 1000.0;
    for (what, length) in [
        ("video", seconds(&video["duration"])),
        ("container", seconds(&p["format"]["duration"])),
    ] {
        assert!(
            (length - narration).abs() <= frame,
            "{what} lasts {length} s, the narration {narration} s"
        );
    }
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.last(), Some(&100));
    assert!(seen.windows(2).all(|w| w[0] <= w[1]), "{seen:?}");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// The frame shown at `at_s`, as raw RGB.
fn frame_at(video: &Path, at_s: f64) -> Vec<u8> {
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-ss", &at_s.to_string(), "-i"])
        .arg(video)
        .args(["-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"])
        .output()
        .unwrap();
    assert!(out.status.success());
    out.stdout
}

#[tokio::test]
async fn burned_subtitles_are_in_the_picture_while_a_cue_shows() {
    let dir = tempfile::tempdir().unwrap();
    let burned = plan(dir.path(), true, &[1_800, 1_100, 900]);
    let (_cancel, cancelled) = watch::channel(false);
    Ffmpeg::default()
        .encode(&burned, &|_| {}, cancelled.clone())
        .await
        .unwrap();
    assert!(
        probe(&burned.output)["streams"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["codec_type"] != "subtitle"),
        "burned, not a track"
    );
    let plain_dir = tempfile::tempdir().unwrap();
    let plain = plan(plain_dir.path(), false, &[1_800, 1_100, 900]);
    Ffmpeg::default()
        .encode(&plain, &|_| {}, cancelled)
        .await
        .unwrap();
    let differs = |a: &[u8], b: &[u8]| {
        a.iter()
            .zip(b)
            .filter(|(x, y)| x.abs_diff(**y) > 40)
            .count()
    };
    let during = differs(
        &frame_at(&burned.output, 0.8),
        &frame_at(&plain.output, 0.8),
    );
    assert!(
        during > 200,
        "the cue's text is drawn ({during} pixels differ)"
    );
}

#[tokio::test]
async fn a_cancelled_render_stops_and_leaves_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let plan = plan(dir.path(), false, &[60_000, 60_000, 60_000]);
    let (cancel, cancelled) = watch::channel(false);
    let started = Arc::new(Mutex::new(false));
    let flag = started.clone();
    let render = tokio::spawn(async move {
        Ffmpeg::default()
            .encode(&plan, &move |_| *flag.lock().unwrap() = true, cancelled)
            .await
    });
    for _ in 0..500 {
        if *started.lock().unwrap() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    cancel.send(true).unwrap();
    let outcome = tokio::time::timeout(Duration::from_secs(10), render)
        .await
        .expect("ffmpeg stops when cancelled")
        .unwrap();
    assert_eq!(outcome, Err(MediaError::Cancelled));
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".mp4") || n.starts_with('.'))
        .collect();
    assert!(names.is_empty(), "{names:?}");
}

#[tokio::test]
async fn without_ffmpeg_the_error_names_the_package() {
    let dir = tempfile::tempdir().unwrap();
    let plan = plan(dir.path(), false, &[500, 500, 500]);
    let (_cancel, cancelled) = watch::channel(false);
    let error = Ffmpeg::at("/nonexistent/ffmpeg")
        .encode(&plan, &|_| {}, cancelled)
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "ffmpeg is not installed (install the Debian package ffmpeg)"
    );
}
