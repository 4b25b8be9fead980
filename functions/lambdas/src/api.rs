//! The REST API as a Lambda behind API Gateway's HTTP API: the same axum
//! router as `coursegen serve`, with callers known from the JWT authorizer's
//! claims and uploads going to pre-signed S3 URLs.

use std::sync::Arc;
use std::time::Duration;

use coursegen_http::{GatewayClaims, api_router};

use crate::config::Config;
use crate::stack::Stack;

/// The router over the AWS stack.
pub fn app(config: &Config, stack: &Stack) -> Result<axum::Router, crate::config::Missing> {
    let state = stack.api_state(
        config,
        config.state_machine()?.to_owned(),
        Arc::new(GatewayClaims),
        // API Gateway buffers this route and cuts it at 30 s: answer with
        // what came by then (the streaming `events` function is the real
        // way to follow a job on AWS).
        Duration::from_secs(25),
        // AI server webhooks go to the `webhook` function.
        None,
    );
    Ok(api_router(state))
}

pub async fn run() -> Result<(), crate::Error> {
    crate::init_logging();
    crate::check_model()?;
    let config = Config::from_env()?;
    // Aborts reach the AI server from here, and jobs that choose it are
    // accepted only where it is configured.
    let stack = Stack::from_env(&config).await;
    let secret = crate::secrets::call_signing_secret(&stack.sdk, &config).await?;
    let stack = stack.with_ai_server(&config, secret);
    lambda_http::run(app(&config, &stack)?).await
}
