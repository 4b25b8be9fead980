//! One process at a time per data directory. Two processes driving the same
//! executions would each run their steps and fail the other's runs, so a
//! command that runs jobs holds an exclusive lock on `DIR/lock` for as long
//! as it lives; the file says who holds it, so the next one can say so.
//! The operating system drops the lock when the process ends, however it
//! ends, so a crash never leaves a stale lock behind.

use std::fs::{File, TryLockError};
use std::io::{self, Read, Seek, Write};
use std::path::{Path, PathBuf};

use crate::private;

/// Held while the process may run jobs in the directory.
#[derive(Debug)]
pub struct DirLock {
    _file: File,
}

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error(
        "the data directory {} is in use by {holder}; stop that first, or use another --data directory",
        dir.display()
    )]
    Held { dir: PathBuf, holder: String },
    #[error("cannot lock the data directory {}: {source}", dir.display())]
    Io { dir: PathBuf, source: io::Error },
}

/// Takes `dir`'s lock for `holder` (e.g. "coursegen serve"), creating the
/// directory if needed.
pub fn acquire(dir: &Path, holder: &str) -> Result<DirLock, LockError> {
    let io_err = |source| LockError::Io {
        dir: dir.to_owned(),
        source,
    };
    private::create_root(dir).map_err(io_err)?;
    let mut file = private::file_options()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(dir.join("lock"))
        .map_err(io_err)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            let mut said = String::new();
            let _ = file.read_to_string(&mut said);
            let holder = match said.trim() {
                "" => "another coursegen process".to_owned(),
                said => said.to_owned(),
            };
            return Err(LockError::Held {
                dir: dir.to_owned(),
                holder,
            });
        }
        Err(TryLockError::Error(e)) => return Err(io_err(e)),
    }
    let since = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let said = format!("`{holder}` (pid {}, since {since})\n", std::process::id());
    file.set_len(0)
        .and_then(|()| file.rewind())
        .and_then(|()| file.write_all(said.as_bytes()))
        .map_err(io_err)?;
    Ok(DirLock { _file: file })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_is_told_who_has_the_directory() {
        let dir = tempfile::tempdir().unwrap();
        let first = acquire(dir.path(), "coursegen serve").unwrap();
        let second = acquire(dir.path(), "coursegen generate").unwrap_err();
        let message = second.to_string();
        assert!(
            message.contains("in use by `coursegen serve` (pid "),
            "{message}"
        );
        assert!(
            message.contains(&std::process::id().to_string()),
            "{message}"
        );
        drop(first);
        let again = acquire(dir.path(), "coursegen generate");
        assert!(again.is_ok(), "the lock is free once its holder is gone");
    }
}
