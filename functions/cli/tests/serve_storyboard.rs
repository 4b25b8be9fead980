//! A script job's visual work through a real `coursegen serve`: the
//! storyboard with its prompts and links, every file it links (a video in
//! part, on Range), the clip tasks — and what others may not see.

use crate::common;

use common::{coursegen, job_in, serve, token};
use serde_json::Value;

const SCRIPT: &str = "# Tides\n\n## Video 1: Why the sea rises\n\nThe moon pulls on the oceans as the earth turns beneath it. \
Water heaps up on the side that faces the moon and on the far side too. Most coasts therefore see two high tides a day. \
When the sun and the moon pull together, the tides run higher than usual.\n";

#[tokio::test(flavor = "multi_thread")]
async fn the_storyboard_its_files_and_its_clip_tasks_are_served() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let script = dir.path().join("tides.md");
    std::fs::write(&script, SCRIPT).unwrap();
    let made = coursegen()
        .arg("storyboard")
        .arg(&script)
        .args([
            "--auto-approve",
            "--option",
            "storyboard.video.resolution=360p",
            "--data",
        ])
        .arg(&data)
        .arg("--out")
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let job = job_in(&made);
    let course = coursegen()
        .arg("generate")
        .arg(common::lecture())
        .args(["--auto-approve", "--data"])
        .arg(&data)
        .arg("--out")
        .arg(dir.path().join("course"))
        .output()
        .unwrap();
    assert!(course.status.success());
    let course_job = job_in(&course);
    let admin = token(&data);
    let student = {
        let out = coursegen()
            .args([
                "token", "--sub", "sam", "--role", "student", "--course", "local", "--data",
            ])
            .arg(&data)
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    };
    let (mut server, url) = serve(&data);
    let http = reqwest::Client::new();
    let get =
        |path: String, token: &str| http.get(format!("{url}{path}")).bearer_auth(token).send();

    let board = get(format!("/v1/jobs/{job}/storyboard"), &admin)
        .await
        .unwrap();
    assert_eq!(board.status(), 200);
    let board: Value = board.json().await.unwrap();
    let video = &board["videos"][0];
    assert_eq!(board["title"], "Tides");
    assert!(
        video["style"]["palette"]
            .as_array()
            .is_some_and(|p| !p.is_empty())
    );
    let mut links: Vec<String> = vec![video["video"].as_str().unwrap().to_owned()];
    for shot in video["shots"].as_array().unwrap() {
        links.push(shot["clip"].as_str().unwrap().to_owned());
        for frame in shot["frames"].as_array().unwrap() {
            assert!(
                frame["prompt"]["text"]
                    .as_str()
                    .unwrap()
                    .contains(frame["prompt"]["subject"].as_str().unwrap())
            );
            links.push(frame["image"].as_str().unwrap().to_owned());
        }
    }
    for link in &links {
        assert!(
            link.starts_with(&format!("/v1/jobs/{job}/visuals/")),
            "{link}"
        );
        let file = get(link.clone(), &admin).await.unwrap();
        assert_eq!(file.status(), 200, "{link}");
        let kind = file.headers()["content-type"].to_str().unwrap().to_owned();
        let bytes = file.bytes().await.unwrap();
        match link.rsplit('.').next().unwrap() {
            "png" => assert!(
                kind == "image/png" && bytes.starts_with(b"\x89PNG"),
                "{link}"
            ),
            _ => assert!(kind == "video/mp4" && &bytes[4..8] == b"ftyp", "{link}"),
        }
    }
    // A player seeks: part of the video.
    let part = http
        .get(format!("{url}{}", links[0]))
        .bearer_auth(&admin)
        .header("Range", "bytes=0-99")
        .send()
        .await
        .unwrap();
    assert_eq!(part.status(), 206);
    assert_eq!(part.bytes().await.unwrap().len(), 100);
    let subtitles = get(format!("/v1/jobs/{job}/visuals/v01.vtt"), &admin)
        .await
        .unwrap();
    assert_eq!(subtitles.status(), 200);
    assert!(subtitles.text().await.unwrap().starts_with("WEBVTT"));

    let tasks: Value = get(format!("/v1/jobs/{job}/clips"), &admin)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let frames = tasks["frames"].as_array().unwrap();
    assert_eq!(tasks["run"], 1);
    assert_eq!(
        frames.len(),
        links.len() - 1 - video["shots"].as_array().unwrap().len()
    );
    assert!(
        frames
            .iter()
            .all(|f| f["made"] == true && f["status"] == "succeeded" && f["provider"] == "offline")
    );
    assert!(
        frames.iter().all(|f| f.get("output_url").is_none()),
        "a provider's link is a credential"
    );

    // What is not there, and who may not look.
    for (path, status) in [
        (format!("/v1/jobs/{job}/visuals/v09.mp4"), 404),
        (format!("/v1/jobs/{job}/visuals/v01-s99.mp4"), 404),
        (format!("/v1/jobs/{job}/visuals/..%2Fsecret.png"), 404),
        (format!("/v1/jobs/{job}/visuals/v01-s01-f01.exe"), 404),
        (format!("/v1/jobs/{course_job}/storyboard"), 404),
        (format!("/v1/jobs/{course_job}/clips"), 404),
    ] {
        let answer = get(path.clone(), &admin).await.unwrap();
        assert_eq!(answer.status(), status, "{path}");
        let body: Value = answer.json().await.unwrap();
        assert!(body["error"]["message"].is_string(), "{path}: {body}");
    }
    for path in [
        format!("/v1/jobs/{job}/storyboard"),
        links[1].clone(),
        format!("/v1/jobs/{job}/clips"),
    ] {
        assert_eq!(
            get(path.clone(), &student).await.unwrap().status(),
            404,
            "{path}"
        );
    }
    server.kill().unwrap();
}
