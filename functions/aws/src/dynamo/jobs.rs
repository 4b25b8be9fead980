//! `JobStore` on DynamoDB. A job is its `META` item plus one item per run;
//! every write is one transaction: the job conditional on its version, the
//! runs it changed, and its events (each conditional on not existing), so
//! an event is never visible before the state it describes.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use async_trait::async_trait;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem};
use chrono::Utc;
use coursegen_core::event::Event;
use coursegen_core::ids::JobId;
use coursegen_core::job::Job;
use coursegen_core::ports::{
    Cursor, JobQuery, JobStore, ListPosition, MAX_EVENTS_PER_READ, Page, PageRequest, StoreError,
    check_next_version,
};
use coursegen_core::stage::Stage;

use super::item::{
    ALL_JOBS, ALL_JOBS_KEY, BODY, BY_COURSE, BY_OWNER, EVENTS_END, EXPIRES_AT, Index, Item, META,
    PK, RUN_PREFIX, SK, VERSION, body, event_sk, get_n, get_s, job_pk, keyed, list_sk, n, run_sk,
    s, to_body,
};
use super::{DynamoStore, corrupt, unavailable};

/// The attribute of the job item that fingerprints each stored run, so an
/// update writes only the runs it changed.
const RUN_HASHES: &str = "run_hashes";
/// DynamoDB's limit on the items of one transaction.
const MAX_TRANSACTION_ITEMS: usize = 100;

/// A run's item, keyed by its sort key, with the fingerprint of its body.
struct RunItem {
    sk: String,
    hash: String,
    item: Item,
}

/// Why a write transaction was cancelled.
enum Cancelled {
    /// The job item's condition failed (exists / version).
    Job,
    /// Another transaction touched the same items at the same moment.
    Conflict,
    /// An event with that sequence number is already stored.
    Event,
}

impl DynamoStore {
    /// The job's own item and its run items, with each run's fingerprint.
    fn job_items(&self, job: &Job) -> Result<(Item, Vec<RunItem>), StoreError> {
        let pk = job_pk(&job.id);
        let mut runs = Vec::new();
        for (stage, run) in job.runs() {
            let sk = run_sk(stage, run.n);
            let body = serde_json::to_string(run).map_err(|e| corrupt("run", e))?;
            let mut hasher = DefaultHasher::new();
            body.hash(&mut hasher);
            let mut item = keyed(pk.clone(), sk.clone());
            item.insert(BODY.into(), AttributeValue::S(body));
            let hash = format!("{:016x}", hasher.finish());
            runs.push(RunItem { sk, hash, item });
        }
        let hashes = runs
            .iter()
            .map(|run| (run.sk.clone(), s(run.hash.clone())))
            .collect();
        let listed = list_sk(job.created_at.timestamp_millis(), &job.id);
        let mut meta = keyed(pk, META);
        meta.extend([
            (BODY.into(), to_body(&job.without_runs(), "job")?),
            (VERSION.into(), n(job.version)),
            (RUN_HASHES.into(), AttributeValue::M(hashes)),
            (BY_OWNER.1.into(), s(format!("OWNER#{}", job.owner))),
            (BY_OWNER.2.into(), s(listed.clone())),
            (
                BY_COURSE.1.into(),
                s(format!("COURSE#{}", job.course.course_id)),
            ),
            (BY_COURSE.2.into(), s(listed.clone())),
            (ALL_JOBS.1.into(), s(ALL_JOBS_KEY)),
            (ALL_JOBS.2.into(), s(listed)),
        ]);
        Ok((meta, runs))
    }

    fn event_item(&self, event: &Event) -> Result<Item, StoreError> {
        let expires = Utc::now().timestamp() + self.event_retention.as_secs() as i64;
        let mut item = keyed(job_pk(&event.job_id), event_sk(event.seq));
        item.insert(BODY.into(), to_body(event, "event")?);
        item.insert(EXPIRES_AT.into(), n(expires));
        Ok(item)
    }

