//! Tokens signed with the local secret (HS256) for one audience: what makes
//! the embedded stack's upload and file URLs their own credentials.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::dev_auth::JwtSecret;

/// `claims` signed with `secret`; the claims carry their own `aud` and `exp`.
pub(crate) fn encode(secret: &JwtSecret, claims: &impl Serialize) -> Result<String, String> {
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret.bytes()),
    )
    .map_err(|e| e.to_string())
}

/// The claims of `token` if `secret` signed it for `audience` and it has
/// not expired.
pub(crate) fn decode<C: DeserializeOwned>(
    secret: &JwtSecret,
    audience: &str,
    token: &str,
) -> Option<C> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.set_audience(&[audience]);
    jsonwebtoken::decode::<C>(
        token,
        &DecodingKey::from_secret(secret.bytes()),
        &validation,
    )
    .ok()
    .map(|data| data.claims)
}
