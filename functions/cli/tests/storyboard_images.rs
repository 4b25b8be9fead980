//! `coursegen storyboard --images openai` against an OpenAI-compatible
//! images server on 127.0.0.1: each frame's prompt is sent once (a 429 is
//! waited out and asked again), the picture comes back as `b64_json`, and
//! the frame written is that picture covering the frame, captioned.

use crate::common;

use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use base64::Engine as _;
use serde_json::{Value, json};

use common::coursegen;

const SCRIPT: &str = "# Bees\n\n## Video 1: The hive at work\n\nA worker bee visits hundreds of flowers on a single trip. \
She carries nectar home in a special stomach and pollen on her legs. Inside the hive, other workers fan the nectar \
with their wings until it thickens into honey. The queen lays up to two thousand eggs a day in the wax cells.\n";

#[derive(Default)]
struct Images {
    png: Vec<u8>,
    prompts: Mutex<Vec<Value>>,
    throttled: Mutex<bool>,
}

async fn generate(State(images): State<Arc<Images>>, Json(body): Json<Value>) -> Response {
    {
        let mut throttled = images.throttled.lock().unwrap();
        if !*throttled {
            *throttled = true;
            let mut busy = (StatusCode::TOO_MANY_REQUESTS, "rate limited").into_response();
            busy.headers_mut()
                .insert("retry-after", "1".parse().unwrap());
            return busy;
        }
    }
    images.prompts.lock().unwrap().push(body);
    let b64 = base64::engine::general_purpose::STANDARD.encode(&images.png);
    Json(json!({"created": 1, "data": [{"b64_json": b64}]})).into_response()
}

#[test]
fn frames_are_drawn_by_an_openai_compatible_images_server() {
    let dir = tempfile::tempdir().unwrap();
    // The server's picture: plain orange, square, as a model may answer.
    let png = dir.path().join("orange.png");
    let made = Command::new("ffmpeg")
        .args([
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "color=c=0xff8000:s=256x256",
            "-frames:v",
            "1",
        ])
        .arg(&png)
        .status()
        .unwrap();
    assert!(made.success());
    let images = Arc::new(Images {
        png: std::fs::read(&png).unwrap(),
        ..Images::default()
    });
    let (listener, address) = common::listener();
    let base = format!("{address}/v1");
    let app = Router::new()
        .route("/v1/images/generations", post(generate))
        .with_state(images.clone());
    common::serve_app(listener, app);
    let script = dir.path().join("bees.md");
    std::fs::write(&script, SCRIPT).unwrap();
    let out = dir.path().join("out");
    let done = coursegen()
        .arg("storyboard")
        .arg(&script)
        .args([
            "--auto-approve",
            "--images",
            "openai",
            "--option",
            "storyboard.video.resolution=360p",
            "--data",
        ])
        .arg(dir.path().join("data"))
        .arg("--out")
        .arg(&out)
        .env("COURSEGEN_IMAGES_BASE_URL", &base)
        .env("COURSEGEN_IMAGES_API_KEY", "sk-test-images")
        .env("COURSEGEN_IMAGES_MODEL", "image-model-test")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );

    let board: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("storyboard.json")).unwrap())
            .unwrap();
    let frames: Vec<&Value> = board["videos"][0]["shots"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["frames"].as_array().unwrap())
        .collect();
    let sent = images.prompts.lock().unwrap().clone();
    assert_eq!(
        sent.len(),
        frames.len(),
        "one picture asked per frame, the throttled one again"
    );
    for (body, frame) in sent.iter().zip(&frames) {
        assert_eq!(body["model"], "image-model-test");
        assert_eq!(body["response_format"], "b64_json");
        let prompt = body["prompt"].as_str().unwrap();
        assert!(
            prompt.starts_with(frame["prompt"]["text"].as_str().unwrap()),
            "{prompt}"
        );
    }
    // The frame is the server's orange picture, covering 640×360: a pixel
    // in the upper corner (no caption there) is orange.
    let still = out.join(frames[1]["image"].as_str().unwrap());
    let rgb = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(&still)
        .args([
            "-vf",
            "crop=1:1:8:8",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "rgb24",
            "-",
        ])
        .output()
        .unwrap();
    assert!(rgb.status.success());
    let (r, g, b) = (rgb.stdout[0], rgb.stdout[1], rgb.stdout[2]);
    assert!(
        r > 230 && (100..160).contains(&g) && b < 40,
        "({r}, {g}, {b})"
    );
    let size = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_entries",
            "stream=width,height",
            "-of",
            "csv=p=0",
        ])
        .arg(&still)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&size.stdout).trim(), "640,360");
}
