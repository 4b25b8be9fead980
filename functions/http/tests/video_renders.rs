//! The workflow's lesson renders with a scripted renderer behind the port:
//! a transient failure is retried, a lesson that cannot be rendered fails
//! alone with its reason while the others complete and the job succeeds
//! (so does a lesson an engine left empty), and a render in progress stops
//! when its lesson is cancelled.

use crate::common;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use axum::http::StatusCode;
use common::{Api, api_with_engines, create_body, create_job_with, upload};
use coursegen_core::auth::Role;
use coursegen_core::course::Lesson;
use coursegen_core::ids::JobId;
use coursegen_core::job::{Job, JobStatus};
use coursegen_core::lifecycle::Command;
use coursegen_core::narration::Narration;
use coursegen_core::pipeline::Steps;
use coursegen_core::ports::{
    EngineError, LessonRequest, LessonWriter, MediaError, RenderedVideo, VideoRenderer,
};
use coursegen_core::videos::{LessonRef, VideoChange, VideoOptions, VideoStatus};
use coursegen_local::workflow::STEP_TIME_LIMIT;
use serde_json::json;
use tokio::sync::watch;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Script {
    /// The first render of all is refused; every other lesson's first
    /// attempt is unavailable, its second succeeds.
    FailOneRetryOthers,
    /// Every render runs until it is cancelled.
    UntilCancelled,
    /// Every render succeeds.
    Renders,
}

#[derive(Debug)]
struct Scripted {
    script: Script,
    /// Renders asked for, by lesson title, in order.
    calls: Mutex<Vec<String>>,
    cancelled: Mutex<Vec<String>>,
}

#[async_trait]
impl VideoRenderer for Scripted {
    fn voices(&self) -> Vec<String> {
        vec!["test".into()]
    }

    async fn render(
        &self,
        narration: &Narration,
        _options: &VideoOptions,
        progress: &(dyn Fn(u8) + Send + Sync),
        mut cancel: watch::Receiver<bool>,
    ) -> Result<RenderedVideo, MediaError> {
        let title = narration.title.clone();
        let (first_of_all, tries) = {
            let mut calls = self.calls.lock().unwrap();
            calls.push(title.clone());
            (
                calls.len() == 1,
                calls.iter().filter(|t| **t == title).count(),
            )
        };
        progress(10);
        match self.script {
            Script::FailOneRetryOthers if first_of_all => Err(MediaError::Invalid(
                "injected: this lesson cannot be rendered".into(),
            )),
            Script::FailOneRetryOthers if tries == 1 => Err(MediaError::Unavailable(
                "injected: the voice is busy".into(),
            )),
            Script::FailOneRetryOthers | Script::Renders => Ok(RenderedVideo {
                mp4: b"not really a video".to_vec(),
                vtt: "WEBVTT\n".into(),
                srt: String::new(),
                duration_ms: 1_000,
            }),
            Script::UntilCancelled => {
                while !*cancel.borrow() {
                    if cancel.changed().await.is_err() {
                        break;
                    }
                }
                self.cancelled.lock().unwrap().push(title);
                Err(MediaError::Cancelled)
            }
        }
    }
}

fn api(script: Script) -> (Api, Arc<Scripted>) {
    api_where(script, |steps| steps)
}

/// The API over the offline engines changed by `change`, rendering as
/// `script` says.
fn api_where(
    script: Script,
    change: impl FnOnce(Steps) -> Steps + Send + 'static,
) -> (Api, Arc<Scripted>) {
    let renderer = Arc::new(Scripted {
        script,
        calls: Mutex::default(),
        cancelled: Mutex::default(),
    });
    let r = renderer.clone();
    let api = api_with_engines(
        move |steps| {
            change(Steps {
                renderer: Some(r),
                ..steps
            })
        },
        STEP_TIME_LIMIT,
    );
    (api, renderer)
}

/// The offline lesson writer, except that it leaves the course's second
/// lesson empty, as a careless engine or AI server might.
#[derive(Debug)]
struct LeavesOneEmpty(Arc<dyn LessonWriter>);

