//! `GET /v1/jobs/{id}/events`: the job's events as server-sent events.
//! Each event's `id:` is its sequence number; a client that reconnects with
//! `Last-Event-ID` (or `?last_event_id=`) gets everything after it, then
//! the stream follows the job until it ends. The store is the source of
//! truth: the stream reads it first, then sends the events of each write
//! announced after its commit (so nobody sees an event that is not
//! committed), and reads the store again whenever those leave a gap.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use coursegen_core::event::Event;
use coursegen_core::ids::JobId;
use coursegen_core::ports::{Committed, JobStore, MAX_EVENTS_PER_READ, StoreError};
use futures::{Stream, StreamExt};
use serde::Deserialize;
use tokio::sync::broadcast;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::ApiState;

/// A comment line this often keeps proxies from closing an idle stream.
const HEARTBEAT: Duration = Duration::from_secs(15);
/// How long a client waits before reconnecting (the `retry:` hint).
const RETRY: Duration = Duration::from_secs(3);
/// With no change feed (several processes), how often the store is read.
const POLL: Duration = Duration::from_secs(1);

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventsQuery {
    last_event_id: Option<u64>,
}

/// Where to resume: the `Last-Event-ID` header, else the query, else 0.
fn resume_after(headers: &HeaderMap, query: &EventsQuery) -> Result<u64, ApiError> {
    match headers.get("last-event-id") {
        Some(v) => v
            .to_str()
            .ok()
            .and_then(|v| v.trim().parse().ok())
            .ok_or_else(|| ApiError::invalid("Last-Event-ID", "must be an event id (a number)")),
        None => Ok(query.last_event_id.unwrap_or(0)),
    }
}

pub async fn events(
    State(state): State<ApiState>,
    Caller(who): Caller,
    path: Result<Path<JobId>, PathRejection>,
    query: Result<Query<EventsQuery>, QueryRejection>,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<SseEvent, Infallible>>>, ApiError> {
    let Path(id) = path?;
    let Query(query) = query?;
    let after = resume_after(&headers, &query)?;
    state.service.job(&who, id).await?;
    // Subscribe before the first read, so no change falls in between.
    let follower = Follower {
        jobs: state.service.steps.jobs.clone(),
        id,
        after,
        changes: state.changes.as_ref().map(broadcast::Sender::subscribe),
        pending: VecDeque::new(),
        stale: true,
        done: false,
    };
    let mut stopping = state.stopping.clone();
    let max_stream = state.max_stream;
    let greeting = SseEvent::default().retry(RETRY).comment("following");
    let events = futures::stream::unfold(follower, |mut f| async move {
        f.next().await.map(|event| (to_sse(&event), f))
    });
    let stream = futures::stream::once(async { greeting })
        .chain(events)
        .map(Ok)
        .take_until(async move {
            let stop = async {
                // With the sender gone nobody can stop the server: never end.
                if stopping.wait_for(|stop| *stop).await.is_err() {
                    std::future::pending::<()>().await;
                }
            };
            let deadline = async {
                match max_stream {
                    Some(limit) => tokio::time::sleep(limit).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                () = stop => {}
                () = deadline => {}
            }
        });
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(HEARTBEAT)))
}

struct Follower {
    jobs: Arc<dyn JobStore>,
    id: JobId,
    after: u64,
    changes: Option<broadcast::Receiver<Committed>>,
    pending: VecDeque<Event>,
    /// Whether the store must be read before waiting again.
    stale: bool,
    done: bool,
}

fn to_sse(event: &Event) -> SseEvent {
    let json = serde_json::to_value(event).unwrap_or_default();
    let kind = json["type"].as_str().unwrap_or("event").to_owned();
    SseEvent::default()
        .id(event.seq.to_string())
        .event(kind)
        .data(json.to_string())
}

/// What woke a follower.
enum Wake {
    /// A committed write of its job.
    Committed(Committed),
    /// Something may have changed: read the store.
    Read,
}

impl Follower {
    /// The next event, or `None` once the job has ended and all is sent.
    async fn next(&mut self) -> Option<Event> {
        loop {
            if let Some(event) = self.pending.pop_front() {
                return Some(event);
            }
            if self.done {
                return None;
            }
            if self.stale {
                // A storage failure ends the stream; the client reconnects
                // with its Last-Event-ID and misses nothing.
                self.read().await.ok()?;
                continue;
            }
            match self.wait().await {
                Wake::Committed(write) => self.take(&write),
                Wake::Read => self.stale = true,
            }
        }
    }

    /// Queues what the store holds after `after`; once it holds nothing
    /// more, ends if the job has ended, else goes back to waiting.
    async fn read(&mut self) -> Result<(), StoreError> {
        let events = self
            .jobs
            .events_after(self.id, self.after, MAX_EVENTS_PER_READ)
            .await?;
        if let Some(last) = events.last() {
            self.after = last.seq;
            self.pending.extend(events);
            return Ok(());
        }
        self.done = self.jobs.get(self.id).await?.status.is_terminal();
        self.stale = false;
        Ok(())
    }

    /// Queues the events of a committed write when they follow on from
    /// what was sent; a gap (announcements crossed or were missed) means
    /// reading the store instead.
    fn take(&mut self, write: &Committed) {
        let fresh = write.events.iter().filter(|e| e.seq > self.after);
        let mut expected = self.after + 1;
        for event in fresh {
            if event.seq != expected {
                self.stale = true;
                return;
            }
            self.pending.push_back(event.clone());
            expected += 1;
        }
        self.after = expected - 1;
        if self.after < write.job.last_event_seq {
            self.stale = true;
        } else if write.job.status.is_terminal() {
            self.done = true;
        }
    }

