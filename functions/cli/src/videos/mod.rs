//! `coursegen videos`: the lesson videos of a course already made, asked
//! for again — every lesson or the ones listed, only those that failed, in
//! another voice, resolution, aspect, subtitles or speed. The job plans the
//! renders and a renders-only execution of the workflow makes them; this
//! waits for it with a line per video, then writes `DIR/videos/` as
//! `generate --videos` does.

pub mod files;

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::builder::{PossibleValuesParser, TypedValueParser};
use coursegen_core::ids::JobId;
use coursegen_core::job::{Job, JobStatus};
use coursegen_core::ports::{renders_name, renders_of};
use coursegen_core::service::ServiceError;
use coursegen_core::videos::{Aspect, LessonRef, Resolution, Subtitles, VideoRequest, VideoStatus};
use coursegen_local::DataDir;
use serde::de::DeserializeOwned;

use crate::DataArgs;
use crate::progress::{Progress, Scope};
use crate::stack::Embedded;

#[derive(Debug, clap::Args)]
pub struct VideosArgs {
    /// The job whose course was made with `generate --videos`.
    job: JobId,
    /// A lesson to render, as m1/l2 (repeatable; none: every lesson).
    #[arg(long = "lesson", value_name = "mM/lL", value_parser = lesson_path)]
    lessons: Vec<String>,
    /// Only the lessons (of those asked for) whose last render failed.
    #[arg(long)]
    retry_failed: bool,
    /// Another voice (an espeak-ng voice such as en-us, or the speech
    /// service's); the rest stay as each lesson's last render had them.
    #[arg(long)]
    voice: Option<String>,
    #[arg(long, value_parser = named::<Resolution>(&["720p", "1080p"]))]
    resolution: Option<Resolution>,
    #[arg(long, value_parser = named::<Aspect>(&["16:9", "9:16"]))]
    aspect: Option<Aspect>,
    /// A subtitle track (with .vtt/.srt files) or text in the picture.
    #[arg(long, value_parser = named::<Subtitles>(&["soft", "burned"]))]
    subtitles: Option<Subtitles>,
    /// The voice's pace, 0.5–2.0 (1.0 as it speaks).
    #[arg(long)]
    speed: Option<f32>,
    /// Where videos/ is written (as by generate).
    #[arg(long, default_value = "course", value_name = "DIR")]
    out: PathBuf,
    #[command(flatten)]
    data: DataArgs,
}

/// A lesson path, written as the service writes it back (`m1/l2`).
fn lesson_path(s: &str) -> Result<String, String> {
    s.parse::<LessonRef>().map(|at| at.to_string())
}

/// One of `names`, read as the API reads it.
fn named<T>(names: &'static [&'static str]) -> impl TypedValueParser<Value = T>
where
    T: DeserializeOwned + Clone + Send + Sync + 'static,
{
    PossibleValuesParser::new(names)
        .try_map(|s| serde_json::from_value::<T>(serde_json::Value::String(s)))
}

impl VideosArgs {
    fn request(&self) -> VideoRequest {
        VideoRequest {
            lessons: (!self.lessons.is_empty()).then(|| self.lessons.clone()),
            retry_failed: self.retry_failed,
            voice: self.voice.clone(),
            speed: self.speed,
            resolution: self.resolution,
            aspect: self.aspect,
            subtitles: self.subtitles,
        }
    }

