//! Callers on AWS: API Gateway's JWT authorizer has already checked the
//! token's signature, issuer, audience and expiry before the Lambda runs,
//! and `lambda_http` puts the claims it verified in the request context.
//! This authenticator only reads them.
//!
//! Claims (HTTP APIs hand every claim over as a string; a list arrives as
//! `[a b c]`, and a comma-separated list is accepted too):
//! - `sub`: the user;
//! - `role` or `custom:role` (a Cognito custom attribute); without either,
//!   the most powerful of the `cognito:groups` that names a role; without
//!   any of these, student — the role with no rights beyond one's own jobs;
//! - `courses` or `custom:courses`: the course scopes (`c1`, `c1/v2`).

use std::collections::HashMap;

use axum::http::request::Parts;
use coursegen_core::access::CourseScope;
use coursegen_core::auth::{AuthError, Principal, Role};
use lambda_http::request::RequestContext;

use crate::auth::Authenticator;

#[derive(Debug, Clone, Copy, Default)]
pub struct GatewayClaims;

impl Authenticator for GatewayClaims {
    fn authenticate(&self, request: &Parts) -> Result<Principal, AuthError> {
        let claims = match request.extensions.get::<RequestContext>() {
            Some(RequestContext::ApiGatewayV2(context)) => context
                .authorizer
                .as_ref()
                .and_then(|a| a.jwt.as_ref())
                .map(|jwt| &jwt.claims),
            _ => None,
        };
        // A route outside the authorizer, or another kind of event.
        principal(claims.ok_or(AuthError::Missing)?)
    }
}

/// The caller the verified claims describe.
pub fn principal(claims: &HashMap<String, String>) -> Result<Principal, AuthError> {
    let invalid = |why: String| AuthError::Invalid(why);
    let claim = |names: &[&str]| names.iter().find_map(|n| claims.get(*n));
    let user = claims
        .get("sub")
        .ok_or_else(|| invalid("the token names no subject (sub)".into()))?
        .parse()
        .map_err(|e| invalid(format!("sub: {e}")))?;
    let role = match claim(&["role", "custom:role"]) {
        Some(role) => role
            .trim()
            .parse()
            .map_err(|e| invalid(format!("role: {e}")))?,
        None => claims
            .get("cognito:groups")
            .map(|groups| list(groups).filter_map(|g| g.parse::<Role>().ok()))
            .and_then(|roles| roles.min_by_key(|r| *r as u8))
            .unwrap_or(Role::Student),
    };
    let courses = claim(&["courses", "custom:courses"])
        .map(|courses| {
            list(courses)
                .map(str::parse::<CourseScope>)
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()
        .map_err(|e| invalid(format!("courses: {e}")))?
        .unwrap_or_default();
    Ok(Principal {
        user,
        role,
        courses,
    })
}

/// The items of a list claim: `[a b]`, `a,b` or a single `a`.
fn list(value: &str) -> impl Iterator<Item = &str> {
    let value = value.trim();
    let inner = value
        .strip_prefix('[')
        .and_then(|v| v.strip_suffix(']'))
        .unwrap_or(value);
    inner
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|item| !item.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn role_and_courses_come_from_the_claims_in_any_list_form() {
        let who = principal(&claims(&[
            ("sub", "ines"),
            ("role", "instructor"),
            ("courses", "[c1 c2/v3]"),
        ]))
        .unwrap();
        assert_eq!(who.user.to_string(), "ines");
        assert_eq!(who.role, Role::Instructor);
        let scopes: Vec<String> = who.courses.iter().map(ToString::to_string).collect();
        assert_eq!(scopes, ["c1", "c2/v3"]);

        let cognito = principal(&claims(&[
            ("sub", "5f1c2a9e-0d7b-4c1e-9a57-3f0e2b8d6c41"),
            ("cognito:groups", "[staff ta instructor]"),
            ("custom:courses", "c1, c2"),
        ]))
        .unwrap();
        assert_eq!(cognito.role, Role::Instructor, "the most powerful group");
        assert_eq!(cognito.courses.len(), 2);
    }

    #[test]
    fn no_role_means_student_and_bad_claims_are_refused() {
        let plain = principal(&claims(&[("sub", "stu")])).unwrap();
        assert_eq!((plain.role, plain.courses.len()), (Role::Student, 0));
        for bad in [
            claims(&[("role", "admin")]),
            claims(&[("sub", "a#b")]),
            claims(&[("sub", "x"), ("role", "root")]),
            claims(&[("sub", "x"), ("courses", "[c1 /v2]")]),
        ] {
            assert!(
                matches!(principal(&bad), Err(AuthError::Invalid(_))),
                "{bad:?}"
            );
        }
    }
}
