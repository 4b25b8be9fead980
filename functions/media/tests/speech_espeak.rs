//! espeak-ng speaks a sentence as a WAV whose length is read from its
//! samples; a voice it lacks is refused with the ones it has; a machine
//! without it is told which package to install. Needs espeak-ng installed.

use coursegen_core::ports::{MediaError, Speaker, Voice};
use coursegen_media::speech::Espeak;
use coursegen_media::wav;

fn voice(language: &str, name: Option<&str>, speed: f32) -> Voice {
    Voice {
        language: language.into(),
        name: name.map(Into::into),
        speed,
    }
}

#[tokio::test]
async fn a_sentence_becomes_a_wav_of_its_length() {
    let espeak = Espeak::new();
    let speech = espeak
        .speak("Hello world.", &voice("en", None, 1.0))
        .await
        .unwrap();
    assert_eq!(&speech.wav[..4], b"RIFF");
    let reader = hound::WavReader::new(std::io::Cursor::new(&speech.wav)).unwrap();
    assert_eq!(reader.spec().channels, 1);
    // The header now tells the truth about the samples it holds.
    assert_eq!(reader.len() as usize * 2, speech.wav.len() - 44);
    assert_eq!(wav::duration_ms(&speech.wav).unwrap(), speech.duration_ms);
    assert!(speech.duration_ms > 300, "{} ms", speech.duration_ms);

    // Faster speech is shorter; a language tag with a region finds its voice.
    let fast = espeak
        .speak("Hello world.", &voice("en-US", None, 2.0))
        .await
        .unwrap();
    assert!(fast.duration_ms < speech.duration_ms);
    let arabic = espeak
        .speak("مرحبا بالعالم.", &voice("ar-EG", None, 1.0))
        .await
        .unwrap();
    assert!(arabic.duration_ms > 300);
}

#[tokio::test]
async fn text_is_never_read_as_an_option() {
    let espeak = Espeak::new();
    let speech = espeak
        .speak("--version -w /tmp/x.wav", &voice("en", None, 1.0))
        .await
        .unwrap();
    assert!(speech.duration_ms > 500, "{} ms", speech.duration_ms);
}

#[tokio::test]
async fn unknown_voices_and_empty_text_are_refused() {
    let espeak = Espeak::new();
    let voices = espeak.voices();
    assert!(voices.iter().any(|v| v == "en-us"), "{voices:?}");
    let e = espeak
        .speak("Hello.", &voice("en", Some("no-such-voice"), 1.0))
        .await
        .unwrap_err();
    match e {
        MediaError::Invalid(message) => {
            assert!(message.contains("no-such-voice"), "{message}");
            assert!(message.contains(&voices[0]), "names some voices: {message}");
        }
        other => panic!("{other:?}"),
    }
    let e = espeak.speak(" \n ", &voice("en", None, 1.0)).await;
    assert!(matches!(e, Err(MediaError::Invalid(_))), "{e:?}");
}

#[tokio::test]
async fn a_missing_espeak_names_its_package() {
    let espeak = Espeak::with_program("/nonexistent/espeak-ng");
    let e = espeak
        .speak("Hello.", &voice("en", None, 1.0))
        .await
        .unwrap_err();
    assert_eq!(
        e,
        MediaError::Missing {
            tool: "espeak-ng".into(),
            package: "espeak-ng".into()
        }
    );
    assert!(espeak.voices().is_empty());
}
