//! coursegen-asr's tests against real recordings: espeak-ng speaks, ffmpeg
//! decodes, the set-up's Whisper model transcribes.

mod transcribe;
