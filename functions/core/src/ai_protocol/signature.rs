//! Who may call the webhook. The default scheme signs each delivery:
//! `X-Coursegen-Signature: v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>`
//! with a timestamp no more than five minutes away. The opt-in
//! compatibility scheme accepts the existing AI server's
//! `x-webhook-signature: <secret>` header, sent verbatim. Without a secret
//! nothing is accepted: the endpoint is never open.

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::ids::DeliveryId;

/// Names a report for the sender's logs; unsigned, so never a dedupe key.
pub const DELIVERY_HEADER: &str = "x-coursegen-delivery";
pub const TIMESTAMP_HEADER: &str = "x-coursegen-timestamp";
pub const SIGNATURE_HEADER: &str = "x-coursegen-signature";
pub const SHARED_SECRET_HEADER: &str = "x-webhook-signature";
/// How far a signed timestamp may be from now, either way.
pub const MAX_SKEW_S: i64 = 300;

/// The secret, and how senders prove they know it. `Debug` hides the secret.
#[derive(Clone, PartialEq, Eq)]
pub enum WebhookAuth {
    /// No secret configured: every delivery is refused.
    Closed,
    Signed(Secret),
    /// `COURSEGEN_WEBHOOK_COMPAT=shared-secret`: the secret itself in a header.
    SharedSecret(Secret),
}

#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// `None` for an empty (or all-space) secret, which must not open the door.
    pub fn new(secret: impl Into<String>) -> Option<Self> {
        let secret = secret.into();
        (!secret.trim().is_empty()).then_some(Secret(secret))
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

impl std::fmt::Debug for WebhookAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            WebhookAuth::Closed => "Closed",
            WebhookAuth::Signed(_) => "Signed(…)",
            WebhookAuth::SharedSecret(_) => "SharedSecret(…)",
        })
    }
}

impl WebhookAuth {
    /// The secret, whichever way senders prove they know it.
    pub fn secret(&self) -> Option<&Secret> {
        match self {
            WebhookAuth::Closed => None,
            WebhookAuth::Signed(secret) | WebhookAuth::SharedSecret(secret) => Some(secret),
        }
    }

    /// From the secret (if any) and the compatibility switch's value.
    pub fn from_config(secret: Option<String>, compat: Option<&str>) -> Result<Self, String> {
        let Some(secret) = secret.and_then(Secret::new) else {
            return Ok(WebhookAuth::Closed);
        };
        match compat.map(str::trim) {
            None | Some("") => Ok(WebhookAuth::Signed(secret)),
            Some("shared-secret") => Ok(WebhookAuth::SharedSecret(secret)),
            Some(other) => Err(format!(
                "COURSEGEN_WEBHOOK_COMPAT={other:?}: the only compatibility mode is \"shared-secret\""
            )),
        }
    }
}

/// The headers that authenticate a delivery, as received.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Credentials<'a> {
    pub timestamp: Option<&'a str>,
    pub signature: Option<&'a str>,
    pub shared_secret: Option<&'a str>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("webhooks are disabled: no webhook secret is configured")]
    NoSecret,
    #[error("missing header {0}")]
    Missing(&'static str),
    #[error("{TIMESTAMP_HEADER} is not a unix time in seconds")]
    BadTimestamp,
    #[error("{TIMESTAMP_HEADER} is more than {MAX_SKEW_S} s away from now")]
    Stale,
    #[error("the signature does not match")]
    BadSignature,
}

/// `v1=<hex>` for `body` sent at `timestamp` (unix seconds).
pub fn sign(secret: &Secret, timestamp: i64, body: &[u8]) -> String {
    signature(mac(secret, timestamp, &[body]))
}

/// `v1=<hex>` for a call coursegen makes to the AI server: the webhooks'
/// scheme over `timestamp.METHOD path.body`, so that a captured call
/// cannot be replayed on another route or job. `path` is the route below
/// the server's base URL (`/jobs/{jobId}/abort`), as sent.
pub fn sign_call(secret: &Secret, timestamp: i64, method: &str, path: &str, body: &[u8]) -> String {
    signature(mac(secret, timestamp, &call_message(method, path, body)))
}