    fn put(
        &self,
        item: Item,
        condition: Option<&str>,
        values: &[(&str, AttributeValue)],
    ) -> Result<TransactWriteItem, StoreError> {
        let mut put = Put::builder().table_name(&self.table).set_item(Some(item));
        if let Some(condition) = condition {
            put = put.condition_expression(condition);
        }
        for (name, value) in values {
            put = put.expression_attribute_values(*name, value.clone());
        }
        let put = put.build().map_err(|e| corrupt("request", e))?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    /// Runs one write transaction; `Err(Ok(why))` when it was cancelled.
    async fn transact(
        &self,
        items: Vec<TransactWriteItem>,
    ) -> Result<(), Result<Cancelled, StoreError>> {
        if items.len() > MAX_TRANSACTION_ITEMS {
            return Err(Err(StoreError::Corrupt(format!(
                "one write of {} items is more than DynamoDB's {MAX_TRANSACTION_ITEMS}",
                items.len()
            ))));
        }
        let result = self
            .client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(SdkError::ServiceError(e)) => match e.err() {
                TransactWriteItemsError::TransactionCanceledException(c) => {
                    let codes: Vec<&str> = c
                        .cancellation_reasons()
                        .iter()
                        .map(|r| r.code().unwrap_or("None"))
                        .collect();
                    Err(Ok(match codes.first() {
                        Some(&"ConditionalCheckFailed") => Cancelled::Job,
                        _ if codes.contains(&"ConditionalCheckFailed") => Cancelled::Event,
                        _ => Cancelled::Conflict,
                    }))
                }
                _ => Err(Err(unavailable(SdkError::ServiceError(e)))),
            },
            Err(other) => Err(Err(unavailable(other))),
        }
    }

    /// The job item's version and run fingerprints, read consistently.
    async fn head(
        &self,
        id: &JobId,
    ) -> Result<Option<(u64, HashMap<String, AttributeValue>)>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(PK, s(job_pk(id)))
            .key(SK, s(META))
            .consistent_read(true)
            .projection_expression("#v, #h")
            .expression_attribute_names("#v", VERSION)
            .expression_attribute_names("#h", RUN_HASHES)
            .send()
            .await
            .map_err(unavailable)?;
        let Some(item) = out.item else {
            return Ok(None);
        };
        let hashes = match item.get(RUN_HASHES) {
            Some(AttributeValue::M(m)) => m.clone(),
            _ => HashMap::new(),
        };
        Ok(Some((get_n(&item, VERSION)?, hashes)))
    }

    /// A job from its items: the `META` item first, then its runs in order.
    fn job_of(id: &JobId, items: Vec<Item>) -> Result<Option<Job>, StoreError> {
        let mut items = items.into_iter();
        let Some(meta) = items.next() else {
            return Ok(None);
        };
        if get_s(&meta, SK)? != META {
            return Ok(None);
        }
        let mut job: Job = body(&meta, "job")?;
        for item in items {
            let sk = get_s(&item, SK)?;
            let stage = sk
                .strip_prefix(RUN_PREFIX)
                .and_then(|rest| rest.split('#').next())
                .and_then(|i| i.parse::<usize>().ok())
                .and_then(|i| Stage::ALL.get(i).copied())
                .ok_or_else(|| corrupt("run", format!("unexpected item {sk} of job {id}")))?;
            job.restore_run(stage, body(&item, "run")?);
        }
        Ok(Some(job))
    }

    /// The job's `META` and run items (they sort after its events).
    async fn job_and_runs(&self, id: &JobId) -> Result<Option<Job>, StoreError> {
        let items: Vec<Item> = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("#pk = :pk AND #sk >= :meta")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#sk", SK)
            .expression_attribute_values(":pk", s(job_pk(id)))
            .expression_attribute_values(":meta", s(META))
            .consistent_read(true)
            .into_paginator()
            .items()
            .send()
            .collect::<Result<_, _>>()
            .await
            .map_err(unavailable)?;
        Self::job_of(id, items)
    }

    async fn conflict(&self, id: JobId, expected: u64) -> StoreError {
        match self.head(&id).await {
            Ok(Some((actual, _))) => StoreError::VersionConflict {
                id,
                expected,
                actual,
            },
            Ok(None) => StoreError::job_not_found(id),
            Err(e) => e,
        }
    }
}

#[async_trait]
impl JobStore for DynamoStore {
    async fn create(&self, job: &Job, events: &[Event]) -> Result<(), StoreError> {
        let (meta, runs) = self.job_items(job)?;
        let mut items = vec![self.put(meta, Some("attribute_not_exists(PK)"), &[])?];
        for run in runs {
            items.push(self.put(run.item, None, &[])?);
        }
        for event in events {
            items.push(self.put(self.event_item(event)?, None, &[])?);
        }
        match self.transact(items).await {
            Ok(()) => Ok(()),
            Err(Ok(Cancelled::Job)) => Err(StoreError::AlreadyExists(format!("job {}", job.id))),
            Err(Ok(_)) => Err(StoreError::Unavailable(format!(
                "job {} was being written by someone else; try again",
                job.id
            ))),
            Err(Err(e)) => Err(e),
        }
    }

    async fn get(&self, id: JobId) -> Result<Job, StoreError> {
        self.job_and_runs(&id)
            .await?
            .ok_or_else(|| StoreError::job_not_found(id))
    }

