//! Speech by any OpenAI-compatible server: `POST {base}/audio/speech`.

use std::time::Duration;

use async_trait::async_trait;
use coursegen_core::ports::{MediaError, Speaker, Speech, Voice};
use serde_json::json;

use super::{check, known_voice, normalise_wav};
use crate::http_retry::{Failure, Server};

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
    server: Server,
    model: String,
    voice: String,
    voices: Vec<String>,
}

// By hand: the API key must never reach a log line.
impl std::fmt::Debug for OpenAiSpeech {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenAiSpeech")
            .field("endpoint", &self.server.endpoint)
            .field("api_key", &self.server.redacted_key())
            .field("model", &self.model)
            .field("voice", &self.voice)
            .field("attempts", &self.server.retry.attempts)
            .finish_non_exhaustive()
    }
}

impl OpenAiSpeech {
    /// A client of the server at `base_url` (e.g. `https://api.openai.com/v1`),
    /// sending `api_key` as a bearer token when there is one. Defaults: model
    /// `gpt-4o-mini-tts`, voice `alloy`, [`OPENAI_VOICES`], 4 attempts from
    /// a 500 ms backoff, 120 s per request.
    pub fn new(base_url: impl Into<String>, api_key: Option<String>) -> Result<Self, MediaError> {
        Ok(OpenAiSpeech {
            server: Server::new(
                base_url.into(),
                "audio/speech",
                api_key,
                "the speech server",
                Duration::from_secs(120),
            )?,
            model: DEFAULT_MODEL.into(),
            voice: DEFAULT_VOICE.into(),
            voices: OPENAI_VOICES.iter().map(|v| (*v).to_owned()).collect(),
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

    crate::http_retry::retry_builders!("sentence");

    /// One request: the speech, or why not and whether to try again.
    async fn attempt(&self, body: &serde_json::Value) -> Result<Vec<u8>, Failure> {
        let answer = self.server.post(body).await?;
        if answer.status.is_success() {
            return Ok(answer.body);
        }
        let message = self.server.message(&answer.body);
        Err(Failure::Final(MediaError::Invalid(format!(
            "the speech server answered {}: {message}",
            answer.status
        ))))
    }
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
        let bytes = self.server.retrying(|| self.attempt(&body)).await?;
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
    fn endpoint_and_backoff() {
        let s = OpenAiSpeech::new("http://127.0.0.1:1/v1/", None)
            .unwrap()
            .with_attempts(0)
            .with_backoff(Duration::from_millis(100), Duration::from_millis(350));
        assert_eq!(s.server.endpoint, "http://127.0.0.1:1/v1/audio/speech");
        assert_eq!(s.server.retry.attempts, 1);
        for (n, full) in [(1, 100), (2, 200), (3, 350), (30, 350)] {
            let d = s.server.retry.delay(n).as_millis();
            assert!(d >= full / 2 && d <= full, "retry {n}: {d} ms");
        }
        assert!(OpenAiSpeech::new("api.openai.com", None).is_err());
    }
}