/// Whether `credentials` (its timestamp and signature headers) sign this
/// call with `secret`, within five minutes of `now`.
pub fn verify_call(
    secret: &Secret,
    credentials: &Credentials<'_>,
    (method, path, body): (&str, &str, &[u8]),
    now: DateTime<Utc>,
) -> Result<(), Refusal> {
    verify_signed(secret, credentials, &call_message(method, path, body), now)
}

fn call_message<'a>(method: &'a str, path: &'a str, body: &'a [u8]) -> [&'a [u8]; 5] {
    [method.as_bytes(), b" ", path.as_bytes(), b".", body]
}

fn signature(mac: Hmac<Sha256>) -> String {
    format!("v1={}", hex::encode(mac.finalize().into_bytes()))
}

/// The MAC of `timestamp` + "." + the concatenated `parts`.
fn mac(secret: &Secret, timestamp: i64, parts: &[&[u8]]) -> Hmac<Sha256> {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.0.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    for part in parts {
        mac.update(part);
    }
    mac
}

/// The signed scheme's check of `parts`: a timestamp within five minutes
/// of `now`, and a `v1=` signature that matches (constant-time).
fn verify_signed(
    secret: &Secret,
    credentials: &Credentials<'_>,
    parts: &[&[u8]],
    now: DateTime<Utc>,
) -> Result<(), Refusal> {
    let timestamp = credentials
        .timestamp
        .ok_or(Refusal::Missing(TIMESTAMP_HEADER))?;
    let signature = credentials
        .signature
        .ok_or(Refusal::Missing(SIGNATURE_HEADER))?;
    let timestamp: i64 = timestamp
        .trim()
        .parse()
        .map_err(|_| Refusal::BadTimestamp)?;
    if (now.timestamp() - timestamp).abs() > MAX_SKEW_S {
        return Err(Refusal::Stale);
    }
    let digest = signature
        .trim()
        .strip_prefix("v1=")
        .and_then(|h| hex::decode(h).ok())
        .ok_or(Refusal::BadSignature)?;
    // verify_slice compares in constant time.
    mac(secret, timestamp, parts)
        .verify_slice(&digest)
        .map_err(|_| Refusal::BadSignature)
}

impl WebhookAuth {
    /// Whether `credentials` prove the sender knows the secret for `body`.
    pub fn verify(
        &self,
        credentials: &Credentials<'_>,
        body: &[u8],
        now: DateTime<Utc>,
    ) -> Result<(), Refusal> {
        match self {
            WebhookAuth::Closed => Err(Refusal::NoSecret),
            WebhookAuth::SharedSecret(secret) => {
                let sent = credentials
                    .shared_secret
                    .ok_or(Refusal::Missing(SHARED_SECRET_HEADER))?;
                constant_time_eq(sent.as_bytes(), secret.0.as_bytes())
                    .then_some(())
                    .ok_or(Refusal::BadSignature)
            }
            WebhookAuth::Signed(secret) => verify_signed(secret, credentials, &[body], now),
        }
    }
}

impl WebhookAuth {
    /// The dedupe key of a delivery [`WebhookAuth::verify`] accepted: a
    /// hash of what authenticates it — the signed timestamp and body in the
    /// signed scheme, the body in the shared-secret one. Only a
    /// byte-identical resend (which a captured delivery is) gets the same
    /// key, whatever unsigned header (`X-Coursegen-Delivery`) it carries;
    /// a sender's retry is recognised when it resends the same signature.
    pub fn dedupe_key(&self, credentials: &Credentials<'_>, body: &[u8]) -> DeliveryId {
        let signed_at = match self {
            WebhookAuth::Signed(_) => credentials
                .timestamp
                .and_then(|t| t.trim().parse::<i64>().ok()),
            WebhookAuth::Closed | WebhookAuth::SharedSecret(_) => None,
        };
        let mut hash = Sha256::new();
        let scheme = match signed_at {
            // Exactly the bytes the signature covers.
            Some(at) => {
                hash.update(at.to_string().as_bytes());
                hash.update(b".");
                "v1"
            }
            None => "body",
        };
        hash.update(body);
        format!("{scheme}-{}", hex::encode(hash.finalize()))
            .parse()
            .expect("a scheme and a hex digest make a valid delivery id")
    }
}

