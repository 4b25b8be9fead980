//! Killing `coursegen generate` (SIGKILL, no chance to clean up) at several
//! points of a run, then resuming: the job completes with one run per stage
//! and the same course as a run that was never interrupted.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

fn lecture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/lecture/lecture.srt")
}

fn coursegen(data: &Path, out: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_coursegen"));
    cmd.arg("generate")
        .arg("--data")
        .arg(data)
        .arg("--out")
        .arg(out)
        .stdin(Stdio::null());
    cmd
}

fn uninterrupted(dir: &Path) -> String {
    let status = coursegen(&dir.join("data"), &dir.join("out"))
        .arg(lecture())
        .arg("--auto-approve")
        .status()
        .unwrap();
    assert!(status.success());
    std::fs::read_to_string(dir.join("out/course.json")).unwrap()
}

#[test]
fn killed_runs_resume_to_the_same_course() {
    let reference = uninterrupted(tempfile::tempdir().unwrap().path());
    let mut interrupted = 0;
    for delay_ms in [0, 20, 60, 150] {
        let dir = tempfile::tempdir().unwrap();
        let (data, out) = (dir.path().join("data"), dir.path().join("out"));
        let mut child = coursegen(&data, &out)
            .arg(lecture())
            .arg("--auto-approve")
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        // The job id comes first; then let it work a while and kill it.
        let mut first = String::new();
        BufReader::new(child.stderr.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let job = first.split_whitespace().nth(1).expect("job id").to_owned();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();

        if status(&data, &job)["status"] != "succeeded" {
            interrupted += 1;
        }
        let resumed = coursegen(&data, &out)
            .arg("--resume")
            .arg(&job)
            .output()
            .unwrap();
        assert!(
            resumed.status.success(),
            "killed after {delay_ms} ms: {}",
            String::from_utf8_lossy(&resumed.stderr)
        );
        let course = std::fs::read_to_string(out.join("course.json")).unwrap();
        assert_eq!(
            course, reference,
            "killed after {delay_ms} ms: the resumed course differs"
        );

        let record = status(&data, &job);
        assert_eq!(record["status"], "succeeded");
        for stage in record["stages"].as_array().unwrap() {
            let runs = stage["runs"].as_array().unwrap().len();
            assert!(
                runs <= 1,
                "killed after {delay_ms} ms: stage {} has {runs} runs",
                stage["stage"]
            );
        }
    }
    assert!(
        interrupted >= 2,
        "only {interrupted} of the kills landed mid-run: the test must interrupt real work"
    );
}

/// The job as `coursegen jobs show --json` prints it.
fn status(data: &Path, job: &str) -> serde_json::Value {
    let show = Command::new(env!("CARGO_BIN_EXE_coursegen"))
        .args(["jobs", "show", job, "--json", "--data"])
        .arg(data)
        .output()
        .unwrap();
    serde_json::from_slice(&show.stdout).unwrap()
}
