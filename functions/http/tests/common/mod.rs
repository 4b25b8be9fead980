//! Shared by the API tests: the router on the embedded stack (SQLite,
//! files, the offline engine, the local workflow host, HS256 tokens).
#![allow(dead_code)] // each test file uses its own subset

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::Utc;
use coursegen_core::ai_protocol::job_state::JobState;
use coursegen_core::ai_protocol::signature::{Secret, WebhookAuth, sign};
use coursegen_core::auth::{Principal, Role};
use coursegen_core::pipeline::{AiServer, Steps};
use coursegen_core::ports::{
    AbortOutcome, AiWorker, DeliveryLog, DispatchError, EngineError, Fetched, RemoteFiles,
};
use coursegen_core::service::Service;
use coursegen_core::stage::{RunStatus, Stage};
use coursegen_core::upload::UploadQuota;
use coursegen_engines::ai_server::{AllowedHosts, HttpFiles};
use coursegen_engines::offline::offline_steps;
use coursegen_http::{ApiState, Bearer, GatewayClaims, Webhooks, router};
use coursegen_local::changes::Broadcasting;
use coursegen_local::dev_auth::{JwtSecret, issue};
use coursegen_local::file_links::LocalFileLinks;
use coursegen_local::uploads::LocalUploads;
use coursegen_local::workflow::{InProcess, LocalWorkflow, STEP_TIME_LIMIT, course_machine};
use coursegen_local::{FsArtifactStore, SqliteStore};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

#[path = "../support/gateway.rs"]
mod gateway;
#[allow(unused_imports)] // not every test file signs in through API Gateway
pub use gateway::gateway_request;

pub struct Api {
    pub router: Router,
    /// The same API as on AWS: callers known from API Gateway's claims.
    pub gateway: Router,
    pub secret: JwtSecret,
    pub service: Service,
    /// The studio's one-time sign-in links.
    pub sign_ins: coursegen_http::SignIns,
    _dir: tempfile::TempDir,
}

/// What the test server's AI server webhooks are signed with.
pub const WEBHOOK_SECRET: &str = "the test webhook secret";

pub fn api() -> Api {
    api_with(None)
}

/// The API with event streams cut after `max_stream`.
pub fn api_with(max_stream: Option<std::time::Duration>) -> Api {
    build(Setup {
        max_stream,
        ..Setup::default()
    })
}

/// The API with each user's uploads held to `quota`.
pub fn api_with_quota(quota: UploadQuota) -> Api {
    build(Setup {
        quota,
        ..Setup::default()
    })
}

/// The API sending AI-server work to `worker`, reading the server's files
/// with `files`.
pub fn api_with_ai(worker: Arc<dyn AiWorker>, files: Arc<dyn RemoteFiles>) -> Api {
    build(Setup {
        ai: Some((worker, files)),
        ..Setup::default()
    })
}

/// The API with the steps `engines` makes of the offline ones (an engine
/// swapped for a faulty one), each step failed after `step_limit`.
pub fn api_with_engines(
    engines: impl FnOnce(Steps) -> Steps + 'static,
    step_limit: std::time::Duration,
) -> Api {
    build(Setup {
        engines: Some(Box::new(engines)),
        step_limit: Some(step_limit),
        ..Setup::default()
    })
}

/// What a test API differs in.
#[derive(Default)]
pub struct Setup {
    pub max_stream: Option<std::time::Duration>,
    pub ai: Option<(Arc<dyn AiWorker>, Arc<dyn RemoteFiles>)>,
    pub quota: UploadQuota,
    /// Signed with [`WEBHOOK_SECRET`] unless set.
    pub webhook_auth: Option<WebhookAuth>,
    /// Wraps the delivery log (the job store's) the webhook uses.
    pub deliveries: Option<WrapLog>,
    /// Makes the steps of the offline ones (e.g. with a faulty engine).
    pub engines: Option<Box<dyn FnOnce(Steps) -> Steps>>,
    /// How long a step may run (default: the product's limit).
    pub step_limit: Option<std::time::Duration>,
    /// The studio's sign-in through an identity provider, if any.
    pub hosted_login: Option<coursegen_http::studio::HostedLogin>,
}

/// Wraps a delivery log in another.
pub type WrapLog = fn(Arc<dyn DeliveryLog>) -> Arc<dyn DeliveryLog>;

