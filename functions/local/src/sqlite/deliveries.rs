//! `DeliveryLog` on SQLite: a claim is a row with a lease and no answer; a
//! finished delivery is a row with an answer.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use coursegen_core::ids::DeliveryId;
use coursegen_core::ports::{DeliveryLog, DeliveryState, StoreError, StoredAnswer};
use rusqlite::{OptionalExtension, TransactionBehavior, params};

use super::{SqliteStore, corrupt, unavailable};

#[async_trait]
impl DeliveryLog for SqliteStore {
    async fn begin(
        &self,
        id: &DeliveryId,
        lease_until: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<DeliveryState, StoreError> {
        let id = id.clone();
        self.with(move |conn| {
            let now = Utc::now().timestamp_millis();
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(unavailable)?;
            let row: Option<(Option<i64>, Option<String>, i64)> = tx
                .query_row(
                    "SELECT lease_ms, answer, expires_ms FROM deliveries WHERE id = ?1",
                    [id.as_str()],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()
                .map_err(unavailable)?;
            let state = match row {
                Some((_, _, expires)) if expires <= now => None,
                Some((_, Some(answer), _)) => Some(DeliveryState::Answered(
                    serde_json::from_str(&answer).map_err(|e| corrupt("delivery answer", e))?,
                )),
                Some((Some(lease), None, _)) if lease > now => Some(DeliveryState::InProgress),
                // No record, an expired one, or a claim whose lease ran out.
                _ => None,
            };
            if let Some(state) = state {
                return Ok(state);
            }
            tx.execute(
                "INSERT OR REPLACE INTO deliveries (id, lease_ms, answer, expires_ms) VALUES (?1, ?2, NULL, ?3)",
                params![id.as_str(), lease_until.timestamp_millis(), expires_at.timestamp_millis()],
            )
            .map_err(unavailable)?;
            tx.commit().map_err(unavailable)?;
            Ok(DeliveryState::Claimed)
        })
        .await
    }

    async fn finish(&self, id: &DeliveryId, answer: &StoredAnswer) -> Result<(), StoreError> {
        let (id, answer) = (
            id.clone(),
            serde_json::to_string(answer).map_err(|e| corrupt("answer", e))?,
        );
        self.with(move |conn| {
            let updated = conn
                .execute(
                    "UPDATE deliveries SET answer = ?2, lease_ms = NULL WHERE id = ?1",
                    params![id.as_str(), answer],
                )
                .map_err(unavailable)?;
            if updated == 0 {
                return Err(StoreError::NotFound(format!("delivery {id}")));
            }
            Ok(())
        })
        .await
    }

    async fn release(&self, id: &DeliveryId) -> Result<(), StoreError> {
        let id = id.clone();
        self.with(move |conn| {
            conn.execute(
                "DELETE FROM deliveries WHERE id = ?1 AND answer IS NULL",
                [id.as_str()],
            )
            .map(drop)
            .map_err(unavailable)
        })
        .await
    }
}
