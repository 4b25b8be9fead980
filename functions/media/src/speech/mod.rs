//! Speech: core's [`Speaker`] port spoken by one of three providers.
//!
//! - [`Espeak`]: espeak-ng on this machine, offline (the default).
//! - [`OpenAiSpeech`]: any OpenAI-compatible `POST {base}/audio/speech`.
//! - [`PollySpeech`]: Amazon Polly.
//!
//! Every provider answers with a WAV whose duration is read from its
//! samples ([`crate::wav`]), so subtitle cues can be timed by it.
//!
//! [`speaker_from_env`] picks and configures one from the environment:
//!
//! | variable | meaning |
//! |---|---|
//! | `COURSEGEN_SPEECH` | `espeak` (default), `openai` or `polly`; anything else is refused |
//! | `COURSEGEN_SPEECH_BASE_URL` | openai: the server's base URL (default `https://api.openai.com/v1`); polly: an endpoint to use instead of AWS's (a test double) |
//! | `COURSEGEN_SPEECH_API_KEY` | openai: the bearer key, else `OPENAI_API_KEY`; none sends no `Authorization` (a local server) |
//! | `COURSEGEN_SPEECH_MODEL` | openai: the model (default `gpt-4o-mini-tts`); polly: the engine (`standard`, `neural`, `long-form`, `generative`; default Polly's own) |
//! | `COURSEGEN_SPEECH_VOICE` | openai: the voice when a request names none (default `alloy`); polly: the voice id used instead of the language's default |
//! | `COURSEGEN_SPEECH_VOICES` | openai and polly: the voices a job may name, comma-separated (default: OpenAI's standard set; Polly's voice ids) |
//!
//! espeak-ng takes only `COURSEGEN_SPEECH`: its voices are the ones installed,
//! chosen by the request's language unless it names one. Polly reads AWS's
//! usual settings (region, credentials) the way the other AWS clients do.
//! The API key is a secret: it is never logged, and `Debug` hides it.

mod chunk;
mod espeak;
mod openai;
mod polly;
mod polly_voices;
mod riff;

use std::sync::Arc;

use coursegen_core::material::primary_language;
use coursegen_core::ports::{MediaError, Speaker, Voice};

pub use espeak::{Espeak, EspeakVoice};
pub use openai::{OPENAI_VOICES, OpenAiSpeech};
pub use polly::PollySpeech;
pub use polly_voices::POLLY_VOICES;
pub use riff::{normalise_wav, pcm16_to_wav};

/// The speaker the environment asks for (see the module's table).
pub fn speaker_from_env() -> Result<Arc<dyn Speaker>, MediaError> {
    speaker_from(|name| std::env::var(name).ok())
}

