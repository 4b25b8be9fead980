//! What the adapters of HTTP media providers share: requests (a JSON
//! `POST`, a `GET`, a `DELETE`) to a server that may want a bearer key and
//! headers of its own, retried with backoff (doubling, jittered, a server's
//! Retry-After honoured, all capped) while the failure is transient, and the
//! server's own words when it refuses.

use std::collections::hash_map::RandomState;
use std::future::Future;
use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

use coursegen_core::ports::MediaError;
use reqwest::{Method, StatusCode};

/// A provider's endpoint and how to talk to it. Its Debug output never
/// shows the key.
#[derive(Clone)]
pub(crate) struct Server {
    http: reqwest::Client,
    /// The server's base URL, without a trailing slash.
    base: String,
    pub(crate) endpoint: String,
    api_key: Option<String>,
    /// Headers every request to the server carries besides the key (an
    /// API version, say).
    headers: Vec<(&'static str, String)>,
    /// The server as messages name it: "the speech server".
    who: &'static str,
    pub(crate) retry: Backoff,
    pub(crate) timeout: Duration,
}

// By hand: the API key must never reach a log line.
impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("endpoint", &self.endpoint)
            .field("api_key", &self.redacted_key())
            .field("headers", &self.headers)
            .field("attempts", &self.retry.attempts)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// The builder methods of an adapter holding a `server: Server`: how many
/// attempts, the backoff between them, and the timeout of each. `$unit`
/// names what one attempt is for ("sentence", "picture").
macro_rules! retry_builders {
    ($unit:literal) => {
        #[doc = concat!("At most `attempts` requests per ", $unit, " (at least 1).")]
        pub fn with_attempts(mut self, attempts: u32) -> Self {
            self.server.retry = self.server.retry.with_attempts(attempts);
            self
        }

        /// The first retry's delay; each next one doubles, up to `max`
        /// (which also caps a server's Retry-After).
        pub fn with_backoff(mut self, base: std::time::Duration, max: std::time::Duration) -> Self {
            self.server.retry = self.server.retry.with_delays(base, max);
            self
        }

        /// How long one request may take before it counts as failed.
        pub fn with_timeout(mut self, timeout: std::time::Duration) -> Self {
            self.server.timeout = timeout;
            self
        }
    };
}
pub(crate) use retry_builders;

/// What a request is, for what may be sent with it and tried again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A call that may be repeated (a read, a cancel, a picture or speech
    /// that is only paid for again).
    Call,
    /// A call that starts work the server keeps (a provider's task).
    Submit,
    /// A file elsewhere: no key, no headers.
    Download,
}

/// An answer that is not worth another try: a success, or a refusal.
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) body: Vec<u8>,
}

/// Why one attempt failed, and whether another is worth it.
pub(crate) enum Failure {
    /// Transient; `after` is how long the server asked us to wait, if it said.
    Retry {
        error: MediaError,
        after: Option<Duration>,
    },
    Final(MediaError),
}

