//! The [`JobStore`] contract.

use std::collections::HashSet;
use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};

use crate::event::Event;
use crate::ids::{CourseId, JobId, UserId};
use crate::job::{CourseRef, Job};
use crate::lifecycle::{self, Command, NewJob};
use crate::options::Options;
use crate::ports::{Cursor, JobQuery, JobStore, PageRequest, StoreError};
use crate::source::Source;
use crate::stage::{Stage, Usage};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0)
        .single()
        .expect("a valid date")
}

/// A new job of `owner` in `course` (version v1), created at `created`,
/// with the events of its creation: for tests of anything that stores jobs.
pub fn new_job(owner: &str, course: &str, created: DateTime<Utc>) -> (Job, Vec<Event>) {
    let new = NewJob {
        id: JobId::new(),
        owner: owner.parse().expect("valid owner"),
        course: CourseRef {
            course_id: course.parse().expect("valid course"),
            version_id: "v1".parse().expect("valid version"),
            module_id: Some("m1".into()),
            section_id: None,
        },
        source: Source::Topic {
            topic: "Ownership in Rust".into(),
            course_type: "programming".into(),
            difficulty: Default::default(),
        },
        options: Options::default(),
    };
    lifecycle::create(new, created).expect("a valid job")
}

fn apply(job: &Job, cmd: Command) -> (Job, Vec<Event>) {
    lifecycle::apply(job, cmd, job.updated_at + Duration::seconds(1)).expect("a legal command")
}

async fn stored(
    store: &Arc<dyn JobStore>,
    owner: &str,
    course: &str,
    created: DateTime<Utc>,
) -> Job {
    let (job, events) = new_job(owner, course, created);
    store.create(&job, &events).await.expect("create");
    job
}

/// A job with runs, progress and an edited run: every part of the model.
async fn busy_job(store: &Arc<dyn JobStore>) -> (Job, Vec<Event>) {
    let (mut job, mut events) = new_job("alice", "c1", t0());
    store.create(&job, &events).await.expect("create");
    let key = |s: &str| s.parse().expect("valid key");
    for cmd in [
        Command::StartStage {
            stage: Stage::Ingest,
        },
        Command::CompleteRun {
            stage: Stage::Ingest,
            output_key: key("jobs/a/ingest.json"),
            usage: Usage::default(),
        },
        Command::StartStage {
            stage: Stage::Validate,
        },
        Command::CompleteRun {
            stage: Stage::Validate,
            output_key: key("jobs/a/validate.json"),
            usage: Usage {
                prompt_tokens: 120,
                completion_tokens: 30,
                cost_usd: 0.0004,
            },
        },
        Command::StartStage {
            stage: Stage::Segment,
        },
        Command::Progress {
            stage: Stage::Segment,
            done: 2,
            total: 5,
            message: Some("segmenting".into()),
        },
        Command::CompleteRun {
            stage: Stage::Segment,
            output_key: key("jobs/a/seg-1.json"),
            usage: Usage::default(),
        },
        Command::AwaitApproval {
            stage: Stage::Segment,
            callback: Some(crate::ids::CallbackId::generate()),
        },
        Command::Edit {
            stage: Stage::Segment,
            base_run: None,
            output_key: key("jobs/a/seg-2.json"),
        },
    ] {
        let expected = job.version;
        let (next, new_events) = apply(&job, cmd);
        store
            .update(&next, expected, &new_events)
            .await
            .expect("update");
        events.extend(new_events);
        job = next;
    }
    (job, events)
}

pub async fn create_then_get_round_trips(store: Arc<dyn JobStore>) {
    let (job, events) = busy_job(&store).await;
    assert_eq!(store.get(job.id).await.expect("get"), job);
    assert_eq!(
        store.events_after(job.id, 0, 100).await.expect("events"),
        events
    );
}

pub async fn create_twice_is_refused(store: Arc<dyn JobStore>) {
    let (job, events) = new_job("alice", "c1", t0());
    store.create(&job, &events).await.expect("create");
    let mut other = job.clone();
    other.error = Some("different".into());
    let err = store
        .create(&other, &events)
        .await
        .expect_err("second create");
    assert!(matches!(err, StoreError::AlreadyExists(_)), "{err:?}");
    assert_eq!(
        store.get(job.id).await.expect("get"),
        job,
        "the first job is untouched"
    );
    assert_eq!(
        store.events_after(job.id, 0, 100).await.expect("events"),
        events
    );
}

