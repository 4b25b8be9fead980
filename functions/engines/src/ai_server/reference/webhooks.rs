//! Reports to coursegen: one delivery id per report, kept across retries;
//! a fresh timestamp and signature per attempt; retried with doubling
//! waits until a 2xx or the deadline.

use std::time::{Duration, Instant};

use coursegen_core::ai_protocol::signature::{
    DELIVERY_HEADER, SHARED_SECRET_HEADER, SIGNATURE_HEADER, Secret, TIMESTAMP_HEADER, sign,
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

/// How long to keep trying a report.
#[derive(Debug, Clone, Copy)]
pub struct Retry {
    pub first: Duration,
    pub max: Duration,
    pub deadline: Duration,
}

impl Default for Retry {
    fn default() -> Self {
        Retry {
            first: Duration::from_millis(250),
            max: Duration::from_secs(30),
            deadline: Duration::from_secs(3600),
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
        loop {
            let mut request = self
                .http
                .post(&self.config.webhook_url)
                .header("content-type", "application/json")
                .header(DELIVERY_HEADER, &delivery)
                .body(bytes.clone());
            request = match &self.config.signing {
                Signing::Signed(secret) => {
                    let now = chrono::Utc::now().timestamp();
                    request
                        .header(TIMESTAMP_HEADER, now.to_string())
                        .header(SIGNATURE_HEADER, sign(secret, now, bytes.as_bytes()))
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
