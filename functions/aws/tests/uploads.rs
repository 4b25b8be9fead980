//! Upload URLs on AWS: pre-signed S3 PUTs, tried against moto's S3.

#[path = "support/moto.rs"]
mod moto;

use coursegen_aws::{S3ArtifactStore, S3Uploads};
use coursegen_core::ports::{ArtifactStore, Uploads};
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
