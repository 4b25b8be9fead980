//! Upload and file URLs on AWS: pre-signed S3 PUTs and GETs, tried against
//! moto's S3.

use crate::moto;

use std::time::Duration;

use coursegen_aws::{S3ArtifactStore, S3FileLinks, S3Uploads};
use coursegen_core::artifact::ArtifactKey;
use coursegen_core::ports::{ArtifactStore, FileLinks, Uploads};
use coursegen_core::source::TranscriptFormat;
use coursegen_core::upload::{UploadGrant, UploadRequest};

use moto::Moto;

const REGION: &str = "eu-west-1";

#[tokio::test]
async fn a_presigned_put_stores_the_file_with_its_type_and_signs_type_and_size() {
    let moto = Moto::shared().await;
    let bucket = format!("uploads-{}", std::process::id());
    let client = moto.bucket(REGION, &bucket).await;
    let bytes = b"WEBVTT\n\n00:00.000 --> 00:01.000\nHello\n".to_vec();
    let grant = UploadGrant {
        key: "uploads/u-616c696365/01J0000000000000000000000/source.vtt"
            .parse()
            .unwrap(),
        request: UploadRequest::Transcript {
            format: TranscriptFormat::Vtt,
            size: bytes.len() as u64,
        },
        metered: true,
    };
    let target = S3Uploads::new(client.clone(), &bucket)
        .target(&grant)
        .await
        .unwrap();
    assert_eq!(target.method, "PUT");
    assert_eq!(target.upload_key, grant.key);
    assert_eq!(target.headers["Content-Type"], "text/vtt");
    let signed = target
        .url
        .split(['?', '&'])
        .find_map(|p| p.strip_prefix("X-Amz-SignedHeaders="))
        .expect("a SigV4 pre-signed URL");
    for header in ["content-length", "content-type"] {
        assert!(signed.contains(header), "{header} is not signed: {signed}");
    }

    let mut put = reqwest::Client::new().put(&target.url).body(bytes.clone());
    for (name, value) in &target.headers {
        put = put.header(name, value);
    }
    let response = put.send().await.unwrap();
    assert!(response.status().is_success(), "{}", response.status());

    let store = S3ArtifactStore::new(client, bucket, 1 << 20);
    let stored = store.get(&grant.key).await.unwrap();
    assert_eq!(stored.bytes, bytes);
    assert_eq!(stored.meta.content_type, "text/vtt");
    assert_eq!(
        Uploads::redeem(&S3Uploads::new(moto.s3(REGION), "x"), "any"),
        None
    );
}

#[tokio::test]
async fn a_presigned_get_reads_the_artifact_and_only_that_one() {
    let moto = Moto::shared().await;
    let bucket = format!("links-{}", std::process::id());
    let client = moto.bucket(REGION, &bucket).await;
    let store = S3ArtifactStore::new(client.clone(), &bucket, 1 << 20);
    let key: ArtifactKey = "jobs/01J0000000000000000000000/segment/run-0001.input.json"
        .parse()
        .unwrap();
    let body = br#"{"chunks": []}"#.to_vec();
    store
        .put(&key, body.clone(), "application/json")
        .await
        .unwrap();
    let links = S3FileLinks::new(client, &bucket);
    let url = links.link(&key, Duration::from_secs(3600)).await.unwrap();
    assert!(url.contains("X-Amz-Signature="), "{url}");
    let http = reqwest::Client::new();
    let got = http.get(&url).send().await.unwrap();
    assert!(got.status().is_success(), "{}", got.status());
    assert_eq!(got.bytes().await.unwrap().to_vec(), body);
    // The link names its key only (moto does not check signatures, so
    // S3's 403 for a forged one cannot be tried here).
    let other = url.replace("run-0001.input.json", "run-0002.input.json");
    assert!(!http.get(&other).send().await.unwrap().status().is_success());
    // Longer than S3 allows is cut to a week, not an error.
    let long = links.link(&key, Duration::from_secs(30 * 24 * 3600)).await;
    assert!(long.unwrap().contains("X-Amz-Expires=604800"));
    assert_eq!(links.redeem("any"), None);
}
