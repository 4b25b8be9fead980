//! Read links on the embedded stack: `GET {base}/v1/files/{token}`, where
//! the token is signed with the local secret and names one artifact until
//! it expires — the local stand-in for a pre-signed S3 GET, handed to the
//! AI server for the inputs it reads.

use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use coursegen_core::artifact::ArtifactKey;
use coursegen_core::ports::FileLinks;
use serde::{Deserialize, Serialize};

use crate::dev_auth::JwtSecret;
use crate::signed;

/// Tokens for file links are neither API nor upload tokens.
const AUDIENCE: &str = "coursegen-file";

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    aud: String,
    exp: i64,
    key: String,
}

#[derive(Debug, Clone)]
pub struct LocalFileLinks {
    /// The server's own address, e.g. `http://127.0.0.1:8080`.
    pub base_url: String,
    pub secret: JwtSecret,
}

#[async_trait]
impl FileLinks for LocalFileLinks {
    async fn link(&self, key: &ArtifactKey, valid_for: Duration) -> Result<String, String> {
        let valid_for = chrono::Duration::from_std(valid_for).map_err(|e| e.to_string())?;
        let claims = Claims {
            aud: AUDIENCE.to_owned(),
            exp: (Utc::now() + valid_for).timestamp(),
            key: key.to_string(),
        };
        let token = signed::encode(&self.secret, &claims)?;
        Ok(format!(
            "{}/v1/files/{token}",
            self.base_url.trim_end_matches('/')
        ))
    }

    fn redeem(&self, token: &str) -> Option<ArtifactKey> {
        signed::decode::<Claims>(&self.secret, AUDIENCE, token)?
            .key
            .parse()
            .ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(fill: &str) -> JwtSecret {
        JwtSecret::load_or_create(std::path::Path::new("/nonexistent"), Some(&fill.repeat(40)))
            .unwrap()
    }

    #[tokio::test]
    async fn a_link_opens_its_artifact_only_until_it_expires() {
        let links = LocalFileLinks {
            base_url: "http://127.0.0.1:9/".into(),
            secret: secret("a"),
        };
        let key: ArtifactKey = "jobs/01J/segment/run-0001.input.json".parse().unwrap();
        let url = links.link(&key, Duration::from_secs(60)).await.unwrap();
        let token = url.strip_prefix("http://127.0.0.1:9/v1/files/").unwrap();
        assert_eq!(links.redeem(token), Some(key.clone()));
        assert_eq!(links.redeem(&format!("{token}x")), None);
        let other = LocalFileLinks {
            secret: secret("b"),
            ..links.clone()
        };
        assert_eq!(other.redeem(token), None, "another secret's link");
        // jsonwebtoken allows 60 s of leeway; an hour-old link is refused.
        let claims = Claims {
            aud: AUDIENCE.into(),
            exp: Utc::now().timestamp() - 3600,
            key: key.to_string(),
        };
        let old = signed::encode(&links.secret, &claims).unwrap();
        assert_eq!(links.redeem(&old), None);
    }
}
