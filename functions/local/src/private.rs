//! Files and directories only this user may open: a data directory holds
//! task tokens, the token secret and people's uploaded material.

use std::fs;
use std::io;
use std::path::Path;

#[cfg(unix)]
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};

/// Creates `dir` and its missing parents, each readable by this user only.
pub fn create_dir(dir: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    builder.mode(0o700);
    builder.create(dir)
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
