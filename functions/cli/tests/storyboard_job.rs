//! `coursegen storyboard`: a course script made into videos as a job on the
//! embedded stack — offline from end to end; with a Runway-shaped provider
//! on 127.0.0.1 whose tasks are polled across a `kill -9` and never
//! submitted twice (a refused clip and one past its time limit are moved
//! here instead, the second cancelled at the provider); and with a
//! reviewer who edits the storyboard, whose later stages follow the edit.

use crate::common;
use crate::probe;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Json;
use axum::Router;
use axum::extract::{Path as UrlPath, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use common::coursegen;
use probe::probe;

const SCRIPT: &str = "# Lighthouses

## Video 1: The keeper's night

The keeper climbs the spiral stairs at dusk. He trims the wick and polishes the great lens. Ships far out at sea watch for its flash every ten seconds. At dawn he writes the night's weather in the log book.

## الفيديو الثاني: الضوء في البحر

تساعد المنارات السفن على معرفة طريقها في الليل. لكل منارة نمط خاص من الومضات. يقرأ البحارة هذا النمط من الخرائط البحرية.
";

fn script(dir: &Path) -> PathBuf {
    let path = dir.join("lighthouses.md");
    std::fs::write(&path, SCRIPT).unwrap();
    path
}

/// `coursegen storyboard` with `args` on `dir`'s data, drafts at 360p.
fn storyboard(dir: &Path, args: &[&str]) -> Command {
    let mut command = coursegen();
    command
        .arg("storyboard")
        .args(args)
        .arg("--data")
        .arg(dir.join("data"))
        .arg("--out")
        .arg(dir.join("out"))
        .args(["--option", "storyboard.video.resolution=360p"]);
    command
}

/// The job a run of the command made, from what it said on stderr.
fn job_of(said: &str) -> String {
    let resume = said.split("--resume ").nth(1).expect("the job's id");
    resume.split(')').next().unwrap().trim().to_owned()
}

/// Checks what the command wrote to `out`; the storyboard.json.
fn check_written(out: &Path) -> Value {
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("storyboard.json")).unwrap())
            .unwrap();
    let prompts: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("prompts.json")).unwrap()).unwrap();
    let videos = doc["videos"].as_array().unwrap();
    assert_eq!(videos.len(), 2);
    assert_eq!(prompts["videos"].as_array().unwrap().len(), 2);
    assert_eq!(
        (
            videos[0]["language"].as_str(),
            videos[1]["language"].as_str()
        ),
        (Some("en"), Some("ar"))
    );
    for video in videos {
        for shot in video["shots"].as_array().unwrap() {
            let clip = out.join(shot["clip"].as_str().unwrap());
            assert_eq!(probe(&clip)["streams"][0]["codec_name"], "h264");
            for frame in shot["frames"].as_array().unwrap() {
                assert!(!frame["seen"].as_str().unwrap().is_empty());
                assert!(
                    frame["prompt"]["text"].as_str().unwrap().len() > 40,
                    "{frame}"
                );
                let png = std::fs::read(out.join(frame["image"].as_str().unwrap())).unwrap();
                assert!(png.starts_with(b"\x89PNG"));
            }
        }
        let mp4 = out.join(video["video"].as_str().unwrap());
        let p = probe(&mp4);
        let codecs: Vec<&str> = p["streams"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["codec_name"].as_str().unwrap())
            .collect();
        assert_eq!(codecs, ["h264", "aac", "mov_text"], "{}", mp4.display());
        let duration_ms = p["format"]["duration"]
            .as_str()
            .unwrap()
            .parse::<f64>()
            .unwrap()
            * 1000.0;
        let narration_ms = video["duration_ms"].as_f64().unwrap();
        assert!(
            (duration_ms - narration_ms).abs() <= 40.0,
            "{duration_ms} ms of video, {narration_ms} ms of narration"
        );
        assert!(mp4.with_extension("vtt").exists() && mp4.with_extension("srt").exists());
    }
    let frames = std::fs::read_dir(out.join("frames")).unwrap().count();
    let listed: usize = videos
        .iter()
        .flat_map(|v| v["shots"].as_array().unwrap())
        .map(|s| s["frames"].as_array().unwrap().len())
        .sum();
    assert_eq!(frames, listed, "a picture per frame");
    doc
}

