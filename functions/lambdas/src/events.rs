//! A job's events as server-sent events from a streaming Lambda behind a
//! Function URL (`lambda_http::run_with_streaming_response`). The stream
//! reads the table (no change feed across instances) and ends before the
//! 15-minute limit, so the client reconnects with Last-Event-ID and misses
//! nothing. Callers are checked against the issuer's published keys; since
//! a browser's EventSource cannot send headers, the token may also come as
//! `?access_token=`.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::header::AUTHORIZATION;
use axum::http::{HeaderValue, Uri};
use axum::middleware::{self, Next};
use axum::response::Response;
use coursegen_http::{Bearer, events_router};

use crate::config::Config;
use crate::config::{Missing, optional};
use crate::jwks::JwksVerifier;
use crate::stack::Stack;

/// Streams end this long after they start: well inside Lambda's 15 minutes.
pub const MAX_STREAM: Duration = Duration::from_secs(14 * 60);

/// Moves `access_token` from the query to the Authorization header, and
/// makes sure the keys that signed the token are at hand.
async fn authorize(
    State(verifier): State<Arc<JwksVerifier>>,
    mut request: Request,
    next: Next,
) -> Response {
    let uri = request.uri().clone();
    if let Some(query) = uri.query() {
        let (tokens, rest): (Vec<&str>, Vec<&str>) = query
            .split('&')
            .partition(|pair| pair.starts_with("access_token="));
        if let Some(token) = tokens.first().and_then(|t| t.strip_prefix("access_token=")) {
            if let Ok(value) = HeaderValue::from_str(&format!("Bearer {token}")) {
                request.headers_mut().insert(AUTHORIZATION, value);
            }
            let path_and_query = match rest.is_empty() {
                true => uri.path().to_owned(),
                false => format!("{}?{}", uri.path(), rest.join("&")),
            };
            if let Ok(stripped) = path_and_query.parse::<Uri>() {
                *request.uri_mut() = stripped;
            }
        }
    }
    let bearer = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_owned);
    if let Some(token) = bearer {
        verifier.refresh_for(&token).await;
    }
    next.run(request).await
}

/// The events router over the AWS stack, checking tokens with `verifier`.
pub fn app(
    config: &Config,
    stack: &Stack,
    verifier: Arc<JwksVerifier>,
) -> Result<axum::Router, Missing> {
    let state = stack.api_state(
        config,
        config.state_machine_arn.clone().unwrap_or_default(),
        Arc::new(Bearer(verifier.clone())),
        MAX_STREAM,
        None,
    );
    Ok(events_router(state).layer(middleware::from_fn_with_state(verifier, authorize)))
}

pub async fn run() -> Result<(), crate::Error> {
    crate::init_logging();
    let config = Config::from_env()?;
    let issuer = optional("COURSEGEN_JWT_ISSUER").ok_or(Missing("COURSEGEN_JWT_ISSUER"))?;
    let audience = optional("COURSEGEN_JWT_AUDIENCE").ok_or(Missing("COURSEGEN_JWT_AUDIENCE"))?;
    let stack = Stack::from_env(&config).await;
    let verifier = Arc::new(JwksVerifier::new(issuer, audience));
    lambda_http::run_with_streaming_response(app(&config, &stack, verifier)?).await
}
