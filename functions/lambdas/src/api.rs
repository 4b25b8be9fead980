//! The REST API as a Lambda behind API Gateway's HTTP API: the same axum
//! router as `coursegen serve`, with callers known from the JWT authorizer's
//! claims and uploads going to pre-signed S3 URLs; and the review studio,
//! when the environment configures it (studio.rs).

use std::sync::Arc;
use std::time::Duration;

use coursegen_http::{GatewayClaims, Studio, api_router};

use crate::config::Config;
use crate::stack::Stack;

/// The router over the AWS stack, with the studio if there is one.
pub fn app(
    config: &Config,
    stack: &Stack,
    studio: Option<Studio>,
) -> Result<axum::Router, crate::config::Missing> {
    let mut state = stack.api_state(
        config,
        config.state_machine()?.to_owned(),
        Arc::new(GatewayClaims),
        // API Gateway buffers the whole answer (and cuts it at 30 s), so an
        // event stream here answers with what came in a short window, and
        // the client reconnects for more after the stream's `retry:` hint:
        // the studio's pages follow a job this way, a few seconds behind.
        // (API clients have the streaming `events` function.)
        STREAM_WINDOW,
        // AI server webhooks go to the `webhook` function.
        None,
    );
    state.studio = studio;
    Ok(api_router(state))
}

/// How long an event stream through API Gateway collects events.
pub const STREAM_WINDOW: Duration = Duration::from_secs(3);

pub async fn run() -> Result<(), crate::Error> {
    crate::init_logging();
    crate::check_model()?;
    let config = Config::from_env()?;
    // Aborts reach the AI server from here, and jobs that choose it are
    // accepted only where it is configured.
    let stack = Stack::from_env(&config).await;
    let secret = crate::secrets::call_signing_secret(&stack.sdk, &config).await?;
    let stack = stack.with_ai_server(&config, secret);
    let studio = crate::studio::from_env(&stack.sdk, crate::config::optional).await?;
    lambda_http::run(app(&config, &stack, studio)?).await
}
