//! Upload URLs on the embedded stack: `PUT {base}/v1/uploads/{token}`,
//! where the token is signed with the local secret and says which file may
//! be stored where, until when — the local stand-in for a pre-signed S3 URL.

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::{Duration, Utc};
use coursegen_core::ports::Uploads;
use coursegen_core::upload::{UploadGrant, UploadTarget};
use serde::{Deserialize, Serialize};

use crate::dev_auth::JwtSecret;
use crate::signed;

/// Tokens for uploads are not tokens for the API: a different audience.
const AUDIENCE: &str = "coursegen-upload";

/// How long an upload URL stays valid.
const VALID_FOR: Duration = Duration::hours(1);

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    aud: String,
    exp: i64,
    grant: UploadGrant,
}

#[derive(Debug, Clone)]
pub struct LocalUploads {
    /// The server's own address, e.g. `http://127.0.0.1:8080`.
    pub base_url: String,
    pub secret: JwtSecret,
}

#[async_trait]
impl Uploads for LocalUploads {
    async fn target(&self, grant: &UploadGrant) -> Result<UploadTarget, String> {
        let expires_at = Utc::now() + VALID_FOR;
        let claims = Claims {
            aud: AUDIENCE.to_owned(),
            exp: expires_at.timestamp(),
            grant: grant.clone(),
        };
        let token = signed::encode(&self.secret, &claims)?;
        Ok(UploadTarget {
            upload_key: grant.key.clone(),
            url: format!("{}/v1/uploads/{token}", self.base_url.trim_end_matches('/')),
            method: "PUT".into(),
            headers: BTreeMap::from([(
                "Content-Type".to_owned(),
                grant.request.content_type().to_owned(),
            )]),
            expires_at,
        })
    }

    fn redeem(&self, token: &str) -> Option<UploadGrant> {
        signed::decode::<Claims>(&self.secret, AUDIENCE, token).map(|c| c.grant)
    }
}
