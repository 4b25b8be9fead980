//! Signing in and out of the studio: a one-time link, or a pasted token.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

use super::page::{Fields, field, render};
use super::session::{same_origin, set_cookie};
use super::settings::Studio;
use crate::state::ApiState;

#[derive(Template)]
#[template(path = "studio/sign_in.html")]
struct SignInPage<'a> {
    /// Signed in: where the page sends the browser on (a page of our own,
    /// so the SameSite=Strict cookie goes along).
    redirect: Option<&'a str>,
    problem: Option<String>,
    /// Offer the identity provider's hosted login.
    hosted: bool,
}

/// This server's studio; on a server without one, every sign-in route
/// answers that there is none.
fn studio(state: &ApiState) -> Result<&Studio, NoStudio> {
    state.studio.as_ref().ok_or(NoStudio)
}

#[derive(Debug)]
pub(super) struct NoStudio;

impl IntoResponse for NoStudio {
    fn into_response(self) -> Response {
        (StatusCode::NOT_FOUND, "this server has no studio").into_response()
    }
}

pub async fn form(State(state): State<ApiState>) -> Response {
    let studio = match studio(&state) {
        Ok(studio) => studio,
        Err(e) => return e.into_response(),
    };
    let page = SignInPage {
        redirect: None,
        problem: None,
        hosted: studio.hosted_login.is_some(),
    };
    render(StatusCode::OK, &page)
}

/// A session for `token`, and a page that goes on to the jobs.
pub(super) fn signed_in(studio: &Studio, token: &str) -> Response {
    let page = SignInPage {
        redirect: Some("/studio/"),
        problem: None,
        hosted: false,
    };
    let mut response = render(StatusCode::OK, &page);
    if let Ok(cookie) = set_cookie(studio, token).parse() {
        response.headers_mut().insert(SET_COOKIE, cookie);
    }
    response
}

pub(super) fn problem(status: StatusCode, why: impl Into<String>) -> Response {
    let page = SignInPage {
        redirect: None,
        problem: Some(why.into()),
        hosted: false,
    };
    render(status, &page)
}

/// `GET /studio/sign-in/{code}`: the printed link, good once.
pub async fn with_code(State(state): State<ApiState>, Path(code): Path<String>) -> Response {
    let studio = match studio(&state) {
        Ok(studio) => studio,
        Err(e) => return e.into_response(),
    };
    match studio.sign_ins.redeem(&code) {
        Some(token) => signed_in(studio, &token),
        None => problem(
            StatusCode::UNAUTHORIZED,
            "This sign-in link was used already or is not one of this server's. Ask for a new one, or paste a token.",
        ),
    }
}

/// `POST /studio/sign-in`: a pasted token, checked as the API checks it.
pub async fn with_token(
    State(state): State<ApiState>,
    headers: HeaderMap,
    form: Result<Form<Fields>, axum::extract::rejection::FormRejection>,
) -> Response {
    let studio = match studio(&state) {
        Ok(studio) => studio,
        Err(e) => return e.into_response(),
    };
    if let Err(refused) = same_origin(&headers) {
        return refused.into_response();
    }
    let Ok(Form(fields)) = form else {
        return problem(StatusCode::BAD_REQUEST, "Send the token in the form.");
    };
    let token = field(&fields, "token").unwrap_or_default().trim();
    match studio.verifier.verify(token) {
        Ok(_) => signed_in(studio, token),
        Err(e) => problem(StatusCode::UNAUTHORIZED, format!("Not signed in: {e}.")),
    }
}

/// `POST /studio/sign-out`: the cookie is cleared.
pub async fn sign_out(State(state): State<ApiState>, headers: HeaderMap) -> Response {
    let studio = match studio(&state) {
        Ok(studio) => studio,
        Err(e) => return e.into_response(),
    };
    if let Err(refused) = same_origin(&headers) {
        return refused.into_response();
    }
    let mut response = Redirect::to("/studio/sign-in").into_response();
    if let Ok(cookie) = set_cookie(studio, "").parse() {
        response.headers_mut().insert(SET_COOKIE, cookie);
    }
    response
}
