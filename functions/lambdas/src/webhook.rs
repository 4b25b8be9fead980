//! The AI server's webhook behind API Gateway (no JWT: deliveries are
//! signed). The signing secret comes from Secrets Manager at cold start
//! (`COURSEGEN_WEBHOOK_SECRET_ARN`), never from plain configuration; an
//! unset or empty secret leaves the endpoint closed (every call refused).

use std::sync::Arc;
use std::time::Duration;

use coursegen_core::ai_protocol::signature::WebhookAuth;
use coursegen_engines::ai_server::HttpFiles;
use coursegen_http::{GatewayClaims, Webhooks, webhook_router};

use crate::config::{Config, Missing, optional};
use crate::stack::Stack;

/// The webhook router over the AWS stack, checking deliveries with `auth`.
pub fn app(config: &Config, stack: &Stack, auth: WebhookAuth) -> Result<axum::Router, Missing> {
    let state = stack.api_state(
        config,
        config.state_machine()?.to_owned(),
        // No route here reads the caller's claims; deliveries are signed.
        Arc::new(GatewayClaims),
        Duration::ZERO,
        Some(Webhooks {
            auth,
            deliveries: stack.store.clone(),
            files: Arc::new(HttpFiles::new()),
        }),
    );
    Ok(webhook_router(state))
}

pub async fn run() -> Result<(), crate::Error> {
    crate::init_logging();
    let config = Config::from_env()?;
    // Extracted audio is handed on for transcription from here.
    let stack = Stack::from_env(&config).await.with_ai_server(&config);
    let arn =
        optional("COURSEGEN_WEBHOOK_SECRET_ARN").ok_or(Missing("COURSEGEN_WEBHOOK_SECRET_ARN"))?;
    let compat = optional("COURSEGEN_WEBHOOK_COMPAT");
    let auth = WebhookAuth::from_config(
        crate::secrets::read(&stack.sdk, &arn, "webhook secret").await?,
        compat.as_deref(),
    )?;
    if auth == WebhookAuth::Closed {
        tracing::warn!("the webhook secret is empty: every delivery will be refused");
    }
    lambda_http::run(app(&config, &stack, auth)?).await
}
