//! The AI server's webhook behind API Gateway (no JWT: deliveries are
//! signed). The signing secret comes from Secrets Manager at cold start
//! (`COURSEGEN_WEBHOOK_SECRET_ARN`), never from plain configuration; an
//! unset or empty secret leaves the endpoint closed (every call refused).

use std::sync::Arc;
use std::time::Duration;

use coursegen_core::ai_protocol::signature::WebhookAuth;
use coursegen_engines::ai_server::{AllowedHosts, FILE_HOSTS_VAR, HttpFiles};
use coursegen_http::{GatewayClaims, Webhooks, webhook_router};

use crate::config::{Config, Missing, optional};
use crate::stack::Stack;

/// The webhook router over the AWS stack, checking deliveries with `auth`
/// and fetching the AI server's files from its host and those of
/// `COURSEGEN_AI_SERVER_FILE_HOSTS` (the template adds our bucket's, whose
/// pre-signed links a segmentation report echoes).
pub fn app(
    config: &Config,
    stack: &Stack,
    auth: WebhookAuth,
) -> Result<axum::Router, crate::Error> {
    let file_hosts = AllowedHosts::for_ai_server(
        config.ai_server_url.as_deref(),
        None,
        optional(FILE_HOSTS_VAR).as_deref(),
    )?;
    let state = stack.api_state(
        config,
        config.state_machine()?.to_owned(),
        // No route here reads the caller's claims; deliveries are signed.
        Arc::new(GatewayClaims),
        Duration::ZERO,
        Some(Webhooks {
            auth,
            deliveries: stack.store.clone(),
            files: Arc::new(HttpFiles::new(file_hosts)),
        }),
    );
    Ok(webhook_router(state))
}

pub async fn run() -> Result<(), crate::Error> {
    crate::init_logging();
    let config = Config::from_env()?;
    let stack = Stack::from_env(&config).await;
    if optional("COURSEGEN_WEBHOOK_SECRET_ARN").is_none() {
        return Err(Missing("COURSEGEN_WEBHOOK_SECRET_ARN").into());
    }
    let secret = crate::secrets::webhook_secret(&stack.sdk).await?;
    let compat = optional("COURSEGEN_WEBHOOK_COMPAT");
    let auth = WebhookAuth::from_config(secret, compat.as_deref())?;
    // Extracted audio is handed on for transcription from here.
    let stack = stack.with_ai_server(&config, auth.secret().cloned());
    if auth == WebhookAuth::Closed {
        tracing::warn!("the webhook secret is empty: every delivery will be refused");
    }
    lambda_http::run(app(&config, &stack, auth)?).await
}
