//! GIFT read by gift-pegjs, the pinned parser scripts/test installs under
//! `target/tools` (or `COURSEGEN_NODE_TOOLS`), run with node.
#![allow(dead_code)] // each test binary uses its own subset

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;

/// `text` parsed by the pinned gift-pegjs that scripts/test installs.
pub fn parsed(text: &str) -> Vec<Value> {
    let tools = std::env::var("COURSEGEN_NODE_TOOLS")
        .map(PathBuf::from)
        .unwrap_or_else(|_| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/tools"));
    let module = std::fs::canonicalize(tools.join("node_modules/gift-pegjs")).unwrap_or_else(|_| {
        panic!("gift-pegjs is not installed under {}: run the tests with scripts/test, which installs it", tools.display())
    });
    static FILES: AtomicUsize = AtomicUsize::new(0);
    let n = FILES.fetch_add(1, Ordering::SeqCst);
    let file = std::env::temp_dir().join(format!("coursegen-gift-{}-{n}.txt", std::process::id()));
    std::fs::write(&file, text).unwrap();
    let output = Command::new("node")
        .arg("-e")
        .arg("const g = require(process.argv[1]); process.stdout.write(JSON.stringify(g.parse(require('fs').readFileSync(process.argv[2], 'utf8'))))")
        .arg(&module)
        .arg(&file)
        .output()
        .expect("node runs");
    let _ = std::fs::remove_file(&file);
    assert!(
        output.status.success(),
        "gift-pegjs refused the file: {}\n{text}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}
