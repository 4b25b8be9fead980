//! Who is using the studio: a session cookie that holds the caller's token
//! (the same tokens, roles and course scopes as the API), set by a one-time
//! sign-in link `coursegen serve` prints, or by pasting a token. The cookie
//! is HttpOnly and SameSite=Strict, so scripts cannot read it and other
//! sites cannot send it; every form post is also checked for our Origin.

use axum::extract::FromRequestParts;
use axum::http::header::{HOST, ORIGIN};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use coursegen_core::auth::{Principal, Role};

use super::settings::MAX_AGE_S;
use super::settings::{COOKIE_NAME, Studio};
use crate::state::ApiState;

/// `Set-Cookie` for a session holding `token` (empty and expired: signs out).
pub(super) fn set_cookie(studio: &Studio, token: &str) -> String {
    let max_age = if token.is_empty() { 0 } else { MAX_AGE_S };
    let secure = if studio.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    format!("{COOKIE_NAME}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}")
}

/// A signed-in studio user. Pages without one send the browser to the
/// sign-in page; a form post also needs our own Origin.
#[derive(Debug, Clone)]
pub struct Session(pub Principal);

impl FromRequestParts<ApiState> for Session {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &ApiState) -> Result<Self, Response> {
        let changes = parts.method != Method::GET && parts.method != Method::HEAD;
        if changes {
            same_origin(&parts.headers).map_err(IntoResponse::into_response)?;
        }
        let session = match state.studio.as_ref() {
            Some(studio) => studio.principal(&parts.headers).await,
            None => None,
        };
        match session {
            // Students change nothing anywhere in the studio.
            Some(Ok(who)) if changes && who.role == Role::Student => Err((
                StatusCode::FORBIDDEN,
                "refused: a student may look, not change anything",
            )
                .into_response()),
            Some(Ok(who)) => Ok(Session(who)),
            _ => Err(Redirect::to("/studio/sign-in").into_response()),
        }
    }
}

/// A post from another site's page, refused.
#[derive(Debug)]
pub(super) struct ForeignOrigin;

impl IntoResponse for ForeignOrigin {
    fn into_response(self) -> Response {
        (
            StatusCode::FORBIDDEN,
            "refused: this form was not sent from the studio's own pages (Origin)",
        )
            .into_response()
    }
}

/// Refuses a post whose Origin is not this server (a form on another site).
pub(super) fn same_origin(headers: &HeaderMap) -> Result<(), ForeignOrigin> {
    let host = headers.get(HOST).and_then(|h| h.to_str().ok());
    let origin = headers.get(ORIGIN).and_then(|o| o.to_str().ok());
    let ours = match (origin, host) {
        (Some(origin), Some(host)) => origin
            .split_once("://")
            .is_some_and(|(_, rest)| rest.eq_ignore_ascii_case(host)),
        _ => false,
    };
    if ours { Ok(()) } else { Err(ForeignOrigin) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_our_own_origin_may_post() {
        let mut headers = HeaderMap::new();
        headers.insert(HOST, "127.0.0.1:8080".parse().unwrap());
        assert!(same_origin(&headers).is_err(), "no Origin");
        headers.insert(ORIGIN, "http://evil.example".parse().unwrap());
        assert!(same_origin(&headers).is_err());
        headers.insert(ORIGIN, "http://127.0.0.1:8080".parse().unwrap());
        assert!(same_origin(&headers).is_ok());
    }
}