pub fn build(setup: Setup) -> Api {
    let Setup {
        max_stream,
        ai,
        quota,
        webhook_auth,
        deliveries,
        engines,
        step_limit,
        hosted_login,
    } = setup;
    let engines = engines.unwrap_or_else(|| Box::new(|steps| steps));
    let step_limit = step_limit.unwrap_or(STEP_TIME_LIMIT);
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(&dir.path().join("db.sqlite3")).unwrap());
    let artifacts =
        Arc::new(FsArtifactStore::open(dir.path().join("artifacts"), 64 << 20).unwrap());
    let jobs = Arc::new(Broadcasting::new(store.clone()));
    let secret =
        JwtSecret::from_bytes(b"the test server's secret, 32 bytes or more".to_vec()).unwrap();
    let files: Arc<dyn RemoteFiles> = match &ai {
        Some((_, files)) => files.clone(),
        None => Arc::new(HttpFiles::new(AllowedHosts::parse("127.0.0.1").unwrap())),
    };
    let steps = Arc::new(engines(Steps {
        ai_server: ai.map(|(worker, _)| AiServer {
            worker,
            links: Arc::new(LocalFileLinks {
                base_url: "http://localhost".into(),
                secret: secret.clone(),
            }),
        }),
        ..offline_steps(jobs.clone(), artifacts, store.clone())
    }));
    let workflow = Arc::new(LocalWorkflow::new(
        Arc::new(course_machine().unwrap()),
        Arc::new(InProcess::new(steps.clone()).with_time_limit(step_limit)),
        store.clone(),
    ));
    let service = Service {
        steps,
        workflow,
        quota,
    };
    let sign_ins = coursegen_http::SignIns::default();
    let bearer = ApiState {
        service: service.clone(),
        auth: Arc::new(Bearer(Arc::new(secret.clone()))),
        uploads: Arc::new(LocalUploads {
            base_url: "http://localhost".into(),
            secret: secret.clone(),
        }),
        changes: Some(jobs.changes()),
        stopping: coursegen_http::state::never_stopping(),
        max_stream,
        webhooks: Some(Webhooks {
            auth: webhook_auth
                .unwrap_or_else(|| WebhookAuth::Signed(Secret::new(WEBHOOK_SECRET).unwrap())),
            deliveries: match deliveries {
                Some(wrap) => wrap(store.clone()),
                None => store.clone(),
            },
            files,
        }),
        downloads: None,
        studio: Some(coursegen_http::Studio {
            verifier: Arc::new(secret.clone()),
            sign_ins: sign_ins.clone(),
            secure_cookies: false,
            hosted_login,
        }),
    };
    let gateway = ApiState {
        auth: Arc::new(GatewayClaims),
        ..bearer.clone()
    };
    Api {
        router: router(bearer),
        gateway: router(gateway),
        secret,
        service,
        sign_ins,
        _dir: dir,
    }
}

