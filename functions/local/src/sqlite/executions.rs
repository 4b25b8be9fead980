//! Saved workflow executions: the embedded interpreter's durability.

use async_trait::async_trait;
use coursegen_core::ports::StoreError;
use rusqlite::{OptionalExtension, params};

use super::{SqliteStore, corrupt, unavailable};
use crate::asl::{Execution, ExecutionStatus, ExecutionStore, PersistError};

fn status_name(status: ExecutionStatus) -> &'static str {
    match status {
        ExecutionStatus::Running => "RUNNING",
        ExecutionStatus::Succeeded => "SUCCEEDED",
        ExecutionStatus::Failed => "FAILED",
        ExecutionStatus::Aborted => "ABORTED",
    }
}

#[async_trait]
impl ExecutionStore for SqliteStore {
    async fn save(&self, execution: &Execution) -> Result<(), PersistError> {
        let snapshot = serde_json::to_string(execution).map_err(|e| PersistError(e.to_string()))?;
        let (id, name, status) = (
            execution.id.clone(),
            execution.name.clone(),
            status_name(execution.status),
        );
        self.with(move |conn| {
            conn.execute(
                "INSERT INTO executions (id, name, status, snapshot, updated_ms) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (id) DO UPDATE SET status = ?3, snapshot = ?4, updated_ms = ?5",
                params![id, name, status, snapshot, chrono::Utc::now().timestamp_millis()],
            )
            .map(drop)
            .map_err(unavailable)
        })
        .await
        .map_err(|e| PersistError(e.to_string()))
    }
}

impl SqliteStore {
    /// The saved execution with this name (names are unique), if any.
    pub async fn execution_named(&self, name: &str) -> Result<Option<Execution>, StoreError> {
        let name = name.to_owned();
        self.with(move |conn| {
            let snapshot: Option<String> = conn
                .query_row(
                    "SELECT snapshot FROM executions WHERE name = ?1",
                    [name],
                    |r| r.get(0),
                )
                .optional()
                .map_err(unavailable)?;
            snapshot
                .map(|s| serde_json::from_str(&s).map_err(|e| corrupt("execution", e)))
                .transpose()
        })
        .await
    }

    /// Executions that had not ended when last saved: the ones to resume.
    pub async fn unfinished_executions(&self) -> Result<Vec<Execution>, StoreError> {
        self.with(|conn| {
            let mut stmt = conn
                .prepare(
                    "SELECT snapshot FROM executions WHERE status = 'RUNNING' ORDER BY updated_ms",
                )
                .map_err(unavailable)?;
            let rows: Vec<String> = stmt
                .query_map([], |r| r.get(0))
                .map_err(unavailable)?
                .collect::<Result<_, _>>()
                .map_err(unavailable)?;
            rows.iter()
                .map(|s| serde_json::from_str(s).map_err(|e| corrupt("execution", e)))
                .collect()
        })
        .await
    }
}
