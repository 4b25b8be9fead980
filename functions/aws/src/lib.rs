//! AWS adapters for `coursegen-core`'s ports (DESIGN.md §4, §8): the DynamoDB
//! job store (with callback handles and webhook deliveries on the same table),
//! the S3 artifact store and the Step Functions workflow.
//!
//! The adapters land with the AWS issue; they must pass the same contract suites
//! (`coursegen_core::contract`) that the embedded adapters of `coursegen-local`
//! pass today.
