//! Our retry policy under async-openai's client, as a tower service (the
//! crate's extension point). The crate's own retry layer waits a fixed
//! doubling without jitter and does not retry timeouts; many jobs' lessons
//! hitting one rate limit together need full jitter, and a stalled server
//! must not hold a lesson forever.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use async_openai::error::{ApiError, ApiErrorResponse, OpenAIError};
use async_openai::middleware::{HttpRequestFactory, ReqwestService};
use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::{Response, StatusCode};
use serde_json::Value;
use tower::ServiceExt;

use super::config::RetryPolicy;

/// The longest Retry-After honoured; a server asking for more is treated
/// as down for now (the step fails and the workflow retries it later).
const MAX_RETRY_AFTER: Duration = Duration::from_secs(120);

#[derive(Debug, Clone)]
pub struct Retrying {
    inner: ReqwestService,
    policy: RetryPolicy,
}

impl Retrying {
    pub fn new(client: reqwest::Client, policy: RetryPolicy) -> Self {
        Retrying {
            inner: ReqwestService::new(client),
            policy,
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("no answer within {0:?}")]
struct TimedOut(Duration);

impl tower::Service<HttpRequestFactory> for Retrying {
    type Response = Response;
    type Error = OpenAIError;
    type Future = Pin<Box<dyn Future<Output = Result<Response, OpenAIError>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), OpenAIError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: HttpRequestFactory) -> Self::Future {
        let inner = self.inner.clone();
        let policy = self.policy;
        Box::pin(async move {
            let mut attempt = 1;
            loop {
                let outcome =
                    tokio::time::timeout(policy.timeout, inner.clone().oneshot(request.clone()))
                        .await;
                let last = attempt >= policy.attempts;
                let wait = match outcome {
                    Ok(Ok(response)) if retryable(response.status()) && !last => {
                        match retry_after(response.headers()) {
                            Some(asked) if asked > MAX_RETRY_AFTER => {
                                return answered(response).await;
                            }
                            asked => asked,
                        }
                    }
                    Ok(Ok(response)) => return answered(response).await,
                    Ok(Err(OpenAIError::Reqwest(e)))
                        if !last && (e.is_connect() || e.is_timeout() || e.is_request()) =>
                    {
                        None
                    }
                    Ok(Err(e)) => return Err(e),
                    Err(_) if !last => None,
                    Err(_) => return Err(OpenAIError::Boxed(Box::new(TimedOut(policy.timeout)))),
                };
                let backoff = full_jitter(&policy, attempt);
                tracing::debug!(attempt, ?wait, ?backoff, "retrying the model call");
                tokio::time::sleep(wait.map_or(backoff, |w| w.max(backoff))).await;
                attempt += 1;
            }
        })
    }
}

/// A success as it is; a failure as the server's error, whatever the
/// shape of its body. async-openai reads only OpenAI's error object, and
/// reports others (llama.cpp's has a numeric `code`) as a body it could
/// not parse, losing the status and the server's reason.
async fn answered(response: Response) -> Result<Response, OpenAIError> {
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    let body = response.text().await?;
    let error = serde_json::from_str::<Value>(&body)
        .ok()
        .and_then(|v| v.get("error").cloned());
    let field = |name: &str| match error.as_ref().and_then(|e| e.get(name)) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => Some(other.to_string()),
    };
    let message = match &error {
        Some(Value::String(s)) => s.clone(),
        _ => field("message").unwrap_or_else(|| body.chars().take(300).collect()),
    };
    Err(OpenAIError::ApiError(ApiErrorResponse {
        status_code: status,
        api_error: ApiError {
            message,
            r#type: field("type"),
            param: field("param"),
            code: field("code"),
            misalignment: None,
        },
    }))
}

fn retryable(status: StatusCode) -> bool {
    status == StatusCode::TOO_MANY_REQUESTS
        || status == StatusCode::REQUEST_TIMEOUT
        || status.is_server_error()
}

/// A random wait up to `min(cap, base · 2^(attempt-1))`.
pub fn full_jitter(policy: &RetryPolicy, attempt: u32) -> Duration {
    let ceiling = policy
        .base
        .saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1)))
        .min(policy.cap);
    let ms = u64::try_from(ceiling.as_millis()).unwrap_or(u64::MAX);
    Duration::from_millis(rand::random_range(0..=ms))
}

/// Retry-After as seconds or as an HTTP date.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = value.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let wait = at.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, "2".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(2)));
        h.insert(RETRY_AFTER, "0.5".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_millis(500)));
        let soon = (chrono::Utc::now() + chrono::Duration::seconds(30)).to_rfc2822();
        h.insert(RETRY_AFTER, soon.parse().unwrap());
        let wait = retry_after(&h).unwrap();
        assert!(wait > Duration::from_secs(28) && wait <= Duration::from_secs(30));
        h.insert(
            RETRY_AFTER,
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
        );
        assert_eq!(retry_after(&h), Some(Duration::ZERO));
        h.insert(RETRY_AFTER, "later".parse().unwrap());
        assert_eq!(retry_after(&h), None);
    }

    #[test]
    fn full_jitter_stays_under_the_doubling_ceiling_and_the_cap() {
        let policy = RetryPolicy {
            base: Duration::from_millis(100),
            cap: Duration::from_millis(1000),
            ..RetryPolicy::default()
        };
        for attempt in 1..10 {
            let ceiling = Duration::from_millis((100u64 << (attempt - 1)).min(1000));
            let waits: Vec<Duration> = (0..200).map(|_| full_jitter(&policy, attempt)).collect();
            assert!(waits.iter().all(|w| *w <= ceiling));
            // Full jitter spreads over the whole range, not just near the top.
            assert!(waits.iter().any(|w| *w < ceiling / 2));
        }
    }
}
