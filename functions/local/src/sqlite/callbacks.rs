//! `CallbackStore` on SQLite. Expired handles are filtered on read and purged
//! when the store opens, as DynamoDB's TTL would.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use coursegen_core::ids::{CallbackId, TaskToken};
use coursegen_core::ports::{CallbackRecord, CallbackStore, StoreError};
use rusqlite::{OptionalExtension, params};

use super::{SqliteStore, corrupt, is_unique_violation, unavailable};

#[async_trait]
impl CallbackStore for SqliteStore {
    async fn put(&self, record: &CallbackRecord) -> Result<(), StoreError> {
        let record = record.clone();
        self.with(move |conn| {
            let result = conn.execute(
                "INSERT INTO callbacks (id, token, job_id, stage, expires_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    record.id.as_str(),
                    record.token.expose(),
                    record.job_id.to_string(),
                    record.stage.as_str(),
                    record.expires_at.timestamp_millis(),
                ],
            );
            match result {
                Err(e) if is_unique_violation(&e) => Err(StoreError::AlreadyExists(format!("callback {}", record.id))),
                other => other.map(drop).map_err(unavailable),
            }
        })
        .await
    }

    async fn get(&self, id: &CallbackId) -> Result<Option<CallbackRecord>, StoreError> {
        let id = id.clone();
        self.with(move |conn| {
            let row: Option<(String, String, String, i64)> = conn
                .query_row(
                    "SELECT token, job_id, stage, expires_ms FROM callbacks WHERE id = ?1 AND expires_ms > ?2",
                    params![id.as_str(), Utc::now().timestamp_millis()],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )
                .optional()
                .map_err(unavailable)?;
            row.map(|(token, job_id, stage, expires_ms)| {
                Ok(CallbackRecord {
                    id: id.clone(),
                    token: TaskToken::new(token),
                    job_id: job_id.parse().map_err(|e| corrupt("callback job id", e))?,
                    stage: stage.parse().map_err(|e| corrupt("callback stage", e))?,
                    expires_at: DateTime::from_timestamp_millis(expires_ms)
                        .ok_or_else(|| corrupt("callback expiry", expires_ms))?,
                })
            })
            .transpose()
        })
        .await
    }

    async fn delete(&self, id: &CallbackId) -> Result<(), StoreError> {
        let id = id.clone();
        self.with(move |conn| {
            conn.execute("DELETE FROM callbacks WHERE id = ?1", [id.as_str()])
                .map(drop)
                .map_err(unavailable)
        })
        .await
    }
}
