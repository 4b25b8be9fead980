//! How the LLM engine reaches its model: one OpenAI-compatible endpoint
//! (OpenAI, Azure OpenAI, vLLM, Ollama, llama.cpp's server), a model per
//! stage, and the limits every call keeps.

use std::time::Duration;

use coursegen_core::options::Options;
use coursegen_core::stage::{Stage, Usage};

/// The endpoint used when only a key is given.
pub const OPENAI_URL: &str = "https://api.openai.com/v1";
/// The model used when none is named.
pub const DEFAULT_MODEL: &str = "gpt-4o-mini";

#[derive(Clone)]
pub struct LlmConfig {
    /// Up to and including the API version: `…/v1`.
    pub base_url: String,
    /// Sent as a bearer token; never logged (see the Debug impl).
    pub api_key: Option<String>,
    /// The model of every stage the job's options do not name one for.
    pub model: String,
    pub structured: Structured,
    /// Calls in flight at once, over every job this process runs.
    pub concurrency: usize,
    /// The most completion tokens any one call may spend, over each task's
    /// own budget (see `chat::budget`): small local models need it lower.
    pub max_tokens: Option<u32>,
    pub retry: RetryPolicy,
    pub price: Price,
}

/// How replies are held to their schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Structured {
    /// `response_format: json_schema` with `strict: true`: the server
    /// constrains the reply (OpenAI, vLLM, llama.cpp, Ollama).
    Strict,
    /// `response_format: json_object` with the schema in the instructions,
    /// for servers without structured outputs; the reply is validated.
    JsonMode,
    /// Strict, and every string and list bounded (`maxLength`, `maxItems`):
    /// for small local models on servers that honour those (llama.cpp,
    /// vLLM, Ollama), which otherwise may never close a string.
    Bounded,
}

/// Retries of one HTTP call: 429, 5xx, timeouts and refused connections.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub attempts: u32,
    /// Each attempt's limit, from sending to the response's headers.
    pub timeout: Duration,
    /// Full-jitter backoff: attempt n waits a random time up to
    /// `min(cap, base · 2ⁿ⁻¹)`, or what Retry-After asks, whichever is longer.
    pub base: Duration,
    pub cap: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 5,
            timeout: Duration::from_secs(180),
            base: Duration::from_millis(500),
            cap: Duration::from_secs(30),
        }
    }
}

/// USD per million tokens, for the estimated cost of a run.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Price {
    pub prompt: f64,
    pub completion: f64,
}

impl Price {
    /// Published prices of a few common models; anything else (a local
    /// model) costs nothing unless `COURSEGEN_LLM_PRICE` says otherwise.
    pub fn of_model(model: &str) -> Price {
        let (prompt, completion) = match model {
            m if m.starts_with("gpt-4o-mini") => (0.15, 0.60),
            m if m.starts_with("gpt-4o") => (2.50, 10.0),
            m if m.starts_with("gpt-4.1-nano") => (0.10, 0.40),
            m if m.starts_with("gpt-4.1-mini") => (0.40, 1.60),
            m if m.starts_with("gpt-4.1") => (2.0, 8.0),
            _ => (0.0, 0.0),
        };
        Price { prompt, completion }
    }

    pub fn usage(&self, prompt_tokens: u64, completion_tokens: u64) -> Usage {
        Usage {
            prompt_tokens,
            completion_tokens,
            cost_usd: (prompt_tokens as f64 * self.prompt
                + completion_tokens as f64 * self.completion)
                / 1e6,
        }
    }
}

impl std::fmt::Debug for LlmConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LlmConfig")
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("model", &self.model)
            .field("structured", &self.structured)
            .field("concurrency", &self.concurrency)
            .field("max_tokens", &self.max_tokens)
            .field("retry", &self.retry)
            .field("price", &self.price)
            .finish()
    }
}

impl LlmConfig {
    /// An endpoint at `base_url` serving `model`, with the default limits.
    pub fn new(base_url: &str, api_key: Option<String>, model: &str) -> Self {
        LlmConfig {
            base_url: base_url.trim_end_matches('/').to_owned(),
            api_key,
            model: model.to_owned(),
            structured: Structured::Strict,
            concurrency: 8,
            max_tokens: None,
            retry: RetryPolicy::default(),
            price: Price::of_model(model),
        }
    }

    /// The LLM of the environment, if there is one: `OPENAI_BASE_URL`
    /// and/or `OPENAI_API_KEY` (one of them is needed), `COURSEGEN_LLM_MODEL`,
    /// and the optional `COURSEGEN_LLM_STRUCTURED=json` (servers without
    /// structured outputs) or `=bounded` (small local models), `COURSEGEN_LLM_CONCURRENCY`,
    /// `COURSEGEN_LLM_TIMEOUT_S`, `COURSEGEN_LLM_MAX_TOKENS` and `COURSEGEN_LLM_PRICE=prompt,completion`
    /// (USD per million tokens).
    pub fn from_env() -> Result<Option<Self>, String> {
        Self::from_lookup(|name| std::env::var(name).ok().filter(|v| !v.trim().is_empty()))
    }

