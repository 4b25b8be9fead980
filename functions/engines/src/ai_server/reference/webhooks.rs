//! Reports to coursegen: one delivery id per report, kept across retries;
//! retried with doubling waits until a 2xx or the deadline. coursegen
//! knows a delivery by its signed timestamp and body, so a retry resends
//! the very same signature while it is fresh enough to be accepted, and is
//! recognised as the same delivery; once it would be stale it is signed
//! afresh, which coursegen takes as a new delivery (whose effect its run
//! checks still make happen once).

use std::time::{Duration, Instant};

use coursegen_core::ai_protocol::signature::{
    DELIVERY_HEADER, MAX_SKEW_S, SHARED_SECRET_HEADER, SIGNATURE_HEADER, Secret, TIMESTAMP_HEADER,
    sign,
};
use serde_json::Value;

use super::ReferenceServer;

/// How reports are authenticated.
#[derive(Debug, Clone)]
pub enum Signing {
    /// coursegen's scheme: HMAC-SHA256 over `timestamp.body`.
    Signed(Secret),
    /// The existing server's: the secret itself in `x-webhook-signature`.
    SharedSecret(Secret),
}

impl Signing {
    /// The secret, which also checks coursegen's calls (always signed).
    pub fn secret(&self) -> &Secret {
        match self {
            Signing::Signed(secret) | Signing::SharedSecret(secret) => secret,
        }
    }
}

/// How long to keep trying a report.
#[derive(Debug, Clone, Copy)]
pub struct Retry {
    pub first: Duration,
    pub max: Duration,
    pub deadline: Duration,
    /// How long one signature is resent before the report is signed
    /// again: within coursegen's five-minute window, with a margin for
    /// clocks and the request's own time.
    pub resign_after: Duration,
}

impl Default for Retry {
    fn default() -> Self {
        Retry {
            first: Duration::from_millis(250),
            max: Duration::from_secs(30),
            deadline: Duration::from_secs(3600),
            resign_after: Duration::from_secs(MAX_SKEW_S as u64 - 60),
        }
    }
}

impl ReferenceServer {
    /// Sends `body` until coursegen answers 2xx; false if it never did.
    pub(super) async fn report(&self, body: &Value) -> bool {
        let bytes = body.to_string();
        let delivery = ulid::Ulid::generate().to_string();
        let retry = self.config.retry;
        let started = Instant::now();
        let mut wait = retry.first;
        let mut signed: Option<(Instant, i64)> = None;
        loop {
            let mut request = self
                .http
                .post(&self.config.webhook_url)
                .header("content-type", "application/json")
                .header(DELIVERY_HEADER, &delivery)
                .body(bytes.clone());
            request = match &self.config.signing {
                Signing::Signed(secret) => {
                    let at = match signed {
                        Some((when, at)) if when.elapsed() < retry.resign_after => at,
                        _ => {
                            let at = chrono::Utc::now().timestamp();
                            signed = Some((Instant::now(), at));
                            at
                        }
                    };
                    request
                        .header(TIMESTAMP_HEADER, at.to_string())
                        .header(SIGNATURE_HEADER, sign(secret, at, bytes.as_bytes()))
                }
                Signing::SharedSecret(secret) => {
                    request.header(SHARED_SECRET_HEADER, secret.expose())
                }
            };
            let outcome = match request.send().await {
                Ok(r) if r.status().is_success() => return true,
                Ok(r) => format!("answered {}", r.status()),
                Err(e) => format!("could not be reached: {e}"),
            };
            if started.elapsed() + wait > retry.deadline {
                eprintln!("ai-server: gave up on report {delivery}: the webhook {outcome}");
                return false;
            }
            eprintln!("ai-server: report {delivery}: the webhook {outcome}; again in {wait:?}");
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(retry.max);
        }
    }
}
