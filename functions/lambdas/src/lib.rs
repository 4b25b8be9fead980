//! One thin binary per deployed Lambda (DESIGN.md §1): each `main` reads its
//! configuration from the environment once, builds the AWS adapters and hands a
//! handler from `coursegen-core` to `lambda_runtime::run`. The binaries land
//! with the AWS issue, once the step handlers they wrap exist.
