//! espeak-ng: offline speech from the voices installed on this machine.

use std::process::Stdio;
use std::sync::OnceLock;

use async_trait::async_trait;
use coursegen_core::ports::{MediaError, Speaker, Speech, Voice};
use tokio::io::AsyncWriteExt;
use tokio::process::Command;

use super::{check, normalise_wav, primary_language, unknown_voice};

/// espeak-ng's normal pace, in words per minute.
const NORMAL_WPM: f32 = 175.0;

/// One of espeak-ng's voices, as `espeak-ng --voices` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EspeakVoice {
    /// What `-v` takes, and what [`Speaker::voices`] lists ("en-us").
    pub language: String,
    /// Its descriptive name ("English_(America)"), also accepted.
    pub name: String,
    /// Other languages it speaks, with espeak's priority (lower is preferred).
    pub also: Vec<(String, u32)>,
}

/// Speech by the `espeak-ng` program, stdout WAV (22,050 Hz mono 16-bit).
#[derive(Debug)]
pub struct Espeak {
    program: String,
    // Listing voices runs a process: once is enough for a process' life.
    voices: OnceLock<Vec<EspeakVoice>>,
}

impl Default for Espeak {
    fn default() -> Self {
        Self::new()
    }
}

impl Espeak {
    /// espeak-ng found on `PATH`.
    pub fn new() -> Self {
        Self::with_program("espeak-ng")
    }

    /// espeak-ng at `program` (a path, or a name looked up on `PATH`).
    pub fn with_program(program: impl Into<String>) -> Self {
        Espeak {
            program: program.into(),
            voices: OnceLock::new(),
        }
    }

    fn missing() -> MediaError {
        MediaError::Missing {
            tool: "espeak-ng".into(),
            package: "espeak-ng".into(),
        }
    }

    fn spawn_error(e: std::io::Error) -> MediaError {
        if e.kind() == std::io::ErrorKind::NotFound {
            Self::missing()
        } else {
            MediaError::Failed(format!("cannot run espeak-ng: {e}"))
        }
    }

    /// The installed voices (listed once, then remembered).
    pub async fn catalogue(&self) -> Result<&[EspeakVoice], MediaError> {
        if let Some(v) = self.voices.get() {
            return Ok(v);
        }
        let out = Command::new(&self.program)
            .arg("--voices")
            .stdin(Stdio::null())
            .kill_on_drop(true)
            .output()
            .await
            .map_err(Self::spawn_error)?;
        self.remember(&out)
    }