pub async fn unknown_jobs_are_not_found(store: Arc<dyn JobStore>) {
    let (job, _) = new_job("alice", "c1", t0());
    assert!(matches!(
        store.get(job.id).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        store.events_after(job.id, 0, 10).await,
        Err(StoreError::NotFound(_))
    ));
    let (next, more) = apply(
        &job,
        Command::StartStage {
            stage: Stage::Ingest,
        },
    );
    assert!(matches!(
        store.update(&next, 1, &more).await,
        Err(StoreError::NotFound(_))
    ));
}

pub async fn update_applies_the_change_and_appends_its_events(store: Arc<dyn JobStore>) {
    let job = stored(&store, "alice", "c1", t0()).await;
    let (next, events) = apply(
        &job,
        Command::StartStage {
            stage: Stage::Ingest,
        },
    );
    store
        .update(&next, job.version, &events)
        .await
        .expect("update");
    let got = store.get(job.id).await.expect("get");
    assert_eq!(got, next);
    assert_eq!(got.version, 2);
    let seqs: Vec<u64> = store
        .events_after(job.id, 0, 100)
        .await
        .expect("events")
        .iter()
        .map(|e| e.seq)
        .collect();
    assert_eq!(seqs, vec![1, 2]);
}

pub async fn stale_update_is_a_version_conflict_and_changes_nothing(store: Arc<dyn JobStore>) {
    let job = stored(&store, "alice", "c1", t0()).await;
    let (v2, events) = apply(
        &job,
        Command::StartStage {
            stage: Stage::Ingest,
        },
    );
    store.update(&v2, 1, &events).await.expect("first update");
    let (stale, stale_events) = apply(&job, Command::Abort { reason: None });
    let err = store
        .update(&stale, 1, &stale_events)
        .await
        .expect_err("stale update");
    assert_eq!(
        err,
        StoreError::VersionConflict {
            id: job.id,
            expected: 1,
            actual: 2
        }
    );
    assert_eq!(store.get(job.id).await.expect("get"), v2);
    assert_eq!(
        store
            .events_after(job.id, 0, 100)
            .await
            .expect("events")
            .len(),
        2
    );
}

pub async fn concurrent_updates_from_one_version_have_one_winner(store: Arc<dyn JobStore>) {
    let job = stored(&store, "alice", "c1", t0()).await;
    let mut tasks = Vec::new();
    for i in 0..8 {
        let store = store.clone();
        let (next, events) = apply(
            &job,
            Command::Abort {
                reason: Some(format!("writer {i}")),
            },
        );
        tasks.push(tokio::spawn(async move {
            store.update(&next, 1, &events).await.map(|()| next)
        }));
    }
    let mut winners = Vec::new();
    for task in tasks {
        match task.await.expect("task") {
            Ok(job) => winners.push(job),
            Err(StoreError::VersionConflict {
                expected: 1,
                actual: 2,
                ..
            }) => {}
            Err(other) => panic!("unexpected error {other:?}"),
        }
    }
    assert_eq!(winners.len(), 1, "exactly one writer wins");
    assert_eq!(store.get(job.id).await.expect("get"), winners[0]);
    let events = store.events_after(job.id, 0, 100).await.expect("events");
    assert_eq!(
        events.len(),
        2,
        "the creation event and the winner's, nothing else"
    );
    assert_eq!(
        events[1].kind,
        crate::event::EventKind::JobAborted {
            reason: winners[0].error.clone()
        }
    );
}

/// Writers that re-read and retry on conflict: every one of their changes
/// lands exactly once, and the event sequence has no gap or duplicate.
pub async fn concurrent_writers_lose_no_event(store: Arc<dyn JobStore>) {
    let job = stored(&store, "alice", "c1", t0()).await;
    let (running, events) = apply(
        &job,
        Command::StartStage {
            stage: Stage::Ingest,
        },
    );
    store.update(&running, 1, &events).await.expect("start");
    const WRITERS: u32 = 6;
    const EACH: u32 = 5;
    let mut tasks = Vec::new();
    for w in 0..WRITERS {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..EACH {
                loop {
                    let current = store.get(running.id).await.expect("get");
                    let (next, events) = apply(
                        &current,
                        Command::Progress {
                            stage: Stage::Ingest,
                            done: i,
                            total: EACH,
                            message: Some(format!("w{w}-{i}")),
                        },
                    );
                    match store.update(&next, current.version, &events).await {
                        Ok(()) => break,
                        Err(StoreError::VersionConflict { .. }) => tokio::task::yield_now().await,
                        Err(other) => panic!("unexpected error {other:?}"),
                    }
                }
            }
        }));
    }
    for task in tasks {
        task.await.expect("writer");
    }
    let total = 2 + u64::from(WRITERS * EACH);
    let got = store.get(job.id).await.expect("get");
    assert_eq!((got.version, got.last_event_seq), (total, total));
    let events = store.events_after(job.id, 0, 1000).await.expect("events");
    let seqs: Vec<u64> = events.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=total).collect::<Vec<_>>());
    let messages: HashSet<String> = events
        .iter()
        .filter_map(|e| match &e.kind {
            crate::event::EventKind::StageProgress { message, .. } => message.clone(),
            _ => None,
        })
        .collect();
    assert_eq!(
        messages.len(),
        (WRITERS * EACH) as usize,
        "every writer's every change is there once"
    );
}

