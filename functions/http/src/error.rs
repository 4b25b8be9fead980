//! The error envelope every route answers with: `{"error": {"code",
//! "message", "details"}}` and the status DESIGN.md §5 gives each kind.
//! Whatever a client sends, it gets one of these, never a panic or a 500
//! for its own mistake.

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use coursegen_core::auth::AuthError;
use coursegen_core::service::ServiceError;
use serde_json::{Value, json};

#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub details: Value,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            details: Value::Null,
        }
    }

    /// 400 naming the field at fault.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        ApiError {
            details: json!({"field": field}),
            ..ApiError::new(StatusCode::BAD_REQUEST, "invalid", message)
        }
    }

    pub fn not_found(what: impl Into<String>) -> Self {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", what)
    }

    /// The same error naming field `to` where it named `from`: for routes
    /// whose body calls a field otherwise than the service does.
    pub fn renamed_field(mut self, from: &str, to: &str) -> Self {
        if self.details["field"] == from {
            self.details["field"] = json!(to);
        }
        self
    }
}

impl ApiError {
    /// The envelope this error answers with.
    pub fn body(&self) -> Value {
        json!({"error": {"code": self.code, "message": self.message, "details": self.details}})
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body())).into_response()
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        let message = e.to_string();
        match e {
            ServiceError::NotFound(_) => ApiError::not_found(message),
            ServiceError::Forbidden(_) => {
                ApiError::new(StatusCode::FORBIDDEN, "forbidden", message)
            }
            ServiceError::Invalid(v) => ApiError::invalid(&v.field, v.message),
            ServiceError::Conflict(_) => ApiError::new(StatusCode::CONFLICT, "conflict", message),
            ServiceError::TooLarge { limit, .. } => ApiError {
                details: json!({"limit": limit}),
                ..ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", message)
            },
            ServiceError::QuotaExceeded(_) => {
                ApiError::new(StatusCode::TOO_MANY_REQUESTS, "quota_exceeded", message)
            }
            ServiceError::VersionMismatch { actual, .. } => ApiError {
                details: json!({"version": actual}),
                ..ApiError::new(StatusCode::PRECONDITION_FAILED, "version_mismatch", message)
            },
            ServiceError::Unavailable(_) => {
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", message)
            }
            ServiceError::Internal(_) => {
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", message)
            }
        }
    }
}

impl From<AuthError> for ApiError {
    fn from(e: AuthError) -> Self {
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthenticated", e.to_string())
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        match r {
            JsonRejection::MissingJsonContentType(_) => ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send the body as application/json",
            ),
            JsonRejection::JsonDataError(e) => {
                // serde_path_to_error puts the path first: "a.b: message".
                let text = e.body_text();
                let field = text
                    .strip_prefix("Failed to deserialize the JSON body into the target type: ")
                    .and_then(|rest| rest.split_once(": ").map(|(path, _)| path.to_owned()))
                    .unwrap_or_default();
                ApiError::invalid(&field, text)
            }
            // A body over the route's limit is too large, not malformed.
            other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                other.body_text(),
            ),
            other => ApiError::invalid("", other.body_text()),
        }
    }
}

impl From<PathRejection> for ApiError {
    fn from(r: PathRejection) -> Self {
        // A path that names nothing (a malformed id, an unknown stage) is
        // a thing that does not exist.
        ApiError::not_found(r.body_text())
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        ApiError::invalid("query", r.body_text())
    }
}
