//! Replays: a delivery is known by what authenticates it, so a captured
//! delivery sent again under a new `X-Coursegen-Delivery` id gets the first
//! answer and changes nothing, while the server's own repeated RUNNING
//! reports still keep the task alive — signed ones by their timestamps,
//! shared-secret ones (identical bytes) because their record is kept only
//! briefly.

use crate::common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use coursegen_core::ai_protocol::signature::{Secret, WebhookAuth};
use coursegen_core::event::EventKind;
use coursegen_core::ids::DeliveryId;
use coursegen_core::ports::{DeliveryLog, DeliveryState, StoreError, StoredAnswer};
use coursegen_core::stage::Stage;
use serde_json::{Value, json};

use common::{
    Api, Setup, Transcript, Worker, awaiting_ai_segmentation, build, post_signed, post_webhook,
};

/// `body` signed at `at`, under the delivery id `delivery`.
async fn signed(api: &Api, body: &str, at: i64, delivery: &str) -> (StatusCode, Value) {
    let id = [("x-coursegen-delivery", delivery)];
    post_signed(api, body, at, if delivery.is_empty() { &[] } else { &id }).await
}

fn running(handle: &str) -> String {
    json!({"task": "SEGMENTATION", "status": "RUNNING", "jobId": handle, "data": {"status": "RUNNING"}})
        .to_string()
}

fn completed(handle: &str) -> String {
    json!({"task": "SEGMENTATION", "status": "COMPLETED", "jobId": handle,
           "data": {"status": "COMPLETED", "segmentationMap": [300.0, 700.0, 1467.0],
                    "transcriptFileUrl": "http://127.0.0.1:9/t.json", "parameters": {}}})
    .to_string()
}

async fn events(api: &Api, id: &str) -> Vec<EventKind> {
    api.service
        .steps
        .jobs
        .events_after(id.parse().unwrap(), 0, 10_000)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect()
}

fn count(events: &[EventKind], what: fn(&EventKind) -> bool) -> usize {
    events.iter().filter(|e| what(e)).count()
}

fn progress(e: &EventKind) -> bool {
    matches!(
        e,
        EventKind::StageProgress {
            stage: Stage::Segment,
            ..
        }
    )
}

fn segment_completed(e: &EventKind) -> bool {
    matches!(
        e,
        EventKind::RunCompleted {
            stage: Stage::Segment,
            ..
        }
    )
}

fn ignored(e: &EventKind) -> bool {
    matches!(e, EventKind::ReportIgnored { .. })
}

