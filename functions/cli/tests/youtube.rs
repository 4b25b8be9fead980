//! `coursegen generate YOUTUBE-ID` with yt-dlp for real: its generic
//! extractor reads videos from a server on 127.0.0.1 (COURSEGEN_YOUTUBE_URL
//! points it there). A page with a captions track is made from those
//! captions, a bare recording through speech-to-text; a removed video and
//! an unreachable site are errors naming the video.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use axum::Router;
use axum::http::header;
use axum::routing::get;

fn ytdlp() -> PathBuf {
    std::env::var_os("COURSEGEN_YTDLP")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/tools/speech/bin/yt-dlp")
        })
}

/// Serves `routes` on a free port of 127.0.0.1; its base URL.
fn serve(routes: Router) -> String {
    let (listener, address) = crate::common::listener();
    crate::common::serve_app(listener, routes);
    address
}

fn generate(dir: &Path, video: &str, site: &str, env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_coursegen"))
        .args(["generate", video, "--auto-approve", "--data"])
        .arg(dir.join("data"))
        .arg("--out")
        .arg(dir.join("out"))
        .env_remove("OPENAI_BASE_URL")
        .env("COURSEGEN_YTDLP", ytdlp())
        .env("COURSEGEN_YOUTUBE_URL", format!("{site}/v/{{id}}"))
        .envs(env.iter().copied())
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A site with a captioned lecture at `Lecture0001`.
fn lecture() -> Router {
    let captions = std::fs::read(crate::common::example("lecture/lecture.en.vtt")).unwrap();
    Router::new()
        .route(
            "/v/Lecture0001",
            get(|| async { ([(header::CONTENT_TYPE, "text/html")], page()) }),
        )
        .route(
            "/media/lecture.vtt",
            get(move || async move { ([(header::CONTENT_TYPE, "text/vtt")], captions) }),
        )
}

/// A video page with a captions track, as the generic extractor reads it.
fn page() -> &'static str {
    r#"<!doctype html><html><head><title>Energy in living things</title></head><body>
<video controls src="/media/lecture.wav"><track kind="captions" srclang="en" label="English" src="/media/lecture.vtt"></video>
</body></html>"#
}

#[test]
fn a_video_with_captions_is_made_from_them() {
    let site = serve(lecture());
    let dir = tempfile::tempdir().unwrap();
    let out = generate(dir.path(), "Lecture0001", &site, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    // The transcript is the captions' own text, timed as they are.
    let vtt = std::fs::read_to_string(dir.path().join("out/transcript.vtt")).unwrap();
    assert!(vtt.starts_with("WEBVTT"));
    assert!(
        vtt.lines().filter(|l| l.contains("-->")).count() > 50,
        "{vtt}"
    );
    let course: coursegen_core::course::Course =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("out/course.json")).unwrap())
            .unwrap();
    // Lessons link back into the video at the second.
    let first = &course.modules[0].lessons[0];
    assert!(
        first
            .content_md
            .contains(&format!("]({site}/v/Lecture0001?t="))
            || first
                .content_md
                .contains(&format!("]({site}/v/Lecture0001#t=")),
        "{}",
        first.content_md
    );
}

