//! Seed 003's flow against a real `coursegen serve`: upload a script and
//! get its storyboard, ask for a video's prompts, a frame's picture and its
//! clip, polling each generation to its end and downloading what it made —
//! and each call's clear refusal of what it cannot take.

use crate::common;

use std::time::Duration;

use common::{coursegen, serve, token};
use serde_json::{Value, json};

const SCRIPT: &str = "# Tides\n\n## Video 1: Why the sea rises\n\nThe moon pulls on the oceans as the earth turns beneath it. \
Water heaps up on the side that faces the moon and on the far side too. Most coasts therefore see two high tides a day. \
When the sun and the moon pull together, the tides run higher than usual.\n";

/// A multipart form of `fields` (name, file name, bytes), by hand: the
/// seed's clients send one, and this is all of it.
fn form(fields: &[(&str, Option<&str>, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "coursegen-test-boundary-7d1";
    let mut body = Vec::new();
    for (name, file, bytes) in fields {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"").bytes(),
        );
        if let Some(file) = file {
            body.extend(
                format!("; filename=\"{file}\"\r\nContent-Type: application/octet-stream").bytes(),
            );
        }
        body.extend(b"\r\n\r\n");
        body.extend(*bytes);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// `POST /files/extract` of the tides script, as `bearer`.
async fn upload(http: &reqwest::Client, url: &str, bearer: &str) -> reqwest::Response {
    let (kind, body) = form(&[
        ("file", Some("tides.md"), SCRIPT.as_bytes()),
        ("course_id", None, b"local"),
        ("version_id", None, b"v1"),
    ]);
    http.post(format!("{url}/files/extract"))
        .bearer_auth(bearer)
        .header("Content-Type", kind)
        .body(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_seed_flow_makes_a_storyboard_prompts_a_picture_and_a_clip() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let admin = token(&data);
    let (mut server, url) = serve(&data);
    let http = reqwest::Client::new();
    let post = |path: &str, body: Value| {
        http.post(format!("{url}{path}"))
            .bearer_auth(&admin)
            .json(&body)
            .send()
    };
    let poll = |id: String| {
        let (http, url, admin) = (http.clone(), url.clone(), admin.clone());
        async move {
            for _ in 0..600 {
                let view: Value = http
                    .get(format!("{url}/generation/{id}"))
                    .bearer_auth(&admin)
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                if view["status"] == "succeeded" || view["status"] == "failed" {
                    return view;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            panic!("generation {id} never ended");
        }
    };

    let extracted = upload(&http, &url, &admin).await;
    assert_eq!(extracted.status(), 201);
    let extracted: Value = extracted.json().await.unwrap();
    let file_id = extracted["file_id"].as_str().unwrap().to_owned();
    assert_eq!(extracted["filename"], "tides.md");
    assert!(
        !extracted["storyboard"]["videos"][0]["shots"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    let prompts = post(
        "/prompts/generate",
        json!({"file_id": file_id, "video_number": 1}),
    )
    .await
    .unwrap();
    assert_eq!(prompts.status(), 200);
    let prompts: Value = prompts.json().await.unwrap();
    let first = &prompts["prompts"][0];
    assert!(first["prompt"].as_str().unwrap().len() > 40, "{first}");
    let prompt_id = first["prompt_id"].as_str().unwrap().to_owned();
    assert_eq!(prompt_id, format!("{file_id}.v01-s01-f01"));

    let asked = post("/generation/images", json!({"prompt_id": prompt_id}))
        .await
        .unwrap();
    assert_eq!(asked.status(), 202);
    let asked: Value = asked.json().await.unwrap();
    let picture = poll(asked["id"].as_str().unwrap().to_owned()).await;
    assert_eq!(picture["status"], "succeeded", "{picture}");
    let picture_url = format!("{url}{}", picture["output_url"].as_str().unwrap());
    let png = http
        .get(&picture_url)
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(png.starts_with(b"\x89PNG"));

    let asked = post("/generation/video", json!({"start_image_url": picture_url}))
        .await
        .unwrap();
    assert_eq!(asked.status(), 202);
    let asked: Value = asked.json().await.unwrap();
    assert_eq!(asked["kind"], "video");
    let clip = poll(asked["id"].as_str().unwrap().to_owned()).await;
    assert_eq!(clip["status"], "succeeded", "{clip}");
    let mp4 = http
        .get(format!("{url}{}", clip["output_url"].as_str().unwrap()))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(&mp4[4..8], b"ftyp");

    // What each call refuses, and how.
    for (path, body, status) in [
        (
            "/prompts/generate",
            json!({"file_id": file_id, "video_number": 9}),
            404,
        ),
        ("/generation/images", json!({"prompt_id": "nonsense"}), 400),
        (
            "/generation/video",
            json!({"start_image_url": "http://169.254.169.254/latest/x.png"}),
            400,
        ),
        (
            "/generation/video",
            json!({"start_image_url": picture_url, "prompt": "zoom"}),
            400,
        ),
    ] {
        let answer = post(path, body.clone()).await.unwrap();
        assert_eq!(answer.status(), status, "{path} {body}");
        let error: Value = answer.json().await.unwrap();
        assert!(error["error"]["message"].is_string(), "{error}");
    }
    let unknown = http
        .get(format!("{url}/generation/{file_id}.image.v09-s01-f01"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    for (fields, field) in [
        (
            vec![
                ("course_id", None, &b"local"[..]),
                ("version_id", None, &b"v1"[..]),
            ],
            "file",
        ),
        (
            vec![
                ("file", Some("slides.pdf"), &b"%PDF-1.4"[..]),
                ("course_id", None, &b"local"[..]),
                ("version_id", None, &b"v1"[..]),
            ],
            "file",
        ),
        (
            vec![
                ("file", Some("tides.md"), SCRIPT.as_bytes()),
                ("version_id", None, &b"v1"[..]),
            ],
            "course_id",
        ),
    ] {
        let (kind, body) = form(&fields);
        let answer = http
            .post(format!("{url}/files/extract"))
            .bearer_auth(&admin)
            .header("Content-Type", kind)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 400);
        let error: Value = answer.json().await.unwrap();
        assert_eq!(error["error"]["details"]["field"], field, "{error}");
    }
    let student = {
        let out = coursegen()
            .args(["token", "--sub", "sam", "--role", "student", "--data"])
            .arg(&data)
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    };
    let refused = upload(&http, &url, &student).await;
    assert_eq!(refused.status(), 403);
    server.kill().unwrap();
}
