//! `coursegen videos JOB` as a user runs it on a course made with
//! `generate --videos`: one lesson rendered again at 1080p while the
//! others stay as they were, checked with ffprobe; Ctrl-C stops it and the
//! next run finishes what it left; and what it refuses, in words that name
//! what there is (the lessons, the voices, the package to install).

use crate::common;
use crate::probe;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use common::{coursegen, generate_with_videos, job_in, lecture, show, waiting_job};
use probe::{probe, stream};
use serde_json::Value;

/// A course made once with a video per lesson, for the tests that need
/// one.
#[derive(Debug)]
struct Made {
    dir: PathBuf,
    job: String,
}

impl Made {
    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    /// `coursegen videos JOB args…` on the course's data directory.
    fn videos(&self, args: &[&str]) -> Command {
        let mut command = coursegen();
        command
            .arg("videos")
            .arg(&self.job)
            .arg("--data")
            .arg(self.data())
            .args(args)
            .env_remove("COURSEGEN_SPEECH")
            .stdin(Stdio::null());
        command
    }

    /// What `coursegen videos JOB args…` says when it refuses, having
    /// written nothing.
    fn refused(&self, args: &[&str]) -> String {
        let out_dir = self.dir.join("refused");
        let out = self
            .videos(args)
            .arg("--out")
            .arg(&out_dir)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{args:?} was not refused");
        assert!(!out_dir.exists(), "{args:?} wrote {}", out_dir.display());
        let said = stderr(&out);
        assert!(!said.contains("panicked"), "{said}");
        said
    }

    fn record(&self) -> Value {
        show(&self.data(), &self.job)
    }
}

static MADE: OnceLock<Made> = OnceLock::new();
/// One command at a time holds a data directory.
static TURN: Mutex<()> = Mutex::new(());

/// The course, and the turn to use it.
fn made() -> (&'static Made, MutexGuard<'static, ()>) {
    let turn = TURN.lock().unwrap_or_else(|p| p.into_inner());
    let made = MADE.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("videos-command");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let out = generate_with_videos(&dir, None);
        assert!(out.status.success(), "{}", stderr(&out));
        Made {
            job: job_in(&out),
            dir,
        }
    });
    (made, turn)
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn videos_of(record: &Value) -> Vec<Value> {
    record["videos"].as_array().cloned().unwrap_or_default()
}

fn video<'a>(videos: &'a [Value], path: &str) -> &'a Value {
    videos
        .iter()
        .find(|v| v["lesson_path"] == path)
        .unwrap_or_else(|| panic!("no video of {path}"))
}

/// The width and height of a video file's picture.
fn frame(path: &Path) -> (u64, u64) {
    let p = probe(path);
    let v = stream(&p, "video");
    (v["width"].as_u64().unwrap(), v["height"].as_u64().unwrap())
}

#[test]
fn one_lesson_is_rendered_again_at_1080p_and_the_others_stay() {
    let (made, _turn) = made();
    let before = videos_of(&made.record());
    assert!(before.len() >= 2, "{before:?}");
    let out_dir = made.dir.join("o2");
    let out = made
        .videos(&["--lesson", "m1/l1", "--resolution", "1080p", "--out"])
        .arg(&out_dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("video m1/l1") && stderr(&out).contains(": done"),
        "a plain line per change off a terminal: {}",
        stderr(&out)
    );

    let videos = out_dir.join("videos");
    assert_eq!(frame(&videos.join("m1-l1.mp4")), (1920, 1080));
    assert_eq!(frame(&videos.join("m2-l1.mp4")), (1280, 720));
    let written = std::fs::read_dir(&videos).unwrap().count();
    assert_eq!(written, before.len() * 3, "every lesson's .mp4, .vtt, .srt");

    let after = videos_of(&made.record());
    let (old, new) = (video(&before, "m1/l1"), video(&after, "m1/l1"));
    assert_eq!(new["status"], "completed");
    assert_eq!(new["attempt"], old["attempt"].as_u64().unwrap() + 1);
    assert_eq!(new["options"]["resolution"], "1080p");
    for old in before.iter().filter(|v| v["lesson_path"] != "m1/l1") {
        let new = video(&after, old["lesson_path"].as_str().unwrap());
        for field in ["attempt", "generated_at", "output_key", "status"] {
            assert_eq!(new[field], old[field], "{field} of {}", old["lesson_path"]);
        }
    }
}

