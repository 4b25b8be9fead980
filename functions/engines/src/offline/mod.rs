//! The offline engine: deterministic NLP over the material itself, no
//! network and no model. Same input and options → the same output, byte for
//! byte.

pub mod assessment;
pub mod boundaries;
pub mod course;
pub mod cues;
pub mod engine;
pub mod facts;
pub mod find;
pub mod keyphrases;
pub mod knowledge;
pub mod lesson;
pub mod narration;
pub mod notes;
pub mod outline;
pub mod partition;
pub mod prompts;
pub mod questions;
pub mod segment;
pub mod shots;
pub mod storyboard;
pub mod summary;
pub mod text;
pub mod titles;
pub mod validate;

pub use engine::{OfflineEngine, offline_steps};
