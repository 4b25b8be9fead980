//! The external AI server engine (AI_SERVER_PROTOCOL.md): the client side
//! of its protocol.

mod client;
mod files;

pub use client::{AiServerClient, ClientSettings};
pub use coursegen_core::ports::{AbortOutcome, DispatchError};
pub use files::HttpFiles;
