//! Shared by the command's tests: `coursegen serve`, jobs made with
//! `generate`, and the job records `jobs show` prints.
#![allow(dead_code)] // each test file uses its own subset

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

pub fn coursegen() -> Command {
    Command::new(env!("CARGO_BIN_EXE_coursegen"))
}

/// Starts `coursegen serve` on a free port of 127.0.0.1; returns the
/// process (stderr piped, for what it says when it stops) and its URL.
pub fn serve(data: &Path) -> (Child, String) {
    serve_with(data, "127.0.0.1:0", &[])
}

/// Starts `coursegen serve` on `addr` with `env` added.
pub fn serve_with(data: &Path, addr: &str, env: &[(&str, &str)]) -> (Child, String) {
    let mut child = coursegen()
        .args(["serve", "--addr", addr, "--data"])
        .arg(data)
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let url = announced(&mut child, "coursegen API on ");
    (child, url)
}

/// What a server's first line of output announces after `prefix` (its URL).
pub fn announced(child: &mut Child, prefix: &str) -> String {
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    line.trim()
        .strip_prefix(prefix)
        .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
        .to_owned()
}

/// An admin token signed with the data directory's secret.
pub fn token(data: &Path) -> String {
    let out = coursegen()
        .args(["token", "--sub", "ada", "--data"])
        .arg(data)
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// The sample lecture.
pub fn lecture() -> PathBuf {
    example("lecture/lecture.srt")
}

/// A file under `examples/`.
pub fn example(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(path)
}

/// A `generate` of the sample lecture left waiting at its first review
/// (no terminal to answer it); the job's id.
pub fn waiting_job(data: &Path, out: &Path) -> String {
    let generated = coursegen()
        .arg("generate")
        .arg(lecture())
        .arg("--data")
        .arg(data)
        .arg("--out")
        .arg(out)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(generated.status.code(), Some(1));
    job_in(&generated)
}

/// The id of the job `generate` announced on stderr.
pub fn job_in(generated: &Output) -> String {
    let log = String::from_utf8_lossy(&generated.stderr);
    log.split("--resume ")
        .nth(1)
        .and_then(|s| s.split(')').next())
        .unwrap_or_else(|| panic!("no job id in {log}"))
        .to_owned()
}

/// `coursegen generate` of the sample lecture, auto-approved, with a video
/// per lesson (the offline voice), into `dir`'s `data` and `out`; `PATH`
/// replaced by `path_var` if given.
pub fn generate_with_videos(dir: &Path, path_var: Option<&Path>) -> Output {
    let mut command = coursegen();
    command
        .arg("generate")
        .arg(example("lecture/lecture.en.vtt"))
        .args(["--auto-approve", "--videos", "--data"])
        .arg(dir.join("data"))
        .arg("--out")
        .arg(dir.join("out"))
        .env_remove("OPENAI_BASE_URL")
        .env_remove("OPENAI_API_KEY")
        .env_remove("COURSEGEN_SPEECH")
        .stdin(Stdio::null());
    if let Some(path) = path_var {
        command.env("PATH", path);
    }
    command.output().unwrap()
}

/// The job as `coursegen jobs show --json` prints it.
pub fn show(data: &Path, job: &str) -> serde_json::Value {
    let out = coursegen()
        .args(["jobs", "show", job, "--json", "--data"])
        .arg(data)
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null)
}

/// A listener on a free port of 127.0.0.1, for a fake provider or site
/// whose address must be known before it is built; and that address.
pub fn listener() -> (std::net::TcpListener, String) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    (listener, address)
}

/// Serves `app` on `listener` from a thread of its own, for the rest of
/// the test binary's life.
pub fn serve_app(listener: std::net::TcpListener, app: axum::Router) {
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
}
