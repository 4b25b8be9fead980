//! The lesson video routes as a client uses them once a course is made:
//! render one lesson again in other options, retry the failed, cancel a
//! render, edit a lesson's narration, download with Range, seed 001's two
//! routes and its poll loop — and each mistake a clear 4xx. A scripted
//! renderer stands behind the port (the real one is tested in the media
//! crate and by the CLI): its "video" names the narration and options.

use crate::common;

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use axum::http::StatusCode;
use common::{Api, api_with_engines, create_job_with};
use coursegen_core::auth::Role;
use coursegen_core::job::{Job, JobStatus};
use coursegen_core::narration::Narration;
use coursegen_core::pipeline::Steps;
use coursegen_core::ports::{MediaError, RenderedVideo, VideoRenderer};
use coursegen_core::videos::{VideoOptions, VideoStatus};
use coursegen_local::workflow::STEP_TIME_LIMIT;
use serde_json::{Value, json};
use tokio::sync::watch;

#[derive(Debug, Default)]
struct Scripted {
    /// Titles refused (once each) as if they could not be spoken.
    refuse: Mutex<HashSet<String>>,
    /// While set, renders run until they are cancelled.
    hold: AtomicBool,
    /// Every render asked for: its title and options.
    calls: Mutex<Vec<(String, VideoOptions)>>,
    cancelled: Mutex<Vec<String>>,
}

#[async_trait]
impl VideoRenderer for Scripted {
    fn voices(&self) -> Vec<String> {
        vec!["alto".into(), "tenor".into()]
    }

    async fn render(
        &self,
        narration: &Narration,
        options: &VideoOptions,
        progress: &(dyn Fn(u8) + Send + Sync),
        mut cancel: watch::Receiver<bool>,
    ) -> Result<RenderedVideo, MediaError> {
        let title = narration.title.clone();
        self.calls
            .lock()
            .unwrap()
            .push((title.clone(), options.clone()));
        progress(30);
        if self.refuse.lock().unwrap().remove(&title) {
            return Err(MediaError::Invalid("injected: nothing to say".into()));
        }
        if self.hold.load(Ordering::SeqCst) {
            while !*cancel.borrow() {
                if cancel.changed().await.is_err() {
                    break;
                }
            }
            self.cancelled.lock().unwrap().push(title);
            return Err(MediaError::Cancelled);
        }
        let frame = options.frame_size();
        let body = format!("{title} {}x{}|", frame.width, frame.height);
        Ok(RenderedVideo {
            mp4: body.repeat(40).into_bytes(),
            vtt: format!("WEBVTT\n\n00:00.000 --> 00:01.000\n{title}\n"),
            srt: format!("1\n00:00:00,000 --> 00:00:01,000\n{title}\n"),
            duration_ms: 1_000,
        })
    }
}

struct Setup {
    api: Api,
    renderer: Arc<Scripted>,
    id: String,
    admin: String,
}

/// A job with videos, made and rendered.
async fn made() -> Setup {
    let renderer = Arc::new(Scripted::default());
    let r = renderer.clone();
    let api = api_with_engines(
        move |steps| Steps {
            renderer: Some(r),
            ..steps
        },
        STEP_TIME_LIMIT,
    );
    let id = create_job_with(&api, json!({"approvals": "auto", "render_videos": true})).await;
    let job = api.until(&id, |j| j.status.is_terminal()).await;
    assert_eq!(job.status, JobStatus::Succeeded, "{:?}", job.error);
    assert!(job.videos.len() >= 2);
    let admin = api.token("ada", Role::Admin, &[]);
    Setup {
        api,
        renderer,
        id,
        admin,
    }
}

fn settled(job: &Job) -> bool {
    job.videos.iter().all(|v| !v.is_pending())
}

