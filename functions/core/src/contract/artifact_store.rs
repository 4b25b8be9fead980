//! The [`ArtifactStore`] contract.

use std::sync::Arc;

use crate::artifact::{ArtifactKey, KeyPrefix};
use std::io::{Read, Write};

use crate::ports::{ArtifactError, ArtifactStore};

/// The size limit the suite's stores are made with: 1 MiB.
pub const LIMIT: u64 = 1 << 20;

fn key(s: &str) -> ArtifactKey {
    s.parse().expect("a valid key")
}

fn prefix(s: &str) -> KeyPrefix {
    s.parse().expect("a valid prefix")
}

pub async fn put_then_get_and_head(store: Arc<dyn ArtifactStore>) {
    assert_eq!(store.max_size(), LIMIT);
    let k = key("jobs/01A/segment/run-0001.json");
    let body = br#"{"segments":[]}"#.to_vec();
    let meta = store
        .put(&k, body.clone(), "application/json")
        .await
        .expect("put");
    assert_eq!(
        (meta.key.clone(), meta.size, meta.content_type.as_str()),
        (k.clone(), 15, "application/json")
    );
    let got = store.get(&k).await.expect("get");
    assert_eq!((got.bytes, got.meta.clone()), (body, meta.clone()));
    assert_eq!(store.head(&k).await.expect("head"), Some(meta));
    let empty = key("jobs/01A/empty.txt");
    store
        .put(&empty, Vec::new(), "text/plain; charset=utf-8")
        .await
        .expect("empty put");
    let got = store.get(&empty).await.expect("empty get");
    assert_eq!(
        (got.bytes.len(), got.meta.content_type.as_str()),
        (0, "text/plain; charset=utf-8")
    );
}

pub async fn put_replaces(store: Arc<dyn ArtifactStore>) {
    let k = key("uploads/talk.vtt");
    store
        .put(&k, b"first".to_vec(), "text/plain")
        .await
        .expect("put 1");
    store
        .put(&k, b"second, longer".to_vec(), "text/vtt")
        .await
        .expect("put 2");
    let got = store.get(&k).await.expect("get");
    assert_eq!(got.bytes, b"second, longer");
    assert_eq!(
        (got.meta.size, got.meta.content_type.as_str()),
        (14, "text/vtt")
    );
}

pub async fn missing_artifacts(store: Arc<dyn ArtifactStore>) {
    let k = key("jobs/none/here.json");
    assert_eq!(store.get(&k).await, Err(ArtifactError::NotFound(k.clone())));
    assert_eq!(store.head(&k).await, Ok(None));
    assert_eq!(store.list(&prefix("jobs/none/")).await, Ok(Vec::new()));
}

pub async fn delete_removes_and_is_idempotent(store: Arc<dyn ArtifactStore>) {
    let k = key("jobs/01A/x.bin");
    store
        .put(&k, vec![1, 2, 3], "application/octet-stream")
        .await
        .expect("put");
    store.delete(&k).await.expect("delete");
    assert_eq!(store.head(&k).await, Ok(None));
    assert!(matches!(
        store.get(&k).await,
        Err(ArtifactError::NotFound(_))
    ));
    store.delete(&k).await.expect("deleting again is fine");
    assert!(
        store
            .list(&prefix("jobs/01A/"))
            .await
            .expect("list")
            .is_empty()
    );
}

