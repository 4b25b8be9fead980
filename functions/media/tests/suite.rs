//! Every integration test of this crate in one binary: one link of the
//! whole stack instead of one per file keeps CI's build fast and its disk small.

#[path = "support/clip_fake.rs"]
mod clip_fake;
#[path = "support/probe.rs"]
mod probe;

mod clips_luma;
mod clips_offline;
mod clips_runway;
mod compose;
mod encoder;
mod illustrated;
mod motion;
mod render;
mod slides;
mod speech_espeak;
mod speech_openai;
mod speech_polly;
