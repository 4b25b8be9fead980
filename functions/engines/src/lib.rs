//! Content engines behind `coursegen-core`'s ports (DESIGN.md §7), and
//! ingestion of every source format into core's material types.
//!
//! - [`ingest`]: transcripts (WebVTT incl. YouTube auto-captions, SRT, JSON,
//!   plain text) and documents (.docx, Markdown, plain text), sentence
//!   rebuilding, splitting course scripts into videos, and narrating scripts
//!   so the engines read them like lectures.
//! - [`offline`]: the offline engine — validation, lexical-cohesion
//!   segmentation, outline, lessons, questions of every type, assessment,
//!   glossary and flashcards — behind every content port of core.
//! - [`work`]: the steps of work those take, counted for the tests of cost.

pub mod ai_server;
pub mod ingest;
pub mod llm;
pub mod offline;
pub mod router;
pub mod work;
