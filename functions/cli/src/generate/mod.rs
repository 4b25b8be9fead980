//! `coursegen generate`: a job on the embedded stack, run through the
//! workflow interpreter, reviewed in the terminal (or auto-approved), and
//! written out as course.json, course.md and course.html (and the
//! questions alone in the AI server's format, course.questions.json).

mod review;
pub(crate) mod source;
mod transcript;
mod webhooks;

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, anyhow, bail};
use coursegen_core::auth::{Principal, Role};
use coursegen_core::course::Course;
use coursegen_core::ids::JobId;
use coursegen_core::job::{CourseRef, Job, JobStatus};
use coursegen_core::options::{AI_SERVER_STAGES, Options};
use coursegen_core::pipeline::Steps;
use coursegen_core::ports::Workflow;
use coursegen_core::service::{JobRequest, Service, ServiceError};
use coursegen_core::source::{Source, YoutubeId};
use coursegen_engines::ingest::youtube::YtDlp;
use coursegen_exports::{ai_questions, document};
use coursegen_local::DataDir;
use coursegen_local::workflow::LocalWorkflow;
use serde_json::{Map, Value};

use crate::DataArgs;
use crate::progress::{Progress, Scope};
use crate::stack::Embedded;
use crate::videos::files as videos;

#[derive(Debug, clap::Args)]
pub struct GenerateArgs {
    /// A transcript (.vtt, .srt, .json, .txt), course script (.docx, .md)
    /// or recording; or a YouTube video, several separated by commas, or a
    /// playlist's URL.
    #[arg(required_unless_present_any = ["topic", "resume"])]
    source: Option<String>,
    /// Make a course from a topic alone (needs --engine openai).
    #[arg(long, conflicts_with = "source")]
    topic: Option<String>,
    /// With --topic: the kind of course, e.g. programming, language, exam-prep.
    #[arg(long, default_value = "general", requires = "topic")]
    course_type: String,
    /// Approve every review automatically.
    #[arg(long)]
    auto_approve: bool,
    /// Where course.json, course.md and course.html are written.
    #[arg(long, default_value = "course", value_name = "DIR")]
    out: PathBuf,
    /// Also write these exports beside them (comma-separated): gift,
    /// moodle, scorm12, scorm2004.
    #[arg(long, value_delimiter = ',', value_name = "FORMAT", value_parser = clap::value_parser!(coursegen_exports::Format))]
    export: Vec<coursegen_exports::Format>,
    /// The content engine: openai is any OpenAI-compatible server, from
    /// OPENAI_BASE_URL, OPENAI_API_KEY and COURSEGEN_LLM_MODEL.
    #[arg(long, default_value = "offline", value_parser = ["offline", "openai", "ai-server"])]
    engine: String,
    /// A job option, e.g. --option assessment.questions=5 (repeatable).
    #[arg(long = "option", value_name = "KEY=VALUE")]
    options: Vec<String>,
    /// Where the AI server's webhooks and reads of our files come in, with
    /// --engine ai-server.
    #[arg(long, default_value = "127.0.0.1:8091", value_name = "HOST:PORT")]
    webhook_addr: std::net::SocketAddr,
    /// Also make a narrated video of every lesson (needs ffmpeg and
    /// espeak-ng); --option videos.voice=…, videos.resolution=1080p,
    /// videos.aspect=9:16, videos.subtitles=burned change how.
    #[arg(long)]
    videos: bool,
    /// With a playlist: a course of each video (in DIR/VIDEO-ID/) instead
    /// of one course with a module per video.
    #[arg(long)]
    course_per_video: bool,
    /// Continue a job that was interrupted.
    #[arg(long, value_name = "JOB", conflicts_with_all = ["source", "topic"])]
    resume: Option<JobId>,
    #[command(flatten)]
    speech: crate::speech::SpeechArgs,
    #[command(flatten)]
    data: DataArgs,
}

/// `key=value` pairs as a JSON object: dotted keys nest, and values are
/// JSON when they parse as JSON, strings otherwise.
pub(crate) fn key_values<'a>(
    pairs: impl IntoIterator<Item = &'a str>,
) -> anyhow::Result<Map<String, Value>> {
    let mut root = Map::new();
    for pair in pairs {
        let (key, value) = pair
            .split_once('=')
            .ok_or_else(|| anyhow!("{pair:?}: expected KEY=VALUE"))?;
        let value = serde_json::from_str(value).unwrap_or_else(|_| Value::String(value.to_owned()));
        let mut at = &mut root;
        let parts: Vec<&str> = key.split('.').collect();
        for part in &parts[..parts.len() - 1] {
            at = at
                .entry((*part).to_owned())
                .or_insert_with(|| Value::Object(Map::new()))
                .as_object_mut()
                .ok_or_else(|| anyhow!("{key}: {part} is not an object"))?;
        }
        at.insert(parts[parts.len() - 1].to_owned(), value);
    }
    Ok(root)
}

