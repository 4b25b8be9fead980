//! Saved workflow executions: the embedded interpreter's durability.

use async_trait::async_trait;
use coursegen_core::ports::StoreError;
use rusqlite::{Connection, OptionalExtension, params};

use super::{SqliteStore, corrupt, unavailable};
use crate::asl::{Checkpoint, Execution, ExecutionStatus, ExecutionStore, PersistError};

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
    async fn save(&self, checkpoint: &Checkpoint) -> Result<(), PersistError> {
        let execution = &checkpoint.execution;
        let head = serde_json::to_string(execution).map_err(|e| PersistError(e.to_string()))?;
        let events = checkpoint
            .events
            .iter()
            .map(serde_json::to_string)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| PersistError(e.to_string()))?;
        let first =
            i64::try_from(checkpoint.first_event).map_err(|e| PersistError(e.to_string()))?;
        let (id, name, status) = (
            execution.id.clone(),
            execution.name.clone(),
            status_name(execution.status),
        );
        self.with(move |conn| {
            let tx = conn.transaction().map_err(unavailable)?;
            tx.execute(
                "INSERT INTO executions (id, name, status, snapshot, updated_ms) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (id) DO UPDATE SET status = ?3, snapshot = ?4, updated_ms = ?5",
                params![id, name, status, head, chrono::Utc::now().timestamp_millis()],
            )
            .map_err(unavailable)?;
            {
                let mut insert = tx
                    .prepare_cached(
                        "INSERT OR IGNORE INTO execution_history (execution_id, seq, event) VALUES (?1, ?2, ?3)",
                    )
                    .map_err(unavailable)?;
                for (seq, event) in (first..).zip(&events) {
                    insert.execute(params![id, seq, event]).map_err(unavailable)?;
                }
            }
            tx.commit().map_err(unavailable)
        })
        .await
        .map_err(|e| PersistError(e.to_string()))
    }
}

/// An execution from its saved head and its history rows.
fn load(conn: &Connection, head: &str) -> Result<Execution, StoreError> {
    let mut execution: Execution =
        serde_json::from_str(head).map_err(|e| corrupt("execution", e))?;
    let mut rows = conn
        .prepare_cached("SELECT event FROM execution_history WHERE execution_id = ?1 ORDER BY seq")
        .map_err(unavailable)?;
    execution.history = rows
        .query_map([&execution.id], |r| r.get::<_, String>(0))
        .map_err(unavailable)?
        .map(|row| {
            let text = row.map_err(unavailable)?;
            serde_json::from_str(&text).map_err(|e| corrupt("execution history", e))
        })
        .collect::<Result<_, StoreError>>()?;
    Ok(execution)
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
            snapshot.map(|s| load(conn, &s)).transpose()
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
            rows.iter().map(|s| load(conn, s)).collect()
        })
        .await
    }
}
