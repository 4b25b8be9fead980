//! The review studio as the `api` function serves it: signed in at the
//! user pool's hosted login (its token endpoint played here), then a job's
//! page, its course and its events read with the session cookie alone, as
//! API Gateway passes `/studio` routes without its authorizer. Run by
//! aws_path's test on the job it has taken through Step Functions.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{Request, StatusCode};
use axum::routing::post;
use coursegen_lambdas::config::Config;
use coursegen_lambdas::stack::Stack;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::oidc;

const HOST: &str = "abc123.execute-api.us-east-1.amazonaws.com";
const CLIENT: &str = "coursegen-studio";

/// What the token endpoint expects: the flow's verifier, once known.
type Expected = Arc<Mutex<Option<String>>>;

/// A hosted login's token endpoint on 127.0.0.1: it trades the code
/// `c0de` for an ID token of `issuer`, when the client, the callback and
/// the PKCE verifier are the ones the studio started the flow with.
async fn token_endpoint(issuer: &str) -> (String, Expected) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let expected = Expected::default();
    let issuer = issuer.to_owned();
    let app = Router::new()
        .route(
            "/oauth2/token",
            post(
                move |State(expected): State<Expected>, body: String| async move {
                    let form: HashMap<String, String> =
                        reqwest::Url::parse(&format!("http://form/?{body}"))
                            .unwrap()
                            .query_pairs()
                            .into_owned()
                            .collect();
                    let verifier = expected.lock().unwrap().clone();
                    let good = form.get("grant_type").map(String::as_str)
                        == Some("authorization_code")
                        && form.get("code").map(String::as_str) == Some("c0de")
                        && form.get("client_id").map(String::as_str) == Some(CLIENT)
                        && form.get("redirect_uri").map(String::as_str)
                            == Some(&*format!("https://{HOST}/studio/callback"))
                        && verifier.is_some()
                        && form.get("code_verifier") == verifier.as_ref();
                    if !good {
                        let refusal = json!({"error": "invalid_grant"});
                        return (StatusCode::BAD_REQUEST, axum::Json(refusal));
                    }
                    let claims = json!({
                        "sub": "ines", "iss": issuer, "aud": CLIENT, "token_use": "id",
                        "exp": chrono::Utc::now().timestamp() + 600,
                        "custom:role": "instructor", "custom:courses": "c1",
                    });
                    let tokens = json!({
                        "id_token": oidc::sign(&claims, Some("k1")),
                        "access_token": "unused", "token_type": "Bearer", "expires_in": 600,
                    });
                    (StatusCode::OK, axum::Json(tokens))
                },
            ),
        )
        .with_state(expected.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, expected)
}

async fn get(
    api: &Router,
    uri: &str,
    cookie: Option<&str>,
) -> (StatusCode, HashMap<String, Vec<String>>, String) {
    let mut request = Request::get(uri).header("host", HOST);
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    let response = api
        .clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let mut headers: HashMap<String, Vec<String>> = HashMap::new();
    for (name, value) in response.headers() {
        let value = value.to_str().unwrap().to_owned();
        headers
            .entry(name.as_str().to_owned())
            .or_default()
            .push(value);
    }
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, headers, String::from_utf8_lossy(&body).into_owned())
}

/// The `name=value` of the Set-Cookie header that sets `name`.
fn set_cookie<'a>(headers: &'a HashMap<String, Vec<String>>, name: &str) -> &'a str {
    headers["set-cookie"]
        .iter()
        .find(|c| c.starts_with(&format!("{name}=")))
        .and_then(|c| c.split(';').next())
        .unwrap_or_else(|| panic!("no {name} cookie in {headers:?}"))
}

/// Signs in through the hosted login and reads job `id` in the studio.
pub async fn reads_the_job(config: &Config, stack: &Stack, issuer: &str, id: &str) {
    let (login, expected) = token_endpoint(issuer).await;
    aws_sdk_secretsmanager::Client::new(&stack.sdk)
        .create_secret()
        .name("coursegen/studio-client")
        .secret_string(format!("{CLIENT}\n"))
        .send()
        .await
        .unwrap();
    let env = |name: &str| match name {
        "COURSEGEN_JWT_ISSUER" => Some(issuer.to_owned()),
        "COURSEGEN_JWT_AUDIENCE" => Some("coursegen-web".to_owned()),
        "COURSEGEN_STUDIO_LOGIN_URL" => Some(format!("{login}/")),
        "COURSEGEN_STUDIO_CLIENT_SECRET" => Some("coursegen/studio-client".to_owned()),
        _ => None,
    };
    let studio = coursegen_lambdas::studio::from_env(&stack.sdk, env)
        .await
        .unwrap();
    assert!(studio.is_some(), "an issuer makes a studio");
    let api = coursegen_lambdas::api::app(config, stack, studio).unwrap();

    // Without a session the studio sends people to sign in.
    let (status, headers, _) = get(&api, &format!("/studio/jobs/{id}"), None).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers["location"], ["/studio/sign-in"]);
    let (status, _, page) = get(&api, "/studio/sign-in", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("/studio/sign-in/hosted"), "{page}");

    // Off to the hosted login with the studio's client, back to this host.
    let (status, headers, _) = get(&api, "/studio/sign-in/hosted", None).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let location = reqwest::Url::parse(&headers["location"][0]).unwrap();
    assert_eq!(
        location.as_str().split('?').next(),
        Some(&*format!("{login}/oauth2/authorize"))
    );
    let query: HashMap<String, String> = location.query_pairs().into_owned().collect();
    assert_eq!(query["client_id"], CLIENT);
    assert_eq!(
        query["redirect_uri"],
        format!("https://{HOST}/studio/callback")
    );
    assert_eq!(query["code_challenge_method"], "S256");
    let flow = set_cookie(&headers, "coursegen_login");
    assert!(headers["set-cookie"][0].contains("Secure"));
    let verifier = flow.split_once('.').unwrap().1.to_owned();
    *expected.lock().unwrap() = Some(verifier);

    // A code that does not redeem is refused; the right one signs in.
    let callback = |code: &str| format!("/studio/callback?code={code}&state={}", query["state"]);
    let (status, _, page) = get(&api, &callback("stolen"), Some(flow)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{page}");
    let (status, headers, page) = get(&api, &callback("c0de"), Some(flow)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Signed in."), "{page}");
    let session = set_cookie(&headers, "coursegen_session");
    let set = headers["set-cookie"]
        .iter()
        .find(|c| c.starts_with(session))
        .unwrap();
    for attribute in ["HttpOnly", "SameSite=Strict", "Secure"] {
        assert!(set.contains(attribute), "{set}");
    }

    // The job's page, its course and its events, with the cookie alone.
    let (status, _, page) = get(&api, &format!("/studio/jobs/{id}"), Some(session)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let download = format!("/studio/v1/jobs/{id}/course.json");
    assert!(
        page.contains(&download),
        "the page links its own download: {page}"
    );
    let (status, _, course) = get(&api, &download, Some(session)).await;
    assert_eq!(status, StatusCode::OK, "{course}");
    let course: Value = serde_json::from_str(&course).unwrap();
    assert!(course["modules"].as_array().is_some_and(|m| !m.is_empty()));
    let (status, _, events) =
        get(&api, &format!("/studio/v1/jobs/{id}/events"), Some(session)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(events.contains("event: job_succeeded"), "{events}");
}