pub async fn events_after_reads_in_order_and_in_pages(store: Arc<dyn JobStore>) {
    let (job, events) = busy_job(&store).await;
    let n = events.len() as u64;
    let tail = store.events_after(job.id, 3, 100).await.expect("tail");
    assert_eq!(tail, events[3..].to_vec());
    let page = store.events_after(job.id, 0, 2).await.expect("page");
    assert_eq!(page, events[..2].to_vec());
    assert!(
        store
            .events_after(job.id, n, 10)
            .await
            .expect("past the end")
            .is_empty()
    );
    assert!(
        store
            .events_after(job.id, n + 50, 10)
            .await
            .expect("far past")
            .is_empty()
    );
}

async fn collect(store: &Arc<dyn JobStore>, query: &JobQuery, limit: usize) -> (Vec<JobId>, usize) {
    let mut ids = Vec::new();
    let mut pages = 0;
    let mut request = PageRequest::first(limit);
    loop {
        let page = store.list(query, &request).await.expect("list");
        pages += 1;
        assert!(page.items.len() <= limit, "a page holds at most the limit");
        ids.extend(page.items.iter().map(|j| j.id));
        match page.next {
            Some(cursor) => request.cursor = Some(cursor),
            None => break,
        }
        assert!(pages < 50, "paging terminates");
    }
    (ids, pages)
}

pub async fn lists_by_owner_newest_first_in_pages(store: Arc<dyn JobStore>) {
    let mut alice = Vec::new();
    for i in 0..7 {
        // Two jobs share a creation time: the id breaks the tie.
        let created = t0() + Duration::seconds(i64::from(i.min(5)));
        alice.push(stored(&store, "alice", "c1", created).await);
        stored(&store, "bob", "c1", created).await;
    }
    alice.sort_by_key(|j| std::cmp::Reverse((j.created_at, j.id)));
    let expected: Vec<JobId> = alice.iter().map(|j| j.id).collect();
    let (ids, pages) = collect(&store, &JobQuery::Owner("alice".parse().expect("user")), 3).await;
    assert_eq!(
        ids, expected,
        "all of alice's jobs, newest first, none twice"
    );
    assert!((3..=4).contains(&pages), "7 jobs in pages of 3");
    let (ids, _) = collect(&store, &JobQuery::Owner("carol".parse().expect("user")), 3).await;
    assert!(ids.is_empty());
    // A listing shows the current state of each job.
    let (next, events) = apply(&alice[0], Command::Abort { reason: None });
    store
        .update(&next, alice[0].version, &events)
        .await
        .expect("update");
    let page = store
        .list(
            &JobQuery::Owner("alice".parse().expect("user")),
            &PageRequest::first(1),
        )
        .await
        .expect("list");
    assert_eq!(page.items, vec![next]);
}

pub async fn lists_by_course_and_all(store: Arc<dyn JobStore>) {
    for i in 0..4 {
        let course = if i % 2 == 0 { "c1" } else { "c2" };
        stored(
            &store,
            &format!("user{i}"),
            course,
            t0() + Duration::seconds(i),
        )
        .await;
    }
    let course: CourseId = "c2".parse().expect("course");
    let (ids, _) = collect(&store, &JobQuery::Course(course.clone()), 10).await;
    assert_eq!(ids.len(), 2);
    for id in ids {
        assert_eq!(store.get(id).await.expect("get").course.course_id, course);
    }
    let (all, _) = collect(&store, &JobQuery::All, 3).await;
    assert_eq!(all.len(), 4);
    let owner: UserId = "user3".parse().expect("user");
    assert_eq!(
        store.get(all[0]).await.expect("get").owner,
        owner,
        "newest first"
    );
}

pub async fn garbled_cursors_are_refused(store: Arc<dyn JobStore>) {
    stored(&store, "alice", "c1", t0()).await;
    for garbage in ["", "???", "bm90IGpzb24", "eyJ4IjoxfQ"] {
        let request = PageRequest {
            cursor: Some(Cursor::parse(garbage)),
            limit: 5,
        };
        let result = store.list(&JobQuery::All, &request).await;
        assert_eq!(result, Err(StoreError::InvalidCursor), "{garbage:?}");
    }
}