/// The job options from `--option key=value` pairs; `--engine openai`
/// makes the LLM the default engine, and `--engine ai-server` sends every
/// stage it can do to the AI server, unless an option says otherwise.
fn options(args: &GenerateArgs) -> anyhow::Result<Options> {
    let (pairs, auto_approve, engine) = (&args.options, args.auto_approve, args.engine.as_str());
    let mut root =
        key_values(pairs.iter().map(String::as_str)).map_err(|e| anyhow!("--option {e}"))?;
    if args.videos {
        root.insert("render_videos".into(), Value::Bool(true));
    }
    if auto_approve {
        root.insert("approvals".into(), Value::String("auto".into()));
    }
    if engine == "openai" {
        root.entry("default_engine")
            .or_insert_with(|| Value::String("openai".into()));
    }
    if engine == "ai-server" {
        let engines = root
            .entry("engines")
            .or_insert_with(|| Value::Object(Map::new()))
            .as_object_mut()
            .ok_or_else(|| anyhow!("--option engines: not an object"))?;
        for stage in AI_SERVER_STAGES {
            engines
                .entry(stage.to_string())
                .or_insert_with(|| Value::String("ai-server".into()));
        }
    }
    let options: Options =
        serde_json::from_value(Value::Object(root)).map_err(|e| anyhow!("--option: {e}"))?;
    options.validate().map_err(|e| anyhow!("--option {e}"))?;
    Ok(options)
}

/// The local user behind the terminal: the one person on this machine.
pub(crate) fn local_user() -> anyhow::Result<Principal> {
    Ok(Principal {
        user: "local".parse()?,
        role: Role::Admin,
        courses: Vec::new(),
    })
}

/// How often the terminal looks at the job while the workflow runs.
const POLL: Duration = Duration::from_millis(10);

pub async fn run(args: GenerateArgs) -> anyhow::Result<()> {
    let ai_server = args.engine == "ai-server";
    if args.topic.is_some() && args.engine != "openai" {
        bail!(
            "a topic-only course needs an LLM engine: --engine openai (the {} engine works from material)",
            args.engine
        );
    }
    let data = DataDir::new(&args.data.dir);
    let _lock = data.lock("coursegen generate")?;
    // Recordings are transcribed by the AI server when it is the engine,
    // else on this machine when this build can.
    let transcriber = crate::speech::transcriber(&args.speech);
    let transcribes = match (ai_server, &transcriber) {
        (true, _) | (false, Ok(_)) => Ok(()),
        (false, Err(why)) => Err(why.clone()),
    };
    // YouTube videos are fetched by the AI server, or here by yt-dlp.
    let ytdlp = YtDlp::from_env();
    let Embedded {
        workflow, service, ..
    } = if ai_server {
        webhooks::open(&data, args.webhook_addr).await?
    } else {
        Embedded::open_with(&data, None, transcriber.clone().ok())?
    };
    let me = local_user()?;
    let id = match args.resume {
        Some(id) => resume(&service, &workflow, &me, id, &args.data.dir).await?,
        None => {
            let options = options(&args)?;
            if options.render_videos {
                coursegen_media::preflight()
                    .await
                    .context("--videos cannot render here")?;
            }
            let source = match (&args.topic, args.source.as_deref()) {
                (Some(topic), _) => Source::Topic {
                    topic: topic.clone(),
                    course_type: args.course_type.clone(),
                    difficulty: options.difficulty,
                },
                (None, Some(input)) => {
                    source::resolve(
                        input,
                        &service,
                        &me,
                        &transcribes,
                        ytdlp.as_ref(),
                        ai_server,
                    )
                    .await?
                }
                (None, None) => bail!("give a SOURCE file or --topic"),
            };
            if let (Source::Playlist { video_ids }, true) = (&source, args.course_per_video) {
                return course_per_video(&args, &service, &workflow, &me, video_ids, options).await;
            }
            let id = create(&service, &me, source, options).await?;
            eprintln!("job {id} (resume with: coursegen generate --resume {id})");
            id
        }
    };
    finish(&args, &service, &workflow, &me, id, &args.out).await
}

/// Runs job `id` to its end and writes what it made into `out`.
async fn finish(
    args: &GenerateArgs,
    service: &Service,
    workflow: &LocalWorkflow,
    me: &Principal,
    id: JobId,
    out: &std::path::Path,
) -> anyhow::Result<()> {
    let steps = &service.steps;
    let job = drive(service, workflow, me, id).await?;
    match job.status {
        JobStatus::Succeeded => {
            write_course(steps, id, out, &args.export).await?;
            transcript::write(steps, id, out).await?;
            videos::write(steps, id, out).await
        }
        _ => {
            // What was heard is kept even when the course was not made
            // (material judged unsuitable, say): it can be checked.
            if let Err(e) = transcript::write(steps, id, out).await {
                tracing::debug!("no transcript to write: {e:#}");
            }
            Err(failure(&job))
        }
    }
}

