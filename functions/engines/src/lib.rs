//! Content engines behind `coursegen-core`'s ports (DESIGN.md §7), and
//! ingestion of every source format into core's material types.
//!
//! - [`ingest`]: transcripts (WebVTT incl. YouTube auto-captions, SRT, JSON,
//!   plain text) and documents (.docx, Markdown, plain text), sentence
//!   rebuilding, and splitting course scripts into videos.

pub mod ingest;
pub mod offline;
