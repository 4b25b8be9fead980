//! Pictures for storyboard frames, behind core's `Images` port: an
//! OpenAI-compatible image server, or a renderer with no model at all.

pub mod compose;
pub mod illustrated;
pub mod openai;

pub use compose::FrameComposer;
pub use illustrated::IllustratedImages;
pub use openai::OpenAiImages;