#[test]
fn the_storyboard_command_films_a_script_offline() {
    let dir = tempfile::tempdir().unwrap();
    let done = storyboard(dir.path(), &["--auto-approve"])
        .arg(script(dir.path()))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    let doc = check_written(&dir.path().join("out"));
    let printed = String::from_utf8(done.stdout).unwrap();
    assert!(
        printed.contains("videos/v01.mp4") && printed.contains("storyboard.json"),
        "{printed}"
    );
    assert_eq!(doc["title"], "Lighthouses");
}

#[test]
fn a_script_with_no_document_format_is_refused_before_any_job() {
    let dir = tempfile::tempdir().unwrap();
    let srt = dir.path().join("talk.srt");
    std::fs::write(&srt, "1\n00:00:00,000 --> 00:00:02,000\nHello.\n").unwrap();
    let out = storyboard(dir.path(), &["--auto-approve"])
        .arg(&srt)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("not a course script (docx, md, txt)"),
        "{said}"
    );
}

/// A Runway-shaped provider: tasks move PENDING → THROTTLED → RUNNING →
/// SUCCEEDED, one poll each; the first poll of all is a 429; the second
/// task submitted is refused for safety, the third never ends.
#[derive(Default)]
struct Provider {
    address: String,
    mp4: Vec<u8>,
    /// Polls seen per task, in the order the tasks were submitted.
    tasks: Mutex<Vec<(String, usize)>>,
    throttled: Mutex<bool>,
    cancelled: Mutex<Vec<String>>,
    /// Every task runs forever.
    stuck: bool,
}

type Shared = Arc<Mutex<Provider>>;

async fn submit(State(p): State<Shared>) -> Response {
    let p = p.lock().unwrap();
    let mut tasks = p.tasks.lock().unwrap();
    let id = format!("00000000-0000-4000-8000-{:012x}", tasks.len() + 1);
    tasks.push((id.clone(), 0));
    Json(json!({"id": id})).into_response()
}

async fn task(State(p): State<Shared>, UrlPath(id): UrlPath<String>) -> Response {
    let p = p.lock().unwrap();
    {
        let mut throttled = p.throttled.lock().unwrap();
        if !*throttled {
            *throttled = true;
            return (StatusCode::TOO_MANY_REQUESTS, "slow down").into_response();
        }
    }
    let mut tasks = p.tasks.lock().unwrap();
    let Some(at) = tasks.iter().position(|(t, _)| *t == id) else {
        return (StatusCode::NOT_FOUND, "no such task").into_response();
    };
    tasks[at].1 += 1;
    let polls = tasks[at].1;
    let body = match (at, polls) {
        _ if p.stuck => json!({"id": id, "status": "RUNNING"}),
        (1, _) => {
            json!({"id": id, "status": "FAILED", "failureCode": "SAFETY.INPUT.IMAGE", "failure": "the picture was refused"})
        }
        (2, _) => json!({"id": id, "status": "RUNNING", "progress": 0.1}),
        (_, 1) => json!({"id": id, "status": "PENDING"}),
        (_, 2) => json!({"id": id, "status": "THROTTLED"}),
        (_, 3) => json!({"id": id, "status": "RUNNING", "progress": 0.5}),
        _ => {
            json!({"id": id, "status": "SUCCEEDED", "output": [format!("{}/files/{id}.mp4", p.address)]})
        }
    };
    Json(body).into_response()
}

async fn cancel(State(p): State<Shared>, UrlPath(id): UrlPath<String>) -> StatusCode {
    let p = p.lock().unwrap();
    p.cancelled.lock().unwrap().push(id);
    StatusCode::NO_CONTENT
}

async fn file(State(p): State<Shared>) -> Vec<u8> {
    p.lock().unwrap().mp4.clone()
}

/// Starts the provider on a thread of its own; its base URL.
fn provider() -> (Shared, String) {
    provider_with(false)
}

