//! The embedded record store: one SQLite database (WAL) holding jobs, runs,
//! events, callback handles and webhook deliveries.
//!
//! Connection strategy: one writing connection behind a mutex, used only
//! from tokio's blocking pool. SQLite serialises writers anyway, so one
//! connection loses nothing, and it makes every transaction trivially safe
//! under any number of concurrent tokio tasks. Reads of jobs and events —
//! what an API serves most — go to a few read-only connections, which WAL
//! lets run beside the writer and each other, each in a transaction of its
//! own so it sees one committed state. Other processes (a `coursegen jobs
//! list` beside `coursegen serve`) share the file through WAL and a busy
//! timeout.

mod callbacks;
mod deliveries;
mod executions;
mod jobs;

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use coursegen_core::ports::StoreError;
use rusqlite::{Connection, ErrorCode, OpenFlags};

/// Schema migrations, applied in order; the database's `user_version` says
/// how many have run. Hand-rolled rather than a migration crate: it is a
/// dozen lines and the schema changes rarely.
const MIGRATIONS: &[&str] = &[
    include_str!("schema.sql"),
    include_str!("schema_v2.sql"),
    include_str!("schema_v3.sql"),
];

/// How long a statement waits for another process's write lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The SQLite-backed `JobStore`, `CallbackStore` and `DeliveryLog`.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    conn: Arc<Mutex<Connection>>,
    /// Read-only connections (none for an in-memory database, which only
    /// its own connection can see).
    readers: Arc<Vec<Mutex<Connection>>>,
    next_reader: Arc<AtomicUsize>,
}

/// Read-only connections per store: one per core, and then some.
const READERS: usize = 4;

impl SqliteStore {
    /// Opens (creating if needed) the database at `path` and migrates it.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let conn = Connection::open(path).map_err(unavailable)?;
        let mut store = Self::init(conn)?;
        let readers = (0..READERS)
            .map(|_| {
                let reader = Connection::open_with_flags(
                    path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )
                .map_err(unavailable)?;
                reader.busy_timeout(BUSY_TIMEOUT).map_err(unavailable)?;
                Ok(Mutex::new(reader))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        store.readers = Arc::new(readers);
        Ok(store)
    }

    /// A private in-memory database, for tests and one-off runs.
    pub fn in_memory() -> Result<Self, StoreError> {
        Self::init(Connection::open_in_memory().map_err(unavailable)?)
    }

    fn init(mut conn: Connection) -> Result<Self, StoreError> {
        conn.busy_timeout(BUSY_TIMEOUT).map_err(unavailable)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(unavailable)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(unavailable)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(unavailable)?;
        migrate(&mut conn)?;
        let store = SqliteStore {
            conn: Arc::new(Mutex::new(conn)),
            readers: Arc::new(Vec::new()),
            next_reader: Arc::new(AtomicUsize::new(0)),
        };
        store.purge_expired_now()?;
        Ok(store)
    }

    /// Runs `f` with the connection on the blocking pool.
    async fn with<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            // A panic while holding the lock cannot leave a half-done
            // transaction behind (rusqlite rolls back on drop), so a poisoned
            // lock is still safe to use.
            let mut guard = conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            f(&mut guard)
        })
        .await
        .map_err(|e| StoreError::Unavailable(format!("database task failed: {e}")))?
    }

    /// Runs a read `f` on a read-only connection (the writer's when there
    /// are none). A free reader runs it right here: a read is a few indexed
    /// lookups in WAL mode that never wait for the writer, cheaper than the
    /// two thread hand-offs of the blocking pool. With every reader busy,
    /// the read waits for one on the blocking pool instead.
    async fn read<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    {
        if self.readers.is_empty() {
            return self.with(f).await;
        }
        let readers = self.readers.clone();
        let n = readers.len();
        let first = self.next_reader.fetch_add(1, Ordering::Relaxed);
        if let Some(mut free) = (0..n).find_map(|i| readers[(first + i) % n].try_lock().ok()) {
            return f(&mut free);
        }
        tokio::task::spawn_blocking(move || {
            let mut guard = readers[first % n]
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            f(&mut guard)
        })
        .await
        .map_err(|e| StoreError::Unavailable(format!("database task failed: {e}")))?
    }

    /// Deletes expired callback handles and deliveries, as DynamoDB's TTL does.
    fn purge_expired_now(&self) -> Result<(), StoreError> {
        let now = chrono::Utc::now().timestamp_millis();
        let conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        conn.execute("DELETE FROM callbacks WHERE expires_ms <= ?1", [now])
            .map_err(unavailable)?;
        conn.execute("DELETE FROM deliveries WHERE expires_ms <= ?1", [now])
            .map_err(unavailable)?;
        Ok(())
    }
}

fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let applied: i64 = conn
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(unavailable)?;
    let applied = usize::try_from(applied).map_err(|e| corrupt("user_version", e))?;
    if applied > MIGRATIONS.len() {
        return Err(StoreError::Corrupt(format!(
            "the database is at schema version {applied}, newer than this build ({}); upgrade coursegen",
            MIGRATIONS.len()
        )));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(applied) {
        let tx = conn.transaction().map_err(unavailable)?;
        tx.execute_batch(sql).map_err(unavailable)?;
        let version = i64::try_from(i + 1).map_err(|e| corrupt("user_version", e))?;
        tx.pragma_update(None, "user_version", version)
            .map_err(unavailable)?;
        tx.commit().map_err(unavailable)?;
    }
    Ok(())
}

/// Maps an SQLite failure to the port's error: lock contention and I/O are
/// worth retrying; anything else means the file is not what we wrote.
fn unavailable(e: rusqlite::Error) -> StoreError {
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => {
            StoreError::Corrupt(e.to_string())
        }
        _ => StoreError::Unavailable(e.to_string()),
    }
}

fn is_unique_violation(e: &rusqlite::Error) -> bool {
    e.sqlite_error_code() == Some(ErrorCode::ConstraintViolation)
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}
