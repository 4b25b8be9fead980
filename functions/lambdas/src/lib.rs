//! What every coursegen Lambda shares: configuration read from the
//! environment once per cold start, the AWS adapters built once, and the
//! handlers from core and coursegen-http. Each binary in `src/bin/` is a
//! few lines naming which handler it runs (DESIGN.md §1).

pub mod api;
pub mod config;
pub mod events;
pub mod jwks;
pub mod stack;
pub mod step;

/// What a Lambda's `main` returns.
pub type Error = lambda_runtime::Error;

/// Log lines as JSON to CloudWatch, at the level `RUST_LOG` names.
pub fn init_logging() {
    lambda_runtime::tracing::init_default_subscriber();
}