/// [`speaker_from_env`] reading its variables from `var` (tests pass a map).
pub fn speaker_from(var: impl Fn(&str) -> Option<String>) -> Result<Arc<dyn Speaker>, MediaError> {
    // An empty variable counts as unset: `VAR= cmd` is how a shell clears one.
    let get = |name: &str| {
        var(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let voices = get("COURSEGEN_SPEECH_VOICES").map(|list| {
        list.split(',')
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .collect::<Vec<_>>()
    });
    let kind = get("COURSEGEN_SPEECH").unwrap_or_else(|| "espeak".into());
    match kind.to_ascii_lowercase().as_str() {
        "espeak" | "espeak-ng" => Ok(Arc::new(Espeak::new())),
        "openai" => {
            let base =
                get("COURSEGEN_SPEECH_BASE_URL").unwrap_or_else(|| openai::DEFAULT_BASE_URL.into());
            let key = get("COURSEGEN_SPEECH_API_KEY").or_else(|| get("OPENAI_API_KEY"));
            let mut speaker = OpenAiSpeech::new(base, key)?;
            if let Some(model) = get("COURSEGEN_SPEECH_MODEL") {
                speaker = speaker.with_model(model);
            }
            // The list first: a named default voice then joins it.
            if let Some(voices) = voices {
                speaker = speaker.with_voices(voices);
            }
            if let Some(voice) = get("COURSEGEN_SPEECH_VOICE") {
                speaker = speaker.with_voice(voice);
            }
            Ok(Arc::new(speaker))
        }
        "polly" => {
            let mut speaker = PollySpeech::from_env(get("COURSEGEN_SPEECH_BASE_URL"));
            if let Some(engine) = get("COURSEGEN_SPEECH_MODEL") {
                speaker = speaker.with_engine(&engine)?;
            }
            // The list first: a named default voice then joins it.
            if let Some(voices) = voices {
                speaker = speaker.with_voices(voices);
            }
            if let Some(voice) = get("COURSEGEN_SPEECH_VOICE") {
                speaker = speaker.with_voice(voice);
            }
            Ok(Arc::new(speaker))
        }
        other => Err(MediaError::Invalid(format!(
            "COURSEGEN_SPEECH is {other:?}: it must be espeak, openai or polly"
        ))),
    }
}

/// What every provider refuses before asking: nothing to say, or a pace
/// outside the port's 0.5–2.0.
fn check(text: &str, voice: &Voice) -> Result<(), MediaError> {
    if text.trim().is_empty() {
        return Err(MediaError::Invalid("there is no text to speak".into()));
    }
    if !(0.5..=2.0).contains(&voice.speed) {
        return Err(MediaError::Invalid(format!(
            "speed {} is outside 0.5–2.0",
            voice.speed
        )));
    }
    Ok(())
}

/// `name` as the caller spelled it in `known`, else `Invalid` naming some.
fn known_voice(name: &str, known: &[String], provider: &str) -> Result<String, MediaError> {
    known
        .iter()
        .find(|v| v.eq_ignore_ascii_case(name))
        .cloned()
        .ok_or_else(|| unknown_voice(name, known.iter().map(String::as_str), provider))
}

fn unknown_voice<'a>(
    name: &str,
    known: impl Iterator<Item = &'a str>,
    provider: &str,
) -> MediaError {
    let all: Vec<&str> = known.collect();
    let shown = all.iter().take(24).copied().collect::<Vec<_>>().join(", ");
    let more = if all.len() > 24 {
        format!(" and {} more", all.len() - 24)
    } else {
        String::new()
    };
    MediaError::Invalid(format!(
        "{provider} has no voice {name:?}; it has {shown}{more}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn from(vars: &[(&str, &str)]) -> Result<Arc<dyn Speaker>, MediaError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        speaker_from(|name| map.get(name).cloned())
    }

    #[test]
    fn the_environment_picks_the_provider() {
        assert!(format!("{:?}", from(&[]).unwrap()).contains("Espeak"));
        let openai = from(&[
            ("COURSEGEN_SPEECH", "openai"),
            ("OPENAI_API_KEY", "sk-from-openai-var"),
            ("COURSEGEN_SPEECH_VOICES", "alloy, custom-1"),
        ])
        .unwrap();
        assert_eq!(openai.voices(), ["alloy", "custom-1"]);
        let shown = format!("{openai:?}");
        assert!(!shown.contains("sk-from-openai-var"), "{shown}");
        assert!(format!("{:?}", from(&[("COURSEGEN_SPEECH", "polly")]).unwrap()).contains("Polly"));
        let e = from(&[("COURSEGEN_SPEECH", "festival")]).unwrap_err();
        assert!(e.to_string().contains("espeak, openai or polly"), "{e}");
        let e = from(&[
            ("COURSEGEN_SPEECH", "polly"),
            ("COURSEGEN_SPEECH_MODEL", "loud"),
        ])
        .unwrap_err();
        assert!(matches!(e, MediaError::Invalid(_)), "{e}");
    }

    #[test]
    fn requests_are_checked_before_asking() {
        let voice = |speed| Voice {
            language: "en".into(),
            name: None,
            speed,
        };
        assert!(check("Hi.", &voice(1.0)).is_ok());
        assert!(matches!(
            check(" \n\t", &voice(1.0)),
            Err(MediaError::Invalid(_))
        ));
        assert!(matches!(
            check("Hi.", &voice(3.0)),
            Err(MediaError::Invalid(_))
        ));
        assert!(matches!(
            check("Hi.", &voice(f32::NAN)),
            Err(MediaError::Invalid(_))
        ));
        assert_eq!(primary_language("ar-EG"), "ar");
        let known = vec!["Joanna".to_owned(), "Zeina".to_owned()];
        assert_eq!(known_voice("joanna", &known, "Polly").unwrap(), "Joanna");
        let e = known_voice("Nobody", &known, "Polly").unwrap_err();
        assert!(e.to_string().contains("Joanna, Zeina"), "{e}");
    }
}
