//! The visual pipeline's pieces, offline, on the example course script:
//! the storyboard and its prompts, a drawn and captioned picture per frame,
//! the narration spoken by espeak-ng, a Ken Burns clip per frame joined
//! into a clip per shot, and a video per script video — H.264 and AAC, as
//! long as its narration within a frame, with a subtitle track in its
//! language. With `STORYBOARD_SAMPLES` set to a directory, the files are
//! kept there to be looked at.

use std::path::{Path, PathBuf};

use coursegen_core::narration::Direction;
use coursegen_core::options::Options;
use coursegen_core::ports::{
    ClipImage, ClipRequest, ClipState, Clips, FrameSize, ImageRequest, Images, PromptWriter,
    StoryboardRequest, StoryboardWriter,
};
use coursegen_core::source::DocumentFormat;
use coursegen_core::storyboard::{VideoBoard, frame_name};
use coursegen_engines::offline::OfflineEngine;
use coursegen_media::clips::OfflineClips;
use coursegen_media::encoder::Ffmpeg;
use coursegen_media::film;
use coursegen_media::images::{FrameComposer, IllustratedImages};
use coursegen_media::motion::{CLIP_FPS, FADE_MS};
use coursegen_media::speech::Espeak;
use serde_json::Value;

use crate::probe;
use probe::probe;
use tokio::sync::watch;

const SIZE: FrameSize = FrameSize {
    width: 320,
    height: 180,
};

/// Video `video` made in `dir`: its frames, shot clips and MP4, and how
/// long its narration plays.
async fn make(video: &VideoBoard, dir: &Path) -> (Vec<PathBuf>, Vec<PathBuf>, PathBuf, u64) {
    let engine = OfflineEngine::new();
    let prompts = engine.prompts(video, &Options::default()).await.unwrap();
    let direction = video.direction();
    let (images, composer) = (
        IllustratedImages::new().unwrap(),
        FrameComposer::new().unwrap(),
    );
    let clips = OfflineClips::new(Ffmpeg::default(), dir.join("tasks"));
    let never = watch::channel(false).1;
    let narrated = film::narrate(&Espeak::new(), video, None, 1.0, &|_, _| {}, &never)
        .await
        .unwrap();
    let mut frames = Vec::new();
    let mut frame_clips = Vec::new();
    for (at, (shot, frame)) in video.frames().enumerate() {
        let prompt = &prompts.frames[at];
        let picture = images
            .image(ImageRequest {
                prompt,
                style: &prompts.style,
                frame,
                size: SIZE,
                direction,
            })
            .await
            .unwrap();
        let png = composer
            .compose(&picture, frame.on_screen_text.as_deref(), SIZE, direction)
            .unwrap();
        let name = frame_name(video.number, shot, frame.number);
        let still = dir.join(format!("{name}.png"));
        std::fs::write(&still, &png).unwrap();
        frames.push(still);
        // Through the providers' port: submitted, polled, fetched.
        let request = ClipRequest {
            start: ClipImage {
                png: &png,
                url: None,
            },
            end: None,
            prompt: &prompt.subject,
            camera: frame.camera,
            duration_ms: narrated.frame_ms[at] + FADE_MS,
            size: SIZE,
        };
        let task = clips.submit(request).await.unwrap();
        let ClipState::Succeeded { url } = clips.poll(&task).await.unwrap() else {
            panic!("the offline clip is made at submission");
        };
        let clip = dir.join(format!("{name}.mp4"));
        std::fs::write(&clip, clips.fetch(&url).await.unwrap()).unwrap();
        frame_clips.push(clip);
    }
    let made = film::film(
        &Ffmpeg::default(),
        video,
        &frame_clips,
        &narrated,
        dir,
        SIZE,
        &never,
    )
    .await
    .unwrap();
    (frames, made.shots, made.video, narrated.duration_ms)
}

#[tokio::test]
async fn the_example_script_becomes_narrated_videos_of_moving_pictures() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/course-script/course-script.docx"
    );
    let doc =
        coursegen_engines::ingest::document(&std::fs::read(path).unwrap(), DocumentFormat::Docx)
            .unwrap();
    let videos = coursegen_engines::ingest::split_sections(&doc);
    let board = OfflineEngine::new()
        .storyboard(StoryboardRequest {
            title: doc.title.as_deref().unwrap_or("Script"),
            videos: &videos,
            language: "en",
            options: &Options::default(),
        })
        .await
        .unwrap();
    board.validate().unwrap();
    let kept = std::env::var("STORYBOARD_SAMPLES")
        .ok()
        .filter(|d| !d.trim().is_empty());
    // The first (Arabic, two scenes) and the fourth (English) video.
    for video in [&board.videos[0], &board.videos[3]] {
        let temp = tempfile::tempdir().unwrap();
        let dir = kept
            .as_deref()
            .map_or(temp.path().to_owned(), PathBuf::from);
        let (frames, shots, mp4, narration_ms) = make(video, &dir).await;
        assert_eq!(frames.len(), video.frames().count());
        assert_eq!(shots.len(), video.shots.len());
        for shot in &shots {
            let p = probe(shot);
            assert_eq!(p["streams"][0]["codec_name"], "h264");
        }
        let p = probe(&mp4);
        let kinds: Vec<&str> = p["streams"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["codec_type"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, ["video", "audio", "subtitle"]);
        let codec = |i: usize| p["streams"][i]["codec_name"].as_str().unwrap().to_owned();
        assert_eq!(
            (codec(0), codec(1), codec(2)),
            ("h264".into(), "aac".into(), "mov_text".into())
        );
        let language = p["streams"][2]["tags"]["language"].as_str().unwrap();
        assert_eq!(
            language,
            if video.direction() == Direction::RightToLeft {
                "ara"
            } else {
                "eng"
            }
        );
        let seconds = |v: &Value| v.as_str().unwrap().parse::<f64>().unwrap();
        let video_s = seconds(&p["streams"][0]["duration"]);
        let one_frame = 1.0 / CLIP_FPS as f64;
        assert!(
            (video_s - narration_ms as f64 / 1000.0).abs() <= one_frame + 0.001,
            "video {video_s} s, narration {narration_ms} ms"
        );
    }
}
