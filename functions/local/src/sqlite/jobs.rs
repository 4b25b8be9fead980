//! `JobStore` on SQLite: the job row holds the job without its runs; runs and
//! events have rows of their own, as they have items of their own in DynamoDB.

use async_trait::async_trait;
use coursegen_core::event::Event;
use coursegen_core::ids::JobId;
use coursegen_core::job::Job;
use coursegen_core::ports::{
    Cursor, JobQuery, JobStore, ListPosition, MAX_EVENTS_PER_READ, Page, PageRequest, StoreError,
    check_next_version,
};
use coursegen_core::stage::Stage;
use rusqlite::{OptionalExtension, Transaction, params};

use super::{SqliteStore, corrupt, is_unique_violation, unavailable};

#[async_trait]
impl JobStore for SqliteStore {
    async fn create(&self, job: &Job, events: &[Event]) -> Result<(), StoreError> {
        let (job, events) = (job.clone(), events.to_vec());
        self.with(move |conn| {
            let tx = conn.transaction().map_err(unavailable)?;
            let inserted = tx.execute(
                "INSERT INTO jobs (id, owner, course_id, created_ms, version, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    job.id.to_string(),
                    job.owner.as_str(),
                    job.course.course_id.as_str(),
                    job.created_at.timestamp_millis(),
                    version_i64(job.version)?,
                    job_body(&job)?,
                ],
            );
            match inserted {
                Err(e) if is_unique_violation(&e) => {
                    return Err(StoreError::AlreadyExists(format!("job {}", job.id)));
                }
                other => other.map_err(unavailable)?,
            };
            write_runs(&tx, &job)?;
            write_events(&tx, &job.id, &events)?;
            tx.commit().map_err(unavailable)
        })
        .await
    }

    async fn get(&self, id: JobId) -> Result<Job, StoreError> {
        self.read(move |conn| {
            let tx = conn.transaction().map_err(unavailable)?;
            let body: Option<String> = tx
                .query_row(
                    "SELECT body FROM jobs WHERE id = ?1",
                    [id.to_string()],
                    |r| r.get(0),
                )
                .optional()
                .map_err(unavailable)?;
            let body = body.ok_or_else(|| StoreError::job_not_found(id))?;
            read_job(&tx, &id, &body)
        })
        .await
    }

    async fn update(
        &self,
        job: &Job,
        expected_version: u64,
        events: &[Event],
    ) -> Result<(), StoreError> {
        check_next_version(job, expected_version)?;
        let (job, events) = (job.clone(), events.to_vec());
        self.with(move |conn| {
            let tx = conn
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(unavailable)?;
            let current: Option<i64> = tx
                .query_row(
                    "SELECT version FROM jobs WHERE id = ?1",
                    [job.id.to_string()],
                    |r| r.get(0),
                )
                .optional()
                .map_err(unavailable)?;
            let current = current.ok_or_else(|| StoreError::job_not_found(job.id))?;
            if current != version_i64(expected_version)? {
                return Err(StoreError::VersionConflict {
                    id: job.id,
                    expected: expected_version,
                    actual: u64::try_from(current).map_err(|e| corrupt("version", e))?,
                });
            }
            tx.execute(
                "UPDATE jobs SET version = ?2, body = ?3 WHERE id = ?1",
                params![
                    job.id.to_string(),
                    version_i64(job.version)?,
                    job_body(&job)?
                ],
            )
            .map_err(unavailable)?;
            write_runs(&tx, &job)?;
            write_events(&tx, &job.id, &events)?;
            tx.commit().map_err(unavailable)
        })
        .await
    }

    async fn list(&self, query: &JobQuery, page: &PageRequest) -> Result<Page<Job>, StoreError> {
        let after = page.after()?;
        let limit = page.effective_limit();
        let query = query.clone();
        self.read(move |conn| {
            let (filter, value) = match &query {
                JobQuery::Owner(owner) => ("owner = ?1", owner.to_string()),
                JobQuery::Course(course) => ("course_id = ?1", course.to_string()),
                JobQuery::All => ("?1 = ?1", String::new()),
            };
            let (after_ms, after_id) = after.as_ref().map_or((i64::MAX, String::new()), |p| {
                (p.created_ms, p.id.to_string())
            });
            let sql = format!(
                "SELECT id, body FROM jobs WHERE {filter}
                   AND (?2 = '' OR created_ms < ?3 OR (created_ms = ?3 AND id < ?2))
                 ORDER BY created_ms DESC, id DESC LIMIT ?4"
            );
            let tx = conn.transaction().map_err(unavailable)?;
            let rows: Vec<(String, String)> = {
                let mut stmt = tx.prepare(&sql).map_err(unavailable)?;
                let fetch = i64::try_from(limit + 1).unwrap_or(i64::MAX);
                stmt.query_map(params![value, after_id, after_ms, fetch], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .map_err(unavailable)?
                .collect::<Result<_, _>>()
                .map_err(unavailable)?
            };
            let more = rows.len() > limit;
            let mut items = Vec::with_capacity(limit);
            for (id, body) in rows.into_iter().take(limit) {
                let id: JobId = id.parse().map_err(|e| corrupt("job id", e))?;
                items.push(read_job(&tx, &id, &body)?);
            }
            let next = match items.last() {
                Some(last) if more => Some(Cursor::from_position(&ListPosition {
                    created_ms: last.created_at.timestamp_millis(),
                    id: last.id,
                })),
                _ => None,
            };
            Ok(Page { items, next })
        })
        .await
    }

    async fn events_after(
        &self,
        id: JobId,
        after: u64,
        limit: usize,
    ) -> Result<Vec<Event>, StoreError> {
        let limit = i64::try_from(limit.min(MAX_EVENTS_PER_READ)).unwrap_or(0);
        self.read(move |conn| {
            let tx = conn.transaction().map_err(unavailable)?;
            let exists: Option<i64> = tx
                .query_row("SELECT 1 FROM jobs WHERE id = ?1", [id.to_string()], |r| {
                    r.get(0)
                })
                .optional()
                .map_err(unavailable)?;
            exists.ok_or_else(|| StoreError::job_not_found(id))?;
            let after = i64::try_from(after).unwrap_or(i64::MAX);
            let mut stmt = tx
                .prepare(
                    "SELECT body FROM events WHERE job_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
                )
                .map_err(unavailable)?;
            let bodies: Vec<String> = stmt
                .query_map(params![id.to_string(), after, limit], |r| r.get(0))
                .map_err(unavailable)?
                .collect::<Result<_, _>>()
                .map_err(unavailable)?;
            bodies
                .iter()
                .map(|b| serde_json::from_str(b).map_err(|e| corrupt("event", e)))
                .collect()
        })
        .await
    }
}