impl Setup {
    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let (status, _, json, _) = self
            .api
            .call(method, path, Some(&self.admin), &[], body)
            .await;
        (status, json)
    }

    fn path(&self, rest: &str) -> String {
        format!("/v1/jobs/{}{rest}", self.id)
    }

    /// The second lesson's path in a URL (`m2-l1` or `m1-l2`, as the
    /// course goes).
    async fn second(&self) -> String {
        self.api.job(&self.id).await.videos[1]
            .lesson_path
            .replace('/', "-")
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_lesson_is_rendered_again_in_other_options_and_downloads_in_parts() {
    let s = made().await;
    let (status, view) = s.call("GET", &s.path("/videos"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(view["status"], "completed");
    assert_eq!(view["completed_lessons"], view["total_lessons"]);
    let before = s.api.job(&s.id).await;

    let body = json!({"lessons": ["m1/l1"], "resolution": "1080p", "voice": "Tenor"});
    let (status, view) = s.call("POST", &s.path("/videos"), Some(body)).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{view}");
    assert_eq!(view["lessons"][0]["attempt"], 2);
    let job = s.api.until(&s.id, settled).await;
    let first = &job.videos[0];
    assert_eq!(first.status, VideoStatus::Completed);
    let options = first.options.as_ref().unwrap();
    assert_eq!(options.frame_size().width, 1920);
    assert_eq!(options.voice.as_deref(), Some("Tenor"));
    assert_eq!(
        &job.videos[1..],
        &before.videos[1..],
        "the other lessons are untouched"
    );
    let (title, used) = s.renderer.calls.lock().unwrap().last().cloned().unwrap();
    assert_eq!(
        (title.as_str(), used.frame_size().height),
        (first.title.as_str(), 1080)
    );

    // The video, whole and in parts, and its subtitles.
    let file = s.path("/videos/m1-l1/lesson.mp4");
    let (status, headers, _, whole) = s.api.call("GET", &file, Some(&s.admin), &[], None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "video/mp4");
    assert_eq!(headers["accept-ranges"], "bytes");
    assert!(whole.contains("1920x1080"));
    let size = whole.len();
    let range = [("range", "bytes=0-9")];
    let (status, headers, _, part) = s.api.call("GET", &file, Some(&s.admin), &range, None).await;
    assert_eq!(status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(part, whole[..10]);
    assert_eq!(headers["content-range"], format!("bytes 0-9/{size}"));
    let tail = [("range", "bytes=-5")];
    let (status, _, _, part) = s.api.call("GET", &file, Some(&s.admin), &tail, None).await;
    assert_eq!(
        (status, part.as_str()),
        (StatusCode::PARTIAL_CONTENT, &whole[size - 5..])
    );
    let beyond = format!("bytes={size}-");
    let (status, headers, ..) = s
        .api
        .call("GET", &file, Some(&s.admin), &[("range", &beyond)], None)
        .await;
    assert_eq!(status, StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(headers["content-range"], format!("bytes */{size}"));
    let (status, headers, _, vtt) = s
        .api
        .call(
            "GET",
            &s.path("/videos/m1-l1/lesson.vtt"),
            Some(&s.admin),
            &[],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/vtt")
    );
    assert!(vtt.starts_with("WEBVTT"));
    let (status, _) = s
        .call("GET", &s.path("/videos/m1-l1/lesson.gif"), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mistakes_get_a_clear_4xx_and_change_nothing() {
    let s = made().await;
    let before = s.api.job(&s.id).await;
    let cases = [
        (json!({"lessons": ["m9/l1"]}), "lessons[0]", "m1/l1"),
        (
            json!({"lessons": ["lesson one"]}),
            "lessons[0]",
            "m<module>/l<lesson>",
        ),
        (json!({"voice": "nobody"}), "voice", "alto, tenor"),
        (json!({"speed": 7}), "speed", "0.5"),
    ];
    for (body, field, names) in cases {
        let (status, error) = s.call("POST", &s.path("/videos"), Some(body)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");
        assert_eq!(error["error"]["details"]["field"], field);
        let message = error["error"]["message"].as_str().unwrap();
        assert!(message.contains(names), "{message}");
    }
    let (status, error) = s
        .call(
            "POST",
            &s.path("/videos"),
            Some(json!({"retry_failed": true})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "nothing failed: {error}");
    for (method, rest) in [("POST", "/videos/m1-l1/retry"), ("DELETE", "/videos/m1-l1")] {
        let (status, error) = s.call(method, &s.path(rest), None).await;
        assert_eq!(status, StatusCode::CONFLICT, "{method} {rest}: {error}");
    }
    let (status, _) = s.call("GET", &s.path("/videos/m7-l7"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = s.call("GET", &s.path("/videos/nonsense"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(s.api.job(&s.id).await.videos, before.videos);

    // A student may not ask for videos; a stranger is not told the job exists.
    let student = s.api.token("sam", Role::Student, &["c1/v1"]);
    let (status, ..) = s
        .api
        .call(
            "POST",
            &s.path("/videos"),
            Some(&student),
            &[],
            Some(json!({})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let ta = s.api.token("tim", Role::Ta, &["c1/v1"]);
    let (status, ..) = s
        .api
        .call("GET", &s.path("/videos"), Some(&ta), &[], None)
        .await;
    assert_eq!(status, StatusCode::OK);

    // A job made without videos has no narration to render.
    let plain = create_job_with(&s.api, json!({"approvals": "auto"})).await;
    s.api.until(&plain, |j| j.status.is_terminal()).await;
    let (status, error) = s
        .call("POST", &format!("/v1/jobs/{plain}/videos"), Some(json!({})))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("render_videos")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_lesson_is_retried_alone_and_a_cancelled_render_keeps_nothing() {
    let s = made().await;
    let title = s.api.job(&s.id).await.videos[1].title.clone();
    s.renderer.refuse.lock().unwrap().insert(title);
    let (status, _) = s.call("POST", &s.path("/videos"), Some(json!({}))).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let job = s.api.until(&s.id, settled).await;
    assert_eq!(job.videos[1].status, VideoStatus::Failed);
    assert!(
        job.videos[1]
            .error
            .as_deref()
            .unwrap()
            .contains("nothing to say")
    );
    let attempts: Vec<u32> = job.videos.iter().map(|v| v.attempt).collect();

    let second = s.second().await;
    let retry = s.path(&format!("/videos/{second}/retry"));
    let (status, video) = s.call("POST", &retry, None).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{video}");
    assert_eq!(video["status"], "not_started");
    let job = s.api.until(&s.id, settled).await;
    assert_eq!(job.videos[1].status, VideoStatus::Completed);
    for (i, video) in job.videos.iter().enumerate() {
        let again = u32::from(i == 1);
        assert_eq!(
            video.attempt,
            attempts[i] + again,
            "only the failed one again"
        );
    }

    // A render held running, then cancelled.
    s.renderer.hold.store(true, Ordering::SeqCst);
    let body = json!({"lessons": ["m1/l1"]});
    let (status, _) = s.call("POST", &s.path("/videos"), Some(body)).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    s.api
        .until(&s.id, |j| j.videos[0].status == VideoStatus::Generating)
        .await;
    let (status, video) = s.call("DELETE", &s.path("/videos/m1-l1"), None).await;
    assert_eq!(status, StatusCode::OK, "{video}");
    assert_eq!(
        (video["status"].as_str(), video["error"].as_str()),
        (Some("failed"), Some("cancelled"))
    );
    for _ in 0..500 {
        if !s.renderer.cancelled.lock().unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(
        s.renderer.cancelled.lock().unwrap().len(),
        1,
        "the render stopped"
    );
    let job = s.api.job(&s.id).await;
    let attempt = job.videos[0].attempt;
    let prefix = format!("jobs/{}/videos/m1-l1/", s.id).parse().unwrap();
    let kept = s.api.service.steps.artifacts.list(&prefix).await.unwrap();
    assert!(
        kept.iter()
            .all(|e| !e.key.as_str().contains(&format!("lesson-{attempt}."))),
        "{kept:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edited_narration_renders_its_lesson_again() {
    let s = made().await;
    let second = s.second().await;
    let url = s.path(&format!("/videos/{second}/narration"));
    let (status, mut narration) = s.call("GET", &url, None).await;
    assert_eq!(status, StatusCode::OK);
    narration["title"] = json!("Edited by hand");
    let (status, ..) = s
        .api
        .call("PUT", &url, Some(&s.admin), &[], Some(narration.clone()))
        .await;
    assert_eq!(status, StatusCode::PRECONDITION_REQUIRED);
    let (status, ..) = s
        .api
        .call(
            "PUT",
            &url,
            Some(&s.admin),
            &[("if-match", "\"1\"")],
            Some(narration.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED);
    let mut empty = narration.clone();
    empty["beats"] = json!([]);
    let version = format!("\"{}\"", s.api.job(&s.id).await.version);
    let tag = [("if-match", version.as_str())];
    let (status, ..) = s
        .api
        .call("PUT", &url, Some(&s.admin), &tag, Some(empty))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _, video, text) = s
        .api
        .call("PUT", &url, Some(&s.admin), &tag, Some(narration))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{text}");
    assert_eq!(video["title"], "Edited by hand");
    let job = s.api.until(&s.id, settled).await;
    assert_eq!(job.videos[1].status, VideoStatus::Completed);
    let (title, _) = s.renderer.calls.lock().unwrap().last().cloned().unwrap();
    assert_eq!(title, "Edited by hand");
    // Rendered again later (other options), it keeps the edit.
    let body = json!({"lessons": [second], "aspect": "9:16"});
    s.call("POST", &s.path("/videos"), Some(body)).await;
    s.api.until(&s.id, settled).await;
    let (title, options) = s.renderer.calls.lock().unwrap().last().cloned().unwrap();
    assert_eq!(
        (title.as_str(), options.frame_size().width),
        ("Edited by hand", 720)
    );
    let (_, read) = s.call("GET", &url, None).await;
    assert_eq!(read["title"], "Edited by hand");
}

/// Seed 001's "Usage Example": ask for a lesson's video, then poll the
/// status route until it is completed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_seed_routes_render_a_lesson_and_the_poll_loop_sees_it_complete() {
    let s = made().await;
    let second = s.second().await;
    let body =
        json!({"jobId": s.id, "lessonPath": "intro/lesson_2", "outputFileName": "final_video.mp4"});
    let (status, accepted) = s
        .call("POST", "/video-transform/generate-video", Some(body))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{accepted}");
    assert_eq!(accepted["success"], true);
    assert_eq!(accepted["jobId"], s.id.as_str());
    assert_eq!(accepted["currentLesson"], second.replace('-', "/"));
    let output = accepted["outputPath"].as_str().unwrap().to_owned();
    assert!(
        output.ends_with(&format!("/videos/{second}/final_video.mp4")),
        "{output}"
    );
    let status_url = format!("/video-transform/{}/video-generation-status", s.id);
    let mut seen = Vec::new();
    let last = loop {
        let (status, body) = s.call("GET", &status_url, None).await;
        assert_eq!(status, StatusCode::OK);
        seen.push(body["completedLessons"].as_u64().unwrap());
        match body["videoGenerationStatus"].as_str().unwrap() {
            "completed" => break body,
            "failed" => panic!("video generation failed: {body}"),
            other => assert!(["generating", "not_started"].contains(&other)),
        }
        assert!(seen.len() < 3000, "never completed");
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    assert_eq!(last["videoJobId"], s.id.as_str());
    assert_eq!(last["completedLessons"], last["totalLessons"]);
    assert!(seen.windows(2).all(|w| w[0] <= w[1]), "{seen:?}");
    let (status, headers, ..) = s.api.call("GET", &output, Some(&s.admin), &[], None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("final_video.mp4")
    );

    for (body, field) in [
        (
            json!({"jobId": s.id, "lessonPath": "m1/l1", "outputFileName": "../x.mp4"}),
            "outputFileName",
        ),
        (json!({"jobId": s.id, "lessonPath": "what"}), "lessonPath"),
        (
            json!({"jobId": s.id, "lessonPath": "lesson_99"}),
            "lessonPath",
        ),
        (json!({"jobId": s.id, "lessonPath": "m9/l9"}), "lessonPath"),
    ] {
        let (status, error) = s
            .call("POST", "/video-transform/generate-video", Some(body))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");
        assert_eq!(error["error"]["details"]["field"], field);
    }
    let stranger = json!({"jobId": "01HZZZZZZZZZZZZZZZZZZZZZZZ", "lessonPath": "m1/l1"});
    let (status, _) = s
        .call("POST", "/video-transform/generate-video", Some(stranger))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// The file `name` of the zip `bytes`.
fn unzipped(bytes: &[u8], name: &str) -> Vec<u8> {
    use std::io::Read as _;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut file = archive
        .by_name(name)
        .unwrap_or_else(|_| panic!("{name} is not in the package"));
    let mut out = Vec::new();
    file.read_to_end(&mut out).unwrap();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lms_packages_carry_each_lessons_rendered_video_and_subtitles() {
    let s = made().await;
    let (_, _, mp4) = s
        .api
        .download(&s.path("/videos/m1-l1/lesson.mp4"), &s.admin)
        .await;
    let (_, _, vtt) = s
        .api
        .download(&s.path("/videos/m1-l1/lesson.vtt"), &s.admin)
        .await;
    for (format, page) in [
        ("scorm12", "m1-l1/index.html"),
        ("scorm2004", "m1-l1/index.html"),
        ("cc13", "m1-l1/index.html"),
    ] {
        let (status, headers, zip) = s
            .api
            .download(&s.path(&format!("/exports/{format}")), &s.admin)
            .await;
        assert_eq!(status, StatusCode::OK, "{format}");
        assert_eq!(headers["content-type"], "application/zip");
        assert_eq!(unzipped(&zip, "media/m1-l1.mp4"), mp4, "{format}");
        assert_eq!(unzipped(&zip, "media/m1-l1.vtt"), vtt, "{format}");
        let manifest = String::from_utf8(unzipped(&zip, "imsmanifest.xml")).unwrap();
        assert!(
            manifest.contains("<file href=\"media/m1-l1.mp4\"/>"),
            "{manifest}"
        );
        assert!(
            manifest.contains(&format!("coursegen-{}", s.id)),
            "{manifest}"
        );
        let html = String::from_utf8(unzipped(&zip, page)).unwrap();
        assert!(html.contains("src=\"../media/m1-l1.mp4\""), "{html}");
        assert!(html.contains("<track kind=\"subtitles\" src=\"../media/m1-l1.vtt\""));
    }
}
