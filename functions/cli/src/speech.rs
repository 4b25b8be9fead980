//! Speech-to-text for the embedded stack: the Whisper model, when this
//! build has the engine (`--features speech`) and a model is found.

use std::path::PathBuf;
use std::sync::Arc;

use coursegen_core::ports::Transcriber;

#[derive(Debug, Clone, clap::Args)]
pub struct SpeechArgs {
    /// The Whisper model (whisper.cpp's ggml file) that transcribes
    /// recordings; default: the one scripts/setup-speech writes.
    #[arg(long = "asr-model", env = "COURSEGEN_ASR_MODEL", value_name = "FILE")]
    pub asr_model: Option<PathBuf>,
}

/// The transcriber recordings go to, or why there is none. The model is
/// loaded when the first recording comes.
#[cfg(feature = "speech")]
pub fn transcriber(args: &SpeechArgs) -> Result<Arc<dyn Transcriber>, String> {
    let path = coursegen_asr::find_model(args.asr_model.as_deref()).map_err(|e| e.to_string())?;
    if !path.is_file() {
        return Err(format!(
            "the speech-to-text model {} does not exist (scripts/setup-speech writes {})",
            path.display(),
            coursegen_asr::SET_UP_MODEL
        ));
    }
    Ok(Arc::new(coursegen_asr::OnDemand::new(path)))
}

#[cfg(not(feature = "speech"))]
pub fn transcriber(args: &SpeechArgs) -> Result<Arc<dyn Transcriber>, String> {
    let model = args
        .asr_model
        .as_ref()
        .map(|m| format!(" (so {} goes unused)", m.display()))
        .unwrap_or_default();
    Err(format!(
        "this coursegen was built without speech-to-text{model}: run scripts/setup-speech, then \
         build with `--features speech` (README: Recordings and YouTube)"
    ))
}
