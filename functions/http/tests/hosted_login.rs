//! The studio's sign-in through an identity provider's hosted login
//! (authorization code + PKCE), against a fake provider on 127.0.0.1 that
//! checks what a real one checks: the code, the client, the redirect and
//! that the verifier matches the challenge it was shown.

use crate::common;

use std::sync::{Arc, Mutex};

use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::post;
use base64::Engine as _;
use coursegen_core::auth::Role;
use coursegen_http::studio::HostedLogin;
use serde_json::json;
use sha2::{Digest, Sha256};

use common::{Api, Setup, build};

const CLIENT: &str = "studio-client";
const REDIRECT: &str = "https://studio.example/studio/callback";
const CODE: &str = "the-code";

#[derive(Clone, Default)]
struct Provider {
    /// The challenge the browser was sent with, and the token to hand out.
    challenge: Arc<Mutex<(String, String)>>,
}

async fn token(
    State(provider): State<Provider>,
    Form(form): Form<Vec<(String, String)>>,
) -> axum::response::Response {
    let get = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let (challenge, id_token) = provider.challenge.lock().unwrap().clone();
    let made = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(Sha256::digest(get("code_verifier").as_bytes()));
    let right = get("grant_type") == "authorization_code"
        && get("client_id") == CLIENT
        && get("redirect_uri") == REDIRECT
        && get("code") == CODE
        && made == challenge;
    if !right {
        return (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"error": "invalid_grant"})),
        )
            .into_response();
    }
    axum::Json(json!({"id_token": id_token, "access_token": "a", "token_type": "Bearer", "expires_in": 3600}))
        .into_response()
}

async fn provider() -> (Provider, String) {
    let provider = Provider::default();
    let app = axum::Router::new()
        .route("/oauth2/token", post(token))
        .with_state(provider.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (provider, url)
}

fn studio(url: &str) -> Api {
    build(Setup {
        hosted_login: Some(HostedLogin {
            authorize_url: "https://idp.example/oauth2/authorize".into(),
            token_url: format!("{url}/oauth2/token"),
            client_id: CLIENT.into(),
            redirect_url: Some(REDIRECT.into()),
            http: reqwest::Client::new(),
        }),
        ..Setup::default()
    })
}

/// The query parameter `name` of `url`.
fn param(url: &str, name: &str) -> String {
    url.split_once('?')
        .unwrap()
        .1
        .split('&')
        .find_map(|pair| pair.strip_prefix(&format!("{name}=")))
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn the_provider_s_code_becomes_a_session() {
    let (provider, url) = provider().await;
    let api = studio(&url);
    let (status, _, _, page) = api.call("GET", "/studio/sign-in", None, &[], None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("/studio/sign-in/hosted"),
        "the page offers it"
    );

    let (status, headers, _, _) = api
        .call("GET", "/studio/sign-in/hosted", None, &[], None)
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let location = headers["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with("https://idp.example/oauth2/authorize?"));
    assert_eq!(param(&location, "client_id"), CLIENT);
    assert_eq!(
        param(&location, "redirect_uri"),
        "https%3A%2F%2Fstudio.example%2Fstudio%2Fcallback"
    );
    assert_eq!(param(&location, "code_challenge_method"), "S256");
    assert_eq!(param(&location, "response_type"), "code");
    let flow = headers["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        flow.contains("HttpOnly") && flow.contains("SameSite=Lax"),
        "{flow}"
    );
    let flow = flow.split(';').next().unwrap().to_owned();
    let state = param(&location, "state");
    *provider.challenge.lock().unwrap() = (
        param(&location, "code_challenge"),
        api.token("ada", Role::Instructor, &["c1"]),
    );

    // A state that is not this browser's, or no flow cookie: refused.
    let forged = format!("/studio/callback?code={CODE}&state=someone-else");
    let (status, headers, _, _) = api
        .call("GET", &forged, None, &[("cookie", &flow)], None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(headers.get("set-cookie").is_none());
    let back = format!("/studio/callback?code={CODE}&state={state}");
    let (status, _, _, _) = api.call("GET", &back, None, &[], None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "no flow cookie");
    let wrong = format!("/studio/callback?code=another&state={state}");
    let (status, _, _, page) = api
        .call("GET", &wrong, None, &[("cookie", &flow)], None)
        .await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the provider refuses the code"
    );
    assert!(page.contains("did not confirm"), "{page}");
    let (status, _, _, page) = api
        .call(
            "GET",
            "/studio/callback?error=access_denied&error_description=no",
            None,
            &[("cookie", &flow)],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(page.contains("access_denied"));

    // The real answer: a session, the flow's cookie spent.
    let (status, headers, _, _) = api
        .call("GET", &back, None, &[("cookie", &flow)], None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let cookies: Vec<&str> = headers
        .get_all("set-cookie")
        .iter()
        .map(|c| c.to_str().unwrap())
        .collect();
    let session = cookies
        .iter()
        .find(|c| c.starts_with("coursegen_session="))
        .unwrap();
    assert!(session.contains("SameSite=Strict") && session.contains("HttpOnly"));
    assert!(
        cookies
            .iter()
            .any(|c| c.starts_with("coursegen_login=;") && c.contains("Max-Age=0"))
    );
    let session = session.split(';').next().unwrap();
    let (status, _, _, page) = api
        .call("GET", "/studio/", None, &[("cookie", session)], None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("ada"), "signed in as the provider's user");
}

#[tokio::test]
async fn without_a_provider_there_is_no_hosted_login() {
    let api = common::api();
    let (status, _, _, page) = api.call("GET", "/studio/sign-in", None, &[], None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!page.contains("/studio/sign-in/hosted"));
    let (status, _, _, _) = api
        .call("GET", "/studio/sign-in/hosted", None, &[], None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
