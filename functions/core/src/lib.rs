//! coursegen's core: the domain model, the pure job lifecycle and the ports
//! (traits) that adapters implement. It depends on no cloud SDK, database,
//! HTTP server or LLM client; those live in the adapter crates.

pub mod access;
pub mod ai_protocol;
pub mod artifact;
pub mod auth;
pub mod board_view;
pub mod checks;
pub mod course;
pub mod event;
pub mod exports;
pub mod generation;
pub mod ids;
pub mod image_prompt;
pub mod job;
pub mod lifecycle;
pub mod material;
pub mod metering;
pub mod narration;
pub mod options;
pub mod outputs;
pub mod pipeline;
pub mod ports;
pub mod service;
pub mod source;
pub mod stage;
pub mod storyboard;
pub mod upload;
pub mod validation;
pub mod videos;
pub mod visuals;

#[cfg(feature = "contract-tests")]
pub mod contract;