/// A course of each video of a playlist, one after another, each in
/// `--out`/VIDEO-ID/. A video that fails is said and the others go on;
/// it fails only when none made a course.
async fn course_per_video(
    args: &GenerateArgs,
    service: &Service,
    workflow: &LocalWorkflow,
    me: &Principal,
    video_ids: &[YoutubeId],
    options: Options,
) -> anyhow::Result<()> {
    let mut failed = Vec::new();
    for video_id in video_ids {
        let source = Source::Youtube {
            video_id: video_id.clone(),
        };
        let id = create(service, me, source, options.clone()).await?;
        eprintln!("video {video_id}: job {id} (resume with: coursegen generate --resume {id})");
        let out = args.out.join(video_id.as_str());
        if let Err(e) = finish(args, service, workflow, me, id, &out).await {
            eprintln!("video {video_id}: {e:#}");
            failed.push(video_id.to_string());
        }
    }
    if failed.len() == video_ids.len() {
        bail!("no video of the playlist made a course");
    }
    if !failed.is_empty() {
        eprintln!(
            "no course from {} of {} videos: {}",
            failed.len(),
            video_ids.len(),
            failed.join(", ")
        );
    }
    Ok(())
}

/// A new job of the local user's course from `source`: its id.
pub(crate) async fn create(
    service: &Service,
    me: &Principal,
    source: Source,
    options: Options,
) -> anyhow::Result<JobId> {
    let course = CourseRef {
        course_id: "local".parse()?,
        version_id: "v1".parse()?,
        module_id: None,
        section_id: None,
    };
    let request = JobRequest {
        course,
        source,
        options,
    };
    Ok(service.create_job(me, request).await?.id)
}

/// Goes on with job `id` of the data directory `dir`: its saved
/// execution, or a new one if the job stopped before one was first saved.
pub(crate) async fn resume(
    service: &Service,
    workflow: &LocalWorkflow,
    me: &Principal,
    id: JobId,
    dir: &std::path::Path,
) -> anyhow::Result<JobId> {
    let job = match service.job(me, id).await {
        Err(ServiceError::NotFound(_)) => bail!("no job {id} to resume in {}", dir.display()),
        other => other?,
    };
    workflow.start(&job).await?;
    Ok(id)
}

/// Runs job `id` to its end: its workflow goes on while the terminal shows
/// progress and asks at each review gate. The job as it ended.
pub(crate) async fn drive(
    service: &Service,
    workflow: &LocalWorkflow,
    me: &Principal,
    id: JobId,
) -> anyhow::Result<Job> {
    let steps = &service.steps;
    let progress = Progress::start(steps.clone(), id, Scope::Job);
    let stdin = std::io::stdin();
    let job = loop {
        let job = steps.jobs.get(id).await?;
        if job.status.is_terminal() {
            break job;
        }
        if job.status == JobStatus::AwaitingApproval {
            progress.pause();
            review::ask(service, me, id, &mut stdin.lock(), &mut std::io::stderr()).await?;
            progress.resume();
            continue;
        }
        if !workflow.is_live(id) {
            // The execution ended without ending the job (the last step
            // records the outcome): look once more, then say so.
            let job = steps.jobs.get(id).await?;
            if job.status.is_terminal() {
                break job;
            }
            bail!(
                "job {id}: its workflow stopped while the job was {}",
                job.status
            );
        }
        tokio::time::sleep(POLL).await;
    };
    progress.finish().await;
    Ok(job)
}

/// Why job `id` did not succeed, as the terminal says it.
pub(crate) fn failure(job: &Job) -> anyhow::Error {
    let id = job.id;
    if job.status == JobStatus::Aborted {
        return anyhow!("job {id} was aborted");
    }
    let error = job.error.clone().unwrap_or_else(|| "unknown error".into());
    let hint = if error.starts_with("Unsuitable") {
        " (validation judged the material unsuitable; --option force=true goes on anyway)"
    } else {
        ""
    };
    anyhow!("job {id} failed: {error}{hint}")
}

async fn write_course(
    steps: &Steps,
    id: JobId,
    out: &std::path::Path,
    exports: &[coursegen_exports::Format],
) -> anyhow::Result<()> {
    let key = format!("jobs/{id}/course.json").parse()?;
    let bytes = steps.artifacts.get(&key).await?.bytes;
    let course: Course = serde_json::from_slice(&bytes)?;
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    std::fs::write(
        out.join("course.json"),
        serde_json::to_string_pretty(&course)? + "\n",
    )?;
    std::fs::write(out.join("course.md"), document::markdown(&course))?;
    std::fs::write(out.join("course.html"), document::html(&course))?;
    let questions = ai_questions::questions(&course).context("cannot export the questions")?;
    std::fs::write(
        out.join("course.questions.json"),
        serde_json::to_string_pretty(&questions)? + "\n",
    )?;
    for file in [
        "course.json",
        "course.md",
        "course.html",
        "course.questions.json",
    ] {
        println!("{}", out.join(file).display());
    }
    let videos = if exports.iter().any(|f| f.carries_videos()) {
        let job = steps.jobs.get(id).await?;
        coursegen_core::videos::finished(steps.artifacts.as_ref(), &job.videos).await?
    } else {
        Vec::new()
    };
    let identifier = format!("coursegen-{id}");
    let extras = coursegen_exports::Extras {
        identifier: &identifier,
        videos: &videos,
        scorm: Default::default(),
    };
    for format in exports {
        crate::export::write(&course, *format, &extras, &out.join(format.file_name()))?;
    }
    Ok(())
}
