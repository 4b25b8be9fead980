//! `coursegen jobs list|show|abort`: the local job store; `abort` works
//! with no server running (a job whose step keeps crashing its process can
//! be stopped from here).

use std::fmt::Write as _;

use anyhow::Context;
use chrono::SecondsFormat;
use coursegen_core::ids::{CourseId, JobId, UserId};
use coursegen_core::job::Job;
use coursegen_core::ports::{Cursor, JobQuery, JobStore, MAX_PAGE_SIZE, PageRequest, StoreError};
use coursegen_core::service::ServiceError;
use coursegen_core::source::Source;
use coursegen_local::{DataDir, SqliteStore};

use crate::DataArgs;
use crate::stack::Embedded;

#[derive(Debug, clap::Subcommand)]
pub enum JobsCommand {
    /// List jobs, newest first.
    List {
        /// Only jobs of this owner.
        #[arg(long, conflicts_with = "course")]
        owner: Option<UserId>,
        /// Only jobs of this course.
        #[arg(long)]
        course: Option<CourseId>,
        /// How many jobs to show.
        #[arg(long, default_value_t = 25, value_parser = clap::value_parser!(u16).range(1..=MAX_PAGE_SIZE as i64))]
        limit: u16,
        /// Continue after a previous listing (the cursor it printed).
        #[arg(long)]
        cursor: Option<String>,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Show one job: its stages, runs and progress.
    Show {
        id: JobId,
        /// Print the job as JSON.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Abort a job: its workflow stops where it is and the job ends aborted.
    Abort {
        id: JobId,
        /// Why, recorded on the job.
        #[arg(long)]
        reason: Option<String>,
        #[command(flatten)]
        data: DataArgs,
    },
}

pub async fn run(command: JobsCommand) -> anyhow::Result<()> {
    match command {
        JobsCommand::List {
            owner,
            course,
            limit,
            cursor,
            json,
            data,
        } => {
            let query = match (owner, course) {
                (Some(owner), _) => JobQuery::Owner(owner),
                (None, Some(course)) => JobQuery::Course(course),
                (None, None) => JobQuery::All,
            };
            let page = PageRequest {
                cursor: cursor.as_deref().map(Cursor::parse),
                limit: usize::from(limit),
            };
            let Some(store) = open(&data)? else {
                println!(
                    "{}",
                    if json {
                        "{\"jobs\":[],\"next\":null}".to_owned()
                    } else {
                        no_jobs(&data)
                    }
                );
                return Ok(());
            };
            let page = match store.list(&query, &page).await {
                Err(StoreError::InvalidCursor) => {
                    anyhow::bail!("--cursor is not a cursor printed by `coursegen jobs list`")
                }
                other => other.context("cannot list jobs")?,
            };
            let next = page.next.as_ref().map(|c| c.as_str().to_owned());
            if json {
                let out = serde_json::json!({ "jobs": page.items, "next": next });
                println!("{}", serde_json::to_string_pretty(&out)?);
            } else if page.items.is_empty() {
                println!("{}", no_jobs(&data));
            } else {
                print!("{}", table(&page.items));
                if let Some(next) = next {
                    println!("\nmore: coursegen jobs list --cursor {next}");
                }
            }
            Ok(())
        }
        JobsCommand::Show { id, json, data } => {
            let store = open(&data)?.with_context(|| format!("no job {id}: {}", no_jobs(&data)))?;
            let job = match store.get(id).await {
                Err(StoreError::NotFound(_)) => {
                    anyhow::bail!("no job {id} in {}", data.dir.display())
                }
                other => other.context("cannot read the job")?,
            };
            if json {
                println!("{}", serde_json::to_string_pretty(&job)?);
            } else {
                print!("{}", details(&job));
            }
            Ok(())
        }
        JobsCommand::Abort { id, reason, data } => abort(id, reason, &data).await,
    }
}

/// Aborts through the same service the API uses, on the stack of the data
/// directory, which this process must hold (a running server aborts jobs
/// through its API instead).
async fn abort(id: JobId, reason: Option<String>, data: &DataArgs) -> anyhow::Result<()> {
    let dir = DataDir::new(&data.dir);
    if open(data)?.is_none() {
        anyhow::bail!("no job {id}: {}", no_jobs(data));
    }
    let _lock = dir.lock("coursegen jobs abort").map_err(|e| {
        anyhow::anyhow!("{e} (a running server aborts jobs with POST /v1/jobs/{id}/abort)")
    })?;
    let stack = Embedded::open(&dir)?;
    let me = crate::generate::local_user()?;
    match stack.service.abort(&me, id, reason).await {
        Ok(job) => {
            println!("job {id} {}", job.status);
            Ok(())
        }
        Err(ServiceError::NotFound(_)) => anyhow::bail!("no job {id} in {}", data.dir.display()),
        Err(e) => Err(anyhow::anyhow!("cannot abort job {id}: {e}")),
    }
}

/// The data directory's job store, if it has one (nothing is created).
pub(crate) fn open(data: &DataArgs) -> anyhow::Result<Option<SqliteStore>> {
    DataDir::new(&data.dir)
        .open_existing_store()
        .with_context(|| format!("cannot open the job store in {}", data.dir.display()))
}

fn no_jobs(data: &DataArgs) -> String {
    format!("no jobs in {}", data.dir.display())
}

fn describe_source(source: &Source) -> String {
    match source {
        Source::Youtube { video_id } => format!("youtube {video_id}"),
        Source::Playlist { video_ids } => format!("playlist of {} videos", video_ids.len()),
        Source::Transcript { upload_key, .. } => format!("transcript {upload_key}"),
        Source::Audio { upload_key } => format!("audio {upload_key}"),
        Source::Document { upload_key, .. } => format!("document {upload_key}"),
        Source::Topic { topic, .. } => format!("topic {topic:?}"),
    }
}

fn table(jobs: &[Job]) -> String {
    let rows: Vec<[String; 6]> = jobs
        .iter()
        .map(|j| {
            [
                j.id.to_string(),
                j.status.to_string(),
                format!("{}%", j.progress.percent),
                j.progress
                    .current_stage
                    .map_or("-".to_owned(), |s| s.to_string()),
                j.owner.to_string(),
                describe_source(&j.source),
            ]
        })
        .collect();
    let header = ["ID", "STATUS", "DONE", "STAGE", "OWNER", "SOURCE"];
    let widths: Vec<usize> = (0..header.len())
        .map(|i| {
            rows.iter()
                .map(|r| r[i].chars().count())
                .chain([header[i].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in std::iter::once(header.map(str::to_owned)).chain(rows) {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        let _ = writeln!(out, "{}", cells.join("  ").trim_end());
    }
    out
}

fn details(job: &Job) -> String {
    let time = |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
    let mut out = String::new();
    let _ = writeln!(out, "job      {}", job.id);
    let _ = writeln!(
        out,
        "status   {} ({}% done)",
        job.status, job.progress.percent
    );
    let _ = writeln!(out, "owner    {}", job.owner);
    let _ = writeln!(
        out,
        "course   {} version {}",
        job.course.course_id, job.course.version_id
    );
    let _ = writeln!(out, "source   {}", describe_source(&job.source));
    let _ = writeln!(
        out,
        "created  {}   updated {}   version {}",
        time(job.created_at),
        time(job.updated_at),
        job.version
    );
    if let Some(exec) = &job.execution_id {
        let _ = writeln!(out, "execution {exec}");
    }
    if let Some(error) = &job.error {
        let _ = writeln!(out, "error    {error}");
    }
    let _ = writeln!(out, "\nstages:");
    for state in &job.stages {
        let mut line = format!(
            "  {:<11} {:<17}",
            state.stage.as_str(),
            state.status.as_str()
        );
        if let Some(run) = state.latest_run() {
            let _ = write!(line, " run {} {}", run.n, run.status);
            if let Some(key) = &run.output_key {
                let _ = write!(line, " → {key}");
            }
            if let Some(base) = run.edited_from {
                let _ = write!(line, " (edited from run {base})");
            }
            if let Some(error) = &run.error {
                let _ = write!(line, " error: {error}");
            }
        }
        if let Some(n) = state.approved_run {
            let _ = write!(line, " [approved run {n}]");
        }
        if let Some(p) = &state.progress {
            let _ = write!(line, " {}/{}", p.done, p.total);
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
    out
}
