//! One window of samples through whisper.cpp: its words with their times,
//! and the language spoken.

use std::path::Path;

use whisper_rs::{
    FullParams, SamplingStrategy, WhisperContext, WhisperContextParameters, WhisperState,
};

use crate::AsrError;
use crate::cues::Word;

/// A loaded Whisper model (ggml).
#[derive(Debug)]
pub struct Model {
    ctx: WhisperContext,
}

/// What one window gave.
#[derive(Debug, Default)]
pub struct Heard {
    pub words: Vec<Word>,
    /// The language whisper.cpp worked in (detected when asked to).
    pub language: Option<String>,
}

impl Model {
    pub fn load(path: &Path) -> Result<Model, AsrError> {
        // whisper.cpp's own logging goes to `tracing` (debug), not stderr.
        whisper_rs::install_logging_hooks();
        let name = path.display().to_string();
        if !path.is_file() {
            return Err(AsrError::Model(format!("{name}: no such file")));
        }
        let ctx = WhisperContext::new_with_params(&name, WhisperContextParameters::default())
            .map_err(|e| {
                AsrError::Model(format!(
                    "{name} is not a Whisper model whisper.cpp loads: {e}"
                ))
            })?;
        Ok(Model { ctx })
    }

    pub fn is_multilingual(&self) -> bool {
        self.ctx.is_multilingual()
    }

    pub fn state(&self) -> Result<WhisperState, AsrError> {
        self.ctx
            .create_state()
            .map_err(|e| AsrError::Model(format!("cannot allocate whisper.cpp's state: {e}")))
    }

    /// Transcribes `samples` (16 kHz mono, at most a few minutes) in
    /// `language` ("auto" detects it), continuing from `prompt` (the text
    /// before the window). Word times are in ms from the window's start.
    pub fn hear(
        &self,
        state: &mut WhisperState,
        samples: &[f32],
        language: &str,
        prompt: &str,
        threads: usize,
    ) -> Result<Heard, AsrError> {
        let mut params = FullParams::new(SamplingStrategy::Greedy { best_of: 1 });
        params.set_n_threads(threads as i32);
        params.set_language(Some(language));
        params.set_translate(false);
        params.set_print_progress(false);
        params.set_print_realtime(false);
        params.set_print_special(false);
        params.set_print_timestamps(false);
        params.set_token_timestamps(true);
        // Captions-style tokens ("[Music]", "(laughs)") are not speech.
        params.set_suppress_nst(true);
        if !prompt.is_empty() {
            params.set_initial_prompt(prompt);
        }
        state
            .full(params, samples)
            .map_err(|e| AsrError::Engine(format!("whisper.cpp failed: {e}")))?;
        let language = whisper_rs::get_lang_str(state.full_lang_id_from_state()).map(str::to_owned);
        let end_of_text = self.ctx.token_eot();
        let window_ms = (samples.len() * 1000 / crate::audio::RATE) as u64;
        let mut words: Vec<Word> = Vec::new();
        let mut pending: Vec<u8> = Vec::new();
        let mut span = (0u64, 0u64);
        let flush = |pending: &mut Vec<u8>, span: (u64, u64), words: &mut Vec<Word>| {
            let text = String::from_utf8_lossy(pending).trim().to_owned();
            pending.clear();
            if !text.is_empty() {
                words.push(Word {
                    start_ms: span.0,
                    end_ms: span.1,
                    text,
                });
            }
        };
        for segment in state.as_iter() {
            let seg_start = centis(segment.start_timestamp()).min(window_ms);
            let seg_end = centis(segment.end_timestamp()).clamp(seg_start, window_ms);
            for i in 0..segment.n_tokens() {
                let Some(token) = segment.get_token(i) else {
                    continue;
                };
                if token.token_id() >= end_of_text {
                    continue; // timestamps, language and task tokens
                }
                let Ok(bytes) = token.to_bytes() else {
                    continue;
                };
                let data = token.token_data();
                let t0 = centis(data.t0).clamp(seg_start, seg_end);
                let t1 = centis(data.t1).clamp(t0, seg_end);
                // A token that begins with a space begins a word; the bytes of
                // one character may be split across tokens, so words are
                // decoded only when whole.
                if bytes.first() == Some(&b' ') || pending.is_empty() {
                    flush(&mut pending, span, &mut words);
                    span = (t0, t1);
                } else {
                    span.1 = span.1.max(t1);
                }
                pending.extend_from_slice(bytes);
            }
        }
        flush(&mut pending, span, &mut words);
        Ok(Heard { words, language })
    }
}

/// whisper.cpp's times are in hundredths of a second.
fn centis(t: i64) -> u64 {
    t.max(0) as u64 * 10
}
