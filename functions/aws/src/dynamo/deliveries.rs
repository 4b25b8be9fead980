//! `DeliveryLog` on DynamoDB: a claim is a conditional put that succeeds
//! only when there is no live record (none, an expired one, or a claim whose
//! lease ran out); a finished delivery keeps its answer until it expires.

use async_trait::async_trait;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use chrono::{DateTime, Utc};
use coursegen_core::ids::DeliveryId;
use coursegen_core::ports::{DeliveryLog, DeliveryState, StoreError, StoredAnswer};

use super::item::{EXPIRES_AT, META, PK, SK, get_n, get_s, keyed, n, s};
use super::{DynamoStore, corrupt, unavailable};

const LEASE_MS: &str = "lease_ms";
const EXPIRES_MS: &str = "expires_ms";
const ANSWER: &str = "answer";

fn delivery_pk(id: &DeliveryId) -> String {
    format!("DELIVERY#{id}")
}

/// How many times a claim is tried when the record it lost to vanished
/// (expired or released) before it could be read.
const CLAIM_ATTEMPTS: usize = 3;

impl DynamoStore {
    /// What a live record says, or `None` when there is none to respect.
    async fn delivery_state(&self, id: &DeliveryId) -> Result<Option<DeliveryState>, StoreError> {
        let Some(item) = self.get_meta(delivery_pk(id)).await? else {
            return Ok(None);
        };
        let now = Utc::now().timestamp_millis();
        if get_n::<i64>(&item, EXPIRES_MS)? <= now {
            return Ok(None);
        }
        if item.contains_key(ANSWER) {
            let answer = serde_json::from_str(get_s(&item, ANSWER)?)
                .map_err(|e| corrupt("delivery answer", e))?;
            return Ok(Some(DeliveryState::Answered(answer)));
        }
        let lease: i64 = get_n(&item, LEASE_MS)?;
        Ok((lease > now).then_some(DeliveryState::InProgress))
    }
}

#[async_trait]
impl DeliveryLog for DynamoStore {
    async fn begin(
        &self,
        id: &DeliveryId,
        lease_until: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<DeliveryState, StoreError> {
        for _ in 0..CLAIM_ATTEMPTS {
            let mut item = keyed(delivery_pk(id), META);
            item.extend([
                (LEASE_MS.into(), n(lease_until.timestamp_millis())),
                (EXPIRES_MS.into(), n(expires_at.timestamp_millis())),
                (EXPIRES_AT.into(), n(expires_at.timestamp())),
            ]);
            let result = self
                .client
                .put_item()
                .table_name(&self.table)
                .set_item(Some(item))
                .condition_expression(
                    "attribute_not_exists(PK) OR expires_ms <= :now \
                     OR (attribute_not_exists(answer) AND lease_ms <= :now)",
                )
                .expression_attribute_values(":now", n(Utc::now().timestamp_millis()))
                .send()
                .await;
            match result {
                Ok(_) => return Ok(DeliveryState::Claimed),
                Err(SdkError::ServiceError(e))
                    if matches!(e.err(), PutItemError::ConditionalCheckFailedException(_)) =>
                {
                    if let Some(state) = self.delivery_state(id).await? {
                        return Ok(state);
                    }
                }
                Err(e) => return Err(unavailable(e)),
            }
        }
        Err(StoreError::Unavailable(format!(
            "delivery {id} keeps changing; try again"
        )))
    }

    async fn finish(&self, id: &DeliveryId, answer: &StoredAnswer) -> Result<(), StoreError> {
        let answer = serde_json::to_string(answer).map_err(|e| corrupt("answer", e))?;
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(PK, s(delivery_pk(id)))
            .key(SK, s(META))
            .update_expression("SET answer = :answer REMOVE lease_ms")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_values(":answer", s(answer))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(SdkError::ServiceError(e))
                if matches!(e.err(), UpdateItemError::ConditionalCheckFailedException(_)) =>
            {
                Err(StoreError::NotFound(format!("delivery {id}")))
            }
            Err(e) => Err(unavailable(e)),
        }
    }

    async fn release(&self, id: &DeliveryId) -> Result<(), StoreError> {
        let result = self
            .client
            .delete_item()
            .table_name(&self.table)
            .key(PK, s(delivery_pk(id)))
            .key(SK, s(META))
            .condition_expression("attribute_not_exists(answer)")
            .send()
            .await;
        match result {
            // Answered deliveries stay; releasing one is not an error.
            Err(SdkError::ServiceError(e)) if e.err().is_conditional_check_failed_exception() => {
                Ok(())
            }
            other => other.map(drop).map_err(unavailable),
        }
    }
}