    /// The service's refusal in the command's words: the option at fault,
    /// and what to do about a job that cannot have videos yet.
    fn refused(&self, e: ServiceError, job: &Job) -> anyhow::Error {
        let id = job.id;
        match e {
            ServiceError::Invalid(v) => {
                let lesson = v
                    .field
                    .strip_prefix("lessons[")
                    .and_then(|rest| rest.split(']').next())
                    .and_then(|i| i.parse::<usize>().ok())
                    .and_then(|i| self.lessons.get(i));
                match lesson {
                    Some(path) => anyhow::anyhow!("--lesson {path}: {}", v.message),
                    None if v.field.is_empty() => anyhow::anyhow!("{}", v.message),
                    None => anyhow::anyhow!("--{}: {}", v.field.replace('_', "-"), v.message),
                }
            }
            // The service's words name the API's fields; these, the commands.
            ServiceError::Conflict(_) if !job.status.is_terminal() => anyhow::anyhow!(
                "job {id} is {}: its course is not made yet (finish it with `coursegen generate --resume {id}`), so there are no videos to render",
                job.status
            ),
            ServiceError::Conflict(_) if job.status != JobStatus::Succeeded => anyhow::anyhow!(
                "job {id} is {}: it made no course, so there are no videos to render",
                job.status
            ),
            ServiceError::Conflict(_) if !job.options.render_videos => anyhow::anyhow!(
                "job {id} was made without videos: its lessons have no narration (make the course with `coursegen generate SOURCE --videos`)"
            ),
            e => anyhow::anyhow!("cannot render the videos of job {id}: {e}"),
        }
    }
}

/// How often the command looks whether the renders are still going.
const POLL: Duration = Duration::from_millis(100);

pub async fn run(args: VideosArgs) -> anyhow::Result<()> {
    let id = args.job;
    coursegen_media::preflight()
        .await
        .context("videos cannot be rendered here")?;
    let no_job = || anyhow::anyhow!("no job {id} in {}", args.data.dir.display());
    if crate::jobs::open(&args.data)?.is_none() {
        return Err(no_job());
    }
    let data = DataDir::new(&args.data.dir);
    let _lock = data.lock("coursegen videos")?;
    let Embedded {
        steps,
        workflow,
        service,
        ..
    } = Embedded::open(&data)?;
    let me = crate::generate::local_user()?;
    let before = match service.job(&me, id).await {
        Err(ServiceError::NotFound(_)) => return Err(no_job()),
        other => other?,
    };
    let job = service
        .render_videos(&me, id, &args.request())
        .await
        .map_err(|e| args.refused(e, &before))?;
    // The lessons this request planned: a new attempt each.
    let planned: Vec<LessonRef> = job
        .videos
        .iter()
        .filter(|v| before.video(v.at()).map(|b| b.attempt) != Some(v.attempt))
        .map(|v| v.at())
        .collect();
    let mut executions = vec![renders_name(&job)];
    // Renders an earlier run left unfinished (stopped with Ctrl-C) go on too.
    let resumed = workflow.resume_where(|name| renders_of(name, id)).await?;
    let mut shown = planned.clone();
    for name in resumed {
        if !executions.contains(&name) {
            executions.push(name);
        }
    }
    let left: Vec<LessonRef> = job
        .videos
        .iter()
        .filter(|v| v.is_pending() && !planned.contains(&v.at()))
        .map(|v| v.at())
        .collect();
    eprintln!(
        "job {id}: rendering {} ({})",
        count(planned.len(), "lesson video"),
        paths(&planned)
    );
    if !left.is_empty() && executions.len() > 1 {
        eprintln!(
            "and the {} an earlier run left ({})",
            count(left.len(), "render"),
            paths(&left)
        );
        shown.extend(left);
    }

    let progress = Progress::start(steps.clone(), id, Scope::Videos(shown));
    let stop = crate::serve::shutdown_signal();
    tokio::pin!(stop);
    loop {
        let mut running = false;
        for name in &executions {
            running |= workflow.is_running(name).await?;
        }
        if !running {
            break;
        }
        tokio::select! {
            () = &mut stop => {
                progress.finish().await;
                bail!(
                    "stopped; the renders go on at the next `coursegen videos {id}` or `coursegen serve`"
                );
            }
            () = tokio::time::sleep(POLL) => {}
        }
    }
    progress.finish().await;

    files::write(&steps, id, &args.out).await?;
    let job = steps.jobs.get(id).await?;
    let unmade: Vec<LessonRef> = planned
        .iter()
        .copied()
        .filter(|at| job.video(*at).map(|v| v.status) != Some(VideoStatus::Completed))
        .collect();
    if !unmade.is_empty() {
        bail!(
            "{} of {} not made: {}",
            unmade.len(),
            count(planned.len(), "lesson video"),
            paths(&unmade)
        );
    }
    Ok(())
}

fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

fn paths(lessons: &[LessonRef]) -> String {
    lessons
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}
