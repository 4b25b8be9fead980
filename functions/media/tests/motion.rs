//! Stills animated and shots joined by ffmpeg: each clip H.264 of the
//! frame's size and length, the camera really moving, a shot exactly as
//! long as its frames add up to (within one video frame) even when a clip
//! is of another size or too short, and a cancel leaving nothing.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::probe;

use coursegen_core::ports::{FrameSize, MediaError};
use coursegen_core::storyboard::Camera;
use coursegen_media::encoder::Ffmpeg;
use coursegen_media::motion::CLIP_FPS;
use probe::{probe, seconds, stream};
use resvg::tiny_skia::{Color, Paint, Pixmap, Rect, Transform};
use tokio::sync::watch;

const SIZE: FrameSize = FrameSize {
    width: 320,
    height: 180,
};
const ONE_FRAME: f64 = 1.0 / CLIP_FPS as f64;

/// A still with a bright square off-centre, so a move shows.
fn still(dir: &Path, name: &str, shade: u8) -> PathBuf {
    let mut p = Pixmap::new(640, 360).unwrap();
    p.fill(Color::from_rgba8(shade, 90, 140, 255));
    let mut paint = Paint::default();
    paint.set_color_rgba8(250, 220, 40, 255);
    p.fill_rect(
        Rect::from_xywh(60.0, 60.0, 120.0, 120.0).unwrap(),
        &paint,
        Transform::identity(),
        None,
    );
    let path = dir.join(name);
    std::fs::write(&path, p.encode_png().unwrap()).unwrap();
    path
}

fn never() -> watch::Receiver<bool> {
    watch::channel(false).1
}

fn video(path: &Path) -> (String, u64, u64, f64) {
    let p = probe(path);
    let v = stream(&p, "video");
    (
        v["codec_name"].as_str().unwrap().to_owned(),
        v["width"].as_u64().unwrap(),
        v["height"].as_u64().unwrap(),
        seconds(&p["format"]["duration"]),
    )
}

/// Frame `at` seconds into `clip`, as raw RGB bytes.
fn picture_at(clip: &Path, at: f64) -> Vec<u8> {
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-ss", &format!("{at:.2}"), "-i"])
        .arg(clip)
        .args(["-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"])
        .output()
        .unwrap();
    assert!(out.status.success());
    out.stdout
}

#[tokio::test]
async fn a_still_moves_as_its_camera_says_for_as_long_as_its_frame() {
    let dir = tempfile::tempdir().unwrap();
    let png = still(dir.path(), "f.png", 30);
    let ffmpeg = Ffmpeg::default();
    for (camera, ms) in [
        (Camera::PanRight, 1_600),
        (Camera::PushIn, 1_000),
        (Camera::Still, 600),
    ] {
        let out = dir.path().join(format!("{camera:?}.mp4"));
        ffmpeg
            .animate(&png, camera, ms, SIZE, &out, never())
            .await
            .unwrap();
        let (codec, w, h, duration) = video(&out);
        assert_eq!((codec.as_str(), w, h), ("h264", 320, 180));
        assert!(
            (duration - ms as f64 / 1000.0).abs() <= ONE_FRAME + 1e-6,
            "{camera:?}: {duration}"
        );
        let (first, last) = (picture_at(&out, 0.0), picture_at(&out, duration - 0.1));
        // Mean difference per colour value: encoding noise is a fraction of
        // one; a move shifts the square and the edges by far more.
        let change = first
            .iter()
            .zip(&last)
            .map(|(a, b)| a.abs_diff(*b) as f64)
            .sum::<f64>()
            / first.len() as f64;
        if camera == Camera::Still {
            assert!(change < 1.0, "a still camera does not move: {change}");
        } else {
            assert!(change > 4.0, "{camera:?} moves: {change}");
        }
    }
}

#[tokio::test]
async fn a_shot_lasts_what_its_frames_add_up_to_whatever_its_clips_are() {
    let dir = tempfile::tempdir().unwrap();
    let ffmpeg = Ffmpeg::default();
    let mut clips = Vec::new();
    for (i, ms) in [1_400u64, 1_200].into_iter().enumerate() {
        let out = dir.path().join(format!("c{i}.mp4"));
        let png = still(dir.path(), &format!("s{i}.png"), 40 * i as u8);
        ffmpeg
            .animate(&png, Camera::PushIn, ms, SIZE, &out, never())
            .await
            .unwrap();
        clips.push(out);
    }
    // A provider's clip: another size, and shorter than its frame.
    let foreign = dir.path().join("foreign.mp4");
    let made = Command::new("ffmpeg")
        .args([
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "color=c=red:s=64x48:d=0.5:r=24",
        ])
        .args(["-c:v", "libx264", "-pix_fmt", "yuv420p"])
        .arg(&foreign)
        .status()
        .unwrap();
    assert!(made.success());
    let frames = [
        (clips[0].as_path(), 1_000),
        (clips[1].as_path(), 1_100),
        (foreign.as_path(), 1_500),
    ];
    let shot = dir.path().join("shot.mp4");
    ffmpeg.join(&frames, SIZE, &shot, never()).await.unwrap();
    let (codec, w, h, duration) = video(&shot);
    assert_eq!((codec.as_str(), w, h), ("h264", 320, 180));
    assert!((duration - 3.6).abs() <= ONE_FRAME + 1e-6, "{duration}");
    // The last second holds the provider's red clip, scaled to the frame.
    let end = picture_at(&shot, 3.4);
    let (r, g) = (
        end[0..3 * 320 * 180]
            .chunks(3)
            .map(|p| p[0] as u64)
            .sum::<u64>(),
        end.chunks(3).map(|p| p[1] as u64).sum::<u64>(),
    );
    assert!(r > 3 * g, "red fills the frame at the end");
}

#[tokio::test]
async fn a_cancelled_clip_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let png = still(dir.path(), "f.png", 30);
    let out = dir.path().join("never.mp4");
    let (stop, cancel) = watch::channel(true);
    let err = Ffmpeg::default()
        .animate(&png, Camera::PushIn, 20_000, SIZE, &out, cancel)
        .await
        .unwrap_err();
    drop(stop);
    assert_eq!(err, MediaError::Cancelled);
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "only the still"
    );
    let err = Ffmpeg::default()
        .join(&[], SIZE, &out, never())
        .await
        .unwrap_err();
    assert!(matches!(err, MediaError::Invalid(_)));
}
