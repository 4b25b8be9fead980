//! The environment a deployed function runs in (set by `infra/template.yaml`).
//! Empty values count as unset, as CloudFormation cannot leave one out.

use std::env;

/// Which required variable is missing, said plainly at cold start.
#[derive(Debug, thiserror::Error)]
#[error("{0} is not set: deploy with infra/template.yaml, or set it by hand")]
pub struct Missing(pub &'static str);

#[derive(Debug, Clone)]
pub struct Config {
    pub table: String,
    pub bucket: String,
    /// Only the functions that start or answer executions have it.
    pub state_machine_arn: Option<String>,
    /// Address buckets by path (`COURSEGEN_S3_PATH_STYLE=true`): emulators
    /// serve one host, not a subdomain per bucket.
    pub s3_path_style: bool,
    /// The external AI server's base URL (`COURSEGEN_AI_SERVER_URL`), for
    /// the functions that dispatch to it, abort its work or chain its tasks.
    pub ai_server_url: Option<String>,
    /// The Secrets Manager secret holding the LLM's API key
    /// (`COURSEGEN_LLM_KEY_SECRET_ARN`), for the steps that call the LLM.
    pub llm_key_secret_arn: Option<String>,
    /// Whether an LLM is configured (`OPENAI_BASE_URL` or a key): jobs may
    /// then choose the `openai` engine.
    pub llm: bool,
}

/// A variable's value, `None` when unset or empty.
pub fn optional(name: &str) -> Option<String> {
    env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn required(name: &'static str) -> Result<String, Missing> {
    optional(name).ok_or(Missing(name))
}

impl Config {
    pub fn from_env() -> Result<Self, Missing> {
        Ok(Config {
            table: required("COURSEGEN_TABLE")?,
            bucket: required("COURSEGEN_BUCKET")?,
            state_machine_arn: optional("COURSEGEN_STATE_MACHINE_ARN"),
            s3_path_style: optional("COURSEGEN_S3_PATH_STYLE").is_some_and(|v| v == "true"),
            ai_server_url: optional("COURSEGEN_AI_SERVER_URL"),
            llm_key_secret_arn: optional("COURSEGEN_LLM_KEY_SECRET_ARN"),
            llm: [
                "OPENAI_BASE_URL",
                "OPENAI_API_KEY",
                "COURSEGEN_LLM_KEY_SECRET_ARN",
            ]
            .iter()
            .any(|name| optional(name).is_some()),
        })
    }

    /// The state machine, for the functions that cannot work without it.
    pub fn state_machine(&self) -> Result<&str, Missing> {
        self.state_machine_arn
            .as_deref()
            .ok_or(Missing("COURSEGEN_STATE_MACHINE_ARN"))
    }
}
