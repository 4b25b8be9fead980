//! Secrets read once per cold start from Secrets Manager: the webhook's
//! signing secret and the LLM's API key are never in plain configuration.

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
