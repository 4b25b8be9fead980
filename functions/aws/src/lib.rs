//! AWS adapters for `coursegen-core`'s ports (DESIGN.md §4, §8): the DynamoDB
//! job store (with callback handles and webhook deliveries on the same table),
//! the S3 artifact store and upload URLs, and the Step Functions workflow.
//! They pass the same contract suites (`coursegen_core::contract`) as the
//! embedded adapters of `coursegen-local`, against moto's server.

pub mod dynamo;
pub mod s3;
pub mod sfn;

pub use dynamo::DynamoStore;
pub use s3::{S3ArtifactStore, S3FileLinks, S3Uploads};
pub use sfn::StepFunctionsWorkflow;
