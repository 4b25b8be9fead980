//! `coursegen export JOB --format gift|moodle [--out FILE]`: a finished
//! job's questions as a question bank an LMS imports. What the format
//! could not carry is listed on stderr, question by question.

use std::path::PathBuf;

use anyhow::Context;
use coursegen_core::course::Course;
use coursegen_core::ids::JobId;
use coursegen_core::ports::{ArtifactStore, JobStore, StoreError};
use coursegen_local::DataDir;

use crate::DataArgs;

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Format {
    /// GIFT, Moodle's text format for question banks.
    Gift,
    /// Moodle XML question bank.
    Moodle,
}

impl Format {
    fn extension(self) -> &'static str {
        match self {
            Format::Gift => "gift.txt",
            Format::Moodle => "moodle.xml",
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// The job whose course is exported.
    job: JobId,
    #[arg(long, value_enum)]
    format: Format,
    /// Where to write it (default: course.<format's extension> here; `-`:
    /// standard output).
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
    let (text, report) = match args.format {
        Format::Gift => coursegen_exports::gift::write(&course),
        Format::Moodle => coursegen_exports::moodle::write(&course),
    };
    for note in &report.notes {
        eprintln!("note: {}: {}", note.question, note.note);
    }
    match args.out {
        Some(path) if path.as_os_str() == "-" => print!("{text}"),
        out => {
            let path =
                out.unwrap_or_else(|| PathBuf::from(format!("course.{}", args.format.extension())));
            std::fs::write(&path, text)
                .with_context(|| format!("cannot write {}", path.display()))?;
            println!("{}", path.display());
        }
    }
    Ok(())
}