fn provider_with(stuck: bool) -> (Shared, String) {
    let dir = tempfile::tempdir().unwrap();
    let clip = dir.path().join("clip.mp4");
    let made = Command::new("ffmpeg")
        .args([
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "color=c=teal:s=640x360:d=3",
        ])
        .args(["-c:v", "libx264", "-pix_fmt", "yuv420p"])
        .arg(&clip)
        .status()
        .unwrap();
    assert!(made.success());
    let shared: Shared = Arc::new(Mutex::new(Provider {
        mp4: std::fs::read(&clip).unwrap(),
        stuck,
        ..Provider::default()
    }));
    let (listener, address) = common::listener();
    shared.lock().unwrap().address = address.clone();
    let app = Router::new()
        .route("/v1/image_to_video", post(submit))
        .route("/v1/tasks/{id}", get(task).delete(cancel))
        .route("/files/{name}", get(file))
        .with_state(shared.clone());
    common::serve_app(listener, app);
    (shared, format!("{address}/v1"))
}

fn submitted(p: &Shared) -> Vec<(String, usize)> {
    p.lock().unwrap().tasks.lock().unwrap().clone()
}

#[test]
fn runway_clips_are_polled_across_a_kill_and_never_submitted_twice() {
    let dir = tempfile::tempdir().unwrap();
    let (provider, base) = provider();
    let env = [
        ("COURSEGEN_RUNWAY_BASE_URL", base.as_str()),
        ("COURSEGEN_RUNWAY_API_KEY", "key_test_secret"),
        ("COURSEGEN_CLIP_POLL_FIRST_S", "1"),
        ("COURSEGEN_CLIP_POLL_MAX_S", "1"),
        ("COURSEGEN_CLIP_TIMEOUT_S", "6"),
    ];
    let log = dir.path().join("first.err");
    let mut first = storyboard(dir.path(), &["--auto-approve", "--clips", "runway"])
        .arg(script(dir.path()))
        .envs(env)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    // Killed once tasks are being polled and some are still unfinished.
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        let tasks = submitted(&provider);
        if tasks.iter().any(|(_, polls)| *polls >= 2) && tasks.iter().any(|(_, polls)| *polls < 4) {
            break;
        }
        assert!(
            first.try_wait().unwrap().is_none(),
            "ended before it was killed: {}",
            std::fs::read_to_string(&log).unwrap()
        );
        assert!(Instant::now() < deadline, "no polling seen");
        std::thread::sleep(Duration::from_millis(50));
    }
    first.kill().unwrap();
    first.wait().unwrap();
    let before = submitted(&provider).len();
    let said = std::fs::read_to_string(&log).unwrap();
    let job = job_of(&said);

    let resumed = storyboard(dir.path(), &["--resume", &job])
        .envs(env)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        resumed.status.success(),
        "{}",
        String::from_utf8_lossy(&resumed.stderr)
    );
    let tasks = submitted(&provider);
    let doc = check_written(&dir.path().join("out"));
    let frames: Vec<&Value> = doc["videos"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|v| v["shots"].as_array().unwrap())
        .flat_map(|s| s["frames"].as_array().unwrap())
        .collect();
    assert_eq!(
        tasks.len(),
        frames.len(),
        "one submission per frame, none again after the kill ({before} before it)"
    );
    // The refused and the timed-out frames were moved here instead, and
    // the one past its time was cancelled at the provider.
    let here: Vec<&str> = frames
        .iter()
        .filter_map(|f| f["clip_made_here"].as_str())
        .collect();
    assert_eq!(here.len(), 2, "{here:?}");
    assert!(here[0].contains("SAFETY.INPUT.IMAGE"), "{}", here[0]);
    assert!(here[1].contains("timed_out"), "{}", here[1]);
    let cancelled = provider.lock().unwrap().cancelled.lock().unwrap().clone();
    assert_eq!(cancelled, [tasks[2].0.clone()]);
    // Every other task was polled to its end.
    for (n, (_, polls)) in tasks.iter().enumerate().filter(|(n, _)| *n > 2) {
        assert!(*polls >= 4, "task {n} polled {polls} times");
    }
}