#[cfg(feature = "speech")]
#[test]
fn a_video_without_captions_is_heard() {
    let dir = tempfile::tempdir().unwrap();
    let wav = crate::recording::speak(
        dir.path(),
        "lecture.wav",
        "en-us",
        &crate::recording::LECTURE.join("\n\n"),
    );
    let audio = std::fs::read(&wav).unwrap();
    let site = serve(Router::new().route(
        "/v/Recording01",
        get(move || async move { ([(header::CONTENT_TYPE, "audio/wav")], audio) }),
    ));
    let model = crate::recording::model();
    let model = model.to_str().unwrap();
    let out = generate(
        dir.path(),
        "Recording01",
        &site,
        &[("COURSEGEN_ASR_MODEL", model)],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let vtt = std::fs::read_to_string(dir.path().join("out/transcript.vtt")).unwrap();
    for word in ["heart", "lungs", "oxygen"] {
        assert!(vtt.to_lowercase().contains(word), "{word} in {vtt}");
    }
}

#[test]
fn a_removed_video_and_an_unreachable_site_are_errors_naming_the_video() {
    let site = serve(Router::new().route("/v/Present0001", get(|| async { "here" })));
    let dir = tempfile::tempdir().unwrap();
    let out = generate(dir.path(), "Removed0001", &site, &[]);
    assert_eq!(out.status.code(), Some(1));
    let log = stderr(&out);
    assert!(
        log.contains("video Removed0001 cannot be fetched: "),
        "{log}"
    );
    assert!(log.contains("404"), "{log}");

    // Nothing listens on this port any more.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    let out = generate(dir.path(), "Unreached01", &closed, &[]);
    assert_eq!(out.status.code(), Some(1));
    let log = stderr(&out);
    assert!(
        log.contains("video Unreached01 cannot be fetched: "),
        "{log}"
    );
    assert!(log.contains("refused"), "{log}");
}

/// A site with a captioned lecture, a bare recording and nothing at
/// `Removed0001`.
#[cfg(feature = "speech")]
fn playlist_site(dir: &Path) -> String {
    let wav = crate::recording::speak(
        dir,
        "recording.wav",
        "en-us",
        &crate::recording::LECTURE.join("\n\n"),
    );
    let audio = std::fs::read(&wav).unwrap();
    serve(lecture().route(
        "/v/Recording01",
        get(move || async move { ([(header::CONTENT_TYPE, "audio/wav")], audio) }),
    ))
}

#[cfg(feature = "speech")]
#[test]
fn a_playlist_is_one_course_with_a_module_per_video() {
    let dir = tempfile::tempdir().unwrap();
    let site = playlist_site(dir.path());
    let model = crate::recording::model();
    let model = model.to_str().unwrap();
    let out = generate(
        dir.path(),
        "Lecture0001,Removed0001,Recording01",
        &site,
        &[("COURSEGEN_ASR_MODEL", model)],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let log = stderr(&out);
    assert!(
        log.contains("left out of the course: video Removed0001: "),
        "{log}"
    );
    let course: coursegen_core::course::Course =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("out/course.json")).unwrap())
            .unwrap();
    let shape: Vec<_> = course
        .modules
        .iter()
        .map(|m| {
            let lessons: Vec<_> = m.lessons.iter().map(|l| (l.start_ms, l.end_ms)).collect();
            (m.title.clone(), lessons)
        })
        .collect();
    assert_eq!(course.modules.len(), 2, "{shape:#?}\n{log}");
    let lecture = format!("{site}/v/Lecture0001");
    let recording = format!("{site}/v/Recording01");
    assert!(
        course.modules[0]
            .lessons
            .iter()
            .all(|l| l.source_video.as_deref() == Some(lecture.as_str()))
    );
    let heard = &course.modules[1].lessons;
    assert!(
        heard
            .iter()
            .all(|l| l.source_video.as_deref() == Some(recording.as_str()))
    );
    // The recording's lessons are timed in the recording (about 80 s long)
    // and link into it there, not where it falls in the course's material.
    assert!(heard.iter().all(|l| l.end_ms < 120_000), "{heard:#?}");
    // Every link in a lesson goes into that lesson's own video, at a
    // second of that video.
    let links = |lessons: &[coursegen_core::course::Lesson]| -> Vec<(String, u64)> {
        let text: String = lessons.iter().map(|l| l.content_md.as_str()).collect();
        text.split("](")
            .skip(1)
            .filter_map(|rest| rest.split(')').next())
            .filter_map(|link| {
                let (video, t) = link.split_once("#t=")?;
                Some((video.to_owned(), t.parse().ok()?))
            })
            .collect()
    };
    let (in_lecture, in_recording) = (links(&course.modules[0].lessons), links(heard));
    assert!(!in_lecture.is_empty());
    assert!(
        in_lecture.iter().all(|(v, _)| *v == lecture),
        "{in_lecture:?}"
    );
    assert!(
        in_recording
            .iter()
            .all(|(v, t)| *v == recording && *t < 120),
        "{in_recording:?}"
    );
    let vtt = std::fs::read_to_string(dir.path().join("out/transcript.vtt")).unwrap();
    let vtt = vtt.to_lowercase();
    assert!(
        vtt.contains("good morning") && vtt.contains("lungs"),
        "both videos' words are in the transcript: {}",
        &vtt[..vtt.len().min(600)]
    );
}

#[cfg(feature = "speech")]
#[test]
fn a_course_per_video_leaves_out_the_one_that_fails() {
    let dir = tempfile::tempdir().unwrap();
    let site = playlist_site(dir.path());
    let out = Command::new(env!("CARGO_BIN_EXE_coursegen"))
        .args([
            "generate",
            "Lecture0001,Removed0001",
            "--course-per-video",
            "--auto-approve",
            "--data",
        ])
        .arg(dir.path().join("data"))
        .arg("--out")
        .arg(dir.path().join("out"))
        .env("COURSEGEN_YTDLP", ytdlp())
        .env("COURSEGEN_YOUTUBE_URL", format!("{site}/v/{{id}}"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(dir.path().join("out/Lecture0001/course.json").is_file());
    assert!(!dir.path().join("out/Removed0001").exists());
    let log = stderr(&out);
    assert!(log.contains("video Removed0001: job "), "{log}");
    assert!(
        log.contains("no course from 1 of 2 videos: Removed0001"),
        "{log}"
    );
}