#[async_trait]
impl LessonWriter for LeavesOneEmpty {
    async fn lesson(&self, request: LessonRequest<'_>) -> Result<Lesson, EngineError> {
        let before: usize = request.outline.modules[..request.module]
            .iter()
            .map(|m| m.lessons.len())
            .sum();
        let second = before + request.lesson == 1;
        let mut lesson = self.0.lesson(request).await?;
        if second {
            lesson.objectives = vec![" ".into()];
            lesson.content_md.clear();
            lesson.key_concepts.clear();
        }
        Ok(lesson)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lesson_with_no_content_fails_saying_so_and_the_others_complete() {
    let (api, renderer) = api_where(Script::Renders, |steps| Steps {
        lesson_writer: Arc::new(LeavesOneEmpty(steps.lesson_writer.clone())),
        ..steps
    });
    let id = create_job_with(&api, json!({"approvals": "auto", "render_videos": true})).await;
    let job = api.until(&id, |j| j.status.is_terminal()).await;
    assert_eq!(job.status, JobStatus::Succeeded, "{:?}", job.error);
    assert!(job.videos.len() >= 3, "{:?}", job.videos);
    let calls = renderer.calls.lock().unwrap().clone();
    let mut lessons: Vec<LessonRef> = job.videos.iter().map(|v| v.at()).collect();
    lessons.sort_by_key(|at| (at.module, at.lesson));
    let empty = lessons[1];
    for video in &job.videos {
        if video.at() == empty {
            assert_eq!(video.status, VideoStatus::Failed);
            let error = video.error.as_deref().unwrap();
            assert!(error.contains("no content to narrate"), "{error}");
            assert!(!calls.contains(&video.title), "nothing was rendered");
        } else {
            assert_eq!(video.status, VideoStatus::Completed, "{video:?}");
        }
    }
    // Asked again, it fails again for the same reason.
    let admin = api.token("ada", Role::Admin, &[]);
    let uri = format!(
        "/v1/jobs/{id}/videos/m{}-l{}/retry",
        empty.module + 1,
        empty.lesson + 1
    );
    let (status, _, _, text) = api.call("POST", &uri, Some(&admin), &[], None).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{text}");
    let again = |j: &Job| {
        j.video(empty)
            .is_some_and(|v| v.attempt == 2 && !v.is_pending())
    };
    let video = api.until(&id, again).await.video(empty).cloned().unwrap();
    assert_eq!(video.status, VideoStatus::Failed);
    let error = video.error.as_deref().unwrap();
    assert!(error.contains("no content to narrate"), "{error}");
    assert_eq!(renderer.calls.lock().unwrap().len(), calls.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_voice_is_refused_naming_the_voices() {
    let (api, _) = api(Script::FailOneRetryOthers);
    let admin = api.token("ada", Role::Admin, &[]);
    let mut body = create_body(&upload(&api).await);
    body["options"] = json!({"render_videos": true, "videos": {"voice": "nobody"}});
    let (status, _, error, text) = api
        .call("POST", "/v1/jobs", Some(&admin), &[], Some(body.clone()))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");
    assert_eq!(error["error"]["details"]["field"], "options.videos.voice");
    let message = error["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("\"nobody\"") && message.ends_with("test"),
        "{message}"
    );
    body["options"]["videos"]["voice"] = json!("TEST");
    let (status, ..) = api
        .call("POST", "/v1/jobs", Some(&admin), &[], Some(body))
        .await;
    assert_eq!(status, StatusCode::CREATED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_lesson_fails_alone_and_a_transient_failure_is_retried() {
    let (api, renderer) = api(Script::FailOneRetryOthers);
    let id = create_job_with(&api, json!({"approvals": "auto", "render_videos": true})).await;
    let job = api.until(&id, |j| j.status.is_terminal()).await;
    assert_eq!(job.status, JobStatus::Succeeded, "{:?}", job.error);
    assert!(job.videos.len() >= 2);
    let calls = renderer.calls.lock().unwrap().clone();
    let refused = &calls[0];
    let mut tries: BTreeMap<&str, usize> = BTreeMap::new();
    for title in &calls {
        *tries.entry(title).or_default() += 1;
    }
    for video in &job.videos {
        if &video.title == refused {
            assert_eq!(video.status, VideoStatus::Failed);
            let error = video.error.as_deref().unwrap();
            assert!(
                error.contains("injected: this lesson cannot be rendered"),
                "{error}"
            );
            assert_eq!(tries[video.title.as_str()], 1, "a refusal is not retried");
        } else {
            assert_eq!(video.status, VideoStatus::Completed, "{video:?}");
            assert_eq!((video.attempt, video.progress), (1, 100));
            assert_eq!(
                tries[video.title.as_str()],
                2,
                "retried once after the busy voice"
            );
            let key = video.output_key.clone().unwrap();
            let stored = api.service.steps.artifacts.get(&key).await.unwrap();
            assert_eq!(stored.bytes, b"not really a video");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_lesson_stops_rendering_and_keeps_no_video() {
    let (api, renderer) = api(Script::UntilCancelled);
    let id = create_job_with(
        &api,
        json!({"approvals": "auto", "render_videos": true, "videos": {"concurrency": 1}}),
    )
    .await;
    let job_id: JobId = id.parse().unwrap();
    loop {
        let job = api
            .until(&id, |j| {
                j.status.is_terminal()
                    || j.videos.iter().any(|v| v.status == VideoStatus::Generating)
            })
            .await;
        if job.status.is_terminal() {
            assert_eq!(job.status, JobStatus::Succeeded, "{:?}", job.error);
            break;
        }
        let video = job
            .videos
            .iter()
            .find(|v| v.status == VideoStatus::Generating)
            .unwrap()
            .clone();
        let cancel = Command::Video {
            module: video.module,
            lesson: video.lesson,
            attempt: video.attempt,
            change: VideoChange::Failed {
                error: "cancelled by ada".into(),
            },
        };
        api.service
            .steps
            .update(job_id, |_| Ok(vec![cancel.clone()]))
            .await
            .unwrap();
    }
    let job = api.job(&id).await;
    let cancelled = renderer.cancelled.lock().unwrap().clone();
    assert_eq!(cancelled.len(), job.videos.len(), "every render stopped");
    for video in &job.videos {
        assert_eq!(video.status, VideoStatus::Failed);
        assert_eq!(video.error.as_deref(), Some("cancelled by ada"));
        assert!(video.output_key.is_none());
    }
    let prefix = format!("jobs/{id}/videos/m1-l1/").parse().unwrap();
    assert!(
        api.service
            .steps
            .artifacts
            .list(&prefix)
            .await
            .unwrap()
            .is_empty()
    );
}
