//! The external AI server's wire formats (AI_SERVER_PROTOCOL.md).

pub mod job_state;
pub mod questions;
pub mod signature;
pub mod transcript;
pub mod webhook;
