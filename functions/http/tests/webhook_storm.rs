//! A storm of 1,000 webhook deliveries for ten live jobs whose segmentation
//! waits on the AI server: duplicates, reorderings, RUNNING after
//! COMPLETED, late COMPLETED after an abort, wrong signatures, stale
//! timestamps, tampered and malformed bodies and strangers, sent side by
//! side in a shuffled order. Every figure is counted and asserted: no
//! forged delivery gets in, no run is made twice, no stage goes back, and
//! every malformed delivery is a 4xx.

use crate::common;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use chrono::Utc;
use coursegen_core::ai_protocol::signature::{Secret, sign};
use coursegen_core::auth::Role;
use coursegen_core::event::EventKind;
use coursegen_core::job::JobStatus;
use coursegen_core::stage::{RunStatus, Stage};
use serde_json::{Value, json};

use common::{
    Api, Transcript, WEBHOOK_SECRET, Worker, ai_segmentation_handle, api_with_ai, create_job_with,
    post_webhook,
};

const JOBS: usize = 10;
const ABORTED: usize = 2;
const PER_JOB: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Running,
    Completed,
    Duplicate,
    SameContent,
    Forged,
    Stale,
    Tampered,
    Malformed,
    Stranger,
}

struct Delivery {
    kind: Kind,
    job: usize,
    body: String,
    headers: Vec<(String, String)>,
}

fn signed(body: &str, secret: &str, at: i64, id: Option<&str>) -> Vec<(String, String)> {
    let signature = sign(&Secret::new(secret).unwrap(), at, body.as_bytes());
    let mut headers = vec![
        ("x-coursegen-timestamp".to_owned(), at.to_string()),
        ("x-coursegen-signature".to_owned(), signature),
    ];
    if let Some(id) = id {
        headers.push(("x-coursegen-delivery".to_owned(), id.to_owned()));
    }
    headers
}

fn running(handle: &str) -> String {
    json!({"task": "SEGMENTATION", "status": "RUNNING", "jobId": handle, "data": {"status": "RUNNING"}})
        .to_string()
}

fn completed(handle: &str, ends: &[f64]) -> String {
    json!({"task": "SEGMENTATION", "status": "COMPLETED", "jobId": handle,
           "data": {"status": "COMPLETED", "segmentationMap": ends,
                    "transcriptFileUrl": "http://127.0.0.1:9/t.json", "parameters": {"lam": 3.5}}})
    .to_string()
}

/// Bodies that are wrong, each in its own way.
fn malformed(handle: &str, i: usize) -> String {
    let bodies = [
        "not json at all".to_owned(),
        json!({"status": "RUNNING", "jobId": handle, "data": {"status": "RUNNING"}}).to_string(),
        json!({"task": "DANCING", "status": "RUNNING", "jobId": handle, "data": {"status": "RUNNING"}}).to_string(),
        json!({"task": "SEGMENTATION", "status": "RUNNING", "data": {"status": "RUNNING"}}).to_string(),
        json!({"task": "SEGMENTATION", "status": "COMPLETED", "jobId": handle,
               "data": {"status": "COMPLETED", "segmentationMap": ["x"], "transcriptFileUrl": "u"}}).to_string(),
        json!({"task": "SEGMENTATION", "status": "COMPLETED", "jobId": handle,
               "data": {"status": "COMPLETED", "segmentationMap": [3.0, 1.0], "transcriptFileUrl": "u"}}).to_string(),
        json!({"task": "SEGMENTATION", "status": "COMPLETED", "jobId": handle}).to_string(),
        json!({"task": "SEGMENTATION", "status": "COMPLETED", "jobId": handle, "data": {"status": 7}}).to_string(),
        json!([1, 2, 3]).to_string(),
        json!({"task": "SEGMENTATION", "status": "COMPLETED", "jobId": handle,
               "data": {"status": "COMPLETED", "transcriptFileUrl": "u"}}).to_string(),
    ];
    bodies[i % bodies.len()].clone()
}