#[test]
fn ctrl_c_stops_and_the_next_run_finishes_what_it_left() {
    let (made, _turn) = made();
    let out_dir = made.dir.join("o3");
    let child = made
        .videos(&["--lesson", "m2/l1", "--out"])
        .arg(&out_dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pending = |record: &Value| video(&videos_of(record), "m2/l1")["status"] == "generating";
    let started = Instant::now();
    while !pending(&made.record()) {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "never rendered"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let attempt = video(&videos_of(&made.record()), "m2/l1")["attempt"].clone();
    let interrupted = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupted.success());
    let asked = Instant::now();
    let out = child.wait_with_output().unwrap();
    assert!(
        asked.elapsed() < Duration::from_secs(10),
        "stopped in {:?}",
        asked.elapsed()
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("stopped; the renders go on at the next `coursegen videos"),
        "{}",
        stderr(&out)
    );
    assert!(!out_dir.exists(), "nothing written when stopped");
    assert!(pending(&made.record()), "the render is left to resume");

    // The next run renders what it asks for and finishes m2/l1's render
    // (the same attempt).
    let out = made
        .videos(&["--lesson", "m3/l1", "--out"])
        .arg(&out_dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("and the 1 render an earlier run left (m2/l1)"),
        "{}",
        stderr(&out)
    );
    let after = videos_of(&made.record());
    let m2 = video(&after, "m2/l1");
    assert_eq!(
        (&m2["status"], &m2["attempt"]),
        (&"completed".into(), &attempt)
    );
    assert_eq!(video(&after, "m3/l1")["status"], "completed");
    assert!(out_dir.join("videos/m2-l1.mp4").exists());
}

#[test]
fn retrying_failed_videos_when_none_failed_is_refused() {
    let (made, _turn) = made();
    let version = made.record()["version"].clone();
    let said = made.refused(&["--retry-failed"]);
    assert!(
        said.contains("no lesson asked for has a failed video to retry"),
        "{said}"
    );
    assert_eq!(made.record()["version"], version, "nothing was planned");
}

#[test]
fn an_unknown_lesson_or_voice_is_refused_naming_what_there_is() {
    let (made, _turn) = made();
    let record = made.record();
    let lessons: Vec<String> = videos_of(&record)
        .iter()
        .map(|v| v["lesson_path"].as_str().unwrap().to_owned())
        .collect();

    let expected = format!(
        "--lesson m9/l1: the course has no lesson m9/l1; it has {} ({})",
        lessons.len(),
        lessons.join(", ")
    );
    let said = made.refused(&["--lesson", "m9/l1"]);
    assert!(said.contains(&expected), "{said}");

    let said = made.refused(&["--voice", "klingon"]);
    assert!(
        said.contains("--voice: there is no voice \"klingon\" here; there are ")
            && said.contains("en-us"),
        "{said}"
    );

    let said = made.refused(&["--lesson", "m1"]);
    assert!(said.contains("is not a lesson path"), "{said}");
    assert_eq!(made.record()["version"], record["version"]);
}

#[test]
fn a_job_that_cannot_have_videos_is_refused_with_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let videos = |job: &str| {
        let out = coursegen()
            .args(["videos", job, "--data"])
            .arg(&data)
            .arg("--out")
            .arg(dir.path().join("videos-out"))
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(!out.status.success());
        stderr(&out)
    };

    let unknown = "01M92M5S2D1FWXM7HBDV1GWWT7";
    assert!(videos(unknown).contains(&format!("no job {unknown} in")));
    assert!(!data.exists(), "no data directory is made for nothing");

    let waiting = waiting_job(&data, &dir.path().join("out"));
    let said = videos(&waiting);
    assert!(
        said.contains(&format!("job {waiting} is awaiting_approval"))
            && said.contains(&format!("coursegen generate --resume {waiting}")),
        "{said}"
    );

    let made = coursegen()
        .arg("generate")
        .arg(lecture())
        .args(["--auto-approve", "--data"])
        .arg(&data)
        .arg("--out")
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    assert!(made.status.success(), "{}", stderr(&made));
    let plain = job_in(&made);
    let said = videos(&plain);
    assert!(
        said.contains(&format!("job {plain} was made without videos")) && said.contains("--videos"),
        "{said}"
    );
    assert!(!said.contains("panicked"));
    assert!(!dir.path().join("videos-out").exists());
}