    /// Until the job may have changed.
    async fn wait(&mut self) -> Wake {
        let Some(changes) = &mut self.changes else {
            tokio::time::sleep(POLL).await;
            return Wake::Read;
        };
        loop {
            match changes.recv().await {
                Ok(write) if write.job.id == self.id => return Wake::Committed(write),
                Ok(_) => continue,
                // Fell behind: something may have changed.
                Err(broadcast::error::RecvError::Lagged(_)) => return Wake::Read,
                Err(broadcast::error::RecvError::Closed) => {
                    self.changes = None;
                    return Wake::Read;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use async_trait::async_trait;
    use chrono::Utc;
    use coursegen_core::contract::job_store::new_job;
    use coursegen_core::event::EventKind;
    use coursegen_core::job::{Job, JobStatus};
    use coursegen_core::ports::{JobQuery, Page, PageRequest};
    use coursegen_core::stage::Stage;
    use coursegen_local::SqliteStore;

    use super::*;

    /// A store that counts the reads of events.
    #[derive(Debug)]
    struct Counting {
        inner: SqliteStore,
        reads: AtomicUsize,
    }

    #[async_trait]
    impl JobStore for Counting {
        async fn create(&self, job: &Job, events: &[Event]) -> Result<(), StoreError> {
            self.inner.create(job, events).await
        }
        async fn get(&self, id: JobId) -> Result<Job, StoreError> {
            self.inner.get(id).await
        }
        async fn update(
            &self,
            job: &Job,
            version: u64,
            events: &[Event],
        ) -> Result<(), StoreError> {
            self.inner.update(job, version, events).await
        }
        async fn list(
            &self,
            query: &JobQuery,
            page: &PageRequest,
        ) -> Result<Page<Job>, StoreError> {
            self.inner.list(query, page).await
        }
        async fn events_after(
            &self,
            id: JobId,
            after: u64,
            limit: usize,
        ) -> Result<Vec<Event>, StoreError> {
            self.reads.fetch_add(1, Ordering::SeqCst);
            self.inner.events_after(id, after, limit).await
        }
    }

    /// Commits one event (announcing nothing) and returns the announcement
    /// that write makes.
    async fn write(store: &Counting, job: &mut Job, kind: EventKind) -> Committed {
        let previous = job.version;
        job.version += 1;
        job.last_event_seq += 1;
        if kind.is_terminal() {
            job.status = JobStatus::Succeeded;
        }
        let event = Event {
            job_id: job.id,
            seq: job.last_event_seq,
            at: Utc::now(),
            kind,
        };
        store
            .update(job, previous, std::slice::from_ref(&event))
            .await
            .unwrap();
        Committed {
            job: Arc::new(job.clone()),
            events: vec![event].into(),
        }
    }

    #[tokio::test]
    async fn announced_events_are_sent_without_reads_and_gaps_are_filled_from_the_store() {
        let store = Arc::new(Counting {
            inner: SqliteStore::in_memory().unwrap(),
            reads: AtomicUsize::new(0),
        });
        let reads = || store.reads.load(Ordering::SeqCst);
        let (mut job, events) = new_job("alice", "c1", Utc::now());
        store.create(&job, &events).await.unwrap();
        let changes = broadcast::channel(16).0;
        let mut follower = Follower {
            jobs: store.clone(),
            id: job.id,
            after: 0,
            changes: Some(changes.subscribe()),
            pending: VecDeque::new(),
            stale: true,
            done: false,
        };
        let mut next = async || follower.next().await.map(|e| e.seq);
        for n in 1..=job.last_event_seq {
            assert_eq!(next().await, Some(n), "the replay");
        }
        let waiting = tokio::time::timeout(Duration::from_millis(50), next()).await;
        assert!(waiting.is_err(), "then it waits for a change");
        let before = reads();

        // A write that follows on: sent from its announcement alone.
        let run = 1;
        let started = write(
            &store,
            &mut job,
            EventKind::StageStarted {
                stage: Stage::Segment,
                run,
            },
        )
        .await;
        changes.send(started).unwrap();
        assert_eq!(next().await, Some(job.last_event_seq));
        assert_eq!(reads(), before, "no read for an announced write");

        // Two writes whose announcements cross: the store fills the gap,
        // and the late announcement repeats nothing.
        let first = write(
            &store,
            &mut job,
            EventKind::RunCompleted {
                stage: Stage::Segment,
                run,
            },
        )
        .await;
        let second = write(
            &store,
            &mut job,
            EventKind::AwaitingApproval {
                stage: Stage::Segment,
                run,
            },
        )
        .await;
        changes.send(second).unwrap();
        changes.send(first).unwrap();
        assert_eq!(next().await, Some(job.last_event_seq - 1));
        assert_eq!(next().await, Some(job.last_event_seq));
        assert!(reads() > before, "the gap is read from the store");

        let waiting = tokio::time::timeout(Duration::from_millis(50), next()).await;
        assert!(waiting.is_err(), "the late announcement repeats nothing");

        // The end, announced: sent, then the stream closes.
        let end = write(&store, &mut job, EventKind::JobSucceeded).await;
        let after_gap = reads();
        changes.send(end).unwrap();
        assert_eq!(next().await, Some(job.last_event_seq));
        assert_eq!(next().await, None);
        assert_eq!(reads(), after_gap, "the end needs no read either");
    }
}
