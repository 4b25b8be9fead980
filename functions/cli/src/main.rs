//! The `coursegen` command.

mod ai_server;
mod export;
mod generate;
mod jobs;
mod progress;
mod serve;
mod speech;
mod stack;
mod storyboard;
mod token;
mod videos;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// How long work still running when a command ends may take to finish.
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(2);

#[derive(Debug, Parser)]
#[command(
    name = "coursegen",
    version,
    about = "Turn teaching material into a reviewed, structured course"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Where local state lives; shared by every command that reads or writes it.
#[derive(Debug, clap::Args)]
struct DataArgs {
    /// The local data directory (SQLite database, artifacts, token secret).
    #[arg(
        long = "data",
        env = "COURSEGEN_DATA",
        default_value = ".coursegen",
        value_name = "DIR"
    )]
    dir: PathBuf,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Make a course from a transcript or course script, on this machine.
    Generate(generate::GenerateArgs),
    /// Make a course script's videos on this machine: storyboard, image
    /// prompts, a picture per frame, moving clips, narrated videos.
    Storyboard(storyboard::StoryboardArgs),
    /// Render a made course's lesson videos again: every lesson or some,
    /// failed ones, in another voice or resolution.
    Videos(videos::VideosArgs),
    /// Write a finished job's questions as a question bank an LMS imports
    /// (GIFT or Moodle XML).
    Export(export::ExportArgs),
    /// List or inspect jobs in the local data directory.
    Jobs {
        #[command(subcommand)]
        command: jobs::JobsCommand,
    },
    /// Print a signed token for the local API (HS256, the data directory's secret).
    Token(token::TokenArgs),
    /// Serve the HTTP API on this machine.
    Serve(serve::ServeArgs),
    /// Run the reference AI server (segmentation and questions offline).
    AiServer(ai_server::AiServerArgs),
}

/// Warnings (a model reply the engine had to put right, a cache it cannot
/// write) go to stderr; `RUST_LOG=info` or `debug` shows more.
fn init_logging() {
    let level = std::env::var("RUST_LOG")
        .ok()
        .and_then(|l| l.parse().ok())
        .unwrap_or(tracing::level_filters::LevelFilter::WARN);
    tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_target(false)
        .init();
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("coursegen: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Generate(args) => generate::run(args).await,
            Command::Storyboard(args) => storyboard::run(args).await,
            Command::Videos(args) => videos::run(args).await,
            Command::Export(args) => export::run(args).await,
            Command::Jobs { command } => jobs::run(command).await,
            Command::Token(args) => token::run(args),
            Command::Serve(args) => serve::run(args).await,
            Command::AiServer(args) => ai_server::run(args).await,
        }
    });
    // A step still running on its thread when the command ends (a stop
    // asked for mid-step) is not waited for: its execution is saved and
    // resumes at the next start.
    runtime.shutdown_timeout(SHUTDOWN_GRACE);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("coursegen: {e:#}");
            ExitCode::FAILURE
        }
    }
}
