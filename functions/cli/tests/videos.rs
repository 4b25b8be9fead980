//! `coursegen generate --videos` as a user runs it: one MP4 per lesson
//! under `DIR/videos/` with its `.vtt` and `.srt`, checked with ffprobe;
//! and a machine without ffmpeg is told which package to install.

#[path = "../../media/tests/support/probe.rs"]
mod probe;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use coursegen_core::course::Course;
use probe::{probe, seconds, stream};

fn example(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(path)
}

fn generate(dir: &Path, path_var: Option<&Path>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_coursegen"));
    command
        .arg("generate")
        .arg(example("lecture/lecture.en.vtt"))
        .args(["--auto-approve", "--videos", "--data"])
        .arg(dir.join("data"))
        .arg("--out")
        .arg(dir.join("out"))
        .env_remove("OPENAI_BASE_URL")
        .env_remove("OPENAI_API_KEY")
        .env_remove("COURSEGEN_SPEECH");
    if let Some(path) = path_var {
        command.env("PATH", path);
    }
    command.output().unwrap()
}

/// How many subtitle packets (cues) the file's subtitle track holds.
fn subtitle_packets(video: &Path) -> usize {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "s:0", "-count_packets"])
        .args(["-show_entries", "stream=nb_read_packets", "-of", "csv=p=0"])
        .arg(video)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
}

#[test]
fn every_lesson_gets_a_narrated_video_with_subtitles() {
    let dir = tempfile::tempdir().unwrap();
    let out = generate(dir.path(), None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(dir.path().join("out/course.json")).unwrap();
    let course: Course = serde_json::from_str(&text).unwrap();
    let mut lessons = 0;
    for (m, module) in course.modules.iter().enumerate() {
        for l in 0..module.lessons.len() {
            lessons += 1;
            let stem = dir.path().join(format!("out/videos/m{}-l{}", m + 1, l + 1));
            let video = stem.with_extension("mp4");
            let p = probe(&video);
            let (v, a, s) = (
                stream(&p, "video"),
                stream(&p, "audio"),
                stream(&p, "subtitle"),
            );
            assert_eq!(
                (&v["codec_name"], &v["pix_fmt"]),
                (&"h264".into(), &"yuv420p".into())
            );
            assert_eq!(
                (&a["codec_name"], &a["sample_rate"]),
                (&"aac".into(), &"48000".into())
            );
            assert_eq!(
                (&s["codec_name"], &s["tags"]["language"]),
                (&"mov_text".into(), &"eng".into())
            );
            // One frame at the encoder's 5 frames a second.
            let (picture, sound) = (seconds(&v["duration"]), seconds(&a["duration"]));
            assert!(
                (picture - sound).abs() <= 0.2 + 1e-3,
                "{picture} s of picture, {sound} s of sound"
            );
            assert!(
                sound > 30.0,
                "a lesson's narration is minutes long, not {sound} s"
            );
            let vtt = std::fs::read_to_string(stem.with_extension("vtt")).unwrap();
            let srt = std::fs::read_to_string(stem.with_extension("srt")).unwrap();
            let cues = vtt.matches(" --> ").count();
            assert_eq!(srt.matches(" --> ").count(), cues);
            assert_eq!(subtitle_packets(&video), cues);
        }
    }
    assert!(lessons >= 2);
    let written = std::fs::read_dir(dir.path().join("out/videos"))
        .unwrap()
        .count();
    assert_eq!(written, lessons * 3, "an .mp4, .vtt and .srt per lesson");
}

#[test]
fn without_ffmpeg_the_error_names_the_package_and_no_job_starts() {
    let dir = tempfile::tempdir().unwrap();
    let empty = tempfile::tempdir().unwrap();
    let out = generate(dir.path(), Some(empty.path()));
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("ffmpeg is not installed (install the Debian package ffmpeg)"),
        "{stderr}"
    );
    assert!(!stderr.contains("job "), "no job was made: {stderr}");
    assert!(!dir.path().join("out").exists());
}
