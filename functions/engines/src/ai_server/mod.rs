//! The external AI server engine (AI_SERVER_PROTOCOL.md): the client side
//! of its protocol.

mod files;

pub use files::HttpFiles;
