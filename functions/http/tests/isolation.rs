//! A step that panics, blocks its thread or runs too long fails its own job
//! only: the other jobs go on and the server keeps answering.

use crate::common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use axum::http::StatusCode;
use common::{Api, api_with_engines, bearer_request, create_job_with};
use coursegen_core::auth::Role;
use coursegen_core::course::Difficulty;
use coursegen_core::material::Material;
use coursegen_core::options::Options;
use coursegen_core::outputs::{Segment, SegmentParams};
use coursegen_core::pipeline::Steps;
use coursegen_core::ports::{EngineError, Segmenter};
use coursegen_local::workflow::STEP_TIME_LIMIT;
use serde_json::{Value, json};
use tower::ServiceExt;

#[derive(Debug, Clone, Copy)]
enum Fault {
    Panic,
    /// Holds its thread, as CPU-bound work does.
    Block(Duration),
}

/// The offline segmenter, faulty for jobs that ask for hard questions.
#[derive(Debug)]
struct Faulty {
    offline: Arc<dyn Segmenter>,
    fault: Fault,
    blocking: Arc<AtomicUsize>,
    finished: Arc<AtomicUsize>,
}

#[async_trait]
impl Segmenter for Faulty {
    async fn segment(
        &self,
        material: &Material,
        params: &SegmentParams,
        options: &Options,
    ) -> Result<Vec<Segment>, EngineError> {
        if options.difficulty == Difficulty::Hard {
            match self.fault {
                Fault::Panic => panic!("injected: the segmenter met what it cannot handle"),
                Fault::Block(time) => {
                    self.blocking.fetch_add(1, Ordering::SeqCst);
                    std::thread::sleep(time);
                    self.finished.fetch_add(1, Ordering::SeqCst);
                }
            }
        }
        self.offline.segment(material, params, options).await
    }
}

struct Faults {
    api: Api,
    blocking: Arc<AtomicUsize>,
    finished: Arc<AtomicUsize>,
}

fn faulty(fault: Fault, step_limit: Duration) -> Faults {
    let blocking = Arc::new(AtomicUsize::new(0));
    let finished = Arc::new(AtomicUsize::new(0));
    let (b, f) = (blocking.clone(), finished.clone());
    let api = api_with_engines(
        move |steps| Steps {
            segmenter: Arc::new(Faulty {
                offline: steps.segmenter.clone(),
                fault,
                blocking: b,
                finished: f,
            }),
            ..steps
        },
        step_limit,
    );
    Faults {
        api,
        blocking,
        finished,
    }
}

async fn job(api: &Api, id: &str) -> Value {
    let admin = api.token("ada", Role::Admin, &[]);
    api.call("GET", &format!("/v1/jobs/{id}"), Some(&admin), &[], None)
        .await
        .2
}

/// Waits until `done` holds for the job (30 s at most); the job then.
async fn until(api: &Api, id: &str, done: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..3000 {
        let job = job(api, id).await;
        if done(&job) {
            return job;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("job {id} never got there: {}", job(api, id).await);
}

fn segment_awaits_review(job: &Value) -> bool {
    job["status"] == "awaiting_approval" && job["stages"][2]["status"] == "awaiting_approval"
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_step_that_panics_fails_its_own_job_and_the_others_go_on() {
    let Faults { api, .. } = faulty(Fault::Panic, STEP_TIME_LIMIT);
    let doomed = create_job_with(&api, json!({"difficulty": "hard"})).await;
    let fine = create_job_with(&api, json!({})).await;

    let failed = until(&api, &doomed, |j| j["status"] == "failed").await;
    let error = failed["error"].as_str().unwrap();
    assert!(
        error.contains("Panic") && error.contains("injected: the segmenter met"),
        "the job says why: {error}"
    );
    assert_eq!(failed["stages"][2]["status"], "failed");
    until(&api, &fine, segment_awaits_review).await;

    let health = api.call("GET", "/healthz", None, &[], None).await;
    assert_eq!((health.0, health.3.as_str()), (StatusCode::OK, "ok"));
    // The other job is reviewed and carries on to its next review.
    let admin = api.token("ada", Role::Admin, &[]);
    let uri = format!("/v1/jobs/{fine}/stages/segment/approve");
    let approved = api.call("POST", &uri, Some(&admin), &[], None).await;
    assert_eq!(approved.0, StatusCode::OK, "{}", approved.3);
    until(&api, &fine, |j| {
        j["stages"][3]["status"] == "awaiting_approval"
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn steps_that_hold_their_threads_leave_the_server_answering() {
    let Faults {
        api,
        blocking,
        finished,
    } = faulty(Fault::Block(Duration::from_millis(1500)), STEP_TIME_LIMIT);
    let jobs = [
        create_job_with(&api, json!({"difficulty": "hard"})).await,
        create_job_with(&api, json!({"difficulty": "hard"})).await,
    ];
    // Both steps hold a thread each: as many as the runtime has workers.
    for _ in 0..3000 {
        if blocking.load(Ordering::SeqCst) == jobs.len() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    assert_eq!(blocking.load(Ordering::SeqCst), jobs.len());
    // A request is served on the workers, as the server serves it.
    let request = bearer_request("GET", "/healthz", None, &[], None);
    let answered = tokio::spawn(api.router.clone().oneshot(request))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(answered.status(), StatusCode::OK);
    assert_eq!(
        finished.load(Ordering::SeqCst),
        0,
        "answered while every step still held its thread"
    );
    for id in &jobs {
        until(&api, id, segment_awaits_review).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_step_past_its_time_limit_fails_its_job() {
    let Faults { api, .. } = faulty(
        Fault::Block(Duration::from_secs(4)),
        Duration::from_millis(500),
    );
    let slow = create_job_with(&api, json!({"difficulty": "hard"})).await;
    let fine = create_job_with(&api, json!({})).await;
    let failed = until(&api, &slow, |j| j["status"] == "failed").await;
    let error = failed["error"].as_str().unwrap();
    assert!(
        error.contains("States.Timeout") && error.contains("time limit (500ms)"),
        "{error}"
    );
    until(&api, &fine, segment_awaits_review).await;
}
