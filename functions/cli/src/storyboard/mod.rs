//! `coursegen storyboard`: a course script made into videos on this
//! machine — a script job run through the workflow interpreter, reviewed
//! in the terminal at each visual stage (or auto-approved), and written out
//! (see [`files`]).

mod files;

use std::path::PathBuf;

use anyhow::{Context, anyhow};
use coursegen_core::ids::JobId;
use coursegen_core::job::JobStatus;
use coursegen_core::options::Options;
use coursegen_local::DataDir;
use serde_json::{Map, Value};

use crate::DataArgs;
use crate::generate::{create, drive, failure, key_values, local_user, resume, source};
use crate::stack::Embedded;

#[derive(Debug, clap::Args)]
pub struct StoryboardArgs {
    /// A course script (.docx, .md, .txt); its headers split it into videos.
    #[arg(required_unless_present = "resume")]
    script: Option<PathBuf>,
    /// Approve every review automatically.
    #[arg(long)]
    auto_approve: bool,
    /// Where storyboard.json, prompts.json, frames/, clips/ and videos/
    /// are written.
    #[arg(long, default_value = "storyboard", value_name = "DIR")]
    out: PathBuf,
    /// Who draws the frames: offline (here), or openai (an OpenAI-compatible
    /// images endpoint: COURSEGEN_IMAGES_BASE_URL, _API_KEY, _MODEL).
    #[arg(long, default_value = "offline", value_parser = ["offline", "openai"])]
    images: String,
    /// Who animates them: offline (ffmpeg here), runway or luma
    /// (COURSEGEN_RUNWAY_* or COURSEGEN_LUMA_*: BASE_URL, API_KEY, MODEL).
    #[arg(long, default_value = "offline", value_parser = ["offline", "runway", "luma"])]
    clips: String,
    /// A job option, e.g. --option storyboard.video.resolution=360p
    /// (repeatable).
    #[arg(long = "option", value_name = "KEY=VALUE")]
    options: Vec<String>,
    /// Continue a job that was interrupted.
    #[arg(long, value_name = "JOB", conflicts_with = "script")]
    resume: Option<JobId>,
    #[command(flatten)]
    data: DataArgs,
}

/// The job options: `--option` pairs, with the providers and approvals of
/// the flags.
fn options(args: &StoryboardArgs) -> anyhow::Result<Options> {
    let mut root =
        key_values(args.options.iter().map(String::as_str)).map_err(|e| anyhow!("--option {e}"))?;
    let storyboard = root
        .entry("storyboard")
        .or_insert_with(|| Value::Object(Map::new()))
        .as_object_mut()
        .ok_or_else(|| anyhow!("--option storyboard: not an object"))?;
    storyboard.insert("images".into(), Value::String(args.images.clone()));
    storyboard.insert("clips".into(), Value::String(args.clips.clone()));
    if args.auto_approve {
        root.insert("approvals".into(), Value::String("auto".into()));
    }
    let options: Options =
        serde_json::from_value(Value::Object(root)).map_err(|e| anyhow!("--option: {e}"))?;
    options.validate().map_err(|e| anyhow!("--option {e}"))?;
    Ok(options)
}

pub async fn run(args: StoryboardArgs) -> anyhow::Result<()> {
    let data = DataDir::new(&args.data.dir);
    let _lock = data.lock("coursegen storyboard")?;
    let Embedded {
        steps,
        workflow,
        service,
        ..
    } = Embedded::open(&data)?;
    if steps.visuals.is_none() {
        coursegen_media::preflight()
            .await
            .context("storyboards cannot be filmed here")?;
    }
    let me = local_user()?;
    let id = match (args.resume, &args.script) {
        (Some(id), _) => resume(&service, &workflow, &me, id, &args.data.dir).await?,
        (None, Some(script)) => {
            let options = options(&args)?;
            let source = source::script(script, &service, &me).await?;
            let id = create(&service, &me, source, options).await?;
            eprintln!("job {id} (resume with: coursegen storyboard --resume {id})");
            id
        }
        (None, None) => anyhow::bail!("give a SCRIPT file or --resume JOB"),
    };
    let job = drive(&service, &workflow, &me, id).await?;
    match job.status {
        JobStatus::Succeeded => files::write(&steps, &job, &args.out).await,
        _ => Err(failure(&job)),
    }
}