#[test]
fn without_ffmpeg_or_espeak_the_error_names_the_package() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let only_ffmpeg = dir.path().join("bin");
    std::fs::create_dir(&only_ffmpeg).unwrap();
    let ffmpeg = String::from_utf8(
        Command::new("sh")
            .args(["-c", "command -v ffmpeg"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    std::os::unix::fs::symlink(ffmpeg.trim(), only_ffmpeg.join("ffmpeg")).unwrap();
    let empty = tempfile::tempdir().unwrap();
    for (path, package) in [
        (empty.path(), "ffmpeg"),
        (only_ffmpeg.as_path(), "espeak-ng"),
    ] {
        let out = coursegen()
            .args(["videos", "01M92M5S2D1FWXM7HBDV1GWWT7", "--data"])
            .arg(&data)
            .env("PATH", path)
            .env_remove("COURSEGEN_SPEECH")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(!out.status.success());
        let expected = format!("{package} is not installed (install the Debian package {package})");
        assert!(stderr(&out).contains(&expected), "{}", stderr(&out));
    }
    assert!(!data.exists());
}

/// A speech server on 127.0.0.1 that refuses every request with a 400, as
/// a provider does for a model it does not have; its base URL.
fn refusing_speech_server() -> String {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/v1", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream);
            let mut length = 0;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                let lower = line.to_ascii_lowercase();
                if let Some(n) = lower.strip_prefix("content-length:") {
                    length = n.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            let answer = r#"{"error":{"message":"no such model: retired-tts"}}"#;
            let _ = write!(
                reader.get_mut(),
                "HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
                answer.len()
            );
        }
    });
    url
}

#[test]
fn a_lesson_that_fails_is_named_and_retry_failed_makes_it() {
    let (made, _turn) = made();
    let before = videos_of(&made.record());
    let last = before.last().unwrap()["lesson_path"]
        .as_str()
        .unwrap()
        .to_owned();
    let out_dir = made.dir.join("o4");
    let out = made
        .videos(&["--lesson", &last, "--out"])
        .arg(&out_dir)
        .env("COURSEGEN_SPEECH", "openai")
        .env("COURSEGEN_SPEECH_BASE_URL", refusing_speech_server())
        .env("COURSEGEN_SPEECH_MODEL", "retired-tts")
        .env_remove("COURSEGEN_SPEECH_API_KEY")
        .env_remove("OPENAI_API_KEY")
        .output()
        .unwrap();
    let said = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains(&format!("1 of 1 lesson video not made: {last}")),
        "{said}"
    );
    assert!(said.contains("no such model: retired-tts"), "{said}");
    assert!(!said.contains("panicked"), "{said}");
    let after = videos_of(&made.record());
    let failed = video(&after, &last);
    assert_eq!(failed["status"], "failed");
    assert!(
        failed["error"]
            .as_str()
            .unwrap()
            .contains("the speech server answered 400"),
        "{failed}"
    );
    // The others' videos are written as they were; the failed one is not.
    let stem = last.replace('/', "-");
    assert!(!out_dir.join(format!("videos/{stem}.mp4")).exists());
    let written = std::fs::read_dir(out_dir.join("videos")).unwrap().count();
    assert_eq!(written, (before.len() - 1) * 3);

    // With the machine's own voice, only the failed lesson is made again.
    let out = made
        .videos(&["--retry-failed", "--out"])
        .arg(&out_dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let again = videos_of(&made.record());
    let made_again = video(&again, &last);
    assert_eq!(made_again["status"], "completed");
    assert_eq!(
        made_again["attempt"],
        failed["attempt"].as_u64().unwrap() + 1
    );
    assert!(out_dir.join(format!("videos/{stem}.mp4")).exists());
    for old in before.iter().filter(|v| v["lesson_path"] != last.as_str()) {
        let new = video(&again, old["lesson_path"].as_str().unwrap());
        assert_eq!(new["attempt"], old["attempt"]);
    }
}