pub async fn list_returns_the_prefix_sorted(store: Arc<dyn ArtifactStore>) {
    for k in [
        "jobs/a/2.json",
        "jobs/a/1.json",
        "jobs/a/sub/3.json",
        "jobs/ab/4.json",
        "uploads/5.vtt",
    ] {
        store
            .put(&key(k), k.as_bytes().to_vec(), "application/json")
            .await
            .expect("put");
    }
    let keys = |metas: Vec<crate::ports::ArtifactEntry>| {
        metas
            .into_iter()
            .map(|m| m.key.to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        keys(store.list(&prefix("jobs/a/")).await.expect("list")),
        vec!["jobs/a/1.json", "jobs/a/2.json", "jobs/a/sub/3.json"]
    );
    assert_eq!(
        keys(store.list(&prefix("jobs/a")).await.expect("list")),
        vec![
            "jobs/a/1.json",
            "jobs/a/2.json",
            "jobs/a/sub/3.json",
            "jobs/ab/4.json"
        ]
    );
    assert_eq!(keys(store.list(&prefix("")).await.expect("list")).len(), 5);
    let metas = store.list(&prefix("uploads/")).await.expect("list");
    assert_eq!(metas[0].size, 13);
}

pub async fn size_limit_is_enforced_and_nothing_is_stored(store: Arc<dyn ArtifactStore>) {
    let k = key("uploads/big.bin");
    let err = store
        .put(&k, vec![0; LIMIT as usize + 1], "application/octet-stream")
        .await
        .expect_err("over the limit");
    assert_eq!(
        err,
        ArtifactError::TooLarge {
            size: LIMIT + 1,
            limit: LIMIT
        }
    );
    assert_eq!(store.head(&k).await, Ok(None));
    store
        .put(&k, vec![7; LIMIT as usize], "application/octet-stream")
        .await
        .expect("exactly the limit");
    assert_eq!(
        store.head(&k).await.expect("head").map(|m| m.size),
        Some(LIMIT)
    );
}

pub async fn content_types_are_checked(store: Arc<dyn ArtifactStore>) {
    let k = key("uploads/a.txt");
    for bad in ["", "text", "text/plain\r\nx-evil: 1"] {
        let err = store
            .put(&k, b"x".to_vec(), bad)
            .await
            .expect_err("bad content type");
        assert_eq!(err, ArtifactError::InvalidContentType(bad.to_owned()));
    }
    assert_eq!(store.head(&k).await, Ok(None));
}

/// Writers replace one artifact over and over while readers read it: every
/// read is one whole version, never a mix or a truncated file.
pub async fn readers_never_see_a_partial_write(store: Arc<dyn ArtifactStore>) {
    let k = key("jobs/01A/course.json");
    let versions: Vec<Vec<u8>> = (0u8..3)
        .map(|v| vec![b'a' + v; 200_000 + usize::from(v) * 1000])
        .collect();
    store
        .put(&k, versions[0].clone(), "application/json")
        .await
        .expect("seed");
    let mut tasks = Vec::new();
    for version in &versions {
        let (store, k, body) = (store.clone(), k.clone(), version.clone());
        tasks.push(tokio::spawn(async move {
            for _ in 0..10 {
                store
                    .put(&k, body.clone(), "application/json")
                    .await
                    .expect("put");
            }
        }));
    }
    for _ in 0..3 {
        let (store, k, versions) = (store.clone(), k.clone(), versions.clone());
        tasks.push(tokio::spawn(async move {
            for _ in 0..20 {
                let got = store.get(&k).await.expect("get");
                assert!(
                    versions.contains(&got.bytes),
                    "read a partial or mixed artifact of {} bytes",
                    got.bytes.len()
                );
                assert_eq!(got.meta.size, got.bytes.len() as u64);
            }
        }));
    }
    for task in tasks {
        task.await.expect("task");
    }
}

/// Writes `bytes` to a new staged file of `content_type`.
async fn stage_bytes(
    store: &Arc<dyn ArtifactStore>,
    bytes: &[u8],
    content_type: &str,
) -> crate::ports::Staged {
    let staged = store.stage(content_type).await.expect("stage");
    let mut file = staged.append().expect("open the staged file");
    for chunk in bytes.chunks(4096) {
        file.write_all(chunk).expect("write");
    }
    staged
}

pub async fn a_staged_file_is_stored_as_a_put_would_store_it(store: Arc<dyn ArtifactStore>) {
    let k = key("uploads/u-61/01A/source.vtt");
    let body: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    let staged = stage_bytes(&store, &body, "text/vtt").await;
    // What was written reads back before it is stored.
    let mut back = Vec::new();
    staged
        .body()
        .expect("body")
        .read_to_end(&mut back)
        .expect("read back");
    assert_eq!(back, body);
    assert_eq!(staged.body_len().expect("length"), body.len() as u64);
    assert_eq!(store.head(&k).await, Ok(None), "nothing visible yet");
    let path = staged.path().to_owned();
    let meta = store.put_staged(&k, staged).await.expect("put_staged");
    assert_eq!(
        (meta.size, meta.content_type.as_str()),
        (body.len() as u64, "text/vtt")
    );
    let got = store.get(&k).await.expect("get");
    assert_eq!((got.bytes, got.meta.clone()), (body, meta.clone()));
    assert_eq!(store.head(&k).await, Ok(Some(meta)));
    assert!(!path.exists(), "the staged file is gone once stored");
    // Replacing through a staged file, too.
    let staged = stage_bytes(&store, b"WEBVTT\n", "text/vtt").await;
    store.put_staged(&k, staged).await.expect("replace");
    assert_eq!(store.get(&k).await.expect("get").bytes, b"WEBVTT\n");
}

pub async fn a_staged_file_over_the_limit_or_dropped_leaves_nothing(store: Arc<dyn ArtifactStore>) {
    let k = key("uploads/u-61/01B/source.mp3");
    let staged = stage_bytes(&store, &vec![1; LIMIT as usize + 1], "audio/mpeg").await;
    let path = staged.path().to_owned();
    assert_eq!(
        store.put_staged(&k, staged).await,
        Err(ArtifactError::TooLarge {
            size: LIMIT + 1,
            limit: LIMIT
        })
    );
    assert_eq!(store.head(&k).await, Ok(None));
    assert!(!path.exists(), "a refused staged file is deleted");
    let dropped = stage_bytes(&store, b"abandoned", "audio/mpeg").await;
    let path = dropped.path().to_owned();
    assert!(path.exists());
    drop(dropped);
    assert!(!path.exists(), "a dropped staged file is deleted");
    assert_eq!(store.list(&prefix("")).await, Ok(Vec::new()));
    assert_eq!(
        store.stage("text/plain\r\nx-evil: 1").await.err(),
        Some(ArtifactError::InvalidContentType(
            "text/plain\r\nx-evil: 1".into()
        ))
    );
}
