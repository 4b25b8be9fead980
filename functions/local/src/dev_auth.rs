//! Local authentication: HS256 tokens signed with a secret that lives in the
//! data directory (or `COURSEGEN_JWT_SECRET`). `coursegen token` issues them;
//! the local server verifies them. On AWS, API Gateway's JWT authorizer does
//! this job instead.

use std::fs;
use std::io::{self, Write};
use std::path::Path;

use chrono::{DateTime, Duration, Utc};
use coursegen_core::access::CourseScope;
use coursegen_core::auth::{AuthError, Principal, Role, TokenVerifier};
use coursegen_core::ids::UserId;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngExt;
use serde::{Deserialize, Serialize};

/// Who issues and who accepts local tokens.
pub const ISSUER: &str = "coursegen-local";
pub const AUDIENCE: &str = "coursegen";
/// Shorter secrets make HS256 guessable.
pub const MIN_SECRET_LEN: usize = 32;

/// The signing secret. Never printed: `Debug` hides it.
#[derive(Clone)]
pub struct JwtSecret(Vec<u8>);

impl JwtSecret {
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for JwtSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JwtSecret(<redacted>)")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("COURSEGEN_JWT_SECRET must be at least {MIN_SECRET_LEN} bytes long")]
    TooShort,
    #[error("cannot read or create the token secret at {path}: {source}")]
    Io { path: String, source: io::Error },
}

impl JwtSecret {
    /// The secret from `COURSEGEN_JWT_SECRET` when given (`env_value`), else
    /// the data directory's `jwt-secret` file, created on first use with 256
    /// random bits and owner-only permissions.
    pub fn load_or_create(data_dir: &Path, env_value: Option<&str>) -> Result<Self, SecretError> {
        if let Some(value) = env_value {
            return Self::from_bytes(value.as_bytes().to_vec());
        }
        let path = data_dir.join("jwt-secret");
        let io_err = |source| SecretError::Io {
            path: path.display().to_string(),
            source,
        };
        match fs::read_to_string(&path) {
            Ok(text) => return Self::from_bytes(text.trim().as_bytes().to_vec()),
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(io_err(e)),
            Err(_) => {}
        }
        crate::private::create_root(data_dir).map_err(io_err)?;
        let bytes: [u8; 32] = rand::rng().random();
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        match crate::private::file_options()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(mut file) => file.write_all(hex.as_bytes()).map_err(io_err)?,
            // Another process created it first: use theirs.
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                return Self::load_or_create(data_dir, None);
            }
            Err(e) => return Err(io_err(e)),
        }
        Self::from_bytes(hex.into_bytes())
    }

    pub fn from_bytes(bytes: Vec<u8>) -> Result<Self, SecretError> {
        if bytes.len() < MIN_SECRET_LEN {
            return Err(SecretError::TooShort);
        }
        Ok(JwtSecret(bytes))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Claims {
    sub: String,
    role: Role,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    courses: Vec<String>,
    iss: String,
    aud: String,
    iat: i64,
    exp: i64,
}

/// Signs a token for `principal`, valid for `ttl` from `now`.
pub fn issue(
    secret: &JwtSecret,
    principal: &Principal,
    now: DateTime<Utc>,
    ttl: Duration,
) -> String {
    let claims = Claims {
        sub: principal.user.to_string(),
        role: principal.role,
        courses: principal.courses.iter().map(ToString::to_string).collect(),
        iss: ISSUER.to_owned(),
        aud: AUDIENCE.to_owned(),
        iat: now.timestamp(),
        exp: (now + ttl).timestamp(),
    };
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(&secret.0),
    )
    .expect("HS256 signing of plain claims cannot fail")
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the token has expired")]
    Expired,
    #[error("the token is not valid: {0}")]
    Invalid(String),
}

impl TokenVerifier for JwtSecret {
    fn verify(&self, token: &str) -> Result<Principal, AuthError> {
        verify(self, token).map_err(|e| match e {
            TokenError::Expired => AuthError::Expired,
            TokenError::Invalid(why) => AuthError::Invalid(why),
        })
    }
}

