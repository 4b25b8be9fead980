//! Unused uploads expire locally as they do on S3, where the bucket's
//! lifecycle rule (infra/template.yaml, `UploadRetentionDays`, 7 by
//! default) deletes objects under `uploads/` some days after they were
//! written. The sweep deletes uploads written longer ago than the
//! retention — except those an unfinished job may still read, which S3
//! cannot tell apart — and the temporary files of writes a dead process
//! left behind. `coursegen serve` runs it at start and every hour.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use coursegen_core::artifact::{ArtifactKey, KeyPrefix};
use coursegen_core::ports::{ArtifactStore, JobQuery, JobStore, PageRequest};
use coursegen_core::upload::UPLOADS;
use tokio::task::JoinHandle;

use crate::{DataDir, FsArtifactStore};

/// Days an upload is kept, as the stack's `UploadRetentionDays`.
pub const RETENTION_VAR: &str = "COURSEGEN_UPLOAD_RETENTION_DAYS";
pub const DEFAULT_RETENTION_DAYS: u64 = 7;
/// How often `spawn`ed sweeps run.
const EVERY: Duration = Duration::from_secs(3600);
/// A temporary file this old belongs to no write still going on.
const STALE_TEMPORARY: Duration = Duration::from_secs(24 * 3600);

#[derive(Debug, Clone)]
pub struct UploadSweep {
    artifacts: FsArtifactStore,
    jobs: Arc<dyn JobStore>,
    retention: Duration,
}

/// What one sweep deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Swept {
    pub uploads: usize,
    pub bytes: u64,
    pub temporaries: usize,
}

impl UploadSweep {
    pub fn new(artifacts: FsArtifactStore, jobs: Arc<dyn JobStore>, retention: Duration) -> Self {
        UploadSweep {
            artifacts,
            jobs,
            retention,
        }
    }

    /// Over `data`'s artifacts, keeping uploads `$COURSEGEN_UPLOAD_RETENTION_DAYS`.
    pub fn from_env(data: &DataDir, jobs: Arc<dyn JobStore>) -> Result<Self, String> {
        let days = match std::env::var(RETENTION_VAR) {
            Ok(v) if !v.trim().is_empty() => v
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|d| *d > 0)
                .ok_or_else(|| format!("{RETENTION_VAR}={v:?} is not a number of days"))?,
            _ => DEFAULT_RETENTION_DAYS,
        };
        let artifacts = data
            .open_artifacts()
            .map_err(|e| format!("cannot open the artifact store: {e}"))?;
        Ok(Self::new(
            artifacts,
            jobs,
            Duration::from_secs(days * 24 * 3600),
        ))
    }

    /// Sweeps once as of `now`.
    pub async fn run_once(&self, now: SystemTime) -> Result<Swept, String> {
        let mut swept = Swept::default();
        let cutoff = now
            .checked_sub(self.retention)
            .unwrap_or(SystemTime::UNIX_EPOCH);
        let in_use = self.read_by_unfinished_jobs().await?;
        let uploads: KeyPrefix = UPLOADS.parse().map_err(|e| format!("{e}"))?;
        let entries = self
            .artifacts
            .list(&uploads)
            .await
            .map_err(|e| e.to_string())?;
        for entry in entries {
            if in_use.contains(&entry.key) {
                continue;
            }
            let written = self
                .artifacts
                .modified(&entry.key)
                .await
                .map_err(|e| e.to_string())?;
            if written.is_some_and(|at| at < cutoff) {
                self.artifacts
                    .delete(&entry.key)
                    .await
                    .map_err(|e| e.to_string())?;
                swept.uploads += 1;
                swept.bytes += entry.size;
            }
        }
        let stale = now
            .checked_sub(STALE_TEMPORARY)
            .unwrap_or(SystemTime::UNIX_EPOCH);
        swept.temporaries = self
            .artifacts
            .remove_stale_temporaries(stale)
            .await
            .map_err(|e| e.to_string())?;
        Ok(swept)
    }

    /// Runs now and then every hour, for as long as the process lives.
    pub fn spawn(self) -> JoinHandle<()> {
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(EVERY);
            loop {
                ticks.tick().await;
                match self.run_once(SystemTime::now()).await {
                    Ok(s) if s == Swept::default() => {}
                    Ok(s) => eprintln!(
                        "deleted {} expired upload(s) ({} bytes) and {} stale temporary file(s)",
                        s.uploads, s.bytes, s.temporaries
                    ),
                    Err(e) => eprintln!("the upload sweep failed (next try in an hour): {e}"),
                }
            }
        })
    }

    /// The uploads of jobs that have not ended: they may still be read.
    async fn read_by_unfinished_jobs(&self) -> Result<HashSet<ArtifactKey>, String> {
        let mut keys = HashSet::new();
        let mut page = PageRequest::first(100);
        loop {
            let jobs = self
                .jobs
                .list(&JobQuery::All, &page)
                .await
                .map_err(|e| e.to_string())?;
            keys.extend(
                jobs.items
                    .iter()
                    .filter(|job| !job.status.is_terminal())
                    .filter_map(|job| job.source.upload_key().cloned()),
            );
            match jobs.next {
                Some(cursor) => page.cursor = Some(cursor),
                None => return Ok(keys),
            }
        }
    }
}
