//! What every route reads: the service and how callers are authenticated.

use std::sync::Arc;
use std::time::Duration;

use coursegen_core::ports::{Committed, FileLinks, Uploads};
use coursegen_core::service::Service;
use tokio::sync::{broadcast, watch};

use crate::auth::Authenticator;
use crate::webhook::Webhooks;

#[derive(Debug, Clone)]
pub struct ApiState {
    pub service: Service,
    pub auth: Arc<dyn Authenticator>,
    /// Makes upload URLs (and, locally, checks them when the bytes come).
    pub uploads: Arc<dyn Uploads>,
    /// Announces each committed write of a job (one process, locally);
    /// without it, event streams read the store every second.
    pub changes: Option<broadcast::Sender<Committed>>,
    /// Becomes true when the server is shutting down: event streams end
    /// then (clients reconnect elsewhere or later with Last-Event-ID).
    pub stopping: watch::Receiver<bool>,
    /// How long one event stream may last before it ends and the client
    /// reconnects with Last-Event-ID (a Lambda must answer within 15
    /// minutes); `None` to follow a job for as long as it runs.
    pub max_stream: Option<Duration>,
    /// The AI server's webhook: its secret, delivery log and file fetcher;
    /// `None` where webhooks go elsewhere (every delivery refused).
    pub webhooks: Option<Webhooks>,
    /// Where large files (lesson videos) are downloaded from instead of
    /// through us: pre-signed S3 URLs on AWS, where a Lambda answers at
    /// most 6 MB; `None` locally, where they are served here.
    pub downloads: Option<Arc<dyn FileLinks>>,
    /// The review studio's sessions; `None` serves no studio.
    pub studio: Option<crate::studio::settings::Studio>,
}

/// A `stopping` that never fires, for servers without a shutdown signal.
pub fn never_stopping() -> watch::Receiver<bool> {
    watch::channel(false).1
}
