//! Speech by any OpenAI-compatible server: `POST {base}/audio/speech`.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

use async_trait::async_trait;
use coursegen_core::ports::{MediaError, Speaker, Speech, Voice};
use reqwest::StatusCode;
use serde_json::json;

use super::{check, known_voice, normalise_wav};

pub(super) const DEFAULT_BASE_URL: &str = "https://api.openai.com/v1";
/// The default model; OpenAI has announced its end (2027-01-06), so set
/// `COURSEGEN_SPEECH_MODEL` for anything that must outlive it.
const DEFAULT_MODEL: &str = "gpt-4o-mini-tts";
const DEFAULT_VOICE: &str = "alloy";

/// OpenAI's standard voices, the default list a job may name from.
pub const OPENAI_VOICES: [&str; 13] = [
    "alloy", "ash", "ballad", "coral", "echo", "fable", "nova", "onyx", "sage", "shimmer", "verse",
    "marin", "cedar",
];

/// A speech server speaking OpenAI's `audio/speech` API, asked for WAV.
#[derive(Clone)]
pub struct OpenAiSpeech {
    http: reqwest::Client,
    endpoint: String,
    api_key: Option<String>,
    model: String,
    voice: String,
    voices: Vec<String>,
    attempts: u32,
    base_delay: Duration,
    max_delay: Duration,
    timeout: Duration,
}

// By hand: the API key must never reach a log line.
impl std::fmt::Debug for OpenAiSpeech {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenAiSpeech")
            .field("endpoint", &self.endpoint)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("model", &self.model)
            .field("voice", &self.voice)
            .field("attempts", &self.attempts)
            .finish_non_exhaustive()
    }
}

impl OpenAiSpeech {
    /// A client of the server at `base_url` (e.g. `https://api.openai.com/v1`),
    /// sending `api_key` as a bearer token when there is one. Defaults: model
    /// `gpt-4o-mini-tts`, voice `alloy`, [`OPENAI_VOICES`], 4 attempts from
    /// a 500 ms backoff, 120 s per request.
    pub fn new(base_url: impl Into<String>, api_key: Option<String>) -> Result<Self, MediaError> {
        let base = base_url.into();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(MediaError::Invalid(format!(
                "the speech server's URL must start with http:// or https://, not {base:?}"
            )));
        }
        let http = reqwest::Client::builder()
            .build()
            .map_err(|e| MediaError::Failed(format!("cannot make an HTTP client: {e}")))?;
        Ok(OpenAiSpeech {
            http,
            endpoint: format!("{}/audio/speech", base.trim_end_matches('/')),
            api_key,
            model: DEFAULT_MODEL.into(),
            voice: DEFAULT_VOICE.into(),
            voices: OPENAI_VOICES.iter().map(|v| (*v).to_owned()).collect(),
            attempts: 4,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            timeout: Duration::from_secs(120),
        })
    }

    pub fn with_model(mut self, model: impl Into<String>) -> Self {
        self.model = model.into();
        self
    }

    /// The voice of requests that name none; it joins the list if new.
    pub fn with_voice(mut self, voice: impl Into<String>) -> Self {
        self.voice = voice.into();
        if !self
            .voices
            .iter()
            .any(|v| v.eq_ignore_ascii_case(&self.voice))
        {
            self.voices.push(self.voice.clone());
        }
        self
    }

    /// The voices a job may name (a server's custom voices, say); the
    /// default voice becomes the first of them unless it is among them.
    pub fn with_voices(mut self, voices: Vec<String>) -> Self {
        if let Some(first) = voices.first()
            && !voices.iter().any(|v| v.eq_ignore_ascii_case(&self.voice))
        {
            self.voice = first.clone();
        }
        self.voices = voices;
        self
    }

    /// At most `attempts` requests per sentence (at least 1).
    pub fn with_attempts(mut self, attempts: u32) -> Self {
        self.attempts = attempts.max(1);
        self
    }

    /// The first retry's delay; each next one doubles, up to `max` (which
    /// also caps a server's Retry-After).
    pub fn with_backoff(mut self, base: Duration, max: Duration) -> Self {
        self.base_delay = base;
        self.max_delay = max.max(base);
        self
    }

    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Waits before retry `n` (1-based): doubling, with half of it random so
    /// many lessons' speech that failed together do not retry together.
    fn backoff(&self, n: u32) -> Duration {
        let full = self
            .base_delay
            .saturating_mul(1 << (n - 1).min(16))
            .min(self.max_delay);
        let random = RandomState::new().build_hasher().finish();
        let half = full / 2;
        half + half.mul_f64((random % 1_000) as f64 / 1_000.0)
    }

    /// One request: the speech, or the error and, if it is worth another
    /// try, how long the server asked us to wait (if it said).
    async fn attempt(&self, body: &serde_json::Value) -> Result<Vec<u8>, Failure> {
        let mut request = self
            .http
            .post(&self.endpoint)
            .timeout(self.timeout)
            .json(body);
        if let Some(key) = &self.api_key {
            request = request.bearer_auth(key);
        }
        let response = request.send().await.map_err(|e| Failure::Retry {
            error: MediaError::Unavailable(format!("the speech server is unreachable: {e}")),
            after: None,
        })?;
        let status = response.status();
        if status.is_success() {
            return match response.bytes().await {
                Ok(bytes) => Ok(bytes.to_vec()),
                Err(e) => Err(Failure::Retry {
                    error: MediaError::Unavailable(format!("the speech was cut off: {e}")),
                    after: None,
                }),
            };
        }
        let after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let message = server_message(&response.text().await.unwrap_or_default());
        let said = format!("the speech server answered {status}: {message}");
        if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
            Err(Failure::Retry {
                error: MediaError::Unavailable(said),
                after,
            })
        } else {
            Err(Failure::Final(MediaError::Invalid(said)))
        }
    }
}

