//! What every route reads: the service and how callers are authenticated.

use std::sync::Arc;

use coursegen_core::ids::JobId;
use coursegen_core::service::Service;
use tokio::sync::broadcast;

use crate::auth::Authenticator;

#[derive(Debug, Clone)]
pub struct ApiState {
    pub service: Service,
    pub auth: Arc<dyn Authenticator>,
    /// Announces each committed change of a job (one process, locally);
    /// without it, event streams read the store every second.
    pub changes: Option<broadcast::Sender<JobId>>,
}