#[test]
fn an_edited_storyboard_is_a_new_run_and_the_stages_after_it_follow_it() {
    let dir = tempfile::tempdir().unwrap();
    // The reviewer's editor: every frame now shows a storm.
    let editor = dir.path().join("edit.sh");
    let mut script_file = std::fs::File::create(&editor).unwrap();
    writeln!(
        script_file,
        "#!/bin/sh\nsed -i 's/\"seen\": \"[^\"]*\"/\"seen\": \"A storm breaks over the rocks below the tower\"/' \"$1\""
    )
    .unwrap();
    drop(script_file);
    Command::new("chmod")
        .arg("+x")
        .arg(&editor)
        .status()
        .unwrap();
    let mut child = storyboard(dir.path(), &[])
        .arg(script(dir.path()))
        .env("EDITOR", &editor)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Edit the storyboard, approve the edit; approve prompts, pictures, clips.
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"e\na\na\na\na\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{said}");
    assert!(said.contains("Review of storyboard (run 1 of 1)"), "{said}");
    assert!(said.contains("Review of storyboard (run 2 of 2)"), "{said}");
    assert!(said.contains("Review of clips"), "{said}");
    // The prompts were written from the edited storyboard.
    let prompts = std::fs::read_to_string(dir.path().join("out/prompts.json")).unwrap();
    assert!(
        prompts.contains("A storm breaks over the rocks"),
        "{prompts}"
    );
    // After the process has gone, a new one finds every stage's runs.
    let job = job_of(&said);
    let shown = coursegen()
        .args(["jobs", "show", &job, "--json", "--data"])
        .arg(dir.path().join("data"))
        .output()
        .unwrap();
    assert!(shown.status.success());
    let record: Value = serde_json::from_slice(&shown.stdout).unwrap();
    let stage = |name: &str| {
        record["stages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["stage"] == name)
            .unwrap()
            .clone()
    };
    let board = stage("storyboard");
    assert_eq!(board["runs"].as_array().unwrap().len(), 2);
    assert_eq!(board["runs"][1]["edited_from"], 1);
    assert_eq!(board["approved_run"], 2);
    for name in ["prompts", "images", "clips", "film"] {
        let runs = stage(name)["runs"].as_array().unwrap().len();
        assert_eq!(runs, 1, "{name}");
        assert!(stage(name)["runs"][0]["output_key"].is_string(), "{name}");
    }
    assert_eq!(stage("segment")["status"], "skipped");
}

#[test]
fn aborting_a_job_cancels_its_clips_at_the_provider() {
    let dir = tempfile::tempdir().unwrap();
    let (provider, base) = provider_with(true);
    let env = [
        ("COURSEGEN_RUNWAY_BASE_URL", base.as_str()),
        ("COURSEGEN_CLIP_POLL_FIRST_S", "1"),
        ("COURSEGEN_CLIP_POLL_MAX_S", "1"),
    ];
    let log = dir.path().join("run.err");
    let mut run = storyboard(dir.path(), &["--auto-approve", "--clips", "runway"])
        .arg(script(dir.path()))
        .envs(env)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    // Wait until the tasks in flight are all submitted and polled (so each
    // is on record here): a kill between the provider's acceptance of a
    // submit and our record of it would leave a task we cannot name.
    let deadline = Instant::now() + Duration::from_secs(300);
    let (mut seen, mut since) = (0, Instant::now());
    loop {
        let tasks = submitted(&provider);
        if tasks.len() != seen {
            (seen, since) = (tasks.len(), Instant::now());
        }
        let all_polled = tasks.iter().all(|(_, polls)| *polls > 0);
        if seen >= 2 && all_polled && since.elapsed() > Duration::from_millis(2500) {
            break;
        }
        assert!(
            run.try_wait().unwrap().is_none(),
            "{}",
            std::fs::read_to_string(&log).unwrap()
        );
        assert!(Instant::now() < deadline, "no polling seen");
        std::thread::sleep(Duration::from_millis(50));
    }
    // The machine went down while clips were being made; the user gives up.
    run.kill().unwrap();
    run.wait().unwrap();
    let job = job_of(&std::fs::read_to_string(&log).unwrap());
    let aborted = coursegen()
        .args(["jobs", "abort", &job, "--data"])
        .arg(dir.path().join("data"))
        .envs(env)
        .output()
        .unwrap();
    assert!(
        aborted.status.success(),
        "{}",
        String::from_utf8_lossy(&aborted.stderr)
    );
    let tasks: Vec<String> = submitted(&provider).into_iter().map(|(id, _)| id).collect();
    let mut cancelled = provider.lock().unwrap().cancelled.lock().unwrap().clone();
    cancelled.sort();
    assert!(!tasks.is_empty());
    assert_eq!(cancelled, tasks, "every task still running was cancelled");
}
