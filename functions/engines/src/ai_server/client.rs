//! Calls to the AI server: health, `approve/start`, `rerun` and `abort`.
//! A 200 means only "accepted"; results come back through the webhook.
//! 5xx answers, timeouts and connection errors are retried with backoff;
//! a 4xx is a refusal that retrying will not fix, reported with the
//! server's own words (`detail`, or the 422 validation list).
//!
//! The protocol has no authentication of these calls; with a secret the
//! client signs each one as webhooks are signed (`X-Coursegen-Timestamp`,
//! `X-Coursegen-Signature` over the method, route and body, see
//! `signature::sign_call`). A server that ignores the headers is unaffected;
//! `coursegen ai-server` refuses calls without them.

use std::time::Duration;

use async_trait::async_trait;
use coursegen_core::ai_protocol::job_state::JobState;
use coursegen_core::ai_protocol::signature::{
    SIGNATURE_HEADER, Secret, TIMESTAMP_HEADER, sign_call,
};
use coursegen_core::ports::{AbortOutcome, AiWorker, DispatchError};
use serde_json::Value;

#[derive(Debug, Clone)]
pub struct AiServerClient {
    base: String,
    client: reqwest::Client,
    attempts: u32,
    backoff: Duration,
    /// Signs each call when set.
    secret: Option<Secret>,
}

/// One call: where it goes, what it sends, and the route it signs.
struct Call {
    method: reqwest::Method,
    url: reqwest::Url,
    /// The route below the base URL, as sent: what the signature covers.
    route: String,
    body: Vec<u8>,
}

/// Timing knobs; the defaults suit a real server.
#[derive(Debug, Clone, Copy)]
pub struct ClientSettings {
    pub timeout: Duration,
    pub attempts: u32,
    /// The first retry waits this long, each later one twice as long.
    pub backoff: Duration,
}

impl Default for ClientSettings {
    fn default() -> Self {
        ClientSettings {
            timeout: Duration::from_secs(30),
            attempts: 4,
            backoff: Duration::from_millis(500),
        }
    }
}

