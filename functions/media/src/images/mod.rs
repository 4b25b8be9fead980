//! Pictures for storyboard frames, behind core's `Images` port: an
//! OpenAI-compatible image server, or a renderer with no model at all.
