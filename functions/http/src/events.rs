//! `GET /v1/jobs/{id}/events`: the job's events as server-sent events.
//! Each event's `id:` is its sequence number; a client that reconnects with
//! `Last-Event-ID` (or `?last_event_id=`) gets everything after it, then
//! the stream follows the job until it ends. The store is the source of
//! truth: a change only wakes the stream, which then reads what is
//! committed, so nobody sees an event that is not.

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
use coursegen_core::ports::{JobStore, MAX_EVENTS_PER_READ};
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
        greeted: false,
        done: false,
    };
    let mut stopping = state.stopping.clone();
    let stream = futures::stream::unfold(follower, |mut f| async move {
        f.next().await.map(|event| (Ok(event), f))
    })
    .take_until(async move {
        // With the sender gone nobody can stop the server: never end.
        if stopping.wait_for(|stop| *stop).await.is_err() {
            std::future::pending::<()>().await;
        }
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(HEARTBEAT)))
}

struct Follower {
    jobs: Arc<dyn JobStore>,
    id: JobId,
    after: u64,
    changes: Option<broadcast::Receiver<JobId>>,
    pending: VecDeque<Event>,
    greeted: bool,
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

impl Follower {
    async fn next(&mut self) -> Option<SseEvent> {
        if !self.greeted {
            self.greeted = true;
            return Some(SseEvent::default().retry(RETRY).comment("following"));
        }
        loop {
            if let Some(event) = self.pending.pop_front() {
                return Some(to_sse(&event));
            }
            if self.done {
                return None;
            }
            // A storage failure ends the stream; the client reconnects
            // with its Last-Event-ID and misses nothing.
            let Ok(events) = self
                .jobs
                .events_after(self.id, self.after, MAX_EVENTS_PER_READ)
                .await
            else {
                return None;
            };
            if let Some(last) = events.last() {
                self.after = last.seq;
                self.pending.extend(events);
                continue;
            }
            match self.jobs.get(self.id).await {
                Ok(job) if job.status.is_terminal() => return None,
                Ok(_) => {}
                Err(_) => return None,
            }
            self.wait().await;
        }
    }

    /// Until the job may have changed.
    async fn wait(&mut self) {
        let Some(changes) = &mut self.changes else {
            tokio::time::sleep(POLL).await;
            return;
        };
        loop {
            match changes.recv().await {
                Ok(id) if id == self.id => return,
                Ok(_) => continue,
                // Fell behind: something may have changed; read again.
                Err(broadcast::error::RecvError::Lagged(_)) => return,
                Err(broadcast::error::RecvError::Closed) => {
                    self.changes = None;
                    return;
                }
            }
        }
    }
}
