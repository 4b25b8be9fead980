//! The offline clip maker behind the providers' port: a submission makes
//! the clip, a poll finds it, a fetch reads it; the same request again is
//! the same task and no second render; cancel removes it; nothing outside
//! its directory can be fetched.

use coursegen_core::ports::{ClipImage, ClipRequest, ClipState, Clips, FrameSize, MediaError};
use coursegen_core::storyboard::Camera;
use coursegen_media::clips::OfflineClips;
use coursegen_media::encoder::Ffmpeg;
use resvg::tiny_skia::{Color, Pixmap};

fn png() -> Vec<u8> {
    let mut p = Pixmap::new(64, 36).unwrap();
    p.fill(Color::from_rgba8(20, 120, 160, 255));
    p.encode_png().unwrap()
}

#[tokio::test]
async fn a_submitted_frame_is_a_clip_once_however_often_it_is_asked() {
    let dir = tempfile::tempdir().unwrap();
    let clips = OfflineClips::new(Ffmpeg::default(), dir.path().join("clips"));
    let picture = png();
    let request = ClipRequest {
        start: ClipImage {
            png: &picture,
            url: None,
        },
        end: None,
        prompt: "a tap",
        camera: Camera::PanLeft,
        duration_ms: 800,
        size: FrameSize {
            width: 160,
            height: 90,
        },
    };
    let task = clips.submit(request).await.unwrap();
    let ClipState::Succeeded { url } = clips.poll(&task).await.unwrap() else {
        panic!("made at submission");
    };
    let mp4 = clips.fetch(&url).await.unwrap();
    assert_eq!(&mp4[4..8], b"ftyp");
    let made = std::fs::metadata(url.trim_start_matches("file://"))
        .unwrap()
        .modified()
        .unwrap();
    assert_eq!(clips.submit(request).await.unwrap(), task, "the same task");
    let again = std::fs::metadata(url.trim_start_matches("file://"))
        .unwrap()
        .modified()
        .unwrap();
    assert_eq!(made, again, "not made twice");
    let longer = ClipRequest {
        duration_ms: 1_200,
        ..request
    };
    assert_ne!(clips.submit(longer).await.unwrap(), task);

    clips.cancel(&task).await.unwrap();
    clips.cancel(&task).await.unwrap();
    assert_eq!(clips.poll(&task).await.unwrap(), ClipState::Cancelled);
    for url in ["file:///etc/passwd", "https://example.com/x.mp4"] {
        assert!(
            matches!(clips.fetch(url).await, Err(MediaError::Invalid(_))),
            "{url}"
        );
    }
    assert!(matches!(
        clips.poll("../../x").await,
        Err(MediaError::Invalid(_))
    ));
    assert_eq!(clips.provider(), "offline");
}
