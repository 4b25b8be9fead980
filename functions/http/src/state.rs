//! What every route reads: the service and how callers are authenticated.

use std::sync::Arc;

use coursegen_core::service::Service;

use crate::auth::Authenticator;

#[derive(Debug, Clone)]
pub struct ApiState {
    pub service: Service,
    pub auth: Arc<dyn Authenticator>,
}
