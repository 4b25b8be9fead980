//! Signing in through an identity provider's hosted login page, as a
//! Cognito user pool's: OAuth 2.0's authorization code flow with PKCE
//! (RFC 7636). The studio sends the browser to the provider with a
//! challenge, the provider sends it back with a code, and the studio
//! trades the code and the challenge's verifier for the user's ID token —
//! which becomes the same session cookie as a pasted token, checked by the
//! same verifier. The verifier and the `state` travel in a short-lived
//! cookie of their own, so no server keeps sign-ins in flight.

use axum::extract::{Query, State};
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use rand::RngExt;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::page::query_escape;
use super::settings::cookie;
use super::sign_in::{NoStudio, problem, signed_in};
use crate::state::ApiState;

/// The flow's own cookie: `state.verifier`, for the callback only.
const FLOW_COOKIE: &str = "coursegen_login";
/// How long a sign-in at the provider may take.
const FLOW_MAX_AGE_S: u32 = 600;

/// 32 random bytes, base64url: a PKCE verifier or a `state`.
fn random_token() -> String {
    let bytes: [u8; 32] = rand::rng().random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The S256 challenge of `verifier`.
fn challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// `GET /studio/sign-in/hosted`: off to the provider with a fresh challenge.
pub async fn start(State(state): State<ApiState>, headers: HeaderMap) -> Response {
    let Some(studio) = state.studio.as_ref() else {
        return NoStudio.into_response();
    };
    let Some(login) = studio.hosted_login.as_ref() else {
        return NoStudio.into_response();
    };
    let secure = if studio.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let Some(redirect_url) = login.redirect_url(&headers, studio.secure_cookies) else {
        return problem(
            StatusCode::BAD_REQUEST,
            "The request names no host to come back to.",
        );
    };
    let (flow_state, verifier) = (random_token(), random_token());
    let location = format!(
        "{}?response_type=code&client_id={}&redirect_uri={}&scope=openid&state={}&code_challenge={}&code_challenge_method=S256",
        login.authorize_url,
        query_escape(&login.client_id),
        query_escape(&redirect_url),
        flow_state,
        challenge(&verifier),
    );
    // Lax, not Strict: the provider's redirect back to us is a navigation
    // from another site, and it must bring this cookie along.
    let flow = format!(
        "{FLOW_COOKIE}={flow_state}.{verifier}; Path=/studio/callback; HttpOnly; SameSite=Lax; Max-Age={FLOW_MAX_AGE_S}{secure}"
    );
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let (Ok(location), Ok(flow)) = (HeaderValue::from_str(&location), flow.parse()) {
        response.headers_mut().insert(LOCATION, location);
        response.headers_mut().insert(SET_COOKIE, flow);
    }
    response
}

#[derive(Debug, Deserialize)]
pub struct Callback {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Tokens {
    id_token: String,
}

/// `GET /studio/callback`: the provider's answer, traded for the session.
pub async fn callback(
    State(state): State<ApiState>,
    headers: HeaderMap,
    query: Result<Query<Callback>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Some(studio) = state.studio.as_ref() else {
        return NoStudio.into_response();
    };
    let Some(login) = studio.hosted_login.as_ref() else {
        return NoStudio.into_response();
    };
    let refuse = |why: String| problem(StatusCode::UNAUTHORIZED, why);
    let Ok(Query(answer)) = query else {
        return refuse("The sign-in came back without its code.".into());
    };
    if let Some(error) = answer.error {
        let detail = answer.error_description.unwrap_or_default();
        return refuse(format!("The sign-in was refused: {error} {detail}"));
    }
    let flow = cookie(&headers, FLOW_COOKIE).and_then(|v| v.split_once('.'));
    let (Some(code), Some(returned), Some((expected, verifier))) =
        (answer.code, answer.state, flow)
    else {
        return refuse("This sign-in was not started here, or took too long. Start again.".into());
    };
    if returned != expected {
        return refuse("This sign-in does not match the one started here. Start again.".into());
    }
    let Some(redirect_url) = login.redirect_url(&headers, studio.secure_cookies) else {
        return refuse("The request names no host to come back to.".into());
    };
    let form = [
        ("grant_type", "authorization_code"),
        ("client_id", login.client_id.as_str()),
        ("code", code.as_str()),
        ("redirect_uri", redirect_url.as_str()),
        ("code_verifier", verifier),
    ];
    let body: String = form
        .iter()
        .map(|(k, v)| format!("{k}={}", query_escape(v)))
        .collect::<Vec<_>>()
        .join("&");
    let answered = login
        .http
        .post(&login.token_url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await;
    let tokens = match answered {
        Ok(response) if response.status().is_success() => response.json::<Tokens>().await.ok(),
        Ok(response) => {
            tracing::warn!(status = %response.status(), "the identity provider refused a code");
            None
        }
        Err(e) => {
            tracing::warn!(error = %e, "the identity provider's token endpoint failed");
            None
        }
    };
    let Some(tokens) = tokens else {
        return refuse("The identity provider did not confirm this sign-in. Start again.".into());
    };
    studio.verifier.prepare(&tokens.id_token).await;
    if let Err(e) = studio.verifier.verify(&tokens.id_token) {
        return refuse(format!(
            "The identity provider's token was not accepted: {e}."
        ));
    }
    let mut response = signed_in(studio, &tokens.id_token);
    let spent = format!("{FLOW_COOKIE}=; Path=/studio/callback; HttpOnly; SameSite=Lax; Max-Age=0");
    if let Ok(spent) = spent.parse() {
        response.headers_mut().append(SET_COOKIE, spent);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_challenge_is_rfc_7636s_s256() {
        // The example of RFC 7636, appendix B.
        assert_eq!(
            challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        let verifier = random_token();
        assert_eq!(
            verifier.len(),
            43,
            "43 characters, the least RFC 7636 allows"
        );
        assert_ne!(verifier, random_token());
    }
}
