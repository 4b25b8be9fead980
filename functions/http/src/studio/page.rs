//! What every studio page shares: the frame around it (who is signed in,
//! the course's language and direction), drawing a template into a
//! response, and errors as pages.

use askama::Template;
use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use coursegen_core::auth::{Principal, Role};
use coursegen_core::service::ServiceError;

use crate::error::ApiError;

/// The frame of a page: its title, who is signed in and what they may do,
/// and the language and direction of what it shows.
#[derive(Debug, Clone)]
pub(super) struct Chrome {
    pub title: String,
    pub user: String,
    pub role: Role,
    pub lang: String,
    pub rtl: bool,
}

impl Chrome {
    pub fn new(who: &Principal, title: impl Into<String>) -> Self {
        Chrome {
            title: title.into(),
            user: who.user.to_string(),
            role: who.role,
            lang: "en".into(),
            rtl: false,
        }
    }

    /// The same frame for material in `lang` (right to left for Arabic,
    /// Hebrew, Persian, Urdu and their kin).
    pub fn in_language(mut self, lang: Option<&str>) -> Self {
        if let Some(lang) = lang.filter(|l| !l.is_empty()) {
            self.rtl = coursegen_core::course::right_to_left(lang);
            self.lang = lang.to_owned();
        }
        self
    }

    /// Whether the user may start jobs (students may not).
    pub fn can_create(&self) -> bool {
        self.role != Role::Student
    }

    pub fn dir(&self) -> &'static str {
        if self.rtl { "rtl" } else { "ltr" }
    }
}

/// `template` drawn as an HTML response with `status`.
pub(super) fn render(status: StatusCode, template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => (
            status,
            [
                (CONTENT_TYPE, "text/html; charset=utf-8"),
                (CACHE_CONTROL, "no-store"),
            ],
            html,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "a studio page could not be drawn");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "this page could not be drawn; the server's log says why",
            )
                .into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "studio/error.html")]
struct ErrorPage<'a> {
    page: Chrome,
    status: u16,
    message: &'a str,
}

/// An error as a page: what went wrong, with the status the API gives it,
/// framed for whoever asked (boxed: results stay small).
#[derive(Debug)]
pub(super) struct PageError(Box<(Chrome, ApiError)>);

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (chrome, error) = *self.0;
        let page = ErrorPage {
            page: Chrome {
                title: "Not done".into(),
                ..chrome
            },
            status: error.status.as_u16(),
            message: &error.message,
        };
        render(error.status, &page)
    }
}

/// Turns errors into pages framed for `who`.
pub(super) fn failed(who: &Principal) -> impl Fn(ServiceError) -> PageError + '_ {
    move |e| refused(who, ApiError::from(e))
}

/// An error the caller made in a form, as a page.
pub(super) fn refused(who: &Principal, error: ApiError) -> PageError {
    PageError(Box::new((Chrome::new(who, ""), error)))
}

/// Percent-encodes a query value (all but unreserved characters).
pub(super) fn query_escape(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A form's fields, in order (repeated names kept): what studio forms post.
pub(super) type Fields = Vec<(String, String)>;

/// The first value of field `name`.
pub(super) fn field<'a>(fields: &'a Fields, name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// The job version a form was filled in on (its hidden `version` field).
pub(super) fn version(fields: &Fields) -> Result<u64, ApiError> {
    field(fields, "version")
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| ApiError::invalid("version", "the form lost the version it was made on"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use coursegen_core::ids::UserId;

    #[test]
    fn arabic_material_is_drawn_right_to_left() {
        let who = Principal {
            user: "u".parse::<UserId>().unwrap(),
            role: Role::Admin,
            courses: vec![],
        };
        let chrome = Chrome::new(&who, "t");
        assert_eq!(chrome.clone().in_language(Some("ar-EG")).dir(), "rtl");
        assert_eq!(chrome.clone().in_language(Some("en")).dir(), "ltr");
        assert_eq!(chrome.in_language(None).lang, "en");
    }
}
