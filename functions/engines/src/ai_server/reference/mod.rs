//! A reference AI server (AI_SERVER_PROTOCOL.md), the one `coursegen
//! ai-server` runs: the routes and status rules of the protocol, 200 at
//! once and the work afterwards, RUNNING then COMPLETED or FAILED
//! webhooks, signed (or with the shared secret) and retried until answered.
//! It segments and writes questions with the offline engine and
//! transcribes only caption files; raw audio fails with the reason.
//!
//! It takes work only from callers who sign with its secret (`auth`),
//! reads inputs only from allowed hosts, and keeps what it made in memory,
//! bounded, as the real server keeps files for a day: enough for a demo
//! and for tests, not for production.

mod auth;
mod routes;
mod store;
mod tasks;
mod webhooks;

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use coursegen_core::ai_protocol::webhook::{AiTask, TaskStatus};
use coursegen_core::ports::Transcriber;
use tokio::net::TcpListener;
use tokio::task::AbortHandle;

use super::{AllowedHosts, HttpFiles};

pub use store::Keep;
pub use webhooks::{Retry, Signing};

/// What the server needs to know.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where reports go: coursegen's `/v1/webhooks/ai-server`.
    pub webhook_url: String,
    /// How reports are authenticated; its secret also checks the calls.
    pub signing: Signing,
    pub retry: Retry,
    /// Where inputs may be fetched from: the webhook's host and port by
    /// default (coursegen's links to its files are on it locally).
    pub fetch_from: AllowedHosts,
    pub keep: Keep,
    /// What transcribes recordings sent for TRANSCRIPTION; without it only
    /// caption files are taken.
    pub transcriber: Option<Arc<dyn Transcriber>>,
}

impl Config {
    /// Reports signed as `signing` says to `webhook_url`, retried for up
    /// to an hour; inputs read from the webhook's host only.
    pub fn new(webhook_url: impl Into<String>, signing: Signing) -> Result<Self, String> {
        let webhook_url = webhook_url.into();
        Ok(Config {
            fetch_from: AllowedHosts::of_url(&webhook_url)?,
            webhook_url,
            signing,
            retry: Retry::default(),
            keep: Keep::default(),
            transcriber: None,
        })
    }
}

/// A job as the server knows it: its task, and how far that got.
#[derive(Debug)]
struct Job {
    task: AiTask,
    status: TaskStatus,
    work: Option<AbortHandle>,
    /// Held by a run while it reports, so that a rerun's RUNNING never
    /// overtakes the previous run's end still being retried.
    outbox: Arc<tokio::sync::Mutex<()>>,
}

/// The server's state, shared by its routes and its background work.
#[derive(Debug)]
pub struct ReferenceServer {
    config: Config,
    /// Where its own files are served: `{base}/files/{name}`.
    base_url: String,
    jobs: Mutex<HashMap<String, Job>>,
    files: Mutex<store::Files>,
    /// Reads inputs from `config.fetch_from` only.
    inputs: HttpFiles,
    http: reqwest::Client,
}

impl ReferenceServer {
    pub fn new(config: Config, base_url: impl Into<String>) -> Arc<Self> {
        Arc::new(ReferenceServer {
            base_url: base_url.into(),
            jobs: Mutex::new(HashMap::new()),
            files: Mutex::new(store::Files::new(config.keep)),
            inputs: HttpFiles::new(config.fetch_from.clone()),
            config,
            http: reqwest::Client::builder()
                // The real server gives coursegen 10 s per webhook.
                .timeout(Duration::from_secs(10))
                .build()
                .unwrap_or_default(),
        })
    }

    /// The routes over this server.
    pub fn router(self: &Arc<Self>) -> axum::Router {
        routes::router(self.clone())
    }

    fn jobs(&self) -> std::sync::MutexGuard<'_, HashMap<String, Job>> {
        self.jobs.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Keeps a result file under a new name ending in `suffix`; its name
    /// and URL.
    fn keep(&self, suffix: &str, bytes: Vec<u8>) -> Result<(String, String), String> {
        let name = self
            .files
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(suffix, bytes)?;
        let url = format!("{}/files/{name}", self.base_url.trim_end_matches('/'));
        Ok((name, url))
    }

    fn file(&self, name: &str) -> Option<Vec<u8>> {
        self.files
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(name)
    }
}

/// Serves the reference server on `listener` until the process ends.
pub async fn serve(listener: TcpListener, config: Config) -> std::io::Result<()> {
    let server = ReferenceServer::new(config, base_url(listener.local_addr()?));
    axum::serve(listener, server.router()).await
}

/// The base of the file URLs the server hands out for a listener on
/// `addr`: a wildcard address is no place to fetch from, so it becomes
/// the loopback of its family.
pub fn base_url(mut addr: SocketAddr) -> String {
    match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => addr.set_ip(Ipv4Addr::LOCALHOST.into()),
        IpAddr::V6(ip) if ip.is_unspecified() => addr.set_ip(Ipv6Addr::LOCALHOST.into()),
        _ => {}
    }
    format!("http://{addr}")
}

#[cfg(test)]
mod tests {
    use super::base_url;

    #[test]
    fn a_wildcard_address_hands_out_loopback_urls() {
        let url = |a: &str| base_url(a.parse().expect("an address"));
        assert_eq!(url("0.0.0.0:8090"), "http://127.0.0.1:8090");
        assert_eq!(url("[::]:8090"), "http://[::1]:8090");
        assert_eq!(url("192.168.1.4:80"), "http://192.168.1.4:80");
    }
}