impl Api {
    /// The job once `done` holds of it (polled every 10 ms, up to 30 s).
    pub async fn until(
        &self,
        id: &str,
        done: impl Fn(&coursegen_core::job::Job) -> bool,
    ) -> coursegen_core::job::Job {
        for _ in 0..3000 {
            let job = self.job(id).await;
            if done(&job) {
                return job;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!("job {id} never got there: {:?}", self.job(id).await);
    }

    /// The job as stored.
    pub async fn job(&self, id: &str) -> coursegen_core::job::Job {
        self.service
            .steps
            .jobs
            .get(id.parse().unwrap())
            .await
            .unwrap()
    }

    /// The data directory: `artifacts/` (with its `~tmp/`) and the database.
    pub fn dir(&self) -> &std::path::Path {
        self._dir.path()
    }

    pub fn token(&self, user: &str, role: Role, courses: &[&str]) -> String {
        let who = Principal {
            user: user.parse().unwrap(),
            role,
            courses: courses.iter().map(|c| c.parse().unwrap()).collect(),
        };
        issue(&self.secret, &who, Utc::now(), chrono::Duration::hours(1))
    }

    /// `GET uri` as `token`'s holder: the status, headers and raw body.
    pub async fn download(
        &self,
        uri: &str,
        token: &str,
    ) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
        let request = bearer_request("GET", uri, Some(token), &[], None);
        let response = self.router.clone().oneshot(request).await.unwrap();
        let (status, headers) = (response.status(), response.headers().clone());
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        (status, headers, bytes.to_vec())
    }

    pub async fn call(
        &self,
        method: &str,
        uri: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<Value>,
    ) -> (StatusCode, axum::http::HeaderMap, Value, String) {
        let request = bearer_request(method, uri, token, headers, body);
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        (status, headers, json, text)
    }
}

/// A request as a client sends it, with a bearer token if given.
pub fn bearer_request(
    method: &str,
    uri: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> Request<Body> {
    let mut request = Request::builder().method(method).uri(uri);
    if let Some(t) = token {
        request = request.header("authorization", format!("Bearer {t}"));
    }
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    match body {
        Some(b) => request
            .header("content-type", "application/json")
            .body(Body::from(b.to_string())),
        None => request.body(Body::empty()),
    }
    .unwrap()
}

pub fn create_body(key: &str) -> Value {
    json!({
        "course": {"course_id": "c1", "version_id": "v1"},
        "source": {"kind": "transcript", "upload_key": key, "format": "srt"},
    })
}

/// Uploads the sample lecture through the API as `token`'s caller and
/// returns its upload key.
pub async fn upload_as(api: &Api, token: &str) -> String {
    let bytes = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/lecture/lecture.srt"),
    )
    .unwrap();
    let (status, _, target, text) = api
        .call(
            "POST",
            "/v1/uploads",
            Some(token),
            &[],
            Some(json!({"kind": "transcript", "format": "srt", "size": bytes.len()})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{text}");
    let path = target["url"]
        .as_str()
        .unwrap()
        .trim_start_matches("http://localhost");
    let request = Request::put(path)
        .header(
            "content-type",
            target["headers"]["Content-Type"].as_str().unwrap(),
        )
        .body(Body::from(bytes))
        .unwrap();
    let response = api.router.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    target["upload_key"].as_str().unwrap().to_owned()
}

/// Creates a job from the sample lecture as an admin; its id.
pub async fn create_job(api: &Api) -> String {
    create_job_with(api, json!({})).await
}

/// Creates a job from the sample lecture with `options`, as an admin.
pub async fn create_job_with(api: &Api, options: Value) -> String {
    let admin = api.token("ada", Role::Admin, &[]);
    let key = upload(api).await;
    let mut body = create_body(&key);
    body["options"] = options;
    let (status, _, job, text) = api
        .call("POST", "/v1/jobs", Some(&admin), &[], Some(body))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{text}");
    job["id"].as_str().unwrap().to_owned()
}

/// Uploads the sample lecture as an admin.
pub async fn upload(api: &Api) -> String {
    let admin = api.token("ada", Role::Admin, &[]);
    upload_as(api, &admin).await
}

/// An AI server that accepts every task and records what it was sent:
/// `(handle, JobState)` per start or rerun, the handles it was told to abort.
#[derive(Debug, Default)]
pub struct Worker {
    pub started: Mutex<Vec<(String, Value)>>,
    pub aborted: Mutex<Vec<String>>,
}

/// Waits until the worker has been sent `n` tasks; the last one.
pub async fn sent(worker: &Worker, n: usize) -> (String, Value) {
    for _ in 0..500 {
        if let Some(last) = worker.started.lock().unwrap().get(n - 1) {
            return last.clone();
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("the AI server was not sent task {n}");
}

#[async_trait::async_trait]
impl AiWorker for Worker {
    async fn start(&self, handle: &str, state: &JobState) -> Result<(), DispatchError> {
        let state = serde_json::to_value(state).unwrap();
        self.started
            .lock()
            .unwrap()
            .push((handle.to_owned(), state));
        Ok(())
    }
    async fn rerun(&self, handle: &str, state: &JobState) -> Result<(), DispatchError> {
        self.start(handle, state).await
    }
    async fn abort(&self, handle: &str) -> Result<AbortOutcome, DispatchError> {
        self.aborted.lock().unwrap().push(handle.to_owned());
        Ok(AbortOutcome::Aborted)
    }
}

/// Answers every URL with the same short transcript, in the chunks format.
#[derive(Debug)]
pub struct Transcript;

#[async_trait::async_trait]
impl RemoteFiles for Transcript {
    async fn fetch(&self, _url: &str, _limit: u64) -> Result<Fetched, EngineError> {
        Ok(Fetched {
            bytes: br#"{"chunks": [{"timestamp": [0.0, 2.0], "text": " Hello there."}, {"timestamp": [2.0, 5.5], "text": " Welcome to the lecture."}]}"#.to_vec(),
            content_type: Some("application/json".into()),
        })
    }
}

/// POSTs `body` to the AI server's webhook with `headers`; the status and
/// the JSON answer.
pub async fn post_webhook(api: &Api, body: &str, headers: &[(&str, &str)]) -> (StatusCode, Value) {
    let mut request = bearer_request("POST", "/v1/webhooks/ai-server", None, headers, None);
    *request.body_mut() = Body::from(body.to_owned());
    request
        .headers_mut()
        .insert("content-type", "application/json".parse().unwrap());
    let response = api.router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// `body` signed with [`WEBHOOK_SECRET`] at `at` (unix seconds), posted to
/// the webhook with `more` headers.
pub async fn post_signed(
    api: &Api,
    body: &str,
    at: i64,
    more: &[(&str, &str)],
) -> (StatusCode, Value) {
    let signature = sign(&Secret::new(WEBHOOK_SECRET).unwrap(), at, body.as_bytes());
    let at = at.to_string();
    let mut headers = vec![
        ("x-coursegen-timestamp", at.as_str()),
        ("x-coursegen-signature", signature.as_str()),
    ];
    headers.extend_from_slice(more);
    post_webhook(api, body, &headers).await
}

/// Waits until job `id`'s segmentation waits on the AI server; the handle
/// the server reports under.
pub async fn ai_segmentation_handle(api: &Api, id: &str) -> String {
    for _ in 0..3000 {
        let job = api.job(id).await;
        let state = job.stage(Stage::Segment);
        if let (Some(handle), Some(RunStatus::Running)) =
            (&state.callback, state.latest_run().map(|r| r.status))
        {
            return handle.to_string();
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("job {id} never waited on the AI server");
}

/// A new job whose segmentation waits on the AI server: its id and handle.
pub async fn awaiting_ai_segmentation(api: &Api) -> (String, String) {
    let options = json!({"engines": {"segment": "ai-server"}, "approvals": "auto"});
    let id = create_job_with(api, options).await;
    let handle = ai_segmentation_handle(api, &id).await;
    (id, handle)
}
