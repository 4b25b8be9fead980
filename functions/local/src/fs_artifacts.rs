//! `ArtifactStore` on the local filesystem.
//!
//! Each artifact is one file, `<root>/<key segments…>~a`, holding a small
//! header (format tag and content type) and then the bytes, so content type
//! and data change together in one atomic rename. The `~a` suffix uses a
//! character keys cannot contain, so a key's file never collides with the
//! directory of a longer key (`a` beside `a/b`). Keys are validated by
//! `ArtifactKey` (no `..`, no absolute paths), so nothing escapes the root.

use std::fs;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use async_trait::async_trait;
use coursegen_core::artifact::{ArtifactKey, KeyPrefix};
use coursegen_core::ports::{
    Artifact, ArtifactEntry, ArtifactError, ArtifactMeta, ArtifactStore, Staged, check_put,
    validate_content_type,
};
use rand::RngExt;

use crate::private;

const SUFFIX: &str = "~a";
const MAGIC: &str = "coursegen-artifact-1";
/// Temporary files live beside the objects (same filesystem, so rename is
/// atomic) in a directory whose name no key segment can have.
const TMP_DIR: &str = "~tmp";

#[derive(Debug, Clone)]
pub struct FsArtifactStore {
    root: PathBuf,
    max_size: u64,
}

impl FsArtifactStore {
    pub fn open(root: impl Into<PathBuf>, max_size: u64) -> io::Result<Self> {
        let root = root.into();
        private::create_dir(&root.join(TMP_DIR))?;
        private::restrict(&root)?;
        Ok(FsArtifactStore { root, max_size })
    }

    fn tmp_dir(&self) -> PathBuf {
        self.root.join(TMP_DIR)
    }

    fn path_of(&self, key: &ArtifactKey) -> PathBuf {
        let mut path = self.root.clone();
        let segments: Vec<&str> = key.segments().collect();
        let (last, dirs) = segments
            .split_last()
            .expect("a key has at least one segment");
        for dir in dirs {
            path.push(dir);
        }
        path.push(format!("{last}{SUFFIX}"));
        path
    }

    async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&FsArtifactStore) -> Result<T, ArtifactError> + Send + 'static,
    ) -> Result<T, ArtifactError> {
        let this = self.clone();
        tokio::task::spawn_blocking(move || f(&this))
            .await
            .map_err(|e| ArtifactError::Unavailable(format!("file task failed: {e}")))?
    }
}

impl FsArtifactStore {
    /// When the artifact under `key` was last written, if there is one.
    pub async fn modified(&self, key: &ArtifactKey) -> Result<Option<SystemTime>, ArtifactError> {
        let key = key.clone();
        self.blocking(move |this| match fs::metadata(this.path_of(&key)) {
            Ok(meta) => meta.modified().map(Some).map_err(io_err),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io_err(e)),
        })
        .await
    }

    /// Deletes temporary files last written before `before`: what a
    /// process that died mid-write left behind. How many it deleted.
    pub async fn remove_stale_temporaries(
        &self,
        before: SystemTime,
    ) -> Result<usize, ArtifactError> {
        self.blocking(move |this| {
            let mut removed = 0;
            for entry in fs::read_dir(this.tmp_dir()).map_err(io_err)? {
                let entry = entry.map_err(io_err)?;
                let stale = entry
                    .metadata()
                    .and_then(|m| m.modified())
                    .is_ok_and(|at| at < before);
                if stale && fs::remove_file(entry.path()).is_ok() {
                    removed += 1;
                }
            }
            Ok(removed)
        })
        .await
    }
}

fn io_err(e: io::Error) -> ArtifactError {
    ArtifactError::Unavailable(e.to_string())
}

/// Reads the header; returns the content type and the header's length.
fn read_header(reader: &mut impl BufRead) -> io::Result<(String, u64)> {
    let mut magic = String::new();
    let mut content_type = String::new();
    reader.read_line(&mut magic)?;
    reader.read_line(&mut content_type)?;
    if magic.trim_end() != MAGIC {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "not an artifact file",
        ));
    }
    let header_len = (magic.len() + content_type.len()) as u64;
    Ok((content_type.trim_end().to_owned(), header_len))
}

fn meta_of(path: &Path, key: ArtifactKey) -> io::Result<ArtifactMeta> {
    let file = fs::File::open(path)?;
    let size = file.metadata()?.len();
    let (content_type, header_len) = read_header(&mut BufReader::new(file))?;
    Ok(ArtifactMeta {
        key,
        size: size.saturating_sub(header_len),
        content_type,
    })
}

#[async_trait]
impl ArtifactStore for FsArtifactStore {
    fn max_size(&self) -> u64 {
        self.max_size
    }

    async fn put(
        &self,
        key: &ArtifactKey,
        bytes: Vec<u8>,
        content_type: &str,
    ) -> Result<ArtifactMeta, ArtifactError> {
        let size = check_put(&bytes, content_type, self.max_size)?;
        let (key, content_type) = (key.clone(), content_type.to_owned());
        self.blocking(move |this| {
            let path = this.path_of(&key);
            if let Some(dir) = path.parent() {
                private::create_dir(dir).map_err(io_err)?;
            }
            let nonce: u64 = rand::rng().random();
            let tmp = this.root.join(TMP_DIR).join(format!("{nonce:016x}"));
            let written = (|| {
                let mut file = private::file_options()
                    .write(true)
                    .create_new(true)
                    .open(&tmp)?;
                write!(file, "{MAGIC}\n{content_type}\n")?;
                file.write_all(&bytes)?;
                file.sync_all()?;
                fs::rename(&tmp, &path)
            })();
            if let Err(e) = written {
                let _ = fs::remove_file(&tmp);
                return Err(io_err(e));
            }
            Ok(ArtifactMeta {
                key,
                size,
                content_type,
            })
        })
        .await
    }