/// Verifies signature, algorithm, issuer, audience and expiry (no leeway
/// beyond a minute of clock skew), and returns who the token is for.
pub fn verify(secret: &JwtSecret, token: &str) -> Result<Principal, TokenError> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.set_issuer(&[ISSUER]);
    validation.set_audience(&[AUDIENCE]);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    validation.leeway = 60;
    let data =
        jsonwebtoken::decode::<Claims>(token, &DecodingKey::from_secret(&secret.0), &validation)
            .map_err(|e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => TokenError::Expired,
                _ => TokenError::Invalid(e.to_string()),
            })?;
    let claims = data.claims;
    let user: UserId = claims
        .sub
        .parse()
        .map_err(|e| TokenError::Invalid(format!("sub: {e}")))?;
    let courses = claims
        .courses
        .iter()
        .map(|c| c.parse::<CourseScope>())
        .collect::<Result<_, _>>()
        .map_err(|e| TokenError::Invalid(format!("courses: {e}")))?;
    Ok(Principal {
        user,
        role: claims.role,
        courses,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret() -> JwtSecret {
        JwtSecret::from_bytes(vec![7; 32]).unwrap()
    }

    fn alice() -> Principal {
        Principal {
            user: "alice".parse().unwrap(),
            role: Role::Instructor,
            courses: vec!["c1".parse().unwrap()],
        }
    }

    #[test]
    fn tokens_round_trip() {
        let token = issue(&secret(), &alice(), Utc::now(), Duration::hours(1));
        assert_eq!(verify(&secret(), &token), Ok(alice()));
    }

    #[test]
    fn expired_tampered_and_foreign_tokens_are_refused() {
        let old = issue(
            &secret(),
            &alice(),
            Utc::now() - Duration::hours(3),
            Duration::hours(1),
        );
        assert_eq!(verify(&secret(), &old), Err(TokenError::Expired));
        let other = JwtSecret::from_bytes(vec![8; 32]).unwrap();
        let forged = issue(&other, &alice(), Utc::now(), Duration::hours(1));
        assert!(matches!(
            verify(&secret(), &forged),
            Err(TokenError::Invalid(_))
        ));
        let token = issue(&secret(), &alice(), Utc::now(), Duration::hours(1));
        let mut parts: Vec<&str> = token.split('.').collect();
        let admin_payload = {
            use base64::Engine as _;
            let e = base64::engine::general_purpose::URL_SAFE_NO_PAD;
            let mut claims: serde_json::Value =
                serde_json::from_slice(&e.decode(parts[1]).unwrap()).unwrap();
            claims["role"] = "admin".into();
            e.encode(serde_json::to_vec(&claims).unwrap())
        };
        parts[1] = &admin_payload;
        assert!(matches!(
            verify(&secret(), &parts.join(".")),
            Err(TokenError::Invalid(_))
        ));
        for garbage in ["", "a.b.c", "not a token"] {
            assert!(verify(&secret(), garbage).is_err());
        }
        // "alg": "none" is never accepted.
        let none = format!(
            "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{}.",
            token.split('.').nth(1).unwrap()
        );
        assert!(verify(&secret(), &none).is_err());
    }

    #[test]
    fn the_secret_is_created_once_and_kept_private() {
        let dir = tempfile::tempdir().unwrap();
        let a = JwtSecret::load_or_create(dir.path(), None).unwrap();
        let b = JwtSecret::load_or_create(dir.path(), None).unwrap();
        assert_eq!(a.0, b.0);
        assert!(!format!("{a:?}").contains(&String::from_utf8(a.0.clone()).unwrap()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(dir.path().join("jwt-secret"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "only the owner may read the secret");
        }
        let from_env =
            JwtSecret::load_or_create(dir.path(), Some("an-environment-secret-of-32-bytes!"))
                .unwrap();
        assert_ne!(from_env.0, a.0);
        assert!(matches!(
            JwtSecret::load_or_create(dir.path(), Some("short")),
            Err(SecretError::TooShort)
        ));
    }
}