/// Equality whose time does not depend on where the inputs differ.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    // Comparing MACs of both sides keeps the time independent of the
    // lengths too; hmac's verify is constant-time.
    let key = b"coursegen shared-secret comparison";
    let tag = |v: &[u8]| {
        let mut m = Hmac::<Sha256>::new_from_slice(key).expect("any key length");
        m.update(v);
        m
    };
    tag(a).verify_slice(&tag(b).finalize().into_bytes()).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret() -> Secret {
        Secret::new("s3cret").unwrap()
    }

    fn signed<'a>(ts: &'a str, sig: &'a str) -> Credentials<'a> {
        Credentials {
            timestamp: Some(ts),
            signature: Some(sig),
            shared_secret: None,
        }
    }

    #[test]
    fn a_signed_delivery_is_accepted_within_five_minutes_only() {
        let auth = WebhookAuth::Signed(secret());
        let now = Utc::now();
        let body = br#"{"status":"RUNNING"}"#;
        for skew in [0, 299, -299] {
            let ts = now.timestamp() + skew;
            let (ts, sig) = (ts.to_string(), sign(&secret(), ts, body));
            assert_eq!(
                auth.verify(&signed(&ts, &sig), body, now),
                Ok(()),
                "skew {skew}"
            );
        }
        for skew in [301, -301] {
            let ts = now.timestamp() + skew;
            let (ts, sig) = (ts.to_string(), sign(&secret(), ts, body));
            assert_eq!(
                auth.verify(&signed(&ts, &sig), body, now),
                Err(Refusal::Stale)
            );
        }
    }

    #[test]
    fn a_wrong_or_malformed_signature_is_refused() {
        let auth = WebhookAuth::Signed(secret());
        let now = Utc::now();
        let ts = now.timestamp();
        let body = b"{}";
        let other = Secret::new("other").unwrap();
        let cases = [
            (sign(&other, ts, body), Refusal::BadSignature),
            (sign(&secret(), ts, b"{ }"), Refusal::BadSignature),
            (sign(&secret(), ts - 1, body), Refusal::BadSignature),
            ("v1=zz".to_owned(), Refusal::BadSignature),
            (
                sign(&secret(), ts, body).replace("v1=", "v2="),
                Refusal::BadSignature,
            ),
            ("s3cret".to_owned(), Refusal::BadSignature),
        ];
        let ts_text = ts.to_string();
        for (sig, refusal) in cases {
            assert_eq!(
                auth.verify(&signed(&ts_text, &sig), body, now),
                Err(refusal),
                "{sig}"
            );
        }
        assert_eq!(
            auth.verify(&signed("yesterday", &sign(&secret(), ts, body)), body, now),
            Err(Refusal::BadTimestamp)
        );
        assert_eq!(
            auth.verify(&Credentials::default(), body, now),
            Err(Refusal::Missing(TIMESTAMP_HEADER))
        );
    }

    #[test]
    fn shared_secret_mode_compares_the_header_with_the_secret() {
        let auth = WebhookAuth::SharedSecret(secret());
        let now = Utc::now();
        let with = |s: &'static str| Credentials {
            shared_secret: Some(s),
            ..Credentials::default()
        };
        assert_eq!(auth.verify(&with("s3cret"), b"{}", now), Ok(()));
        assert_eq!(
            auth.verify(&with("s3cret "), b"{}", now),
            Err(Refusal::BadSignature)
        );
        assert_eq!(
            auth.verify(&with(""), b"{}", now),
            Err(Refusal::BadSignature)
        );
        // A signed delivery is not enough in this mode, and vice versa.
        let ts = now.timestamp();
        let (sig, ts) = (sign(&secret(), ts, b"{}"), ts.to_string());
        assert_eq!(
            auth.verify(&signed(&ts, &sig), b"{}", now),
            Err(Refusal::Missing(SHARED_SECRET_HEADER))
        );
        assert_eq!(
            WebhookAuth::Signed(secret()).verify(&with("s3cret"), b"{}", now),
            Err(Refusal::Missing(TIMESTAMP_HEADER))
        );
    }

    #[test]
    fn the_dedupe_key_covers_what_the_signature_covers_and_nothing_else() {
        let signed = WebhookAuth::Signed(secret());
        let body = br#"{"task":"SEGMENTATION","status":"RUNNING"}"#;
        let at = |ts: &'static str| Credentials {
            timestamp: Some(ts),
            signature: Some("v1=00"),
            shared_secret: None,
        };
        let key = signed.dedupe_key(&at("1700000000"), body);
        // The delivery header is not part of it, nor is the signature's
        // spelling: the same timestamp and body are the same delivery.
        assert_eq!(signed.dedupe_key(&at(" 1700000000 "), body), key);
        assert_ne!(signed.dedupe_key(&at("1700000001"), body), key);
        assert_ne!(signed.dedupe_key(&at("1700000000"), b"{}"), key);
        let shared = WebhookAuth::SharedSecret(secret());
        let with_secret = Credentials {
            shared_secret: Some("s3cret"),
            ..Credentials::default()
        };
        let by_body = shared.dedupe_key(&with_secret, body);
        assert_eq!(shared.dedupe_key(&at("1700000009"), body), by_body);
        assert_ne!(shared.dedupe_key(&with_secret, b"{}"), by_body);
        assert_ne!(by_body, key);
        assert!(key.as_str().starts_with("v1-") && by_body.as_str().starts_with("body-"));
    }

    #[test]
    fn a_signed_call_is_bound_to_its_method_route_and_body() {
        let now = Utc::now();
        let ts = now.timestamp();
        let body = br#"{"taskStatus":"WAITING"}"#;
        let path = "/jobs/01J/tasks/approve/start";
        let sig = sign_call(&secret(), ts, "POST", path, body);
        let ts_text = ts.to_string();
        let creds = signed(&ts_text, &sig);
        assert_eq!(
            verify_call(&secret(), &creds, ("POST", path, body), now),
            Ok(())
        );
        for (method, path, body) in [
            ("POST", "/jobs/01K/tasks/approve/start", &body[..]),
            ("POST", "/jobs/01J/tasks/rerun", &body[..]),
            ("GET", path, &body[..]),
            ("POST", path, &b"{}"[..]),
        ] {
            assert_eq!(
                verify_call(&secret(), &creds, (method, path, body), now),
                Err(Refusal::BadSignature),
                "{method} {path}"
            );
        }
        // A webhook signature of the same bytes is not a call's.
        let webhook = sign(&secret(), ts, body);
        assert_eq!(
            verify_call(
                &secret(),
                &signed(&ts_text, &webhook),
                ("POST", path, body),
                now
            ),
            Err(Refusal::BadSignature)
        );
        let late = now + chrono::Duration::seconds(MAX_SKEW_S + 1);
        assert_eq!(
            verify_call(&secret(), &creds, ("POST", path, body), late),
            Err(Refusal::Stale)
        );
        assert_eq!(
            verify_call(
                &secret(),
                &Credentials::default(),
                ("POST", path, body),
                now
            ),
            Err(Refusal::Missing(TIMESTAMP_HEADER))
        );
    }

    #[test]
    fn without_a_secret_everything_is_refused() {
        for secret in [None, Some(String::new()), Some("  ".to_owned())] {
            let auth = WebhookAuth::from_config(secret, None).unwrap();
            assert_eq!(auth, WebhookAuth::Closed);
            assert_eq!(
                auth.verify(&Credentials::default(), b"{}", Utc::now()),
                Err(Refusal::NoSecret)
            );
        }
        assert!(WebhookAuth::from_config(Some("x".into()), Some("hmac")).is_err());
        assert!(matches!(
            WebhookAuth::from_config(Some("x".into()), Some("shared-secret")),
            Ok(WebhookAuth::SharedSecret(_))
        ));
        assert!(!format!("{:?}", WebhookAuth::Signed(secret())).contains("s3cret"));
    }
}