    async fn stage(&self, content_type: &str) -> Result<Staged, ArtifactError> {
        validate_content_type(content_type)?;
        let content_type = content_type.to_owned();
        self.blocking(move |this| {
            let nonce: u128 = rand::rng().random();
            let path = this.tmp_dir().join(format!("{nonce:032x}"));
            let header = format!("{MAGIC}\n{content_type}\n");
            let mut file = private::file_options()
                .write(true)
                .create_new(true)
                .open(&path)
                .map_err(io_err)?;
            // From here on, dropping the staged file removes it.
            let staged = Staged::new(path, header.len() as u64, content_type);
            file.write_all(header.as_bytes()).map_err(io_err)?;
            Ok(staged)
        })
        .await
    }

    async fn put_staged(
        &self,
        key: &ArtifactKey,
        staged: Staged,
    ) -> Result<ArtifactMeta, ArtifactError> {
        let key = key.clone();
        self.blocking(move |this| {
            // Written by our `stage`: our header is in place, so the file
            // becomes the artifact by a rename (same filesystem, atomic).
            if staged.path().parent() != Some(this.tmp_dir().as_path()) {
                return Err(ArtifactError::Unavailable(
                    "the file was not staged by this store".into(),
                ));
            }
            let size = staged.body_len().map_err(io_err)?;
            if size > this.max_size {
                return Err(ArtifactError::TooLarge {
                    size,
                    limit: this.max_size,
                });
            }
            staged.append().and_then(|f| f.sync_all()).map_err(io_err)?;
            let path = this.path_of(&key);
            if let Some(dir) = path.parent() {
                private::create_dir(dir).map_err(io_err)?;
            }
            let content_type = staged.content_type().to_owned();
            let tmp = staged.into_path();
            if let Err(e) = fs::rename(&tmp, &path) {
                let _ = fs::remove_file(&tmp);
                return Err(io_err(e));
            }
            Ok(ArtifactMeta {
                key,
                size,
                content_type,
            })
        })
        .await
    }

    async fn get(&self, key: &ArtifactKey) -> Result<Artifact, ArtifactError> {
        let key = key.clone();
        self.blocking(move |this| {
            let file = match fs::File::open(this.path_of(&key)) {
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    return Err(ArtifactError::NotFound(key));
                }
                other => other.map_err(io_err)?,
            };
            let mut reader = BufReader::new(file);
            let (content_type, _) = read_header(&mut reader).map_err(io_err)?;
            let mut bytes = Vec::new();
            reader.read_to_end(&mut bytes).map_err(io_err)?;
            Ok(Artifact {
                meta: ArtifactMeta {
                    key,
                    size: bytes.len() as u64,
                    content_type,
                },
                bytes,
            })
        })
        .await
    }

    async fn head(&self, key: &ArtifactKey) -> Result<Option<ArtifactMeta>, ArtifactError> {
        let key = key.clone();
        self.blocking(move |this| match meta_of(&this.path_of(&key), key) {
            Ok(meta) => Ok(Some(meta)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io_err(e)),
        })
        .await
    }

    async fn delete(&self, key: &ArtifactKey) -> Result<(), ArtifactError> {
        let key = key.clone();
        self.blocking(move |this| match fs::remove_file(this.path_of(&key)) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(io_err(e)),
            _ => Ok(()),
        })
        .await
    }

    async fn list(&self, prefix: &KeyPrefix) -> Result<Vec<ArtifactEntry>, ArtifactError> {
        let prefix = prefix.clone();
        self.blocking(move |this| {
            let mut found = Vec::new();
            walk(&this.root, String::new(), &prefix, &mut found).map_err(io_err)?;
            found.sort_by(|a, b| a.key.cmp(&b.key));
            Ok(found)
        })
        .await
    }
}

/// Collects the artifacts under `dir` (whose key prefix is `base`) that match
/// `prefix`, skipping directories that cannot hold a match.
fn walk(
    dir: &Path,
    base: String,
    prefix: &KeyPrefix,
    found: &mut Vec<ArtifactEntry>,
) -> io::Result<()> {
    let entries = match fs::read_dir(dir) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        other => other?,
    };
    for entry in entries {
        let entry = entry?;
        let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
            continue;
        };
        if name == TMP_DIR {
            continue;
        }
        if entry.file_type()?.is_dir() {
            let sub = format!("{base}{name}/");
            let p = prefix.as_str();
            if sub.starts_with(p) || p.starts_with(&sub) {
                walk(&entry.path(), sub, prefix, found)?;
            }
        } else if let Some(stem) = name.strip_suffix(SUFFIX) {
            let Ok(key) = format!("{base}{stem}").parse::<ArtifactKey>() else {
                continue;
            };
            if prefix.matches(&key) {
                match meta_of(&entry.path(), key) {
                    Ok(meta) => found.push(ArtifactEntry {
                        key: meta.key,
                        size: meta.size,
                    }),
                    // Deleted between listing and reading: not there any more.
                    Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                    Err(e) => return Err(e),
                }
            }
        }
    }
    Ok(())
}