enum Failure {
    Retry {
        error: MediaError,
        after: Option<Duration>,
    },
    Final(MediaError),
}

/// The server's own words: OpenAI's `{"error": {"message"}}`, else the body
/// (shortened: an HTML error page is not a message).
fn server_message(body: &str) -> String {
    let parsed: Option<serde_json::Value> = serde_json::from_str(body).ok();
    if let Some(m) = parsed
        .as_ref()
        .and_then(|v| v.pointer("/error/message").or_else(|| v.get("message")))
        .and_then(|m| m.as_str())
    {
        return m.to_owned();
    }
    let body = body.trim();
    if body.is_empty() {
        return "no message".into();
    }
    let mut short: String = body.chars().take(300).collect();
    if short.len() < body.len() {
        short.push('…');
    }
    short
}

#[async_trait]
impl Speaker for OpenAiSpeech {
    fn voices(&self) -> Vec<String> {
        self.voices.clone()
    }

    async fn speak(&self, text: &str, voice: &Voice) -> Result<Speech, MediaError> {
        check(text, voice)?;
        let name = match &voice.name {
            Some(name) => known_voice(name, &self.voices, "the speech server")?,
            None => self.voice.clone(),
        };
        let body = json!({
            "model": self.model,
            "input": text,
            "voice": name,
            "response_format": "wav",
            "speed": voice.speed,
        });
        let mut tries = 0;
        let bytes = loop {
            tries += 1;
            match self.attempt(&body).await {
                Ok(bytes) => break bytes,
                Err(Failure::Final(e)) => return Err(e),
                Err(Failure::Retry { error, .. }) if tries >= self.attempts => return Err(error),
                Err(Failure::Retry { error, after }) => {
                    let wait = after
                        .map(|a| a.min(self.max_delay))
                        .unwrap_or_else(|| self.backoff(tries));
                    tracing::warn!(attempt = tries, wait_ms = wait.as_millis() as u64, error = %error, "speech retried");
                    tokio::time::sleep(wait).await;
                }
            }
        };
        let wav = normalise_wav(&bytes).map_err(|e| {
            MediaError::Failed(format!("the speech server's answer was not usable: {e}"))
        })?;
        let duration_ms = crate::wav::duration_ms(&wav)?;
        Ok(Speech { wav, duration_ms })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_and_backoff() {
        assert_eq!(
            server_message(r#"{"error":{"message":"Input is too long","type":"invalid"}}"#),
            "Input is too long"
        );
        assert_eq!(server_message("  "), "no message");
        assert!(server_message(&"x".repeat(1_000)).ends_with('…'));
        let s = OpenAiSpeech::new("http://127.0.0.1:1/v1/", None)
            .unwrap()
            .with_backoff(Duration::from_millis(100), Duration::from_millis(350));
        assert_eq!(s.endpoint, "http://127.0.0.1:1/v1/audio/speech");
        for (n, full) in [(1, 100), (2, 200), (3, 350), (30, 350)] {
            let d = s.backoff(n).as_millis();
            assert!(d >= full / 2 && d <= full, "retry {n}: {d} ms");
        }
        assert!(OpenAiSpeech::new("api.openai.com", None).is_err());
    }
}
