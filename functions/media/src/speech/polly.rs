//! Speech by Amazon Polly: SynthesizeSpeech as 16 kHz PCM, made into WAV.

use async_trait::async_trait;
use aws_sdk_polly::Client;
use aws_sdk_polly::config::retry::RetryConfig;
use aws_sdk_polly::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_polly::types::{Engine, OutputFormat, TextType, VoiceId};
use coursegen_core::ports::{MediaError, Speaker, Speech, Voice};
use tokio::sync::OnceCell;

use super::chunk::split;
use super::polly_voices::DEFAULT_VOICES;
use super::{POLLY_VOICES, check, known_voice, pcm16_to_wav, primary_language};

const SAMPLE_RATE: u32 = 16_000;
/// Polly bills at most 3000 characters of a request (6000 with markup);
/// keeping the whole request text under 3000 satisfies both.
const MAX_REQUEST_CHARS: usize = 3_000;
/// SDK attempts per request: throttling and server errors are retried there.
const ATTEMPTS: u32 = 4;

const ENGINES: [&str; 4] = ["standard", "neural", "long-form", "generative"];

/// Amazon Polly. The client is built on first use when it comes from the
/// environment, so making one needs no runtime and no network.
pub struct PollySpeech {
    client: OnceCell<Client>,
    endpoint: Option<String>,
    voice: Option<String>,
    voices: Vec<String>,
    engine: Option<Engine>,
}

impl std::fmt::Debug for PollySpeech {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PollySpeech")
            .field("endpoint", &self.endpoint)
            .field("voice", &self.voice)
            .field("engine", &self.engine)
            .finish_non_exhaustive()
    }
}

impl PollySpeech {
    fn with_client(client: OnceCell<Client>, endpoint: Option<String>) -> Self {
        PollySpeech {
            client,
            endpoint,
            voice: None,
            voices: POLLY_VOICES.iter().map(|v| (*v).to_owned()).collect(),
            engine: None,
        }
    }

    /// Polly through `client`, configured by the caller (retries included).
    pub fn new(client: Client) -> Self {
        Self::with_client(OnceCell::new_with(Some(client)), None)
    }

    /// Polly as `sdk` says (region, credentials, retries: 4 standard
    /// attempts unless it sets its own), at `endpoint` if given.
    pub fn from_sdk_config(sdk: &aws_config::SdkConfig, endpoint: Option<&str>) -> Self {
        let client = client_for(sdk, endpoint);
        Self::with_client(OnceCell::new_with(Some(client)), endpoint.map(Into::into))
    }

    /// Polly configured from AWS's usual environment, loaded at first use.
    pub fn from_env(endpoint: Option<String>) -> Self {
        Self::with_client(OnceCell::new(), endpoint)
    }

    /// The voice id for every request that names none.
    pub fn with_voice(mut self, voice: impl Into<String>) -> Self {
        let voice = voice.into();
        if !self.voices.iter().any(|v| v.eq_ignore_ascii_case(&voice)) {
            self.voices.push(voice.clone());
        }
        self.voice = Some(voice);
        self
    }

    /// The voices a job may name.
    pub fn with_voices(mut self, voices: Vec<String>) -> Self {
        self.voices = voices;
        self
    }

    /// `standard`, `neural`, `long-form` or `generative`.
    pub fn with_engine(mut self, engine: &str) -> Result<Self, MediaError> {
        let engine = engine.to_ascii_lowercase();
        if !ENGINES.contains(&engine.as_str()) {
            return Err(MediaError::Invalid(format!(
                "Polly has no engine {engine:?}: use one of {}",
                ENGINES.join(", ")
            )));
        }
        self.engine = Some(Engine::from(engine.as_str()));
        Ok(self)
    }

    async fn client(&self) -> &Client {
        self.client
            .get_or_init(|| async {
                let sdk = aws_config::defaults(aws_config::BehaviorVersion::latest())
                    .retry_config(retries())
                    .load()
                    .await;
                client_for(&sdk, self.endpoint.as_deref())
            })
            .await
    }

