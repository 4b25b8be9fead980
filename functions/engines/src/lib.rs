//! Content engines behind `coursegen-core`'s ports (DESIGN.md §7).
//!
//! Three engines will live here, each implementing every content port of core:
//! `offline` (deterministic NLP, no network), `openai` (any OpenAI-compatible
//! server) and `ai_server` (the external AI server protocol). This crate holds
//! no engine yet: the ports they implement arrive with the ingestion issue, and
//! nothing here pretends otherwise.
