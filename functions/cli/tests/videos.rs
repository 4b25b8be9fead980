//! `coursegen generate --videos` as a user runs it: one MP4 per lesson
//! under `DIR/videos/` with its `.vtt` and `.srt`, checked with ffprobe;
//! and a machine without ffmpeg is told which package to install.

use crate::common;
use crate::probe;

use std::path::Path;
use std::process::Command;

use common::{example, generate_with_videos, show};
use coursegen_core::course::Course;
use probe::{probe, seconds, stream};

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
    let out = generate_with_videos(dir.path(), None);
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
    let out = generate_with_videos(dir.path(), Some(empty.path()));
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("ffmpeg is not installed (install the Debian package ffmpeg)"),
        "{stderr}"
    );
    assert!(!stderr.contains("job "), "no job was made: {stderr}");
    assert!(!dir.path().join("out").exists());
}

#[test]
fn killed_while_rendering_resume_keeps_the_finished_videos() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;

    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut child = Command::new(env!("CARGO_BIN_EXE_coursegen"))
        .arg("generate")
        .arg(example("lecture/lecture.en.vtt"))
        .args(["--auto-approve", "--videos", "--data"])
        .arg(&data)
        .arg("--out")
        .arg(dir.path().join("out"))
        .env_remove("COURSEGEN_SPEECH")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stderr.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let job = first.split_whitespace().nth(1).expect("job id").to_owned();
    // Kill it (SIGKILL) once a video is done and others are not.
    let finished = loop {
        let record = show(&data, &job);
        let videos = record["videos"].as_array().cloned().unwrap_or_default();
        let done: Vec<serde_json::Value> = videos
            .iter()
            .filter(|v| v["status"] == "completed")
            .cloned()
            .collect();
        if !done.is_empty() && done.len() < videos.len() {
            child.kill().unwrap();
            child.wait().unwrap();
            break done;
        }
        assert!(
            record["status"] != "succeeded" && child.try_wait().unwrap().is_none(),
            "the job ended before the kill: {record}"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    };

    let resumed = Command::new(env!("CARGO_BIN_EXE_coursegen"))
        .args(["generate", "--resume", &job, "--data"])
        .arg(&data)
        .arg("--out")
        .arg(dir.path().join("out"))
        .env_remove("COURSEGEN_SPEECH")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        resumed.status.success(),
        "{}",
        String::from_utf8_lossy(&resumed.stderr)
    );
    let record = show(&data, &job);
    let videos = record["videos"].as_array().unwrap();
    assert!(
        videos.iter().all(|v| v["status"] == "completed"),
        "{record}"
    );
    for before in &finished {
        let after = videos
            .iter()
            .find(|v| v["lesson_path"] == before["lesson_path"])
            .unwrap();
        assert_eq!(
            (
                &after["attempt"],
                &after["generated_at"],
                &after["output_key"]
            ),
            (
                &before["attempt"],
                &before["generated_at"],
                &before["output_key"]
            ),
            "lesson {} was rendered again",
            before["lesson_path"]
        );
    }
    let written = std::fs::read_dir(dir.path().join("out/videos"))
        .unwrap()
        .count();
    assert_eq!(written, videos.len() * 3);
}