async fn until_ended(api: &Api, id: &str) {
    for _ in 0..3000 {
        let job = api.job(id).await;
        if job.status.is_terminal() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("job {id} did not end");
}

fn ai_api(auth: Option<WebhookAuth>) -> Api {
    build(Setup {
        ai: Some((Arc::new(Worker::default()), Arc::new(Transcript))),
        webhook_auth: auth,
        deliveries: Some(Recording::wrap),
        ..Setup::default()
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn a_replayed_signed_delivery_under_a_new_delivery_id_changes_nothing() {
    let api = ai_api(None);
    let (id, handle) = awaiting_ai_segmentation(&api).await;
    let at = Utc::now().timestamp();

    let heartbeat = signed(&api, &running(&handle), at, "running-1").await;
    assert_eq!(heartbeat.1["status"], "heartbeat", "{heartbeat:?}");
    let before = events(&api, &id).await;
    for replay in ["running-2", "", "running-1"] {
        assert_eq!(signed(&api, &running(&handle), at, replay).await, heartbeat);
    }
    assert_eq!(
        events(&api, &id).await,
        before,
        "a replayed RUNNING did nothing"
    );
    // The server's next RUNNING, a second later, is a heartbeat of its own.
    let next = signed(&api, &running(&handle), at + 1, "running-3").await;
    assert_eq!(next, heartbeat);
    assert_eq!(
        count(&events(&api, &id).await, progress),
        count(&before, progress) + 1
    );

    let done = signed(&api, &completed(&handle), at + 2, "completed-1").await;
    assert_eq!(done.1["status"], "completed", "{done:?}");
    until_ended(&api, &id).await;
    let settled = events(&api, &id).await;
    // Captured and replayed after the job has moved on, under new ids: the
    // first answer, no new event, no second run.
    for replay in ["completed-2", "", "completed-1", "attacker-chosen-id"] {
        assert_eq!(
            signed(&api, &completed(&handle), at + 2, replay).await,
            done
        );
        assert_eq!(signed(&api, &running(&handle), at, replay).await, heartbeat);
    }
    let after = events(&api, &id).await;
    assert_eq!(after, settled, "a replay added events");
    assert_eq!(count(&after, segment_completed), 1);
    assert_eq!(count(&after, ignored), 0);
    let job = api.job(&id).await;
    assert_eq!(job.stage(Stage::Segment).runs.len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn shared_secret_deliveries_are_known_by_their_bytes_running_ones_briefly() {
    let secret = "the shared secret";
    let api = ai_api(Some(WebhookAuth::SharedSecret(
        Secret::new(secret).unwrap(),
    )));
    let (id, handle) = awaiting_ai_segmentation(&api).await;
    let headers = [("x-webhook-signature", secret)];
    let first = post_webhook(&api, &running(&handle), &headers).await;
    assert_eq!(first.1["status"], "heartbeat", "{first:?}");
    let before = events(&api, &id).await;
    let with_id = [
        ("x-webhook-signature", secret),
        ("x-coursegen-delivery", "other"),
    ];
    assert_eq!(post_webhook(&api, &running(&handle), &with_id).await, first);
    assert_eq!(events(&api, &id).await, before);
    // Identical RUNNING bytes are remembered for a minute only, so the
    // server's next heartbeat after that refreshes the task again; other
    // reports are remembered for days.
    let now = Utc::now();
    let running_kept = Recording::expiry_of(&running(&handle), secret);
    assert!(
        running_kept > now && running_kept <= now + chrono::Duration::seconds(61),
        "{running_kept}"
    );
    let done = post_webhook(&api, &completed(&handle), &headers).await;
    assert_eq!(done.1["status"], "completed", "{done:?}");
    until_ended(&api, &id).await;
    assert_eq!(
        post_webhook(&api, &completed(&handle), &with_id).await,
        done
    );
    let completed_kept = Recording::expiry_of(&completed(&handle), secret);
    assert!(completed_kept > now + chrono::Duration::days(6));
    let after = events(&api, &id).await;
    assert_eq!(count(&after, segment_completed), 1);
    assert_eq!(count(&after, ignored), 0);
}

/// The delivery log, recording for how long each delivery is remembered.
#[derive(Debug)]
struct Recording(Arc<dyn DeliveryLog>);

static EXPIRIES: Mutex<Vec<(DeliveryId, DateTime<Utc>)>> = Mutex::new(Vec::new());

impl Recording {
    fn wrap(log: Arc<dyn DeliveryLog>) -> Arc<dyn DeliveryLog> {
        Arc::new(Recording(log))
    }

    /// When the first record of `body` (shared-secret mode) expires.
    fn expiry_of(body: &str, secret: &str) -> DateTime<Utc> {
        let auth = WebhookAuth::SharedSecret(Secret::new(secret).unwrap());
        let id = auth.dedupe_key(&Default::default(), body.as_bytes());
        EXPIRIES
            .lock()
            .unwrap()
            .iter()
            .find(|(d, _)| *d == id)
            .map(|(_, at)| *at)
            .expect("the delivery was recorded")
    }
}

#[async_trait::async_trait]
impl DeliveryLog for Recording {
    async fn begin(
        &self,
        id: &DeliveryId,
        lease_until: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<DeliveryState, StoreError> {
        EXPIRIES.lock().unwrap().push((id.clone(), expires_at));
        self.0.begin(id, lease_until, expires_at).await
    }

    async fn finish(&self, id: &DeliveryId, answer: &StoredAnswer) -> Result<(), StoreError> {
        self.0.finish(id, answer).await
    }

    async fn release(&self, id: &DeliveryId) -> Result<(), StoreError> {
        self.0.release(id).await
    }
}
