//! The AWS adapters pass the same contract suites as the embedded ones,
//! against moto's server. Each case gets a table or bucket of its own.

use crate::moto;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use coursegen_aws::dynamo::table::create_table;
use coursegen_aws::{DynamoStore, S3ArtifactStore};
use coursegen_core::ports::{ArtifactStore, CallbackStore, DeliveryLog, JobStore};

use moto::Moto;

const REGION: &str = "eu-west-1";

/// A fresh table; the name is the guard (moto keeps it until it exits).
async fn dynamo() -> (DynamoStore, String) {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let moto = Moto::shared().await;
    let client = moto.dynamodb(REGION);
    let table = format!(
        "contract-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    create_table(&client, &table)
        .await
        .expect("create the table");
    (DynamoStore::new(client, table.clone()), table)
}

async fn job_store() -> (Arc<dyn JobStore>, String) {
    let (store, table) = dynamo().await;
    (Arc::new(store), table)
}

async fn callback_store() -> (Arc<dyn CallbackStore>, String) {
    let (store, table) = dynamo().await;
    (Arc::new(store), table)
}

async fn delivery_log() -> (Arc<dyn DeliveryLog>, String) {
    let (store, table) = dynamo().await;
    (Arc::new(store), table)
}

/// A fresh bucket for each case.
async fn bucket() -> (aws_sdk_s3::Client, String) {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let moto = Moto::shared().await;
    let bucket = format!(
        "contract-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    (moto.bucket(REGION, &bucket).await, bucket)
}

async fn artifact_store(limit: u64) -> (Arc<dyn ArtifactStore>, String) {
    let (client, bucket) = bucket().await;
    (
        Arc::new(S3ArtifactStore::new(client, bucket.clone(), limit)),
        bucket,
    )
}

coursegen_core::job_store_contract!(job_store);
coursegen_core::artifact_store_contract!(artifact_store);
coursegen_core::callback_store_contract!(callback_store);
coursegen_core::delivery_log_contract!(delivery_log);
