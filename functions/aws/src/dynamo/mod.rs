//! coursegen's records on one DynamoDB table (DESIGN.md §4): jobs with their
//! runs and events, callback handles and webhook deliveries.
//!
//! | item        | PK            | SK              | also                          |
//! |-------------|---------------|-----------------|-------------------------------|
//! | job         | `JOB#id`      | `META`          | GSI1 owner, GSI2 course, GSI3 all |
//! | run         | `JOB#id`      | `RUN#ss#nnnn`   |                               |
//! | event       | `JOB#id`      | `EVT#nnnnnnnnnn`| TTL                           |
//! | callback    | `CB#id`       | `META`          | TTL                           |
//! | delivery    | `DELIVERY#id` | `META`          | TTL                           |
//!
//! Every index sorts by `created_ms#id` (13 digits), newest first when read
//! backwards. `expires_at` (epoch seconds) is the table's TTL attribute;
//! DynamoDB deletes lazily, so reads compare expiry themselves.

mod callbacks;
mod deliveries;
mod item;
mod jobs;
pub mod table;

use std::time::Duration;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{DisplayErrorContext, SdkError};
use coursegen_core::ports::StoreError;

/// The job store, callback store and delivery log on one table.
#[derive(Debug, Clone)]
pub struct DynamoStore {
    client: Client,
    table: String,
    /// How long events are kept (their TTL).
    event_retention: Duration,
}

/// Events outlive the review window by far; the job record itself stays.
const DEFAULT_EVENT_RETENTION: Duration = Duration::from_secs(180 * 24 * 3600);

impl DynamoStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        DynamoStore {
            client,
            table: table.into(),
            event_retention: DEFAULT_EVENT_RETENTION,
        }
    }

    pub fn with_event_retention(mut self, retention: Duration) -> Self {
        self.event_retention = retention;
        self
    }

    pub fn table(&self) -> &str {
        &self.table
    }

    /// The `META` item under `pk`, read consistently.
    async fn get_meta(&self, pk: String) -> Result<Option<item::Item>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(item::PK, item::s(pk))
            .key(item::SK, item::s(item::META))
            .consistent_read(true)
            .send()
            .await
            .map_err(unavailable)?;
        Ok(out.item)
    }
}

/// Any failure to talk to DynamoDB: worth retrying later (the SDK has
/// already retried throttling and 5xx answers).
fn unavailable<E, R>(e: SdkError<E, R>) -> StoreError
where
    E: std::error::Error + 'static,
    R: std::fmt::Debug,
{
    StoreError::Unavailable(format!("DynamoDB: {}", DisplayErrorContext(&e)))
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}