    /// [`LlmConfig::from_env`] over any source of variables.
    pub fn from_lookup(var: impl Fn(&str) -> Option<String>) -> Result<Option<Self>, String> {
        let url = var("OPENAI_BASE_URL");
        let key = var("OPENAI_API_KEY");
        if url.is_none() && key.is_none() {
            return Ok(None);
        }
        let model = var("COURSEGEN_LLM_MODEL").unwrap_or_else(|| DEFAULT_MODEL.to_owned());
        let mut config = LlmConfig::new(url.as_deref().unwrap_or(OPENAI_URL), key, &model);
        if !config.base_url.starts_with("http://") && !config.base_url.starts_with("https://") {
            return Err(format!(
                "OPENAI_BASE_URL: {:?} is not an http(s) URL",
                config.base_url
            ));
        }
        match var("COURSEGEN_LLM_STRUCTURED").as_deref() {
            None | Some("strict") => {}
            Some("json") => config.structured = Structured::JsonMode,
            Some("bounded") => config.structured = Structured::Bounded,
            Some(other) => {
                return Err(format!(
                    "COURSEGEN_LLM_STRUCTURED: {other:?} is not \"strict\", \"bounded\" or \"json\""
                ));
            }
        }
        if let Some(n) = var("COURSEGEN_LLM_CONCURRENCY") {
            config.concurrency = n
                .parse()
                .ok()
                .filter(|n| (1..=256).contains(n))
                .ok_or_else(|| format!("COURSEGEN_LLM_CONCURRENCY: {n:?} is not 1–256"))?;
        }
        if let Some(n) = var("COURSEGEN_LLM_MAX_TOKENS") {
            config.max_tokens = Some(
                n.parse()
                    .ok()
                    .filter(|n| *n >= 64)
                    .ok_or_else(|| format!("COURSEGEN_LLM_MAX_TOKENS: {n:?} is not 64 or more"))?,
            );
        }
        if let Some(s) = var("COURSEGEN_LLM_TIMEOUT_S") {
            let secs: u64 = s.parse().ok().filter(|s| *s > 0).ok_or_else(|| {
                format!("COURSEGEN_LLM_TIMEOUT_S: {s:?} is not a positive number")
            })?;
            config.retry.timeout = Duration::from_secs(secs);
        }
        if let Some(p) = var("COURSEGEN_LLM_PRICE") {
            let parsed: Option<Vec<f64>> = p.split(',').map(|x| x.trim().parse().ok()).collect();
            config.price = match parsed.as_deref() {
                Some([prompt, completion]) if *prompt >= 0.0 && *completion >= 0.0 => Price {
                    prompt: *prompt,
                    completion: *completion,
                },
                _ => {
                    return Err(format!(
                        "COURSEGEN_LLM_PRICE: {p:?} is not \"prompt,completion\" in USD per million tokens"
                    ));
                }
            };
        }
        Ok(Some(config))
    }

    /// The model for `stage`: the job's choice, else the configured one.
    pub fn model_for<'a>(&'a self, stage: Stage, options: &'a Options) -> &'a str {
        options
            .models
            .get(&stage)
            .map_or(&self.model, String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup<'a>(vars: &'a [(&str, &str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn no_url_and_no_key_means_no_llm() {
        assert!(LlmConfig::from_lookup(lookup(&[])).unwrap().is_none());
    }

    #[test]
    fn the_environment_sets_every_field_and_the_key_stays_out_of_debug() {
        let config = LlmConfig::from_lookup(lookup(&[
            ("OPENAI_API_KEY", "sk-secret"),
            ("OPENAI_BASE_URL", "http://127.0.0.1:8080/v1/"),
            ("COURSEGEN_LLM_MODEL", "gemma3"),
            ("COURSEGEN_LLM_STRUCTURED", "json"),
            ("COURSEGEN_LLM_CONCURRENCY", "3"),
            ("COURSEGEN_LLM_TIMEOUT_S", "9"),
            ("COURSEGEN_LLM_MAX_TOKENS", "1024"),
            ("COURSEGEN_LLM_PRICE", "1, 2"),
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(config.base_url, "http://127.0.0.1:8080/v1");
        assert_eq!(config.model, "gemma3");
        assert_eq!(config.structured, Structured::JsonMode);
        assert_eq!(config.concurrency, 3);
        assert_eq!(config.retry.timeout, Duration::from_secs(9));
        assert_eq!(config.max_tokens, Some(1024));
        assert_eq!(config.price.usage(1_000_000, 500_000).cost_usd, 2.0);
        assert!(!format!("{config:?}").contains("sk-secret"));
    }

    #[test]
    fn a_key_alone_reaches_openai_with_its_prices() {
        let config = LlmConfig::from_lookup(lookup(&[("OPENAI_API_KEY", "k")]))
            .unwrap()
            .unwrap();
        assert_eq!(config.base_url, OPENAI_URL);
        assert_eq!(config.model, DEFAULT_MODEL);
        assert!(config.price.prompt > 0.0);
    }

    #[test]
    fn bad_values_are_refused_by_name() {
        for (name, value) in [
            ("OPENAI_BASE_URL", "localhost:8080"),
            ("COURSEGEN_LLM_STRUCTURED", "loose"),
            ("COURSEGEN_LLM_CONCURRENCY", "0"),
            ("COURSEGEN_LLM_TIMEOUT_S", "soon"),
            ("COURSEGEN_LLM_MAX_TOKENS", "12"),
            ("COURSEGEN_LLM_PRICE", "1"),
        ] {
            let vars = [("OPENAI_API_KEY", "k"), (name, value)];
            let error = LlmConfig::from_lookup(lookup(&vars)).unwrap_err();
            assert!(error.starts_with(name), "{error}");
        }
    }
}
