//! `CallbackStore` on DynamoDB: `CB#id` → token, job and stage, with a TTL.
//! TTL deletion lags, so reads drop expired handles themselves.

use async_trait::async_trait;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use chrono::{DateTime, Utc};
use coursegen_core::ids::{CallbackId, TaskToken};
use coursegen_core::ports::{CallbackRecord, CallbackStore, StoreError};

use super::item::{EXPIRES_AT, Item, META, PK, SK, get_n, get_s, keyed, n, s};
use super::{DynamoStore, corrupt, unavailable};

const TOKEN: &str = "token";
const JOB: &str = "job_id";
const STAGE: &str = "stage";
/// Expiry to the millisecond; `expires_at` (seconds) is only for the TTL.
const EXPIRES_MS: &str = "expires_ms";

fn callback_pk(id: &CallbackId) -> String {
    format!("CB#{id}")
}

fn record_of(id: &CallbackId, item: &Item) -> Result<CallbackRecord, StoreError> {
    let expires_ms: i64 = get_n(item, EXPIRES_MS)?;
    Ok(CallbackRecord {
        id: id.clone(),
        token: TaskToken::new(get_s(item, TOKEN)?),
        job_id: get_s(item, JOB)?
            .parse()
            .map_err(|e| corrupt("callback job id", e))?,
        stage: get_s(item, STAGE)?
            .parse()
            .map_err(|e| corrupt("callback stage", e))?,
        expires_at: DateTime::from_timestamp_millis(expires_ms)
            .ok_or_else(|| corrupt("callback expiry", expires_ms))?,
    })
}

#[async_trait]
impl CallbackStore for DynamoStore {
    async fn put(&self, record: &CallbackRecord) -> Result<(), StoreError> {
        let mut item = keyed(callback_pk(&record.id), META);
        item.extend([
            (TOKEN.into(), s(record.token.expose())),
            (JOB.into(), s(record.job_id.to_string())),
            (STAGE.into(), s(record.stage.as_str())),
            (EXPIRES_MS.into(), n(record.expires_at.timestamp_millis())),
            (EXPIRES_AT.into(), n(record.expires_at.timestamp())),
        ]);
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(PK)")
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(SdkError::ServiceError(e))
                if matches!(e.err(), PutItemError::ConditionalCheckFailedException(_)) =>
            {
                Err(StoreError::AlreadyExists(format!("callback {}", record.id)))
            }
            Err(e) => Err(unavailable(e)),
        }
    }

    async fn get(&self, id: &CallbackId) -> Result<Option<CallbackRecord>, StoreError> {
        let Some(item) = self.get_meta(callback_pk(id)).await? else {
            return Ok(None);
        };
        let record = record_of(id, &item)?;
        Ok((record.expires_at > Utc::now()).then_some(record))
    }

    async fn delete(&self, id: &CallbackId) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .key(PK, s(callback_pk(id)))
            .key(SK, s(META))
            .send()
            .await
            .map(drop)
            .map_err(unavailable)
    }
}