impl Server {
    /// `path` (e.g. `audio/speech`) of the server at `base_url`; 4 attempts
    /// from a 500 ms backoff capped at 30 s, and `timeout` per request.
    pub(crate) fn new(
        base_url: String,
        path: &str,
        api_key: Option<String>,
        who: &'static str,
        timeout: Duration,
    ) -> Result<Self, MediaError> {
        if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
            return Err(MediaError::Invalid(format!(
                "{who}'s URL must start with http:// or https://, not {base_url:?}"
            )));
        }
        let http = reqwest::Client::builder()
            .build()
            .map_err(|e| MediaError::Failed(format!("cannot make an HTTP client: {e}")))?;
        let base = base_url.trim_end_matches('/').to_owned();
        Ok(Server {
            http,
            endpoint: format!("{base}/{path}"),
            base,
            api_key,
            headers: Vec::new(),
            who,
            retry: Backoff {
                attempts: 4,
                base: Duration::from_millis(500),
                max: Duration::from_secs(30),
            },
            timeout,
        })
    }

    /// With `name: value` sent on every request to the server (never on a
    /// [`Server::download`]).
    pub(crate) fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// `path` (e.g. `tasks/abc`) of the server.
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}/{path}", self.base)
    }

    pub(crate) fn has_key(&self) -> bool {
        self.api_key.is_some()
    }

    /// The key as Debug output may show it.
    pub(crate) fn redacted_key(&self) -> Option<&'static str> {
        self.api_key.as_ref().map(|_| "<redacted>")
    }

    /// `text` (a server's message, say) with the key, should the server
    /// have echoed it, blotted out.
    pub(crate) fn scrub(&self, text: &str) -> String {
        match &self.api_key {
            Some(key) if !key.is_empty() => text.replace(key.as_str(), "<redacted>"),
            _ => text.to_owned(),
        }
    }

    /// One `POST` of `body` to the endpoint: the answer when it is a
    /// success or a refusal; a [`Failure::Retry`] when the server is
    /// unreachable, too slow, cut off, rate-limiting (429) or failing (5xx).
    pub(crate) async fn post(&self, body: &serde_json::Value) -> Result<Answer, Failure> {
        self.send(
            Method::POST,
            &self.endpoint,
            Some(body),
            self.who,
            Kind::Call,
        )
        .await
    }

    /// A `POST` that starts work on the server (a provider's task): as
    /// [`Server::post`], except that a request that may have reached the
    /// server and got no answer (a timeout, a dropped connection) is not
    /// tried again — the work may have started, and a second would start
    /// it twice. Only a request that never connected, a 429 or a 5xx is.
    pub(crate) async fn submit(&self, body: &serde_json::Value) -> Result<Answer, Failure> {
        self.send(
            Method::POST,
            &self.endpoint,
            Some(body),
            self.who,
            Kind::Submit,
        )
        .await
    }

    /// One `GET` of `path` of the server, answered as [`Server::post`] is.
    pub(crate) async fn get(&self, path: &str) -> Result<Answer, Failure> {
        self.send(Method::GET, &self.url(path), None, self.who, Kind::Call)
            .await
    }

    /// One `DELETE` of `path` of the server, answered as [`Server::post`] is.
    pub(crate) async fn delete(&self, path: &str) -> Result<Answer, Failure> {
        self.send(Method::DELETE, &self.url(path), None, self.who, Kind::Call)
            .await
    }

    /// One `GET` of `url`, a file elsewhere (a provider's signed CDN link,
    /// say), named `who` in messages: sent with neither the key nor the
    /// server's headers, whatever its host.
    pub(crate) async fn download(&self, url: &str, who: &'static str) -> Result<Answer, Failure> {
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(Failure::Final(MediaError::Invalid(format!(
                "{who} must be fetched over http:// or https://"
            ))));
        }
        self.send(Method::GET, url, None, who, Kind::Download).await
    }

    /// Every request: `method` on `url` with `body` as JSON when there is
    /// one; with the key and the server's headers unless it is a download.
    async fn send(
        &self,
        method: Method,
        url: &str,
        body: Option<&serde_json::Value>,
        who: &'static str,
        kind: Kind,
    ) -> Result<Answer, Failure> {
        let own = kind != Kind::Download;
        let mut request = self.http.request(method, url).timeout(self.timeout);
        if let Some(body) = body {
            request = request.json(body);
        }
        if own {
            for (name, value) in &self.headers {
                request = request.header(*name, value);
            }
            if let Some(key) = &self.api_key {
                request = request.bearer_auth(key);
            }
        }
        let transient = |e: reqwest::Error, what: &str| {
            let reached = !e.is_connect();
            let error = MediaError::Unavailable(if e.is_timeout() {
                format!("{who} did not answer within {:?}", self.timeout)
            } else {
                // A download's URL is left out: a signed link's query is a
                // credential.
                let e = if own { e } else { e.without_url() };
                self.scrub(&format!("{who}{what}: {e}"))
            });
            if kind == Kind::Submit && reached {
                Failure::Final(MediaError::Unavailable(format!(
                    "{error}; it may have started the work all the same, so it is not sent again"
                )))
            } else {
                Failure::Retry { error, after: None }
            }
        };
        let response = request
            .send()
            .await
            .map_err(|e| transient(e, " is unreachable"))?;
        let status = response.status();
        let after = retry_after(response.headers());
        let body = match response.bytes().await {
            Ok(bytes) => bytes.to_vec(),
            Err(e) if status.is_success() => return Err(transient(e, "'s answer was cut off")),
            // A refusal's words are a courtesy: without them it is still one.
            Err(_) => Vec::new(),
        };
        if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
            let message = self.message(&body);
            return Err(Failure::Retry {
                error: MediaError::Unavailable(format!("{who} answered {status}: {message}")),
                after,
            });
        }
        Ok(Answer { status, body })
    }

    /// Why the server said no (a 4xx other than 429), in words that say
    /// what to change: a missing or unaccepted key named as such.
    pub(crate) fn refusal(&self, answer: &Answer) -> MediaError {
        let (who, status) = (self.who, answer.status);
        let message = self.message(&answer.body);
        MediaError::Invalid(if status == StatusCode::UNAUTHORIZED && !self.has_key() {
            format!("{who} wants an API key and none was given ({status}): {message}")
        } else if status == StatusCode::UNAUTHORIZED {
            format!("{who} did not accept the API key ({status}): {message}")
        } else if status == StatusCode::FORBIDDEN {
            format!(
                "the API key may not use this model or endpoint of {who} \
                 ({status}): {message}"
            )
        } else {
            format!("{who} answered {status}: {message}")
        })
    }

    /// The server's own words in `body` (see [`server_message`]), without
    /// the key.
    pub(crate) fn message(&self, body: &[u8]) -> String {
        self.scrub(&server_message(&String::from_utf8_lossy(body)))
    }

    /// `attempt` until it succeeds, fails for good, or has been tried
    /// `retry.attempts` times, waiting between tries; then the last error.
    pub(crate) async fn retrying<T, F, Fut>(&self, mut attempt: F) -> Result<T, MediaError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, Failure>>,
    {
        let mut tries = 0;
        loop {
            tries += 1;
            match attempt().await {
                Ok(done) => return Ok(done),
                Err(Failure::Final(e)) => return Err(e),
                Err(Failure::Retry { error, .. }) if tries >= self.retry.attempts => {
                    return Err(error);
                }
                Err(Failure::Retry { error, after }) => {
                    let wait = self.retry.wait(tries, after);
                    tracing::warn!(
                        attempt = tries,
                        wait_ms = wait.as_millis() as u64,
                        error = %error,
                        "{} retried",
                        self.who
                    );
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }
}

/// How often and how patiently to retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Backoff {
    /// Requests in all, at least 1.
    pub(crate) attempts: u32,
    /// The first retry's delay; each next one doubles.
    pub(crate) base: Duration,
    /// The cap of every wait, a server's Retry-After included.
    pub(crate) max: Duration,
}

impl Backoff {
    pub(crate) fn with_attempts(self, attempts: u32) -> Self {
        Backoff {
            attempts: attempts.max(1),
            ..self
        }
    }

    pub(crate) fn with_delays(self, base: Duration, max: Duration) -> Self {
        Backoff {
            base,
            max: max.max(base),
            ..self
        }
    }

    /// Waits before retry `n` (1-based): doubling, with half of it random so
    /// many requests that failed together do not retry together.
    pub(crate) fn delay(&self, n: u32) -> Duration {
        let full = self
            .base
            .saturating_mul(1 << n.saturating_sub(1).min(16))
            .min(self.max);
        let random = RandomState::new().build_hasher().finish();
        let half = full / 2;
        half + half.mul_f64((random % 1_000) as f64 / 1_000.0)
    }

    /// The wait before retry `n`: what the server asked for, capped, else
    /// the backoff.
    pub(crate) fn wait(&self, n: u32, asked: Option<Duration>) -> Duration {
        asked
            .map(|a| a.min(self.max))
            .unwrap_or_else(|| self.delay(n))
    }
}

/// A Retry-After of whole seconds (the form rate limiters send).
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    headers
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
}