/// The storm for one job: 100 deliveries of every kind.
fn storm_for(job: usize, handle: &str, now: i64) -> Vec<Delivery> {
    let mut out = Vec::new();
    let mut push = |kind, body: String, headers| {
        out.push(Delivery {
            kind,
            job,
            body,
            headers,
        })
    };
    let ends = [300.0, 700.0, 1467.0];
    let first = completed(handle, &ends);
    let completed_id = format!("completed-{job}");
    for i in 0..25 {
        let body = running(handle);
        let id = format!("running-{job}-{i}");
        push(
            Kind::Running,
            body.clone(),
            signed(&body, WEBHOOK_SECRET, now, Some(&id)),
        );
    }
    push(
        Kind::Completed,
        first.clone(),
        signed(&first, WEBHOOK_SECRET, now, Some(&completed_id)),
    );
    for _ in 0..14 {
        push(
            Kind::Duplicate,
            first.clone(),
            signed(&first, WEBHOOK_SECRET, now, Some(&completed_id)),
        );
    }
    for _ in 0..10 {
        // No delivery id: deduplicated by content.
        push(
            Kind::SameContent,
            first.clone(),
            signed(&first, WEBHOOK_SECRET, now, None),
        );
    }
    for i in 0..10 {
        let body = if i % 2 == 0 {
            first.clone()
        } else {
            running(handle)
        };
        push(
            Kind::Forged,
            body.clone(),
            signed(
                &body,
                "a guessed secret",
                now,
                Some(&format!("forged-{job}-{i}")),
            ),
        );
    }
    for i in 0..10 {
        let skew = if i % 2 == 0 {
            310 + i as i64
        } else {
            -301 - 3600 * i as i64
        };
        push(
            Kind::Stale,
            first.clone(),
            signed(
                &first,
                WEBHOOK_SECRET,
                now + skew,
                Some(&format!("stale-{job}-{i}")),
            ),
        );
    }
    for i in 0..10 {
        // Signed for one body, sent with another.
        let headers = signed(
            &first,
            WEBHOOK_SECRET,
            now,
            Some(&format!("tampered-{job}-{i}")),
        );
        push(Kind::Tampered, completed(handle, &[1.0, 2.0]), headers);
    }
    for i in 0..10 {
        let body = malformed(handle, i);
        push(
            Kind::Malformed,
            body.clone(),
            signed(
                &body,
                WEBHOOK_SECRET,
                now,
                Some(&format!("malformed-{job}-{i}")),
            ),
        );
    }
    for i in 0..10 {
        let stranger = format!("{:032x}", 0xdead_0000_u128 + (job * 100 + i) as u128);
        let body = completed(&stranger, &ends);
        push(
            Kind::Stranger,
            body.clone(),
            signed(
                &body,
                WEBHOOK_SECRET,
                now,
                Some(&format!("stranger-{job}-{i}")),
            ),
        );
    }
    assert_eq!(out.len(), PER_JOB);
    out
}

/// A fixed shuffle (xorshift), so a failure can be replayed.
fn shuffle<T>(items: &mut [T]) {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for i in (1..items.len()).rev() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        items.swap(i, (x % (i as u64 + 1)) as usize);
    }
}

