//! What every coursegen Lambda shares: configuration read from the
//! environment once per cold start, the AWS adapters built once, and the
//! handlers from core and coursegen-http. Each binary in `src/bin/` is a
//! few lines naming which handler it runs (DESIGN.md §1).

pub mod api;
pub mod config;
pub mod events;
pub mod jwks;
pub mod secrets;
pub mod stack;
pub mod step;
pub mod studio;
pub mod webhook;

/// What a Lambda's `main` returns.
pub type Error = lambda_runtime::Error;

/// Checks at cold start that the punctuation model's files are there (the
/// template's `PunctuationModel` layer, or `COURSEGEN_PUNCTUATION_DIR`), so
/// a function deployed without them fails its init naming the missing file
/// rather than failing the first captions it restores.
pub fn check_model() -> Result<(), Error> {
    coursegen_engines::ingest::punctuation::present()?;
    Ok(())
}

/// Log lines to CloudWatch at the level `AWS_LAMBDA_LOG_LEVEL` (Lambda's
/// advanced logging controls) or `RUST_LOG` names, as JSON when
/// `AWS_LAMBDA_LOG_FORMAT=JSON`. A plain level rather than an env-filter
/// directive: the filter's regex engine alone would add ~200 KB to every
/// package (each must stay under 5 MB zipped).
pub fn init_logging() {
    let level = ["AWS_LAMBDA_LOG_LEVEL", "RUST_LOG"]
        .iter()
        .find_map(|name| std::env::var(name).ok()?.parse().ok())
        .unwrap_or(tracing::level_filters::LevelFilter::INFO);
    let logs = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_ansi(false)
        .without_time() // CloudWatch stamps every line
        .with_target(false);
    let json = std::env::var("AWS_LAMBDA_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json"));
    // A second init (tests build several apps in one process) keeps the first.
    let _ = if json {
        logs.json().try_init()
    } else {
        logs.try_init()
    };
}
