//! Uploads expire locally as on S3: older than the retention and read by no
//! unfinished job, they go; recent ones and those a live job reads stay;
//! temporary files a dead write left behind go too.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use chrono::Utc;
use coursegen_core::artifact::ArtifactKey;
use coursegen_core::job::CourseRef;
use coursegen_core::lifecycle::{Command, NewJob, apply, create};
use coursegen_core::options::Options;
use coursegen_core::ports::{ArtifactStore, JobStore};
use coursegen_core::source::{Source, TranscriptFormat};
use coursegen_local::upload_sweep::{Swept, UploadSweep};
use coursegen_local::{FsArtifactStore, SqliteStore};

const DAY: Duration = Duration::from_secs(24 * 3600);

fn key(s: &str) -> ArtifactKey {
    s.parse().unwrap()
}

/// A job made from `upload`, aborted if `ended`.
async fn job_reading(jobs: &SqliteStore, upload: &ArtifactKey, ended: bool) {
    let new = NewJob {
        id: coursegen_core::ids::JobId::new(),
        owner: "tom".parse().unwrap(),
        course: CourseRef {
            course_id: "c1".parse().unwrap(),
            version_id: "v1".parse().unwrap(),
            module_id: None,
            section_id: None,
        },
        source: Source::Transcript {
            upload_key: upload.clone(),
            format: TranscriptFormat::Vtt,
        },
        options: Options::default(),
    };
    let (job, events) = create(new, Utc::now()).unwrap();
    jobs.create(&job, &events).await.unwrap();
    if ended {
        let (aborted, events) = apply(&job, Command::Abort { reason: None }, Utc::now()).unwrap();
        jobs.update(&aborted, job.version, &events).await.unwrap();
    }
}

#[tokio::test]
async fn old_uploads_no_live_job_reads_are_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("artifacts");
    let artifacts = FsArtifactStore::open(&root, 1 << 20).unwrap();
    let jobs = Arc::new(SqliteStore::open(&dir.path().join("db.sqlite3")).unwrap());
    let now = SystemTime::now();
    let written = |k: &str, age: Duration| {
        let (artifacts, k, root) = (artifacts.clone(), key(k), root.clone());
        async move {
            artifacts
                .put(&k, b"WEBVTT\n".to_vec(), "text/vtt")
                .await
                .unwrap();
            let path = root.join(format!("{k}~a"));
            let file = std::fs::File::options().write(true).open(path).unwrap();
            file.set_modified(now - age).unwrap();
            k
        }
    };
    let expired = written("uploads/u-74/01A/source.vtt", 8 * DAY).await;
    let live = written("uploads/u-74/01B/source.vtt", 30 * DAY).await;
    let ended = written("uploads/u-74/01C/source.vtt", 8 * DAY).await;
    let recent = written("uploads/u-74/01D/source.vtt", 6 * DAY).await;
    // Not an upload: job outputs are never swept, however old.
    let output = written("jobs/01E/course.json", 90 * DAY).await;
    job_reading(&jobs, &live, false).await;
    job_reading(&jobs, &ended, true).await;
    // A temporary file of a write that died two days ago, and one going on.
    let dead = artifacts.stage("text/vtt").await.unwrap();
    let dead_path = dead.path().to_owned();
    std::fs::File::options()
        .write(true)
        .open(&dead_path)
        .unwrap()
        .set_modified(now - 2 * DAY)
        .unwrap();
    std::mem::forget(dead); // as a killed process leaves it
    let going_on = artifacts.stage("text/vtt").await.unwrap();

    let sweep = UploadSweep::new(artifacts.clone(), jobs.clone(), 7 * DAY);
    let swept = sweep.run_once(now).await.unwrap();
    assert_eq!(
        swept,
        Swept {
            uploads: 2,
            bytes: 14,
            temporaries: 1
        }
    );
    for (k, kept) in [
        (&expired, false),
        (&live, true),
        (&ended, false),
        (&recent, true),
        (&output, true),
    ] {
        assert_eq!(artifacts.head(k).await.unwrap().is_some(), kept, "{k}");
    }
    assert!(!dead_path.exists());
    assert!(going_on.path().exists());
    // Nothing more to do the second time.
    assert_eq!(sweep.run_once(now).await.unwrap(), Swept::default());
}