async fn send(api: &Api, d: &Delivery) -> (StatusCode, Value) {
    let headers: Vec<(&str, &str)> = d
        .headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    post_webhook(api, &d.body, &headers).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_thousand_deliveries_change_each_run_once_and_let_no_forgery_in() {
    let worker = Arc::new(Worker::default());
    let api = Arc::new(api_with_ai(worker.clone(), Arc::new(Transcript)));
    let options = json!({"engines": {"segment": "ai-server"}, "approvals": "auto"});
    let mut jobs = Vec::new();
    for _ in 0..JOBS {
        let id = create_job_with(&api, options.clone()).await;
        let handle = ai_segmentation_handle(&api, &id).await;
        jobs.push((id, handle));
    }
    assert_eq!(
        worker.started.lock().unwrap().len(),
        JOBS,
        "one dispatch per job"
    );
    let admin = api.token("ada", Role::Admin, &[]);
    for (id, _) in &jobs[..ABORTED] {
        let (status, _, _, text) = api
            .call(
                "POST",
                &format!("/v1/jobs/{id}/abort"),
                Some(&admin),
                &[],
                Some(json!({})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{text}");
    }
    let aborted_handles: Vec<String> = jobs[..ABORTED].iter().map(|(_, h)| h.clone()).collect();
    assert_eq!(
        *worker.aborted.lock().unwrap(),
        aborted_handles,
        "aborts reached the server"
    );

    let now = Utc::now().timestamp();
    let mut storm: Vec<Delivery> = jobs
        .iter()
        .enumerate()
        .flat_map(|(j, (_, handle))| storm_for(j, handle, now))
        .collect();
    shuffle(&mut storm);
    assert_eq!(storm.len(), 1000);

    // Side by side, 16 at a time.
    let storm = Arc::new(storm);
    let mut answers: Vec<Option<(StatusCode, Value)>> = vec![None; storm.len()];
    for chunk in (0..storm.len()).collect::<Vec<_>>().chunks(16) {
        let mut tasks = Vec::new();
        for &i in chunk {
            let (api, storm) = (api.clone(), storm.clone());
            tasks.push(tokio::spawn(
                async move { (i, send(&api, &storm[i]).await) },
            ));
        }
        for task in tasks {
            let (i, answer) = task.await.unwrap();
            answers[i] = Some(answer);
        }
    }

    let mut by_kind: BTreeMap<Kind, BTreeMap<u16, usize>> = BTreeMap::new();
    let mut forged_accepted = 0;
    let mut malformed_not_4xx = 0;
    let mut first_answer: BTreeMap<(usize, bool), Value> = BTreeMap::new();
    let mut differing_duplicates = 0;
    for (d, answer) in storm.iter().zip(&answers) {
        let (status, body) = answer.clone().unwrap();
        *by_kind
            .entry(d.kind)
            .or_default()
            .entry(status.as_u16())
            .or_default() += 1;
        match d.kind {
            Kind::Forged | Kind::Stale | Kind::Tampered if status.is_success() => {
                forged_accepted += 1
            }
            Kind::Malformed if !status.is_client_error() => malformed_not_4xx += 1,
            Kind::Completed | Kind::Duplicate | Kind::SameContent => {
                // One delivery: the same id, or (without one) the same content.
                let same = (d.job, d.kind == Kind::SameContent);
                let first = first_answer.entry(same).or_insert_with(|| body.clone());
                if *first != body {
                    differing_duplicates += 1;
                }
            }
            _ => {}
        }
    }
    println!("answers by kind: {by_kind:?}");
    assert_eq!(forged_accepted, 0, "forged deliveries accepted");
    assert_eq!(
        malformed_not_4xx, 0,
        "malformed deliveries not refused with a 4xx"
    );
    for kind in [Kind::Forged, Kind::Stale, Kind::Tampered] {
        assert_eq!(by_kind[&kind], BTreeMap::from([(401, 100)]), "{kind:?}");
    }
    assert_eq!(by_kind[&Kind::Malformed], BTreeMap::from([(400, 100)]));
    assert_eq!(by_kind[&Kind::Stranger], BTreeMap::from([(404, 100)]));
    for kind in [
        Kind::Running,
        Kind::Completed,
        Kind::Duplicate,
        Kind::SameContent,
    ] {
        assert_eq!(
            by_kind[&kind].keys().collect::<Vec<_>>(),
            vec![&200],
            "{kind:?}"
        );
    }
    assert_eq!(
        differing_duplicates, 0,
        "a repeat got another answer than the first"
    );

    // RUNNING after COMPLETED, once more and in order, changes nothing.
    // (Signed a second later: the storm's RUNNING bytes would be a repeat.)
    for (j, (_, handle)) in jobs.iter().enumerate() {
        let body = running(handle);
        let late = Delivery {
            kind: Kind::Running,
            job: j,
            headers: signed(&body, WEBHOOK_SECRET, now + 1, Some(&format!("late-{j}"))),
            body,
        };
        let (status, answer) = send(&api, &late).await;
        assert_eq!(
            (status, &answer["status"]),
            (StatusCode::OK, &json!("ignored")),
            "{answer}"
        );
    }

    // Each job: one run of segmentation, completed once (live) or aborted
    // (late COMPLETED ignored); no progress after its end.
    let mut duplicate_runs = 0;
    let mut regressions = 0;
    for (j, (id, _)) in jobs.iter().enumerate() {
        let id = id.parse().unwrap();
        let job = wait_until_settled(&api, id).await;
        let runs = &job.stage(Stage::Segment).runs;
        duplicate_runs += runs.len().saturating_sub(1);
        let events = api
            .service
            .steps
            .jobs
            .events_after(id, 0, 10_000)
            .await
            .unwrap();
        let completed = events
            .iter()
            .filter(|e| {
                matches!(
                    &e.kind,
                    EventKind::RunCompleted {
                        stage: Stage::Segment,
                        ..
                    }
                )
            })
            .count();
        let ended_at = events.iter().position(|e| {
            matches!(
                &e.kind,
                EventKind::RunCompleted {
                    stage: Stage::Segment,
                    ..
                } | EventKind::JobAborted { .. }
            )
        });
        let progress_after_end = events
            .iter()
            .enumerate()
            .filter(|(i, e)| {
                ended_at.is_some_and(|end| *i > end)
                    && matches!(
                        &e.kind,
                        EventKind::StageProgress {
                            stage: Stage::Segment,
                            ..
                        } | EventKind::StageStarted {
                            stage: Stage::Segment,
                            ..
                        }
                    )
            })
            .count();
        regressions += progress_after_end;
        if j < ABORTED {
            assert_eq!(job.status, JobStatus::Aborted);
            assert_eq!(completed, 0, "a late COMPLETED changed an aborted job");
            assert_eq!(runs[0].status, RunStatus::Aborted);
        } else {
            assert_eq!(job.status, JobStatus::Succeeded, "{:?}", job.error);
            assert_eq!(completed, 1);
            assert_eq!(runs[0].status, RunStatus::Completed);
        }
        let ignored = events
            .iter()
            .filter(|e| matches!(&e.kind, EventKind::ReportIgnored { .. }))
            .count();
        assert!(ignored >= 1, "the late RUNNING of job {j} was recorded");
    }
    println!("duplicate runs: {duplicate_runs}; state regressions: {regressions}");
    assert_eq!(duplicate_runs, 0, "duplicate runs");
    assert_eq!(regressions, 0, "state regressions");
}

async fn wait_until_settled(api: &Api, id: coursegen_core::ids::JobId) -> coursegen_core::job::Job {
    for _ in 0..3000 {
        let job = api.service.steps.jobs.get(id).await.unwrap();
        if job.status.is_terminal() {
            return job;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("job {id} did not finish");
}
