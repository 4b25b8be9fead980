//! The REST API as a Lambda behind API Gateway's HTTP API: the same axum
//! router as `coursegen serve`, with callers known from the JWT authorizer's
//! claims and uploads going to pre-signed S3 URLs.

use std::sync::Arc;

use coursegen_aws::{S3Uploads, StepFunctionsWorkflow};
use coursegen_core::service::Service;
use coursegen_http::state::never_stopping;
use coursegen_http::{ApiState, GatewayClaims, router};

use crate::config::Config;
use crate::stack::{Stack, s3_client};

/// The router over the AWS stack.
pub fn app(config: &Config, stack: &Stack) -> Result<axum::Router, crate::config::Missing> {
    let workflow = StepFunctionsWorkflow::new(
        aws_sdk_sfn::Client::new(&stack.sdk),
        config.state_machine()?,
    );
    let state = ApiState {
        service: Service {
            steps: stack.steps.clone(),
            workflow: Arc::new(workflow),
        },
        auth: Arc::new(GatewayClaims),
        uploads: Arc::new(S3Uploads::new(
            s3_client(config, &stack.sdk),
            config.bucket.clone(),
        )),
        // Each request may land on another instance: event streams read
        // the table (the `events` function streams them on AWS).
        changes: None,
        stopping: never_stopping(),
        // API Gateway buffers this route and cuts it at 30 s: answer with
        // what came by then (the streaming `events` function is the real
        // way to follow a job on AWS).
        max_stream: Some(std::time::Duration::from_secs(25)),
        // AI server webhooks go to the `webhook` function, not this one.
        webhooks: stack.closed_webhooks(),
    };
    Ok(router(state))
}

pub async fn run() -> Result<(), crate::Error> {
    crate::init_logging();
    let config = Config::from_env()?;
    let stack = Stack::from_env(&config).await;
    lambda_http::run(app(&config, &stack)?).await
}
