//! `coursegen ai-server`: the reference AI server
//! (`coursegen_engines::ai_server::reference`), reporting to coursegen's
//! webhook.

use std::io::Write;
use std::net::SocketAddr;

use anyhow::{Context, bail};
use coursegen_core::ai_protocol::signature::Secret;
use coursegen_engines::ai_server::AllowedHosts;
use coursegen_engines::ai_server::reference::{self, Config, Signing};
use tokio::net::TcpListener;

#[derive(Debug, clap::Args)]
pub struct AiServerArgs {
    /// Where to listen (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8090")]
    addr: SocketAddr,
    /// coursegen's webhook, e.g. http://127.0.0.1:8080/v1/webhooks/ai-server.
    #[arg(long, value_name = "URL")]
    webhook_url: String,
    /// The secret webhooks are signed with (coursegen's COURSEGEN_WEBHOOK_SECRET);
    /// coursegen's calls must be signed with it too.
    #[arg(long, env = "COURSEGEN_WEBHOOK_SECRET", hide_env_values = true)]
    secret: String,
    /// Another host (or host:port) input files may be fetched from, besides
    /// the webhook URL's host and port; repeatable.
    #[arg(long = "fetch-host", value_name = "HOST[:PORT]")]
    fetch_hosts: Vec<String>,
    /// Send the secret itself in x-webhook-signature, as the existing
    /// server does, instead of signing.
    #[arg(long, value_parser = ["shared-secret"])]
    compat: Option<String>,
    #[command(flatten)]
    speech: crate::speech::SpeechArgs,
}

pub async fn run(args: AiServerArgs) -> anyhow::Result<()> {
    let Some(secret) = Secret::new(args.secret) else {
        bail!("--secret must not be empty: coursegen refuses unsigned webhooks");
    };
    let signing = match args.compat {
        Some(_) => Signing::SharedSecret(secret),
        None => Signing::Signed(secret),
    };
    let mut config = Config::new(&args.webhook_url, signing)
        .map_err(|e| anyhow::anyhow!("--webhook-url: {e}"))?;
    for host in &args.fetch_hosts {
        let more = AllowedHosts::parse(host).map_err(|e| anyhow::anyhow!("--fetch-host: {e}"))?;
        config.fetch_from = config.fetch_from.and(more);
    }
    // Recordings sent for TRANSCRIPTION go to the same engine as generate's.
    config.transcriber = match crate::speech::transcriber(&args.speech) {
        Ok(transcriber) => Some(transcriber),
        Err(why) => {
            eprintln!("recordings cannot be transcribed, only caption files: {why}");
            None
        }
    };
    let listener = TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("cannot listen on {}", args.addr))?;
    let addr = listener.local_addr()?;
    println!("listening on http://{addr}");
    std::io::stdout().flush()?;
    eprintln!(
        "reporting to {}; reading inputs from {}",
        args.webhook_url, config.fetch_from
    );
    reference::serve(listener, config)
        .await
        .context("the AI server failed")
}
