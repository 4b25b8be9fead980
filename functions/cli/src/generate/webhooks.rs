//! With `--engine ai-server`, `generate` listens for the AI server: its
//! webhooks, and its reads of our inputs through signed links.

use std::net::SocketAddr;

use anyhow::{Context, bail};
use coursegen_core::ai_protocol::signature::WebhookAuth;
use coursegen_http::router;
use coursegen_http::server::{self, Limits};
use coursegen_http::state::never_stopping;
use coursegen_local::DataDir;
use tokio::net::TcpListener;

use crate::stack::{Embedded, ai_server, api_state, jwt_secret, webhook_auth};

/// The embedded stack sending work to `$COURSEGEN_AI_SERVER_URL`, with a
/// listener on `addr` serving until the command ends.
pub async fn open(data: &DataDir, addr: SocketAddr) -> anyhow::Result<Embedded> {
    let auth = webhook_auth()?;
    if auth == WebhookAuth::Closed {
        bail!(
            "--engine ai-server needs COURSEGEN_WEBHOOK_SECRET: the secret the AI server signs its webhooks with"
        );
    }
    let secret = jwt_secret(data)?;
    let listener = TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen for the AI server on {addr} (--webhook-addr)"))?;
    let addr = listener.local_addr()?;
    let Some(server) = ai_server(&format!("http://{addr}"), secret.clone())? else {
        bail!(
            "--engine ai-server needs COURSEGEN_AI_SERVER_URL: the AI server's base URL (e.g. one `coursegen ai-server` runs)"
        );
    };
    let stack = Embedded::open_with(data, Some(server), None)?;
    let state = api_state(&stack, secret, addr, auth, never_stopping())?;
    tokio::spawn(server::serve(
        listener,
        router(state),
        Limits::default(),
        std::future::pending(),
    ));
    eprintln!("taking the AI server's webhooks at http://{addr}/v1/webhooks/ai-server");
    Ok(stack)
}
