//! Who is calling. An `Authenticator` turns a request into a principal:
//! locally from a bearer token (HS256, `coursegen token`); on AWS from the
//! claims API Gateway's JWT authorizer already checked.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::Method;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use coursegen_core::auth::{AuthError, Principal, TokenVerifier};

use crate::error::ApiError;
use crate::state::ApiState;

pub trait Authenticator: Send + Sync + std::fmt::Debug {
    fn authenticate(&self, request: &Parts) -> Result<Principal, AuthError>;
}

/// `Authorization: Bearer <token>`, checked by a verifier.
#[derive(Debug, Clone)]
pub struct Bearer(pub Arc<dyn TokenVerifier>);

impl Authenticator for Bearer {
    fn authenticate(&self, request: &Parts) -> Result<Principal, AuthError> {
        let header = request
            .headers
            .get(AUTHORIZATION)
            .ok_or(AuthError::Missing)?
            .to_str()
            .map_err(|_| AuthError::Invalid("the Authorization header is not text".into()))?;
        let token = header
            .strip_prefix("Bearer ")
            .or_else(|| header.strip_prefix("bearer "))
            .ok_or(AuthError::Missing)?;
        self.0.verify(token.trim())
    }
}

/// The authenticated caller of a route.
#[derive(Debug, Clone)]
pub struct Caller(pub Principal);

impl FromRequestParts<ApiState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &ApiState) -> Result<Self, ApiError> {
        match state.auth.authenticate(parts) {
            // The studio's pages read through these routes too (event
            // streams, downloads, videos) with their session cookie: only
            // to read, so a cookie never changes anything through them.
            Err(AuthError::Missing) if matches!(parts.method, Method::GET | Method::HEAD) => {
                let session = match state.studio.as_ref() {
                    Some(studio) => studio.principal(&parts.headers).await,
                    None => None,
                };
                match session {
                    Some(who) => Ok(Caller(who?)),
                    None => Err(AuthError::Missing.into()),
                }
            }
            who => Ok(Caller(who?)),
        }
    }
}
