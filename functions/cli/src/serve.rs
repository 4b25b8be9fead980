//! `coursegen serve`: the HTTP API (DESIGN.md §5) on the embedded stack.
//! Unfinished executions resume at start; Ctrl-C (or SIGTERM) stops taking
//! requests, ends event streams and leaves every execution saved, to resume
//! at the next start — within seconds, even with a step running.

use std::io::Write as _;
use std::net::SocketAddr;

use anyhow::Context;
use coursegen_http::router;
use coursegen_http::server::{self, Limits};
use coursegen_local::DataDir;
use coursegen_local::upload_sweep::UploadSweep;
use tokio::net::TcpListener;
use tokio::sync::watch;

use coursegen_core::auth::{Principal, Role};
use coursegen_local::dev_auth::issue;

use crate::DataArgs;
use crate::stack::{Embedded, ai_server, api_state, jwt_secret, webhook_auth};

/// How long the printed sign-in link's session lasts.
const STUDIO_SESSION: chrono::Duration = chrono::Duration::hours(12);

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Where to listen (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Open connections at most (each event stream holds one); past it a
    /// new connection is answered 503.
    #[arg(long, default_value_t = server::MAX_CONNECTIONS, value_parser = clap::value_parser!(u32).range(1..))]
    max_connections: u32,
    /// End each event stream after this many seconds; clients reconnect and
    /// resume where they were. For a proxy in front that buffers whole
    /// answers (as API Gateway does); unset, a stream follows its job to
    /// the end.
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..))]
    stream_window: Option<u64>,
    #[command(flatten)]
    speech: crate::speech::SpeechArgs,
    #[command(flatten)]
    data: DataArgs,
}

/// Ctrl-C, or SIGTERM where there is one.
pub(crate) async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(term) => term,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}

pub async fn run(args: ServeArgs) -> anyhow::Result<()> {
    let data = DataDir::new(&args.data.dir);
    let _lock = data.lock("coursegen serve")?;
    let secret = jwt_secret(&data)?;
    let listener = TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("cannot listen on {}", args.addr))?;
    let addr = listener.local_addr()?;
    // The AI server reads our files through links to this server.
    let transcriber = crate::speech::transcriber(&args.speech)
        .inspect_err(|e| tracing::warn!("recordings go to the AI server only: {e}"))
        .ok();
    let stack = Embedded::open_with(
        &data,
        ai_server(&format!("http://{addr}"), secret.clone())?,
        transcriber,
    )?;
    let resumed = stack.workflow.resume_all().await?;
    // Unused uploads expire as on S3: now, then hourly.
    UploadSweep::from_env(&data, stack.steps.jobs.clone())
        .map_err(anyhow::Error::msg)?
        .spawn();
    let (stop, stopping) = watch::channel(false);
    let mut state = api_state(&stack, secret.clone(), addr, webhook_auth()?, stopping)?;
    state.max_stream = args.stream_window.map(std::time::Duration::from_secs);
    let mut announcement = format!("coursegen API on http://{addr}\n");
    if let Some(studio) = &state.studio {
        // A one-time link for whoever started the server: an admin session.
        let admin = Principal {
            user: "studio-admin".parse().map_err(anyhow::Error::msg)?,
            role: Role::Admin,
            courses: Vec::new(),
        };
        let token = issue(&secret, &admin, chrono::Utc::now(), STUDIO_SESSION);
        let code = studio.sign_ins.offer(token);
        announcement += &format!("coursegen studio on http://{addr}/studio/sign-in/{code}\n");
    }
    // One write, and a reader that stopped reading (`| head -1`) does not
    // stop the server.
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(announcement.as_bytes())
        .and_then(|()| stdout.flush());
    drop(stdout);
    eprintln!(
        "token: coursegen token --sub YOU --data {}   (then send Authorization: Bearer <token>)",
        args.data.dir.display()
    );
    if resumed > 0 {
        eprintln!("resumed {resumed} unfinished job(s)");
    }
    let limits = Limits {
        max_connections: args.max_connections as usize,
        ..Limits::default()
    };
    server::serve(listener, router(state), limits, async move {
        shutdown_signal().await;
        let _ = stop.send(true);
    })
    .await;
    eprintln!("stopped; unfinished jobs resume at the next start");
    Ok(())
}
