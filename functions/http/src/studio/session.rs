//! Who is using the studio: a session cookie that holds the caller's token
//! (the same tokens, roles and course scopes as the API), set by a one-time
//! sign-in link `coursegen serve` prints, or by pasting a token. The cookie
//! is HttpOnly and SameSite=Strict, so scripts cannot read it and other
//! sites cannot send it; every form post is also checked for our Origin.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::FromRequestParts;
use axum::http::header::{COOKIE, HOST, ORIGIN};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use coursegen_core::auth::{AuthError, Principal, Role, TokenVerifier};
use rand::RngExt;

use crate::state::ApiState;

/// The cookie's name.
pub const COOKIE_NAME: &str = "coursegen_session";
/// How long a session lasts at most (the token's own expiry may be sooner).
const MAX_AGE_S: u64 = 12 * 60 * 60;

/// What the studio needs beside the API's state.
#[derive(Debug, Clone)]
pub struct Studio {
    /// Checks the token a session cookie holds.
    pub verifier: Arc<dyn TokenVerifier>,
    /// The one-time sign-in links handed out and not yet used.
    pub sign_ins: SignIns,
    /// Cookies only over HTTPS (`Secure`), as behind API Gateway.
    pub secure_cookies: bool,
    /// Signing in at an identity provider's hosted login, where there is one.
    pub hosted_login: Option<super::hosted_login::HostedLogin>,
}

/// One-time sign-in codes, each standing for a token until it is used.
/// Held in memory: a link is good only for the server that printed it.
#[derive(Clone, Default)]
pub struct SignIns(Arc<Mutex<HashMap<String, String>>>);

impl std::fmt::Debug for SignIns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SignIns(<redacted>)")
    }
}

impl SignIns {
    /// A new one-time code that signs its user in with `token`.
    pub fn offer(&self, token: String) -> String {
        let bytes: [u8; 24] = rand::rng().random();
        let code: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        self.lock().insert(code.clone(), token);
        code
    }

    /// The code's token, once: the code is spent.
    pub(super) fn redeem(&self, code: &str) -> Option<String> {
        self.lock().remove(code)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, String>> {
        // A panic while holding the lock leaves a map that is still whole.
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The value of cookie `name` in the request's Cookie headers. Written out
/// here: reading one cookie by name is all the studio needs of a cookie jar.
pub(crate) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, value)| value.trim_matches('"'))
}

/// The principal of the request's session cookie, if it has a valid one.
pub(crate) fn from_cookie(parts: &Parts, state: &ApiState) -> Option<Result<Principal, AuthError>> {
    let studio = state.studio.as_ref()?;
    let token = cookie(&parts.headers, COOKIE_NAME)?;
    Some(studio.verifier.verify(token))
}

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
        match from_cookie(parts, state) {
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
    fn a_cookie_is_found_by_name_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(
            COOKIE,
            "a=1; coursegen_session=tok.en; b=2".parse().unwrap(),
        );
        assert_eq!(cookie(&headers, COOKIE_NAME), Some("tok.en"));
        assert_eq!(cookie(&headers, "c"), None);
    }

    #[test]
    fn a_code_signs_in_once() {
        let sign_ins = SignIns::default();
        let code = sign_ins.offer("token".into());
        assert_eq!(code.len(), 48);
        assert_eq!(sign_ins.redeem(&code).as_deref(), Some("token"));
        assert_eq!(sign_ins.redeem(&code), None);
    }

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