    async fn update(
        &self,
        job: &Job,
        expected_version: u64,
        events: &[Event],
    ) -> Result<(), StoreError> {
        check_next_version(job, expected_version)?;
        let Some((actual, stored)) = self.head(&job.id).await? else {
            return Err(StoreError::job_not_found(job.id));
        };
        if actual != expected_version {
            return Err(StoreError::VersionConflict {
                id: job.id,
                expected: expected_version,
                actual,
            });
        }
        let (meta, runs) = self.job_items(job)?;
        let mut items = vec![self.put(
            meta,
            Some("version = :expected"),
            &[(":expected", n(expected_version))],
        )?];
        for run in runs {
            if !matches!(stored.get(&run.sk), Some(AttributeValue::S(old)) if *old == run.hash) {
                items.push(self.put(run.item, None, &[])?);
            }
        }
        for event in events {
            let item = self.event_item(event)?;
            items.push(self.put(item, Some("attribute_not_exists(PK)"), &[])?);
        }
        match self.transact(items).await {
            Ok(()) => Ok(()),
            // Lost to another writer: say which version won, so the
            // caller re-reads and tries again.
            Err(Ok(Cancelled::Job | Cancelled::Conflict)) => {
                Err(self.conflict(job.id, expected_version).await)
            }
            Err(Ok(Cancelled::Event)) => Err(StoreError::Corrupt(format!(
                "an event of job {} is already stored",
                job.id
            ))),
            Err(Err(e)) => Err(e),
        }
    }

    async fn list(&self, query: &JobQuery, page: &PageRequest) -> Result<Page<Job>, StoreError> {
        let after = page.after()?;
        let limit = page.effective_limit();
        let (index, key): (Index, String) = match query {
            JobQuery::Owner(owner) => (BY_OWNER, format!("OWNER#{owner}")),
            JobQuery::Course(course) => (BY_COURSE, format!("COURSE#{course}")),
            JobQuery::All => (ALL_JOBS, ALL_JOBS_KEY.to_owned()),
        };
        let Index(name, pk_attr, sk_attr) = index;
        // One more than asked for tells whether there is a next page.
        let fetch = i32::try_from(limit + 1).unwrap_or(i32::MAX);
        let mut request = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(name)
            .key_condition_expression("#pk = :pk")
            .expression_attribute_names("#pk", pk_attr)
            .expression_attribute_values(":pk", s(key.clone()))
            .scan_index_forward(false)
            .limit(fetch);
        if let Some(position) = &after {
            let mut start = keyed(job_pk(&position.id), META);
            start.insert(pk_attr.into(), s(key));
            start.insert(
                sk_attr.into(),
                s(list_sk(position.created_ms, &position.id)),
            );
            request = request.set_exclusive_start_key(Some(start));
        }
        let out = request.send().await.map_err(unavailable)?;
        let found = out.items.unwrap_or_default();
        let more = found.len() > limit;
        let ids = found
            .iter()
            .take(limit)
            .map(|item| {
                get_s(item, PK)?
                    .strip_prefix("JOB#")
                    .and_then(|id| id.parse::<JobId>().ok())
                    .ok_or_else(|| corrupt("job", "a listed item is not a job"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        // Runs live in their own items: read each listed job whole, side by side.
        let reads = ids.iter().map(|id| self.job_and_runs(id));
        let items: Vec<Job> = futures::future::try_join_all(reads)
            .await?
            .into_iter()
            .flatten()
            .collect();
        let next = match items.last() {
            Some(last) if more => Some(Cursor::from_position(&ListPosition {
                created_ms: last.created_at.timestamp_millis(),
                id: last.id,
            })),
            _ => None,
        };
        Ok(Page { items, next })
    }

    async fn events_after(
        &self,
        id: JobId,
        after: u64,
        limit: usize,
    ) -> Result<Vec<Event>, StoreError> {
        let limit = limit.clamp(1, MAX_EVENTS_PER_READ);
        let mut events = Vec::new();
        let mut start = None;
        // DynamoDB pages at 1 MB; keep reading until `limit` or the end.
        loop {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("#pk = :pk AND #sk BETWEEN :from AND :to")
                .expression_attribute_names("#pk", PK)
                .expression_attribute_names("#sk", SK)
                .expression_attribute_values(":pk", s(job_pk(&id)))
                .expression_attribute_values(":from", s(event_sk(after.saturating_add(1))))
                .expression_attribute_values(":to", s(EVENTS_END))
                .consistent_read(true)
                .limit(i32::try_from(limit - events.len()).unwrap_or(i32::MAX))
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(unavailable)?;
            for item in out.items.unwrap_or_default() {
                events.push(body::<Event>(&item, "event")?);
            }
            start = out.last_evaluated_key;
            if start.is_none() || events.len() >= limit {
                break;
            }
        }
        if events.is_empty() && self.head(&id).await?.is_none() {
            return Err(StoreError::job_not_found(id));
        }
        Ok(events)
    }
}
