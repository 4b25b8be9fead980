//! Where the Whisper model file is: the path given (`--asr-model` or
//! COURSEGEN_ASR_MODEL), else where README's set-up puts it.

use std::path::{Path, PathBuf};

use crate::AsrError;

/// The environment variable naming the model file.
pub const MODEL_ENV: &str = "COURSEGEN_ASR_MODEL";

/// Where `scripts/setup-speech` writes the default model (multilingual
/// Whisper base, 8-bit), relative to the checkout.
pub const SET_UP_MODEL: &str = "target/tools/models/ggml-base-q8_0.bin";

/// The model to load: `given`, else the environment's, else the set-up's
/// under the current directory.
pub fn find(given: Option<&Path>) -> Result<PathBuf, AsrError> {
    if let Some(path) = given {
        return Ok(path.to_owned());
    }
    if let Some(path) = std::env::var_os(MODEL_ENV).filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(path));
    }
    let set_up = PathBuf::from(SET_UP_MODEL);
    if set_up.is_file() {
        return Ok(set_up);
    }
    Err(AsrError::Model(format!(
        "no speech-to-text model: pass --asr-model FILE, set {MODEL_ENV}, or run \
         scripts/setup-speech (it writes {SET_UP_MODEL})"
    )))
}
