//! Seed 001's "Usage Example" against a real `coursegen serve`: a course
//! made with `generate --videos`, one lesson's video asked for again with
//! `POST /video-transform/generate-video`, and the seed's poll loop on
//! `GET /video-transform/{id}/video-generation-status` seeing
//! `completedLessons` rise to `totalLessons` and `completed`; then the
//! video it names is downloaded and is a real one.

use crate::common;
use crate::probe;

use std::time::Duration;

use common::{generate_with_videos, job_in, serve, token};
use probe::{probe, stream};
use serde_json::{Value, json};

/// The seed's loop polls every 5 s up to 60 times; renders here take
/// seconds, so a shorter interval, the same bound in time.
const INTERVAL: Duration = Duration::from_millis(250);
const MAX_ATTEMPTS: usize = 1_200;

#[tokio::test(flavor = "multi_thread")]
async fn the_seed_poll_loop_sees_the_lesson_video_completed() {
    let dir = tempfile::tempdir().unwrap();
    let made = generate_with_videos(dir.path(), None);
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let job = job_in(&made);
    let data = dir.path().join("data");
    let token = token(&data);
    let (mut server, url) = serve(&data);
    let http = reqwest::Client::new();

    let asked = http
        .post(format!("{url}/video-transform/generate-video"))
        .bearer_auth(&token)
        .json(&json!({
            "jobId": job,
            "lessonPath": "lecture/lesson_2",
            "outputFileName": "lesson_2_final.mp4"
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(asked.status(), 202);
    let asked: Value = asked.json().await.unwrap();
    assert_eq!(asked["success"], true, "{asked}");
    let output = asked["outputPath"].as_str().unwrap().to_owned();
    assert!(output.ends_with("/lesson_2_final.mp4"), "{output}");

    let mut completed = Vec::new();
    let mut statuses = Vec::new();
    let last = 'poll: {
        for _ in 0..MAX_ATTEMPTS {
            let status: Value = http
                .get(format!(
                    "{url}/video-transform/{job}/video-generation-status"
                ))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            completed.push(status["completedLessons"].as_u64().unwrap());
            let said = status["videoGenerationStatus"].as_str().unwrap().to_owned();
            if statuses.last() != Some(&said) {
                statuses.push(said.clone());
            }
            match said.as_str() {
                "completed" => break 'poll status,
                "failed" => panic!("video generation failed: {status}"),
                _ => tokio::time::sleep(INTERVAL).await,
            }
        }
        panic!("never completed: {statuses:?}");
    };
    assert_eq!(last["videoJobId"], job.as_str());
    let total = last["totalLessons"].as_u64().unwrap();
    assert!(total >= 2, "{last}");
    assert_eq!(last["completedLessons"], total);
    assert_eq!(
        completed.first(),
        Some(&(total - 1)),
        "the asked-for lesson was being made again: {completed:?}"
    );
    assert!(completed.windows(2).all(|w| w[0] <= w[1]), "{completed:?}");
    assert_eq!(statuses, ["generating", "completed"]);
    let generated = last["generatedVideos"].as_array().unwrap();
    assert_eq!(generated.len() as u64, total);
    assert!(generated.iter().all(|v| v["success"] == true), "{last}");

    let video = http
        .get(format!("{url}{output}"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(video.status(), 200);
    assert_eq!(video.headers()["content-type"], "video/mp4");
    let file = dir.path().join("lesson_2_final.mp4");
    std::fs::write(&file, video.bytes().await.unwrap()).unwrap();
    let p = probe(&file);
    assert_eq!(stream(&p, "video")["codec_name"], "h264");
    assert_eq!(stream(&p, "subtitle")["codec_name"], "mov_text");

    let _ = server.kill();
    let _ = server.wait();
}