/// The server's own words: OpenAI's `{"error": {"message"}}`, a
/// `{"message"}`, Runway's `{"error": "…"}` or Luma's `{"detail": "…"}`, else
/// the body (shortened: an HTML error page is not a message).
pub(crate) fn server_message(body: &str) -> String {
    let parsed: Option<serde_json::Value> = serde_json::from_str(body).ok();
    if let Some(m) = parsed.as_ref().and_then(|v| {
        ["/error/message", "/message", "/error", "/detail"]
            .iter()
            .find_map(|p| v.pointer(p).and_then(|m| m.as_str()))
    }) {
        return m.to_owned();
    }
    let body = body.trim();
    if body.is_empty() {
        return "no message".into();
    }
    let mut short: String = body.chars().take(300).collect();
    if short.len() < body.len() {
        short.push('…');
    }
    short
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_backoff_and_urls() {
        assert_eq!(
            server_message(r#"{"error":{"message":"Input is too long","type":"invalid"}}"#),
            "Input is too long"
        );
        assert_eq!(
            server_message(r#"{"error":"Invalid API Version"}"#),
            "Invalid API Version"
        );
        assert_eq!(
            server_message(r#"{"detail":"Insufficient credits"}"#),
            "Insufficient credits"
        );
        assert_eq!(
            server_message(r#"{"error":{"code":1}}"#),
            r#"{"error":{"code":1}}"#
        );
        assert_eq!(server_message("  "), "no message");
        assert!(server_message(&"x".repeat(1_000)).ends_with('…'));

        let backoff = Backoff {
            attempts: 0,
            base: Duration::ZERO,
            max: Duration::ZERO,
        }
        .with_attempts(0)
        .with_delays(Duration::from_millis(100), Duration::from_millis(350));
        assert_eq!(backoff.attempts, 1);
        for (n, full) in [(1, 100), (2, 200), (3, 350), (30, 350)] {
            let d = backoff.delay(n).as_millis();
            assert!(d >= full / 2 && d <= full, "retry {n}: {d} ms");
        }
        assert_eq!(
            backoff.wait(1, Some(Duration::from_secs(60))),
            Duration::from_millis(350),
            "Retry-After is capped"
        );
        assert_eq!(
            backoff.wait(1, Some(Duration::from_millis(20))),
            Duration::from_millis(20)
        );

        let key = "sk-secret-key";
        let server = Server::new(
            "http://127.0.0.1:1/v1/".into(),
            "x/y",
            Some(key.into()),
            "the test server",
            Duration::from_secs(1),
        )
        .unwrap();
        assert_eq!(server.endpoint, "http://127.0.0.1:1/v1/x/y");
        assert_eq!(server.url("tasks/7"), "http://127.0.0.1:1/v1/tasks/7");
        assert_eq!(
            server.scrub(&format!("bad key {key}")),
            "bad key <redacted>"
        );
        assert!(!format!("{server:?}").contains(key));
        let e = Server::new(
            "api.openai.com".into(),
            "x",
            None,
            "the test server",
            Duration::from_secs(1),
        )
        .unwrap_err();
        assert!(
            matches!(&e, MediaError::Invalid(m) if m.starts_with("the test server's URL")),
            "{e:?}"
        );
    }
}
