//! `coursegen ai-server`: the reference AI server
//! (`coursegen_engines::ai_server::reference`), reporting to coursegen's
//! webhook.

use std::io::Write;
use std::net::SocketAddr;

use anyhow::{Context, bail};
use coursegen_core::ai_protocol::signature::Secret;
use coursegen_engines::ai_server::reference::{self, Config, Retry, Signing};
use tokio::net::TcpListener;

#[derive(Debug, clap::Args)]
pub struct AiServerArgs {
    /// Where to listen (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8090")]
    addr: SocketAddr,
    /// coursegen's webhook, e.g. http://127.0.0.1:8080/v1/webhooks/ai-server.
    #[arg(long, value_name = "URL")]
    webhook_url: String,
    /// The secret webhooks are signed with (coursegen's COURSEGEN_WEBHOOK_SECRET).
    #[arg(long, env = "COURSEGEN_WEBHOOK_SECRET", hide_env_values = true)]
    secret: String,
    /// Send the secret itself in x-webhook-signature, as the existing
    /// server does, instead of signing.
    #[arg(long, value_parser = ["shared-secret"])]
    compat: Option<String>,
}

pub async fn run(args: AiServerArgs) -> anyhow::Result<()> {
    let Some(secret) = Secret::new(args.secret) else {
        bail!("--secret must not be empty: coursegen refuses unsigned webhooks");
    };
    let url = reqwest::Url::parse(&args.webhook_url)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"));
    if url.is_none() {
        bail!("--webhook-url {:?} is not an http(s) URL", args.webhook_url);
    }
    let signing = match args.compat {
        Some(_) => Signing::SharedSecret(secret),
        None => Signing::Signed(secret),
    };
    let listener = TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("cannot listen on {}", args.addr))?;
    let addr = listener.local_addr()?;
    println!("listening on http://{addr}");
    std::io::stdout().flush()?;
    eprintln!("reporting to {}", args.webhook_url);
    let config = Config {
        webhook_url: args.webhook_url,
        signing,
        retry: Retry::default(),
    };
    reference::serve(listener, config)
        .await
        .context("the AI server failed")
}
