//! One process per data directory: a second `serve` (or `generate
//! --resume`, or `jobs abort`) beside a running server is refused with a
//! message naming it, and the first finishes its jobs; with no server,
//! `jobs abort` stops a job; a server asked to stop mid-step stops within
//! seconds.

use crate::common;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{coursegen, lecture, serve, serve_with, token, waiting_job};
use serde_json::Value;

fn run(args: &[&str], data: &Path) -> Output {
    coursegen()
        .args(args)
        .arg("--data")
        .arg(data)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn stop(mut server: std::process::Child) -> (Output, Duration) {
    let asked = Instant::now();
    let status = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    for _ in 0..300 {
        if server.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    if server.try_wait().unwrap().is_none() {
        let _ = server.kill();
        panic!("the server did not stop within 15 s of SIGTERM");
    }
    let took = asked.elapsed();
    (server.wait_with_output().unwrap(), took)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_process_is_refused_and_the_first_finishes_its_jobs() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let job = waiting_job(&data, &dir.path().join("out"));
    let (first, url) = serve(&data);
    let holder = format!("in use by `coursegen serve` (pid {}", first.id());

    let second = coursegen()
        .args(["serve", "--addr", "127.0.0.1:0", "--data"])
        .arg(&data)
        .output()
        .unwrap();
    assert!(!second.status.success());
    let said = String::from_utf8_lossy(&second.stderr);
    assert!(said.contains(&holder), "{said}");

    let resume = run(&["generate", "--resume", &job], &data);
    assert!(!resume.status.success());
    assert!(String::from_utf8_lossy(&resume.stderr).contains(&holder));

    let abort = run(&["jobs", "abort", &job], &data);
    let said = String::from_utf8_lossy(&abort.stderr);
    assert!(!abort.status.success());
    assert!(
        said.contains(&holder) && said.contains(&format!("POST /v1/jobs/{job}/abort")),
        "{said}"
    );

    // The first server takes the job through its reviews to the end.
    let token = token(&data);
    let http = reqwest::Client::new();
    let job_url = format!("{url}/v1/jobs/{job}");
    let mut status = Value::Null;
    for _ in 0..3000 {
        let now: Value = http
            .get(&job_url)
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        status = now["status"].clone();
        if status == "succeeded" {
            break;
        }
        if status == "awaiting_approval" {
            let stage = now["progress"]["current_stage"].as_str().unwrap();
            http.post(format!("{job_url}/stages/{stage}/approve"))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap();
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(status, "succeeded");
    let (out, _) = stop(first);
    assert!(out.status.success());
}

#[test]
fn with_no_server_running_jobs_abort_stops_a_job() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let job = waiting_job(&data, &dir.path().join("out"));
    let abort = run(&["jobs", "abort", &job, "--reason", "stuck"], &data);
    assert!(
        abort.status.success(),
        "{}",
        String::from_utf8_lossy(&abort.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&abort.stdout).trim(),
        format!("job {job} aborted")
    );
    let shown = run(&["jobs", "show", &job, "--json"], &data);
    let shown: Value = serde_json::from_slice(&shown.stdout).unwrap();
    assert_eq!(shown["status"], "aborted");
    // Nothing is left to resume, and a second abort is a clear conflict.
    let (server, _) = serve(&data);
    let (out, _) = stop(server);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("resumed"));
    let again = run(&["jobs", "abort", &job], &data);
    assert!(!again.status.success());
    let said = String::from_utf8_lossy(&again.stderr);
    assert!(said.contains(&format!("cannot abort job {job}")), "{said}");
    let missing = run(&["jobs", "abort", "01J00000000000000000000000"], &data);
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no job 01J00000000000000000000000"));
}

#[test]
fn a_server_asked_to_stop_mid_step_stops_within_seconds() {
    // A model that takes every request and never answers: the step that
    // asks it runs until it gives up (minutes).
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let model = format!("http://{}/v1", silent.local_addr().unwrap());
    let held = std::thread::spawn(move || {
        silent
            .incoming()
            .take(64)
            .filter_map(Result::ok)
            .collect::<Vec<_>>()
    });
    let env = [
        ("OPENAI_BASE_URL", model.as_str()),
        ("OPENAI_API_KEY", "sk-test"),
        ("COURSEGEN_LLM_MODEL", "test-model"),
    ];
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    // generate starts the job on the model, and is killed mid-step.
    let mut generate = coursegen()
        .arg("generate")
        .arg(lecture())
        .args(["--engine", "openai", "--auto-approve", "--data"])
        .arg(&data)
        .arg("--out")
        .arg(dir.path().join("out"))
        .envs(env)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_secs(2));
    generate.kill().unwrap();
    generate.wait().unwrap();

    // The server resumes the job into the same step, then is asked to stop.
    let (server, _) = serve_with(&data, "127.0.0.1:0", &env);
    std::thread::sleep(Duration::from_secs(2));
    let (out, took) = stop(server);
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{log}");
    assert!(log.contains("resumed 1 unfinished job"), "{log}");
    assert!(took < Duration::from_secs(10), "stopped after {took:?}");
    drop(held);
}
