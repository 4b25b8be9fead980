//! The coursegen HTTP API (DESIGN.md §5): one axum `Router` served by
//! `lambda_http` on AWS and by `axum::serve` locally, so both share one code
//! path. The router lands with the HTTP API issue.