fn version_i64(v: u64) -> Result<i64, StoreError> {
    i64::try_from(v).map_err(|e| corrupt("version", e))
}

/// The job as stored in its row: everything but the runs.
fn job_body(job: &Job) -> Result<String, StoreError> {
    serde_json::to_string(&job.without_runs()).map_err(|e| corrupt("job", e))
}

/// Upserts every run: runs are append-only, but the latest one changes
/// status when it finishes.
fn write_runs(tx: &Transaction<'_>, job: &Job) -> Result<(), StoreError> {
    let mut stmt = tx
        .prepare_cached(
            "INSERT OR REPLACE INTO runs (job_id, stage, n, body) VALUES (?1, ?2, ?3, ?4)",
        )
        .map_err(unavailable)?;
    for state in &job.stages {
        for run in &state.runs {
            let body = serde_json::to_string(run).map_err(|e| corrupt("run", e))?;
            stmt.execute(params![job.id.to_string(), state.stage as i64, run.n, body])
                .map_err(unavailable)?;
        }
    }
    Ok(())
}

fn write_events(tx: &Transaction<'_>, id: &JobId, events: &[Event]) -> Result<(), StoreError> {
    let mut stmt = tx
        .prepare_cached("INSERT INTO events (job_id, seq, body) VALUES (?1, ?2, ?3)")
        .map_err(unavailable)?;
    for event in events {
        let body = serde_json::to_string(event).map_err(|e| corrupt("event", e))?;
        let seq = i64::try_from(event.seq).map_err(|e| corrupt("event seq", e))?;
        stmt.execute(params![id.to_string(), seq, body])
            .map_err(|e| {
                if is_unique_violation(&e) {
                    StoreError::Corrupt(format!("event {} of job {id} already exists", event.seq))
                } else {
                    unavailable(e)
                }
            })?;
    }
    Ok(())
}

/// Rebuilds a job from its row and its run rows.
fn read_job(tx: &Transaction<'_>, id: &JobId, body: &str) -> Result<Job, StoreError> {
    let mut job: Job = serde_json::from_str(body).map_err(|e| corrupt("job", e))?;
    let mut stmt = tx
        .prepare_cached("SELECT stage, body FROM runs WHERE job_id = ?1 ORDER BY stage, n")
        .map_err(unavailable)?;
    let runs = stmt
        .query_map([id.to_string()], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
        })
        .map_err(unavailable)?;
    for row in runs {
        let (index, run) = row.map_err(unavailable)?;
        let stage = usize::try_from(index)
            .ok()
            .and_then(|i| Stage::ALL.get(i).copied())
            .ok_or_else(|| corrupt("run", format!("unknown stage index {index}")))?;
        let run = serde_json::from_str(&run).map_err(|e| corrupt("run", e))?;
        job.restore_run(stage, run);
    }
    Ok(job)
}
