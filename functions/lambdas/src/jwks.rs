//! Bearer tokens checked against the identity provider's published keys,
//! for the `events` function (a Function URL has no JWT authorizer in
//! front of it) and the studio's session cookies. The keys are found through OpenID discovery
//! (`{issuer}/.well-known/openid-configuration` → `jwks_uri`), kept for the
//! life of the instance, and fetched again when a token names a key we do
//! not have (providers rotate keys), at most once a minute.

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

use coursegen_core::auth::{AuthError, Principal, TokenVerifier};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use serde_json::Value;

/// How often keys may be fetched again for an unknown key id.
const REFETCH_AFTER: Duration = Duration::from_secs(60);
/// Only signatures made with a private key: a shared-secret algorithm
/// would let anyone who knows the public key sign tokens.
const ALGORITHMS: &[Algorithm] = &[
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
];

#[derive(Debug)]
pub struct JwksVerifier {
    issuer: String,
    /// Whom a token may be for: the API's client, and the studio's.
    audiences: Vec<String>,
    http: reqwest::Client,
    keys: RwLock<Keys>,
}

#[derive(Debug, Default)]
struct Keys {
    set: JwkSet,
    fetched: Option<Instant>,
}

#[derive(Deserialize)]
struct Discovery {
    jwks_uri: String,
}

impl JwksVerifier {
    pub fn new(issuer: impl Into<String>, audience: impl Into<String>) -> Self {
        JwksVerifier {
            issuer: issuer.into().trim_end_matches('/').to_owned(),
            audiences: vec![audience.into()],
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(5))
                .build()
                .unwrap_or_default(),
            keys: RwLock::new(Keys::default()),
        }
    }

    /// The same verifier also accepting tokens issued for `audience`.
    pub fn also_for(mut self, audience: impl Into<String>) -> Self {
        self.audiences.push(audience.into());
        self
    }

    /// Fetches the keys when `token` names one we do not have, unless that
    /// was tried in the last minute. Failures leave the old keys in place
    /// (the token is then refused as signed by an unknown key).
    pub async fn refresh_for(&self, token: &str) {
        let Ok(header) = jsonwebtoken::decode_header(token) else {
            return;
        };
        let due = {
            let keys = self.keys.read().unwrap_or_else(|p| p.into_inner());
            let known = header
                .kid
                .as_deref()
                .is_some_and(|k| keys.set.find(k).is_some());
            !known && keys.fetched.is_none_or(|at| at.elapsed() >= REFETCH_AFTER)
        };
        if !due {
            return;
        }
        let fetched = self.fetch().await;
        let mut keys = self.keys.write().unwrap_or_else(|p| p.into_inner());
        keys.fetched = Some(Instant::now());
        match fetched {
            Ok(set) => keys.set = set,
            Err(why) => {
                tracing::warn!(issuer = %self.issuer, "cannot fetch the signing keys: {why}");
            }
        }
    }

    async fn fetch(&self) -> Result<JwkSet, reqwest::Error> {
        let discovery: Discovery = self
            .http
            .get(format!("{}/.well-known/openid-configuration", self.issuer))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        self.http
            .get(discovery.jwks_uri)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await
    }

    /// Whether the token was issued for us: `aud` (ID tokens) or, for
    /// Cognito access tokens, which carry none, `client_id`.
    fn for_us(&self, claims: &HashMap<String, Value>) -> bool {
        let ours = |name: &str| self.audiences.iter().any(|a| a == name);
        match (claims.get("aud"), claims.get("client_id")) {
            (Some(Value::String(aud)), _) => ours(aud),
            (Some(Value::Array(auds)), _) => auds.iter().filter_map(Value::as_str).any(ours),
            (None, Some(Value::String(client))) => ours(client),
            _ => false,
        }
    }
}

/// Claims as API Gateway would hand them over: strings, lists as `[a b]`.
fn as_strings(claims: HashMap<String, Value>) -> HashMap<String, String> {
    claims
        .into_iter()
        .map(|(name, value)| {
            let text = match value {
                Value::String(s) => s,
                Value::Array(items) => {
                    let items: Vec<String> = items
                        .iter()
                        .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned))
                        .collect();
                    format!("[{}]", items.join(" "))
                }
                other => other.to_string(),
            };
            (name, text)
        })
        .collect()
}

#[async_trait::async_trait]
impl TokenVerifier for JwksVerifier {
    async fn prepare(&self, token: &str) {
        self.refresh_for(token).await;
    }

    fn verify(&self, token: &str) -> Result<Principal, AuthError> {
        let invalid = |why: String| AuthError::Invalid(why);
        let header = jsonwebtoken::decode_header(token).map_err(|e| invalid(e.to_string()))?;
        if !ALGORITHMS.contains(&header.alg) {
            return Err(invalid(format!("{:?} tokens are not accepted", header.alg)));
        }
        let kid = header
            .kid
            .ok_or_else(|| invalid("the token names no key (kid)".into()))?;
        let key = {
            let keys = self.keys.read().unwrap_or_else(|p| p.into_inner());
            let jwk = keys
                .set
                .find(&kid)
                .ok_or_else(|| invalid("signed by a key the issuer does not publish".into()))?;
            DecodingKey::from_jwk(jwk).map_err(|e| invalid(e.to_string()))?
        };
        let mut validation = Validation::new(header.alg);
        validation.set_issuer(&[&self.issuer]);
        validation.set_required_spec_claims(&["exp", "iss", "sub"]);
        validation.validate_aud = false; // checked below, `aud` or `client_id`
        validation.leeway = 60;
        let data = jsonwebtoken::decode::<HashMap<String, Value>>(token, &key, &validation)
            .map_err(|e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => AuthError::Expired,
                _ => invalid(e.to_string()),
            })?;
        if !self.for_us(&data.claims) {
            return Err(invalid("the token is for another audience".into()));
        }
        coursegen_http::gateway::principal(&as_strings(data.claims))
    }
}
