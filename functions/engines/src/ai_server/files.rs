//! Downloads the files an AI server reports, over HTTP(S), with a time
//! limit and a size limit checked while reading.

use std::time::Duration;

use async_trait::async_trait;
use coursegen_core::ports::{EngineError, Fetched, RemoteFiles};

#[derive(Debug, Clone)]
pub struct HttpFiles {
    client: reqwest::Client,
}

/// A file the server reports is expected well within this.
const TIMEOUT: Duration = Duration::from_secs(120);

impl HttpFiles {
    pub fn new() -> Self {
        let client = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .connect_timeout(Duration::from_secs(10))
            .build()
            .unwrap_or_default();
        HttpFiles { client }
    }
}

impl Default for HttpFiles {
    fn default() -> Self {
        Self::new()
    }
}

#[async_trait]
impl RemoteFiles for HttpFiles {
    async fn fetch(&self, url: &str, limit: u64) -> Result<Fetched, EngineError> {
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(EngineError::Invalid(format!(
                "{url:?} is not an http(s) URL"
            )));
        }
        let unavailable = |e: reqwest::Error| {
            EngineError::Unavailable(format!("cannot fetch the AI server's file: {e}"))
        };
        let mut response = self.client.get(url).send().await.map_err(unavailable)?;
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
        if response.content_length().is_some_and(|n| n > limit) {
            return Err(EngineError::Invalid(format!(
                "the AI server's file is larger than {limit} bytes"
            )));
        }
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(';').next().unwrap_or(v).trim().to_owned());
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(unavailable)? {
            if (bytes.len() + chunk.len()) as u64 > limit {
                return Err(EngineError::Invalid(format!(
                    "the AI server's file is larger than {limit} bytes"
                )));
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(Fetched {
            bytes,
            content_type,
        })
    }
}
