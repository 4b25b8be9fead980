//! The offline engine: deterministic NLP over the material itself, no
//! network and no model. Same input and options → the same output, byte for
//! byte.

pub mod keyphrases;
pub mod segment;
pub mod summary;
pub mod text;
