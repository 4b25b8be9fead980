//! Secrets read once per cold start from Secrets Manager: the webhook's
//! signing secret and the LLM's API key are never in plain configuration.
//! The webhook secret is read by the functions that check webhooks or
//! sign calls to the AI server (api, webhook, dispatch).

/// The value of the secret `arn` (`None`: it holds no string).
pub async fn read(
    sdk: &aws_config::SdkConfig,
    arn: &str,
    what: &str,
) -> Result<Option<String>, crate::Error> {
    let answer = aws_sdk_secretsmanager::Client::new(sdk)
        .get_secret_value()
        .secret_id(arn)
        .send()
        .await
        .map_err(|e| {
            format!(
                "cannot read the {what} {arn}: {}",
                aws_sdk_secretsmanager::error::DisplayErrorContext(e)
            )
        })?;
    Ok(answer.secret_string().map(str::to_owned))
}

/// The webhook secret of `COURSEGEN_WEBHOOK_SECRET_ARN`, for the functions
/// that check the AI server's webhooks or sign our calls to it; `None`
/// when the variable or the secret is empty.
pub async fn webhook_secret(sdk: &aws_config::SdkConfig) -> Result<Option<String>, crate::Error> {
    match crate::config::optional("COURSEGEN_WEBHOOK_SECRET_ARN") {
        Some(arn) => read(sdk, &arn, "webhook secret").await,
        None => Ok(None),
    }
}

/// The secret our calls to the AI server are signed with: the webhook
/// secret, read only where an AI server is configured.
pub async fn call_signing_secret(
    sdk: &aws_config::SdkConfig,
    config: &crate::config::Config,
) -> Result<Option<coursegen_core::ai_protocol::signature::Secret>, crate::Error> {
    if config.ai_server_url.is_none() {
        return Ok(None);
    }
    Ok(webhook_secret(sdk)
        .await?
        .and_then(coursegen_core::ai_protocol::signature::Secret::new))
}