impl AiServerClient {
    pub fn new(base_url: &str, settings: ClientSettings) -> Self {
        let client = reqwest::Client::builder()
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout.min(Duration::from_secs(10)))
            .build()
            .unwrap_or_default();
        AiServerClient {
            base: base_url.to_owned(),
            client,
            attempts: settings.attempts.max(1),
            backoff: settings.backoff,
            secret: None,
        }
    }

    /// The same client, signing its calls with `secret` (the webhook
    /// secret, which the server knows).
    pub fn signed_with(mut self, secret: Option<Secret>) -> Self {
        self.secret = secret;
        self
    }

    /// `GET /`: the server must answer 200 before work is sent to it.
    pub async fn health(&self) -> Result<(), DispatchError> {
        self.send(self.call(reqwest::Method::GET, &[], Vec::new())?)
            .await
            .map(|_| ())
    }

    /// Starts the task after `state.current_task` for `job_id`.
    pub async fn start(&self, job_id: &str, state: &JobState) -> Result<(), DispatchError> {
        let route = ["jobs", job_id, "tasks", "approve", "start"];
        self.send(self.call(reqwest::Method::POST, &route, json(state))?)
            .await
            .map(|_| ())
    }

    /// Runs `state.current_task` again for `job_id`.
    pub async fn rerun(&self, job_id: &str, state: &JobState) -> Result<(), DispatchError> {
        let route = ["jobs", job_id, "tasks", "rerun"];
        self.send(self.call(reqwest::Method::POST, &route, json(state))?)
            .await
            .map(|_| ())
    }

    /// Cancels the running task of `job_id`.
    pub async fn abort(&self, job_id: &str) -> Result<AbortOutcome, DispatchError> {
        let call = self.call(
            reqwest::Method::POST,
            &["jobs", job_id, "abort"],
            Vec::new(),
        )?;
        match self.send(call).await {
            Ok(_) => Ok(AbortOutcome::Aborted),
            Err(DispatchError::Refused { status: 404, .. }) => Ok(AbortOutcome::NothingRunning),
            Err(DispatchError::Refused { status: 400, .. }) => Ok(AbortOutcome::AlreadyFinished),
            Err(e) => Err(e),
        }
    }

    /// A call to the base URL with `segments` appended, each encoded as
    /// one segment (a job id cannot add path levels).
    fn call(
        &self,
        method: reqwest::Method,
        segments: &[&str],
        body: Vec<u8>,
    ) -> Result<Call, DispatchError> {
        let bad = || DispatchError::BadBaseUrl(self.base.clone());
        let mut url = reqwest::Url::parse(&self.base).map_err(|_| bad())?;
        url.path_segments_mut()
            .map_err(|()| bad())?
            .pop_if_empty()
            .extend(segments);
        // The same segments below a bare root: the route the server sees
        // (and the signature covers) whatever prefix the base URL has.
        let mut root = reqwest::Url::parse("http://route/").map_err(|_| bad())?;
        root.path_segments_mut()
            .map_err(|()| bad())?
            .pop_if_empty()
            .extend(segments);
        Ok(Call {
            method,
            url,
            route: root.path().to_owned(),
            body,
        })
    }

    /// The request for one attempt at `call`, signed now if there is a secret.
    fn request(&self, call: &Call) -> reqwest::RequestBuilder {
        let mut request = self
            .client
            .request(call.method.clone(), call.url.clone())
            .body(call.body.clone());
        if !call.body.is_empty() {
            request = request.header(reqwest::header::CONTENT_TYPE, "application/json");
        }
        if let Some(secret) = &self.secret {
            let at = chrono::Utc::now().timestamp();
            let method = call.method.as_str();
            request = request.header(TIMESTAMP_HEADER, at.to_string()).header(
                SIGNATURE_HEADER,
                sign_call(secret, at, method, &call.route, &call.body),
            );
        }
        request
    }

    async fn send(&self, call: Call) -> Result<Value, DispatchError> {
        let mut wait = self.backoff;
        let mut last = String::new();
        for attempt in 1..=self.attempts {
            if attempt > 1 {
                tokio::time::sleep(wait).await;
                wait *= 2;
            }
            let response = match self.request(&call).send().await {
                Ok(r) => r,
                Err(e) => {
                    last = if e.is_timeout() {
                        "timed out".to_owned()
                    } else {
                        format!("cannot reach it: {e}")
                    };
                    continue;
                }
            };
            let status = response.status().as_u16();
            let body: Value = response.json().await.unwrap_or(Value::Null);
            match status {
                200..=299 => return Ok(body),
                400..=499 => {
                    return Err(DispatchError::Refused {
                        status,
                        detail: detail(&body),
                    });
                }
                _ => last = format!("it answered {status}: {}", detail(&body)),
            }
        }
        Err(DispatchError::Unavailable(format!(
            "{last} (after {} attempts)",
            self.attempts
        )))
    }
}

#[async_trait]
impl AiWorker for AiServerClient {
    async fn start(&self, handle: &str, state: &JobState) -> Result<(), DispatchError> {
        AiServerClient::start(self, handle, state).await
    }
    async fn rerun(&self, handle: &str, state: &JobState) -> Result<(), DispatchError> {
        AiServerClient::rerun(self, handle, state).await
    }
    async fn abort(&self, handle: &str) -> Result<AbortOutcome, DispatchError> {
        AiServerClient::abort(self, handle).await
    }
}

fn json(state: &JobState) -> Vec<u8> {
    serde_json::to_vec(state).expect("a JobState always serialises")
}

/// The server's explanation: `detail` as text, or a 422's list of
/// `{loc, msg}` as "loc: msg; …".
fn detail(body: &Value) -> String {
    match body.get("detail") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| {
                let loc = i.get("loc").and_then(Value::as_array).map(|l| {
                    l.iter()
                        .map(|p| p.as_str().map_or_else(|| p.to_string(), str::to_owned))
                        .collect::<Vec<_>>()
                        .join(".")
                });
                let msg = i.get("msg").and_then(Value::as_str).unwrap_or("invalid");
                match loc {
                    Some(loc) => format!("{loc}: {msg}"),
                    None => msg.to_owned(),
                }
            })
            .collect::<Vec<_>>()
            .join("; "),
        Some(other) => other.to_string(),
        None if body.is_null() => "no explanation".to_owned(),
        None => body.to_string(),
    }
}
