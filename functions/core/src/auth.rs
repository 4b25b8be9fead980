//! Who is calling: the principal that every permission check is made for.
//! Tokens are verified elsewhere (API Gateway's JWT authorizer, or the local
//! HS256 verifier); what they say about the caller ends up here.

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::access::CourseScope;
use crate::ids::UserId;

/// Roles, from most to least powerful. A course manager has the same rights
/// as an instructor, so it reads as one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    #[serde(alias = "manager", alias = "course_manager")]
    Instructor,
    Ta,
    Student,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Instructor => "instructor",
            Role::Ta => "ta",
            Role::Student => "student",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        serde_json::from_value(serde_json::Value::String(s.to_ascii_lowercase()))
            .map_err(|_| format!("unknown role {s:?} (admin, instructor, ta or student)"))
    }
}

/// The authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Principal {
    pub user: UserId,
    pub role: Role,
    /// Where the role applies (instructors and TAs): whole courses or
    /// course versions; empty for admins, whose role applies everywhere.
    #[serde(default)]
    pub courses: Vec<CourseScope>,
}

/// Why a caller is not authenticated (HTTP 401).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("sign in: send Authorization: Bearer <token>")]
    Missing,
    #[error("the token has expired")]
    Expired,
    #[error("the token is not valid: {0}")]
    Invalid(String),
}

/// Checks a bearer token and says whom it is for: the local HS256 tokens,
/// or an identity provider's tokens checked against its published keys.
#[async_trait::async_trait]
pub trait TokenVerifier: Send + Sync + fmt::Debug {
    /// Gets ready to check `token`: a verifier of published keys fetches
    /// the key the token names if it does not have it. Most need nothing.
    async fn prepare(&self, _token: &str) {}

    fn verify(&self, token: &str) -> Result<Principal, AuthError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_parse_with_aliases() {
        assert_eq!("admin".parse(), Ok(Role::Admin));
        assert_eq!("Course_Manager".parse(), Ok(Role::Instructor));
        assert_eq!("TA".parse(), Ok(Role::Ta));
        assert!("root".parse::<Role>().is_err());
    }
}
