//! A small OpenID provider in process: discovery and a key set on
//! 127.0.0.1, and tokens signed with the private half of its key (a
//! throwaway RSA key kept for the tests in `fixtures/`).
#![allow(dead_code)] // each test file uses its own subset

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::extract::State;
use axum::routing::get;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

pub struct Provider {
    pub issuer: String,
    pub fetches: Arc<AtomicUsize>,
}

/// Serves discovery and the key set on 127.0.0.1; counts key-set fetches.
pub async fn provider() -> Provider {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let issuer = format!("http://{}", listener.local_addr().unwrap());
    let fetches = Arc::new(AtomicUsize::new(0));
    let modulus = include_str!("../fixtures/test-rsa.n").trim().to_owned();
    let discovery = json!({"issuer": issuer, "jwks_uri": format!("{issuer}/keys")});
    let keys = json!({"keys": [
        {"kty": "RSA", "kid": "k1", "use": "sig", "alg": "RS256", "n": modulus, "e": "AQAB"}
    ]});
    let app = Router::new()
        .route(
            "/.well-known/openid-configuration",
            get(move || async move { axum::Json(discovery) }),
        )
        .route(
            "/keys",
            get(
                |State((keys, fetches)): State<(Value, Arc<AtomicUsize>)>| async move {
                    fetches.fetch_add(1, Ordering::SeqCst);
                    axum::Json(keys)
                },
            ),
        )
        .with_state((keys, fetches.clone()));
    tokio::spawn(async move { axum::serve(listener, app).await });
    Provider { issuer, fetches }
}

pub fn sign(claims: &Value, kid: Option<&str>) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = kid.map(str::to_owned);
    let key = EncodingKey::from_rsa_der(include_bytes!("../fixtures/test-rsa.der"));
    jsonwebtoken::encode(&header, claims, &key).unwrap()
}
