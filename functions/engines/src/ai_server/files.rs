//! Downloads the files an AI server reports, over HTTP(S): only from the
//! allowed hosts (redirects too), with a time limit and a size limit
//! checked while reading. A refusal is the server's mistake, not ours:
//! `Invalid`, which fails the run with the reason.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use coursegen_core::ports::{EngineError, Fetched, RemoteFiles};
use reqwest::redirect;

use super::AllowedHosts;

#[derive(Debug, Clone)]
pub struct HttpFiles {
    client: reqwest::Client,
    allowed: Arc<AllowedHosts>,
}

/// A file the server reports is expected well within this.
const TIMEOUT: Duration = Duration::from_secs(120);
/// Redirects followed at most, each to an allowed host.
const MAX_REDIRECTS: usize = 5;

/// Why a redirect was not followed.
#[derive(Debug, thiserror::Error)]
#[error("it redirects to {0}, which is not an allowed host")]
struct Disallowed(String);

impl HttpFiles {
    /// Fetching only from `allowed`.
    pub fn new(allowed: AllowedHosts) -> Self {
        let allowed = Arc::new(allowed);
        let hosts = allowed.clone();
        let policy = redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() >= MAX_REDIRECTS {
                attempt.error(format!("more than {MAX_REDIRECTS} redirects"))
            } else if hosts.allows(attempt.url()) {
                attempt.follow()
            } else {
                let host = attempt.url().host_str().unwrap_or("?").to_owned();
                attempt.error(Disallowed(host))
            }
        });
        let client = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .connect_timeout(Duration::from_secs(10))
            .redirect(policy)
            .build()
            .unwrap_or_default();
        HttpFiles { client, allowed }
    }
}

/// The innermost message of `e`: what a redirect policy said, say.
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = e;
    while let Some(source) = cause.source() {
        cause = source;
    }
    cause.to_string()
}

#[async_trait]
impl RemoteFiles for HttpFiles {
    async fn fetch(&self, url: &str, limit: u64) -> Result<Fetched, EngineError> {
        let parsed = reqwest::Url::parse(url)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .ok_or_else(|| EngineError::Invalid(format!("{url:?} is not an http(s) URL")))?;
        if !self.allowed.allows(&parsed) {
            return Err(EngineError::Invalid(format!(
                "the AI server's file is on {}, which is not a host files are fetched from ({})",
                parsed.host_str().unwrap_or("?"),
                self.allowed
            )));
        }
        let unavailable = |e: reqwest::Error| {
            if e.is_redirect() {
                EngineError::Invalid(format!(
                    "the AI server's file cannot be fetched: {} (allowed: {})",
                    root_cause(&e),
                    self.allowed
                ))
            } else {
                EngineError::Unavailable(format!("cannot fetch the AI server's file: {e}"))
            }
        };
        let mut response = self.client.get(parsed).send().await.map_err(unavailable)?;
        let status = response.status();
        if status.is_server_error() || status.as_u16() == 429 {
            return Err(EngineError::Unavailable(format!(
                "the AI server's file answered {status}"
            )));
        }
        if !status.is_success() {
            return Err(EngineError::Invalid(format!(
                "the AI server's file answered {status} (expired or never there)"
            )));
        }
        let too_large = || {
            EngineError::Invalid(format!(
                "the AI server's file is larger than {limit} bytes, the most taken"
            ))
        };
        if response.content_length().is_some_and(|n| n > limit) {
            return Err(too_large());
        }
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(';').next().unwrap_or(v).trim().to_owned());
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(unavailable)? {
            if (bytes.len() + chunk.len()) as u64 > limit {
                return Err(too_large());
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(Fetched {
            bytes,
            content_type,
        })
    }
}
