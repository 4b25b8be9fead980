//! The [`CallbackStore`] contract.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use crate::ids::{CallbackId, JobId, TaskToken};
use crate::ports::{CallbackRecord, CallbackStore, StoreError};
use crate::stage::Stage;

fn record(expires_in: Duration) -> CallbackRecord {
    CallbackRecord {
        id: CallbackId::generate(),
        token: TaskToken::new(format!("token-{}", JobId::new())),
        job_id: JobId::new(),
        stage: Stage::Segment,
        // Whole seconds, as TTL attributes store them.
        expires_at: DateTime::from_timestamp(Utc::now().timestamp(), 0)
            .expect("now is representable")
            + expires_in,
    }
}

pub async fn put_then_get_keeps_the_token(store: Arc<dyn CallbackStore>) {
    let r = record(Duration::days(7));
    store.put(&r).await.expect("put");
    let got = store.get(&r.id).await.expect("get").expect("present");
    assert_eq!(got.token.expose(), r.token.expose());
    assert_eq!((got.job_id, got.stage), (r.job_id, r.stage));
    assert_eq!(got.expires_at.timestamp(), r.expires_at.timestamp());
}

pub async fn ids_are_unique(store: Arc<dyn CallbackStore>) {
    let r = record(Duration::days(1));
    store.put(&r).await.expect("put");
    let mut again = record(Duration::days(1));
    again.id = r.id.clone();
    assert!(matches!(
        store.put(&again).await,
        Err(StoreError::AlreadyExists(_))
    ));
    let got = store.get(&r.id).await.expect("get").expect("present");
    assert_eq!(
        got.token.expose(),
        r.token.expose(),
        "the first record is kept"
    );
}

pub async fn unknown_deleted_and_expired_handles_do_not_resolve(store: Arc<dyn CallbackStore>) {
    assert!(
        store
            .get(&CallbackId::generate())
            .await
            .expect("get")
            .is_none()
    );
    let r = record(Duration::days(1));
    store.put(&r).await.expect("put");
    store.delete(&r.id).await.expect("delete");
    assert!(store.get(&r.id).await.expect("get").is_none());
    store.delete(&r.id).await.expect("deleting again is fine");
    let expired = record(Duration::seconds(-5));
    store.put(&expired).await.expect("put expired");
    assert!(
        store.get(&expired.id).await.expect("get").is_none(),
        "an expired handle does not resolve"
    );
}