    fn voice_for(&self, voice: &Voice) -> Result<String, MediaError> {
        if let Some(name) = &voice.name {
            return known_voice(name, &self.voices, "Polly");
        }
        if let Some(name) = &self.voice {
            return Ok(name.clone());
        }
        let tag = voice.language.replace('_', "-").to_ascii_lowercase();
        let primary = primary_language(&tag);
        let find = |t: &str| DEFAULT_VOICES.iter().find(|(l, _)| *l == t);
        find(&tag)
            .or_else(|| find(&primary))
            .map(|(_, v)| (*v).to_owned())
            .ok_or_else(|| {
                MediaError::Invalid(format!(
                    "Polly has no default voice for {:?} here: name one (Polly's voices: {}…)",
                    voice.language,
                    self.voices
                        .iter()
                        .take(12)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })
    }

    async fn synthesize(&self, text: &str, ssml: bool, voice: &str) -> Result<Vec<u8>, MediaError> {
        let mut request = self
            .client()
            .await
            .synthesize_speech()
            .text(text)
            .text_type(if ssml { TextType::Ssml } else { TextType::Text })
            .voice_id(VoiceId::from(voice))
            .output_format(OutputFormat::Pcm)
            .sample_rate(SAMPLE_RATE.to_string());
        if let Some(engine) = &self.engine {
            request = request.engine(engine.clone());
        }
        let out = request.send().await.map_err(polly_error)?;
        let pcm = out
            .audio_stream
            .collect()
            .await
            .map_err(|e| MediaError::Unavailable(format!("Polly's speech was cut off: {e}")))?;
        Ok(pcm.into_bytes().to_vec())
    }
}

fn retries() -> RetryConfig {
    RetryConfig::standard().with_max_attempts(ATTEMPTS)
}

fn client_for(sdk: &aws_config::SdkConfig, endpoint: Option<&str>) -> Client {
    let retry = sdk.retry_config().cloned().unwrap_or_else(retries);
    let mut config = aws_sdk_polly::config::Builder::from(sdk).retry_config(retry);
    if let Some(url) = endpoint {
        config = config.endpoint_url(url);
    }
    Client::from_conf(config.build())
}

/// What a request sends for `text`: plain at the normal pace, else SSML
/// whose prosody sets the rate.
fn request_text(text: &str, speed: f32) -> (String, bool) {
    let percent = (speed * 100.0).round() as u32;
    if percent == 100 {
        (text.to_owned(), false)
    } else {
        let body = crate::xml::escape(text);
        (
            format!(r#"<speak><prosody rate="{percent}%">{body}</prosody></speak>"#),
            true,
        )
    }
}

fn polly_error<R>(
    e: SdkError<aws_sdk_polly::operation::synthesize_speech::SynthesizeSpeechError, R>,
) -> MediaError
where
    R: std::fmt::Debug,
{
    match &e {
        SdkError::ServiceError(service) => {
            let err = service.err();
            let said = format!(
                "Polly refused the speech: {}: {}",
                err.code().unwrap_or("error"),
                err.message().unwrap_or("no message")
            );
            let transient = err.is_service_failure_exception()
                || matches!(
                    err.code(),
                    Some("ThrottlingException" | "ServiceUnavailable")
                );
            if transient {
                MediaError::Unavailable(said)
            } else {
                MediaError::Invalid(said)
            }
        }
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => {
            MediaError::Unavailable(format!("Polly is unreachable: {}", DisplayErrorContext(&e)))
        }
        _ => MediaError::Failed(format!("Polly: {}", DisplayErrorContext(&e))),
    }
}

#[async_trait]
impl Speaker for PollySpeech {
    fn voices(&self) -> Vec<String> {
        self.voices.clone()
    }

    async fn speak(&self, text: &str, voice: &Voice) -> Result<Speech, MediaError> {
        check(text, voice)?;
        let name = self.voice_for(voice)?;
        let pieces = split(text, |piece| {
            request_text(piece, voice.speed).0.chars().count() <= MAX_REQUEST_CHARS
        });
        let mut wavs = Vec::with_capacity(pieces.len());
        for piece in &pieces {
            let (text, ssml) = request_text(piece, voice.speed);
            wavs.push(pcm16_to_wav(
                &self.synthesize(&text, ssml, &name).await?,
                SAMPLE_RATE,
            ));
        }
        let wav = if wavs.len() == 1 {
            wavs.remove(0)
        } else {
            crate::wav::join(&wavs)?
        };
        let duration_ms = crate::wav::duration_ms(&wav)?;
        Ok(Speech { wav, duration_ms })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_have_voices_and_speed_is_prosody() {
        let polly = PollySpeech::from_env(None);
        let v = |language: &str, name: Option<&str>| Voice {
            language: language.into(),
            name: name.map(Into::into),
            speed: 1.0,
        };
        assert_eq!(polly.voice_for(&v("en-US", None)).unwrap(), "Joanna");
        assert_eq!(polly.voice_for(&v("en-GB", None)).unwrap(), "Amy");
        assert_eq!(polly.voice_for(&v("ar-EG", None)).unwrap(), "Zeina");
        assert_eq!(
            polly.voice_for(&v("en", Some("matthew"))).unwrap(),
            "Matthew"
        );
        assert!(matches!(
            polly.voice_for(&v("tlh", None)),
            Err(MediaError::Invalid(_))
        ));
        let e = polly.voice_for(&v("en", Some("Nobody"))).unwrap_err();
        assert!(e.to_string().contains("Aditi, Adriano"), "{e}");
        let polly = polly.with_voice("Ruth");
        assert_eq!(polly.voice_for(&v("ar", None)).unwrap(), "Ruth");

        assert_eq!(request_text("a < b", 1.0), ("a < b".to_owned(), false));
        assert_eq!(
            request_text("Tom & Jerry", 1.25),
            (
                r#"<speak><prosody rate="125%">Tom &amp; Jerry</prosody></speak>"#.to_owned(),
                true
            )
        );
        assert!(PollySpeech::from_env(None).with_engine("Neural").is_ok());
    }
}