    fn remember(&self, out: &std::process::Output) -> Result<&[EspeakVoice], MediaError> {
        if !out.status.success() {
            return Err(MediaError::Failed(format!(
                "espeak-ng --voices failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            )));
        }
        let parsed = parse_voices(&String::from_utf8_lossy(&out.stdout));
        if parsed.is_empty() {
            return Err(MediaError::Failed("espeak-ng lists no voices".into()));
        }
        Ok(self.voices.get_or_init(|| parsed))
    }

    /// What `-v` gets for `voice`: its named voice, else its language's.
    fn resolve(voices: &[EspeakVoice], voice: &Voice) -> Result<String, MediaError> {
        let listed = || voices.iter().map(|v| v.language.as_str());
        if let Some(name) = &voice.name {
            return voices
                .iter()
                .find(|v| {
                    v.language.eq_ignore_ascii_case(name) || v.name.eq_ignore_ascii_case(name)
                })
                .map(|v| v.language.clone())
                .ok_or_else(|| unknown_voice(name, listed(), "espeak-ng"));
        }
        let tag = voice.language.replace('_', "-").to_ascii_lowercase();
        let primary = primary_language(&tag);
        // The exact tag ("en-us"), then the bare language ("ar" for "ar-EG"),
        // then the voice espeak itself prefers for it ("en" → en-gb), then
        // any of its regional voices.
        let exact = |t: &str| voices.iter().find(|v| v.language == t);
        let preferred = || {
            voices
                .iter()
                .filter_map(|v| {
                    let p = v.also.iter().find(|(l, _)| *l == primary)?.1;
                    Some((p, v))
                })
                .min_by_key(|(p, _)| *p)
                .map(|(_, v)| v)
        };
        let regional = || {
            voices
                .iter()
                .find(|v| v.language.starts_with(&format!("{primary}-")))
        };
        exact(&tag)
            .or_else(|| exact(&primary))
            .or_else(preferred)
            .or_else(regional)
            .map(|v| v.language.clone())
            .ok_or_else(|| {
                MediaError::Invalid(format!(
                    "espeak-ng has no voice for the language {:?}; it speaks {}",
                    voice.language,
                    listed().take(24).collect::<Vec<_>>().join(", ")
                ))
            })
    }
}

/// Rows of `espeak-ng --voices`: `Pty Language Age/Gender VoiceName File
/// (Other languages)`; names have no spaces, the others read `(en 3)(en-gb 2)`.
fn parse_voices(listing: &str) -> Vec<EspeakVoice> {
    listing
        .lines()
        .skip(1)
        .filter_map(|line| {
            let mut cols = line.split_whitespace();
            let _priority = cols.next()?;
            let language = cols.next()?.to_owned();
            let _age_gender = cols.next()?;
            let name = cols.next()?.to_owned();
            let _file = cols.next()?;
            let rest: String = cols.collect::<Vec<_>>().join(" ");
            let also = rest
                .split(['(', ')'])
                .filter_map(|pair| {
                    let (lang, prio) = pair.trim().split_once(' ')?;
                    Some((lang.to_owned(), prio.trim().parse().ok()?))
                })
                .collect();
            Some(EspeakVoice {
                language,
                name,
                also,
            })
        })
        .collect()
}

#[async_trait]
impl Speaker for Espeak {
    fn voices(&self) -> Vec<String> {
        // The port's listing is synchronous; the first call lists them.
        if self.voices.get().is_none() {
            let out = std::process::Command::new(&self.program)
                .arg("--voices")
                .stdin(Stdio::null())
                .output();
            match out {
                Ok(out) => {
                    if let Err(e) = self.remember(&out) {
                        tracing::warn!(error = %e, "espeak-ng lists no voices");
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %Self::spawn_error(e), "espeak-ng lists no voices")
                }
            }
        }
        self.voices
            .get()
            .map(|v| v.iter().map(|v| v.language.clone()).collect())
            .unwrap_or_default()
    }

    async fn speak(&self, text: &str, voice: &Voice) -> Result<Speech, MediaError> {
        check(text, voice)?;
        let name = Self::resolve(self.catalogue().await?, voice)?;
        let wpm = (NORMAL_WPM * voice.speed).round().clamp(80.0, 450.0) as u32;
        // The text goes in on stdin, never argv: it can start with '-'.
        let mut child = Command::new(&self.program)
            .args([
                "--stdout",
                "--stdin",
                "-b",
                "1",
                "-v",
                &name,
                "-s",
                &wpm.to_string(),
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            // A dropped (cancelled) speak stops espeak-ng too.
            .kill_on_drop(true)
            .spawn()
            .map_err(Self::spawn_error)?;
        let mut stdin = child.stdin.take().expect("stdin is piped");
        let input = text.to_owned();
        // Written alongside the read: a long text's WAV fills the pipe first.
        let writer = tokio::spawn(async move {
            stdin.write_all(input.as_bytes()).await?;
            stdin.shutdown().await
        });
        let out = child
            .wait_with_output()
            .await
            .map_err(|e| MediaError::Failed(format!("espeak-ng: {e}")))?;
        let written = writer
            .await
            .map_err(|e| MediaError::Failed(format!("espeak-ng's input: {e}")))?;
        if !out.status.success() {
            return Err(MediaError::Failed(format!(
                "espeak-ng failed ({}): {}",
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            )));
        }
        written.map_err(|e| MediaError::Failed(format!("espeak-ng's input: {e}")))?;
        let wav = normalise_wav(&out.stdout)?;
        let duration_ms = crate::wav::duration_ms(&wav)?;
        Ok(Speech { wav, duration_ms })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LISTING: &str = "\
Pty Language       Age/Gender VoiceName          File                 Other Languages
 5  ar              --/M      Arabic             sem/ar
 5  en-029          --/M      English_(Caribbean) gmw/en-029           (en 10)
 2  en-gb           --/M      English_(Great_Britain) gmw/en               (en 2)
 5  en-gb-x-rp      --/M      English_(Received_Pronunciation) gmw/en-GB-x-rp       (en-gb 4)(en 5)
 2  en-us           --/M      English_(America)  gmw/en-US            (en 3)
 5  pt-br           --/M      Portuguese_(Brazil) roa/pt-BR
";

    fn voice(language: &str, name: Option<&str>) -> Voice {
        Voice {
            language: language.into(),
            name: name.map(Into::into),
            speed: 1.0,
        }
    }

    #[test]
    fn the_listing_is_read_and_languages_find_their_voice() {
        let voices = parse_voices(LISTING);
        assert_eq!(voices.len(), 6);
        assert_eq!(
            voices[3].also,
            [("en-gb".to_owned(), 4), ("en".to_owned(), 5)]
        );
        let pick = |l, n| Espeak::resolve(&voices, &voice(l, n));
        assert_eq!(pick("ar-EG", None).unwrap(), "ar");
        assert_eq!(pick("en", None).unwrap(), "en-gb");
        assert_eq!(pick("en-US", None).unwrap(), "en-us");
        assert_eq!(pick("pt", None).unwrap(), "pt-br");
        assert_eq!(pick("ar", Some("English_(America)")).unwrap(), "en-us");
        let e = pick("en", Some("klingon")).unwrap_err();
        assert!(e.to_string().contains("ar, en-029, en-gb"), "{e}");
        assert!(matches!(pick("tlh", None), Err(MediaError::Invalid(_))));
    }
}
