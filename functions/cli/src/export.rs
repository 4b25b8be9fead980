//! `coursegen export JOB --format gift|moodle [--out FILE]`: a finished
//! job's questions as a question bank an LMS imports. What the format
//! could not carry is listed on stderr, question by question.

use std::path::{Path, PathBuf};

use anyhow::Context;
use coursegen_core::course::Course;
use coursegen_core::ids::JobId;
use coursegen_core::ports::{ArtifactStore, JobStore, StoreError};
use coursegen_exports::Format;
use coursegen_local::DataDir;

use crate::DataArgs;

/// Writes `course` in `format` to `path` (`-`: standard output) and what
/// the format could not carry to stderr; prints the path written.
pub fn write(course: &Course, format: Format, path: &Path) -> anyhow::Result<()> {
    let (text, report) = format.write(course);
    for note in &report.notes {
        eprintln!("note: {}: {}", note.question, note.note);
    }
    if path.as_os_str() == "-" {
        print!("{text}");
    } else {
        std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))?;
        println!("{}", path.display());
    }
    Ok(())
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// The job whose course is exported.
    job: JobId,
    /// gift or moodle.
    #[arg(long, value_parser = clap::value_parser!(Format))]
    format: Format,
    /// Where to write it (default: course.gift.txt or course.moodle.xml
    /// here; `-`: standard output).
    #[arg(long)]
    out: Option<PathBuf>,
    #[command(flatten)]
    data: DataArgs,
}

pub async fn run(args: ExportArgs) -> anyhow::Result<()> {
    let dir = DataDir::new(&args.data.dir);
    let store = dir
        .open_existing_store()
        .with_context(|| format!("cannot open the job store in {}", args.data.dir.display()))?
        .with_context(|| format!("no jobs in {}", args.data.dir.display()))?;
    let job = match store.get(args.job).await {
        Err(StoreError::NotFound(_)) => {
            anyhow::bail!("no job {} in {}", args.job, args.data.dir.display())
        }
        other => other.context("cannot read the job")?,
    };
    let key = format!("jobs/{}/course.json", job.id).parse()?;
    let artifacts = dir.open_artifacts()?;
    let bytes = match artifacts.get(&key).await {
        Ok(artifact) => artifact.bytes,
        Err(_) => anyhow::bail!(
            "job {} has no course yet (it is {}): export it once it has succeeded",
            job.id,
            job.status.as_str()
        ),
    };
    let course: Course = serde_json::from_slice(&bytes).context("the job's course.json")?;
    let path = args
        .out
        .unwrap_or_else(|| PathBuf::from(args.format.file_name()));
    write(&course, args.format, &path)
}
