//! Files and directories only this user may open: a data directory holds
//! task tokens, the token secret and people's uploaded material.

use std::fs;
use std::io;
use std::path::Path;

#[cfg(unix)]
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};

/// Creates `dir` and its missing parents, each readable by this user only:
/// for directories inside a data directory.
pub fn create_dir(dir: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    builder.mode(0o700);
    builder.create(dir)
}

/// Creates a data directory readable by this user only; parents it needs
/// are made as any other directory (they are the user's, not ours).
pub fn create_root(dir: &Path) -> io::Result<()> {
    if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent)?;
    }
    let mut builder = fs::DirBuilder::new();
    #[cfg(unix)]
    builder.mode(0o700);
    match builder.create(dir) {
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists && dir.is_dir() => Ok(()),
        other => other,
    }
}

/// Open options that create a file readable and writable by this user only.
pub fn file_options() -> fs::OpenOptions {
    #[allow(unused_mut)]
    let mut options = fs::OpenOptions::new();
    #[cfg(unix)]
    options.mode(0o600);
    options
}

/// Narrows an existing file (or directory) to this user: data directories
/// made by earlier versions used the default, world-readable modes.
pub fn restrict(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        let mode = match fs::metadata(path) {
            Ok(meta) if meta.is_dir() => 0o700,
            Ok(_) => 0o600,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e),
        };
        fs::set_permissions(path, fs::Permissions::from_mode(mode))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn a_data_directory_is_private_and_its_parents_are_left_alone() {
        let base = tempfile::tempdir().unwrap();
        let root = base.path().join("projects/course/.coursegen");
        create_root(&root).unwrap();
        create_root(&root).unwrap();
        assert_eq!(mode(&root), 0o700);
        assert_ne!(
            mode(&base.path().join("projects")),
            0o700,
            "not ours to narrow"
        );
        create_dir(&root.join("artifacts/jobs/j")).unwrap();
        assert_eq!(mode(&root.join("artifacts/jobs")), 0o700);
        let file = root.join("secret");
        file_options()
            .write(true)
            .create_new(true)
            .open(&file)
            .unwrap();
        assert_eq!(mode(&file), 0o600);
        fs::set_permissions(&file, fs::Permissions::from_mode(0o644)).unwrap();
        restrict(&file).unwrap();
        assert_eq!(mode(&file), 0o600);
    }
}
