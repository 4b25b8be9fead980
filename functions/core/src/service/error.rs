//! The service's errors, one per answer a caller can act on; the HTTP API
//! maps each to its status (DESIGN.md §5).

use crate::access::Denied;
use crate::lifecycle::TransitionError;
use crate::ports::{ArtifactError, StoreError, WorkflowError};
use crate::validation::ValidationError;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ServiceError {
    /// 404: no such thing, or nothing the caller may see.
    #[error("{0}")]
    NotFound(String),
    /// 403: the caller may see it but not do this.
    #[error("{0}")]
    Forbidden(String),
    /// 400: the request's own data is wrong; names the field.
    #[error(transparent)]
    Invalid(ValidationError),
    /// 409: not allowed in the job's current state.
    #[error("{0}")]
    Conflict(String),
    /// 413: more bytes than the store takes.
    #[error("{size} bytes is more than the limit of {limit}")]
    TooLarge { size: u64, limit: u64 },
    /// 429: the caller keeps as many uploads as its quota allows.
    #[error("upload quota reached: {0}")]
    QuotaExceeded(String),
    /// 412: the job changed since the caller read it.
    #[error("the job is at version {actual}, not {expected}; read it again")]
    VersionMismatch { expected: u64, actual: u64 },
    /// 503: worth retrying later.
    #[error("{0}")]
    Unavailable(String),
    /// 500: our fault, not the caller's (stored data that does not read back).
    #[error("{0}")]
    Internal(String),
}

impl From<Denied> for ServiceError {
    fn from(d: Denied) -> Self {
        match d {
            Denied::NotFound => ServiceError::NotFound("no such job".into()),
            Denied::Forbidden => ServiceError::Forbidden(d.to_string()),
        }
    }
}

impl From<ValidationError> for ServiceError {
    fn from(e: ValidationError) -> Self {
        ServiceError::Invalid(e)
    }
}

impl From<TransitionError> for ServiceError {
    fn from(e: TransitionError) -> Self {
        match e {
            TransitionError::Conflict { .. } => ServiceError::Conflict(e.to_string()),
            TransitionError::UnknownRun { .. } => ServiceError::NotFound(e.to_string()),
            TransitionError::Invalid(v) => ServiceError::Invalid(v),
        }
    }
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            // Jobs are the only records callers name; say it the one way a
            // stranger is told too.
            StoreError::NotFound(_) => ServiceError::NotFound("no such job".into()),
            StoreError::AlreadyExists(_) => ServiceError::Conflict(e.to_string()),
            StoreError::InvalidCursor => {
                ServiceError::Invalid(ValidationError::new("cursor", e.to_string()))
            }
            StoreError::VersionConflict {
                expected, actual, ..
            } => ServiceError::VersionMismatch { expected, actual },
            StoreError::Unavailable(_) => ServiceError::Unavailable(e.to_string()),
            StoreError::Corrupt(_) => ServiceError::Internal(e.to_string()),
        }
    }
}

impl From<ArtifactError> for ServiceError {
    fn from(e: ArtifactError) -> Self {
        match e {
            ArtifactError::NotFound(_) => ServiceError::NotFound(e.to_string()),
            ArtifactError::TooLarge { size, limit } => ServiceError::TooLarge { size, limit },
            ArtifactError::InvalidContentType(_) => {
                ServiceError::Invalid(ValidationError::new("body", e.to_string()))
            }
            ArtifactError::Unavailable(_) => ServiceError::Unavailable(e.to_string()),
        }
    }
}

impl From<WorkflowError> for ServiceError {
    fn from(e: WorkflowError) -> Self {
        match e {
            WorkflowError::Rejected(_) => ServiceError::Internal(e.to_string()),
            _ => ServiceError::Unavailable(e.to_string()),
        }
    }
}
