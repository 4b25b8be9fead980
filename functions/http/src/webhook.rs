//! `POST /v1/webhooks/ai-server`: the AI server's reports. Authenticated
//! first (nothing unauthenticated touches state), then deduplicated through
//! the delivery log by what authenticates them (the signed timestamp and
//! body, or the body), so a delivery's effects happen once and a repeat —
//! a retry, or a captured delivery replayed under any delivery id — gets
//! the first answer back.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{Duration, Utc};
use coursegen_core::ai_protocol::signature::{
    Credentials, SHARED_SECRET_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, WebhookAuth,
};
use coursegen_core::ai_protocol::webhook::{Report, parse};
use coursegen_core::ports::{DeliveryLog, DeliveryState, RemoteFiles, StoredAnswer};
use coursegen_core::service::ServiceError;
use serde_json::Value;

use crate::error::ApiError;
use crate::state::ApiState;

/// How webhooks are checked and where their effects are recorded.
#[derive(Debug, Clone)]
pub struct Webhooks {
    pub auth: WebhookAuth,
    pub deliveries: Arc<dyn DeliveryLog>,
    pub files: Arc<dyn RemoteFiles>,
}

/// How long one delivery may be worked on before a resend may take it over.
const LEASE_S: i64 = 120;
/// Waits before each look at a delivery being processed by another
/// request: about 5 s in all, within the AI server's 10 s timeout.
const IN_PROGRESS_WAITS_MS: [u64; 8] = [0, 20, 50, 100, 250, 500, 1500, 2500];
/// How long a delivery's answer is kept for resends.
const KEEP_DAYS: i64 = 7;
/// How long a RUNNING report is remembered when only its body keys it
/// (shared-secret mode): a server that reports RUNNING again to keep a long
/// task alive sends the same bytes, and each must refresh the heartbeat
/// once this has passed. (Signed reports differ by their timestamp.)
const RUNNING_BY_BODY_S: i64 = 60;

pub async fn ai_server(State(state): State<ApiState>, headers: HeaderMap, body: Bytes) -> Response {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let Some(hooks) = &state.webhooks else {
        return ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "this server takes no webhooks",
        )
        .into_response();
    };
    let credentials = Credentials {
        timestamp: header(TIMESTAMP_HEADER),
        signature: header(SIGNATURE_HEADER),
        shared_secret: header(SHARED_SECRET_HEADER),
    };
    let now = Utc::now();
    if let Err(refusal) = hooks.auth.verify(&credentials, &body, now) {
        return ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            refusal.to_string(),
        )
        .into_response();
    }
    let id = hooks.auth.dedupe_key(&credentials, &body);
    let keep = match (&hooks.auth, parse(&body).map(|d| d.report)) {
        (WebhookAuth::SharedSecret(_), Ok(Report::Running)) => Duration::seconds(RUNNING_BY_BODY_S),
        _ => Duration::days(KEEP_DAYS),
    };
    // A repeat that arrives while the first is being worked on waits for
    // its answer a little (the first is usually done in milliseconds, and
    // the AI server does not resend), then is told to come back.
    let mut claim = Ok(DeliveryState::InProgress);
    for wait_ms in IN_PROGRESS_WAITS_MS {
        tokio::time::sleep(std::time::Duration::from_millis(wait_ms)).await;
        claim = hooks
            .deliveries
            .begin(&id, now + Duration::seconds(LEASE_S), now + keep)
            .await;
        if !matches!(claim, Ok(DeliveryState::InProgress)) {
            break;
        }
    }
    match claim {
        Err(e) => ApiError::from(ServiceError::from(e)).into_response(),
        Ok(DeliveryState::Answered(answer)) => replay(answer),
        Ok(DeliveryState::InProgress) => ApiError::new(
            StatusCode::CONFLICT,
            "conflict",
            "this delivery is being processed; send it again later",
        )
        .into_response(),
        Ok(DeliveryState::Claimed) => {
            let answer = apply(&state, hooks, &body).await;
            // Worth retrying: let the sender's next attempt do the work.
            let kept = if answer.status >= 500 {
                hooks.deliveries.release(&id).await
            } else {
                hooks.deliveries.finish(&id, &answer).await
            };
            match kept {
                Ok(()) => replay(answer),
                Err(e) => ApiError::from(ServiceError::from(e)).into_response(),
            }
        }
    }
}

async fn apply(state: &ApiState, hooks: &Webhooks, body: &[u8]) -> StoredAnswer {
    let result = match parse(body) {
        Err(e) => Err(ApiError::invalid(&e.field, e.message)),
        Ok(delivery) => state
            .service
            .ai_delivery(&delivery, hooks.files.as_ref())
            .await
            .map_err(ApiError::from),
    };
    match result {
        Ok(body) => StoredAnswer { status: 200, body },
        Err(e) => StoredAnswer {
            status: e.status.as_u16(),
            body: e.body(),
        },
    }
}

fn replay(answer: StoredAnswer) -> Response {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK);
    (status, Json::<Value>(answer.body)).into_response()
}
