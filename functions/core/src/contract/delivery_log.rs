//! The [`DeliveryLog`] contract.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use serde_json::json;

use crate::ids::{DeliveryId, JobId};
use crate::ports::{DeliveryLog, DeliveryState, StoreError, StoredAnswer};

fn id() -> DeliveryId {
    format!("delivery-{}", JobId::new())
        .parse()
        .expect("a valid id")
}

fn later(seconds: i64) -> DateTime<Utc> {
    Utc::now() + Duration::seconds(seconds)
}

fn answer() -> StoredAnswer {
    StoredAnswer {
        status: 200,
        body: json!({"ok": true, "run": 2}),
    }
}

pub async fn first_claim_then_in_progress_then_answered(log: Arc<dyn DeliveryLog>) {
    let d = id();
    assert_eq!(
        log.begin(&d, later(60), later(86_400)).await,
        Ok(DeliveryState::Claimed)
    );
    assert_eq!(
        log.begin(&d, later(60), later(86_400)).await,
        Ok(DeliveryState::InProgress)
    );
    log.finish(&d, &answer()).await.expect("finish");
    for _ in 0..2 {
        assert_eq!(
            log.begin(&d, later(60), later(86_400)).await,
            Ok(DeliveryState::Answered(answer()))
        );
    }
}

pub async fn released_claims_can_be_claimed_again(log: Arc<dyn DeliveryLog>) {
    let d = id();
    assert_eq!(
        log.begin(&d, later(60), later(86_400)).await,
        Ok(DeliveryState::Claimed)
    );
    log.release(&d).await.expect("release");
    assert_eq!(
        log.begin(&d, later(60), later(86_400)).await,
        Ok(DeliveryState::Claimed)
    );
    log.release(&id())
        .await
        .expect("releasing an unknown delivery is fine");
}

pub async fn expired_leases_and_records_start_over(log: Arc<dyn DeliveryLog>) {
    // The first claimant crashed: its lease ran out, so a retry may claim it.
    let d = id();
    assert_eq!(
        log.begin(&d, later(-1), later(86_400)).await,
        Ok(DeliveryState::Claimed)
    );
    assert_eq!(
        log.begin(&d, later(60), later(86_400)).await,
        Ok(DeliveryState::Claimed)
    );
    // A record past its expiry is forgotten, answer and all.
    let old = id();
    assert_eq!(
        log.begin(&old, later(60), later(-1)).await,
        Ok(DeliveryState::Claimed)
    );
    log.finish(&old, &answer()).await.expect("finish");
    assert_eq!(
        log.begin(&old, later(60), later(86_400)).await,
        Ok(DeliveryState::Claimed)
    );
}

pub async fn concurrent_claims_have_one_winner(log: Arc<dyn DeliveryLog>) {
    let d = id();
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (log, d) = (log.clone(), d.clone());
            tokio::spawn(async move { log.begin(&d, later(60), later(86_400)).await })
        })
        .collect();
    let mut claimed = 0;
    for task in tasks {
        match task.await.expect("task").expect("begin") {
            DeliveryState::Claimed => claimed += 1,
            DeliveryState::InProgress => {}
            DeliveryState::Answered(a) => panic!("nothing was answered yet: {a:?}"),
        }
    }
    assert_eq!(claimed, 1, "exactly one claimant processes the delivery");
}

pub async fn finishing_an_unclaimed_delivery_is_not_found(log: Arc<dyn DeliveryLog>) {
    assert!(matches!(
        log.finish(&id(), &answer()).await,
        Err(StoreError::NotFound(_))
    ));
}
