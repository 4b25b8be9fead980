//! Artifact keys: the names of blobs in the artifact store (S3 keys or paths
//! under the local data directory). Validated once here, so no adapter ever
//! sees a key that could escape its root.

use std::str::FromStr;

use crate::ids::{JobId, validated_string};

/// The largest artifact a store accepts: 512 MiB, enough for an hour of
/// audio.
pub const MAX_ARTIFACT_BYTES: u64 = 512 << 20;

/// The longest key accepted; S3 allows 1024 bytes.
pub const MAX_KEY_LEN: usize = 512;

validated_string!(
    /// A key like `jobs/01J…/segment/run-0001.json`: `/`-separated segments of
    /// `[A-Za-z0-9._-]`, none empty, none `.` or `..`, no leading `/`.
    ArtifactKey,
    InvalidKey,
    check_key
);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid artifact key {key:?}: {reason}")]
pub struct InvalidKey {
    pub key: String,
    pub reason: &'static str,
}

impl ArtifactKey {
    /// The segments of the key, for adapters that map it onto a directory tree.
    pub fn segments(&self) -> impl Iterator<Item = &str> {
        self.0.split('/')
    }

    /// `jobs/{id}/{rest}`: where everything a job produces lives.
    pub fn for_job(job: &JobId, rest: &str) -> Result<Self, InvalidKey> {
        format!("jobs/{job}/{rest}").parse()
    }
}

fn check_key(key: String) -> Result<String, InvalidKey> {
    let reason = if key.is_empty() {
        "must not be empty"
    } else if key.len() > MAX_KEY_LEN {
        "is too long"
    } else if key.starts_with('/') || key.ends_with('/') {
        "must not start or end with '/'"
    } else if key
        .split('/')
        .any(|s| s.is_empty() || s == "." || s == "..")
    {
        "must not contain empty, '.' or '..' segments"
    } else if !key
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"._-/".contains(&b))
    {
        "may only contain letters, digits, '.', '_', '-' and '/'"
    } else {
        return Ok(key);
    };
    Err(InvalidKey { key, reason })
}

/// A key prefix for listing (`jobs/01J…/`). Same alphabet as a key; may end
/// with `/` and may be empty (everything).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPrefix(String);

impl KeyPrefix {
    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn matches(&self, key: &ArtifactKey) -> bool {
        key.as_str().starts_with(&self.0)
    }
}

impl FromStr for KeyPrefix {
    type Err = InvalidKey;
    fn from_str(s: &str) -> Result<Self, InvalidKey> {
        if s.is_empty() {
            return Ok(KeyPrefix(String::new()));
        }
        // A prefix is valid when it is a valid key once a final segment is added.
        let probe = if s.ends_with('/') {
            format!("{s}x")
        } else {
            s.to_owned()
        };
        ArtifactKey::try_from(probe).map_err(|e| InvalidKey {
            key: s.to_owned(),
            reason: e.reason,
        })?;
        Ok(KeyPrefix(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_keys() {
        for ok in ["jobs/01ABC/segment/run-0001.json", "uploads/x.vtt", "a"] {
            assert!(ok.parse::<ArtifactKey>().is_ok(), "{ok}");
        }
    }

    #[test]
    fn rejects_traversal_and_odd_characters() {
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a/../b",
            "a/./b",
            "a//b",
            "a/",
            "a\\b",
            "a b",
            "ä",
            "a\0b",
            "C:x",
        ] {
            assert!(bad.parse::<ArtifactKey>().is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn prefixes() {
        let p: KeyPrefix = "jobs/".parse().unwrap();
        assert!(p.matches(&"jobs/a".parse().unwrap()));
        assert!(!p.matches(&"uploads/a".parse().unwrap()));
        assert!("../".parse::<KeyPrefix>().is_err());
        assert!("".parse::<KeyPrefix>().is_ok());
    }
}
