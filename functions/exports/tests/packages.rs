//! What the package tests share: the checks written in Python (run with
//! the pinned lxml that scripts/test installs) and reading a zip.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Where scripts/test installs the tools.
pub fn tools() -> PathBuf {
    std::env::var("COURSEGEN_NODE_TOOLS")
        .map(PathBuf::from)
        .unwrap_or_else(|_| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/tools"))
}

/// What `tests/support/{script}` printed about `zip` (after `args`), and
/// whether it passed.
pub fn python_check(script: &str, args: &[&Path], zip: &[u8]) -> (bool, String) {
    let python = std::env::var("COURSEGEN_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|_| tools().join("python/bin/python"));
    let file = tempfile::Builder::new().suffix(".zip").tempfile().unwrap();
    std::fs::write(file.path(), zip).unwrap();
    let output = Command::new(&python)
        .arg(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/support")
                .join(script),
        )
        .args(args)
        .arg(file.path())
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "{} does not run (scripts/test installs it): {e}",
                python.display()
            )
        });
    let said = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    (output.status.success(), said)
}

pub fn files(zip: &[u8]) -> Vec<String> {
    let archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
    archive
        .file_names()
        .map(|n| n.unwrap().into_owned())
        .collect()
}

pub fn read(zip: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
    let mut text = String::new();
    archive
        .by_name(name)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    text
}
