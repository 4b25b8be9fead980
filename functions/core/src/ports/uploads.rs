//! How upload URLs are made and, where our own server receives the bytes,
//! checked: pre-signed S3 URLs on AWS; signed URLs to `PUT /v1/uploads/…`
//! on the embedded stack.

use async_trait::async_trait;

use crate::upload::{UploadGrant, UploadTarget};

#[async_trait]
pub trait Uploads: Send + Sync + std::fmt::Debug {
    /// A URL to PUT the granted file to, valid for a while.
    async fn target(&self, grant: &UploadGrant) -> Result<UploadTarget, String>;

    /// The grant a token of this store's own URLs stands for; `None` when
    /// the token is not valid (or the bytes go elsewhere, as to S3).
    fn redeem(&self, token: &str) -> Option<UploadGrant>;
}
