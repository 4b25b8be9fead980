//! What the studio is configured with, apart from the API's own state:
//! how a session cookie is checked, the one-time sign-in links handed out,
//! and the identity provider's hosted login, if there is one. Reading the
//! session of a request's headers lives here too, so the API's own
//! authentication (auth.rs) can read the studio's cookie without the
//! studio's pages.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::http::HeaderMap;
use axum::http::header::{COOKIE, HOST};
use coursegen_core::auth::{AuthError, Principal, TokenVerifier};
use rand::RngExt;

/// The cookie's name.
pub const COOKIE_NAME: &str = "coursegen_session";
/// How long a session lasts at most (the token's own expiry may be sooner).
pub(super) const MAX_AGE_S: u64 = 12 * 60 * 60;

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
    pub hosted_login: Option<HostedLogin>,
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

impl Studio {
    /// The principal of the session cookie in `headers`, if there is one:
    /// checked as the API checks a bearer token.
    pub async fn principal(&self, headers: &HeaderMap) -> Option<Result<Principal, AuthError>> {
        let token = cookie(headers, COOKIE_NAME)?;
        self.verifier.prepare(token).await;
        Some(self.verifier.verify(token))
    }
}

/// Where an identity provider's hosted login is, and who we are to it.
#[derive(Debug, Clone)]
pub struct HostedLogin {
    /// `https://{domain}/oauth2/authorize` for a Cognito user pool.
    pub authorize_url: String,
    /// `https://{domain}/oauth2/token`.
    pub token_url: String,
    /// The app client (public: PKCE stands in for a client secret).
    pub client_id: String,
    /// Our `/studio/callback` as the provider knows it (registered there);
    /// `None`: the callback on the host the browser asked for, as when
    /// the API's own address is known only once it is deployed.
    pub redirect_url: Option<String>,
    pub http: reqwest::Client,
}

impl HostedLogin {
    /// Where the provider sends the browser back: as configured, else this
    /// request's host. The provider sends codes only to callbacks
    /// registered with it, so a forged Host gains nothing.
    pub(super) fn redirect_url(&self, headers: &HeaderMap, secure: bool) -> Option<String> {
        if let Some(url) = &self.redirect_url {
            return Some(url.clone());
        }
        let host = headers.get(HOST)?.to_str().ok()?;
        let scheme = if secure { "https" } else { "http" };
        Some(format!("{scheme}://{host}/studio/callback"))
    }
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
}
