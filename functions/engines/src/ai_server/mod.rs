//! The external AI server engine (AI_SERVER_PROTOCOL.md): the client side
//! of its protocol, and a reference server that speaks it.

mod client;
mod files;
mod hosts;
pub mod reference;

pub use client::{AiServerClient, ClientSettings};
pub use coursegen_core::ports::{AbortOutcome, DispatchError};
pub use files::HttpFiles;
pub use hosts::{AllowedHosts, FILE_HOSTS_VAR};
