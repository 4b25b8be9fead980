//! Shared by the command's tests that talk to `coursegen serve`.
#![allow(dead_code)] // each test file uses its own subset

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

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
pub fn lecture() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/lecture/lecture.srt")
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
    let log = String::from_utf8_lossy(&generated.stderr);
    log.split("--resume ")
        .nth(1)
        .and_then(|s| s.split(')').next())
        .unwrap_or_else(|| panic!("no job id in {log}"))
        .to_owned()
}
