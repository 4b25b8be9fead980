//! Who may give the reference server work: only callers who sign with its
//! secret, as coursegen's client does (`signature::sign_call`: the
//! webhooks' HMAC over the method, route and body, five minutes). An
//! unsigned, badly signed or stale call is a 401.
//!
//! A signed call may be sent again within its five minutes: the client
//! retries a call whose answer it lost with what may be the same signature
//! (timestamps are in seconds), and the protocol's status rules already
//! turn a repeated start or rerun into a 400 while the task runs.

use std::sync::Arc;

use axum::Json;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use coursegen_core::ai_protocol::signature::{
    Credentials, SIGNATURE_HEADER, TIMESTAMP_HEADER, verify_call,
};
use serde_json::json;

use super::ReferenceServer;

/// The largest call body read (a JobState is a few hundred bytes).
const MAX_CALL_BYTES: usize = 1 << 20;

fn refuse(detail: String) -> Response {
    (StatusCode::UNAUTHORIZED, Json(json!({"detail": detail}))).into_response()
}

/// The middleware in front of every route that starts or stops work.
pub(super) async fn signed_calls_only(
    State(server): State<Arc<ReferenceServer>>,
    request: Request,
    next: Next,
) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(body) = axum::body::to_bytes(body, MAX_CALL_BYTES).await else {
        return (
            StatusCode::PAYLOAD_TOO_LARGE,
            Json(json!({"detail": "the body is too large"})),
        )
            .into_response();
    };
    let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok());
    let credentials = Credentials {
        timestamp: header(TIMESTAMP_HEADER),
        signature: header(SIGNATURE_HEADER),
        shared_secret: None,
    };
    let call = (parts.method.as_str(), parts.uri.path(), &body[..]);
    let now = Utc::now();
    if let Err(why) = verify_call(server.config.signing.secret(), &credentials, call, now) {
        return refuse(format!(
            "{why}: calls must be signed with this server's secret (coursegen signs them with COURSEGEN_WEBHOOK_SECRET)"
        ));
    }
    next.run(Request::from_parts(parts, Body::from(body))).await
}
