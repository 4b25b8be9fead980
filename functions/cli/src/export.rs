//! `coursegen export JOB|COURSE.json --format gift|moodle|scorm12|scorm2004
//! [--out FILE]`: a finished job's course as a question bank or a SCORM
//! package an LMS imports. What the format
//! could not carry is listed on stderr, question by question.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context;
use coursegen_core::course::Course;
use coursegen_core::ids::JobId;
use coursegen_core::ports::{ArtifactStore, JobStore, StoreError};
use coursegen_exports::scorm::{Reporting, Scos};
use coursegen_exports::{Extras, Format};
use coursegen_local::DataDir;

use crate::DataArgs;

/// Writes `course` in `format` to `path` (`-`: standard output) and what
/// the format could not carry to stderr; prints the path written.
pub fn write(
    course: &Course,
    format: Format,
    extras: &Extras<'_>,
    path: &Path,
) -> anyhow::Result<()> {
    let (bytes, report) = coursegen_exports::write(format, course, extras)
        .with_context(|| format!("cannot export the course as {}", format.name()))?;
    for note in &report.notes {
        eprintln!("note: {}: {}", note.question, note.note);
    }
    if path.as_os_str() == "-" {
        std::io::stdout().write_all(&bytes)?;
    } else {
        std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
        println!("{}", path.display());
    }
    Ok(())
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// The job whose course is exported, or a course.json file.
    source: String,
    /// gift, moodle, scorm12 or scorm2004.
    #[arg(long, value_parser = clap::value_parser!(Format))]
    format: Format,
    /// SCORM: a SCO per lesson and one for the assessment (multi), or the
    /// whole course as one (single).
    #[arg(long, default_value = "multi", value_parser = clap::value_parser!(Scos))]
    sco: Scos,
    /// SCORM: what a pass and a fail of the assessment are reported as:
    /// passed-failed, passed-incomplete, completed-failed or
    /// completed-incomplete.
    #[arg(long, default_value = "passed-failed", value_parser = clap::value_parser!(Reporting))]
    reporting: Reporting,
    /// Where to write it (default: course.<format>.<ext> here, e.g.
    /// course.scorm12.zip; `-`: standard output).
    #[arg(long)]
    out: Option<PathBuf>,
    #[command(flatten)]
    data: DataArgs,
}

pub async fn run(args: ExportArgs) -> anyhow::Result<()> {
    let path = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(args.format.file_name()));
    let scorm = coursegen_exports::scorm::Options {
        sco: args.sco,
        reporting: args.reporting,
    };
    let Ok(id) = args.source.parse::<JobId>() else {
        let file = Path::new(&args.source);
        if !file.is_file() {
            anyhow::bail!("{} is neither a job id nor a course file", args.source);
        }
        let bytes =
            std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
        let course: Course = serde_json::from_slice(&bytes)
            .with_context(|| format!("{} is not a course document", file.display()))?;
        let extras = Extras {
            scorm,
            ..Extras::default()
        };
        return write(&course, args.format, &extras, &path);
    };
    let dir = DataDir::new(&args.data.dir);
    let store = dir
        .open_existing_store()
        .with_context(|| format!("cannot open the job store in {}", args.data.dir.display()))?
        .with_context(|| format!("no jobs in {}", args.data.dir.display()))?;
    let job = match store.get(id).await {
        Err(StoreError::NotFound(_)) => {
            anyhow::bail!("no job {id} in {}", args.data.dir.display())
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
    let videos = if args.format.carries_videos() {
        coursegen_core::videos::finished(&artifacts, &job.videos)
            .await
            .context("cannot read the lessons' videos")?
    } else {
        Vec::new()
    };
    let identifier = format!("coursegen-{}", job.id);
    let extras = Extras {
        identifier: &identifier,
        videos: &videos,
        scorm,
    };
    write(&course, args.format, &extras, &path)
}
