//! Tokens for the `events` function, checked against the keys an OpenID
//! provider publishes (a small one runs in process: `support/oidc.rs`).

use crate::oidc;

use std::sync::atomic::Ordering;

use chrono::Utc;
use coursegen_core::auth::{AuthError, Role, TokenVerifier};
use coursegen_lambdas::jwks::JwksVerifier;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

use oidc::{provider, sign};

const AUDIENCE: &str = "coursegen-web";

fn claims(issuer: &str) -> Value {
    json!({
        "sub": "ines", "iss": issuer, "aud": AUDIENCE,
        "exp": Utc::now().timestamp() + 600,
        "custom:role": "instructor", "custom:courses": "c1,c2/v2",
    })
}

async fn verify(
    verifier: &JwksVerifier,
    token: &str,
) -> Result<coursegen_core::auth::Principal, AuthError> {
    verifier.refresh_for(token).await;
    verifier.verify(token)
}

#[tokio::test]
async fn tokens_signed_by_the_published_key_for_us_are_accepted() {
    let provider = provider().await;
    let verifier = JwksVerifier::new(&provider.issuer, AUDIENCE);

    let who = verify(&verifier, &sign(&claims(&provider.issuer), Some("k1")))
        .await
        .unwrap();
    assert_eq!((who.user.as_str(), who.role), ("ines", Role::Instructor));
    assert_eq!(who.courses.len(), 2);

    // A Cognito access token: no `aud`, the app client in `client_id`,
    // groups as a real list.
    let mut access = claims(&provider.issuer);
    access.as_object_mut().unwrap().remove("aud");
    access.as_object_mut().unwrap().remove("custom:role");
    access["client_id"] = json!(AUDIENCE);
    access["cognito:groups"] = json!(["staff", "admin"]);
    let who = verify(&verifier, &sign(&access, Some("k1"))).await.unwrap();
    assert_eq!(who.role, Role::Admin);
    assert_eq!(
        provider.fetches.load(Ordering::SeqCst),
        1,
        "keys fetched once"
    );
}

#[tokio::test]
async fn forged_foreign_and_expired_tokens_are_refused() {
    let provider = provider().await;
    let verifier = JwksVerifier::new(&provider.issuer, AUDIENCE);
    let issuer = provider.issuer.as_str();
    let refused = |result: Result<_, AuthError>| match result {
        Err(AuthError::Invalid(why)) => why,
        other => panic!("accepted or wrong error: {other:?}"),
    };

    let mut other_audience = claims(issuer);
    other_audience["aud"] = json!("someone-else");
    refused(verify(&verifier, &sign(&other_audience, Some("k1"))).await);

    let mut other_issuer = claims(issuer);
    other_issuer["iss"] = json!("https://evil.example.com");
    refused(verify(&verifier, &sign(&other_issuer, Some("k1"))).await);

    let mut expired = claims(issuer);
    expired["exp"] = json!(Utc::now().timestamp() - 3600);
    assert_eq!(
        verify(&verifier, &sign(&expired, Some("k1"))).await,
        Err(AuthError::Expired)
    );

    // A shared-secret token that names the published key: the classic
    // algorithm confusion. Refused before any key is used.
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some("k1".into());
    let hs = jsonwebtoken::encode(
        &header,
        &claims(issuer),
        &EncodingKey::from_secret(include_str!("fixtures/test-rsa.n").as_bytes()),
    )
    .unwrap();
    assert!(refused(verify(&verifier, &hs).await).contains("not accepted"));

    // A key the provider does not publish; no key id at all; a tampered body.
    refused(verify(&verifier, &sign(&claims(issuer), Some("k9"))).await);
    refused(verify(&verifier, &sign(&claims(issuer), None)).await);
    let token = sign(&claims(issuer), Some("k1"));
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    parts[1] = parts[1].chars().rev().collect();
    refused(verify(&verifier, &parts.join(".")).await);
    refused(verify(&verifier, "not a token").await);

    // Unknown key ids do not make every request fetch the keys again.
    let before = provider.fetches.load(Ordering::SeqCst);
    for _ in 0..5 {
        refused(verify(&verifier, &sign(&claims(issuer), Some("k9"))).await);
    }
    assert_eq!(provider.fetches.load(Ordering::SeqCst), before);
}
