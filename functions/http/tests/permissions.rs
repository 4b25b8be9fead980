//! Every job route against every kind of caller: admin, instructor of the
//! course and of another, TA, student, the owner, a stranger, and no,
//! expired or forged tokens. Requests are built so that a caller who passes
//! the access check gets a harmless answer (a validation error, a conflict),
//! which tells "allowed" apart from 403 and from the 404 a caller gets for a
//! job it may not see. The table runs twice: with local bearer tokens, and
//! as on AWS, with the claims API Gateway's JWT authorizer verified.

use crate::common;

use std::time::Duration;

use axum::http::StatusCode;
use chrono::Utc;
use coursegen_core::auth::{Principal, Role};
use coursegen_local::dev_auth::{JwtSecret, issue};
use serde_json::{Value, json};
use tower::ServiceExt;

use common::{Api, api, bearer_request, create_body, gateway_request, upload_as};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Seen {
    /// Past the access check.
    Allowed,
    Forbidden,
    /// 404 "no such job": as if it did not exist.
    Hidden,
    Unauthenticated,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Right {
    Read,
    Review,
    Abort,
    Create,
    List,
    /// Ask for an upload: only those who may create a job somewhere.
    Upload,
}

/// Who calls, and how they show it.
#[derive(Debug, Clone, Copy)]
enum Credential {
    /// A caller with a role: a local token, or verified claims on AWS.
    As(&'static str, Role, &'static [&'static str]),
    Nothing,
    /// Local tokens only: API Gateway refuses these before we run.
    Expired,
    Forged,
    /// Verified claims that name nobody.
    NoSubject,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Local,
    Gateway,
}

impl Credential {
    fn applies_to(self, mode: Mode) -> bool {
        match self {
            Credential::Expired | Credential::Forged => mode == Mode::Local,
            Credential::NoSubject => mode == Mode::Gateway,
            Credential::As(..) | Credential::Nothing => true,
        }
    }

    fn token(self, secret: &JwtSecret) -> Option<String> {
        let forged = || JwtSecret::from_bytes(b"not the server's secret, but long enough".to_vec());
        match self {
            Credential::As(user, role, courses) => Some(token(secret, user, role, courses, 0)),
            Credential::Expired => Some(token(secret, "ada", Role::Admin, &[], 3)),
            Credential::Forged => Some(token(&forged().unwrap(), "ada", Role::Admin, &[], 0)),
            Credential::Nothing | Credential::NoSubject => None,
        }
    }

    /// As API Gateway hands claims over: strings, lists as `[a b]`.
    fn claims(self) -> Option<Value> {
        match self {
            Credential::As(user, role, courses) => Some(json!({
                "sub": user, "role": role.as_str(), "courses": format!("[{}]", courses.join(" ")),
                "iss": "https://issuer.example.com", "aud": "coursegen",
            })),
            Credential::NoSubject => Some(json!({"role": "admin"})),
            _ => None,
        }
    }
}

async fn seen(
    api: &Api,
    mode: Mode,
    who: Credential,
    method: &str,
    uri: &str,
    body: Option<Value>,
    if_match: bool,
) -> Seen {
    let headers: &[(&str, &str)] = if if_match {
        &[("if-match", "\"0\"")]
    } else {
        &[]
    };
    let (router, request) = match mode {
        Mode::Local => {
            let token = who.token(&api.secret);
            let request = bearer_request(method, uri, token.as_deref(), headers, body);
            (&api.router, request)
        }
        Mode::Gateway => {
            let claims = who.claims();
            let request = gateway_request(method, uri, claims.as_ref(), headers, body);
            (&api.gateway, request)
        }
    };
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    if status == StatusCode::OK && uri.ends_with("/events") {
        return Seen::Allowed; // a live stream: do not read it
    }
    let bytes = http_body_util::BodyExt::collect(response.into_body())
        .await
        .unwrap()
        .to_bytes();
    let json: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    match status {
        StatusCode::UNAUTHORIZED => Seen::Unauthenticated,
        StatusCode::FORBIDDEN => Seen::Forbidden,
        StatusCode::NOT_FOUND if json["error"]["message"] == "no such job" => Seen::Hidden,
        s if s.is_server_error() => panic!("{method} {uri}: {s} {json}"),
        _ => Seen::Allowed,
    }
}

fn token(secret: &JwtSecret, user: &str, role: Role, courses: &[&str], age_hours: i64) -> String {
    let who = Principal {
        user: user.parse().unwrap(),
        role,
        courses: courses.iter().map(|c| c.parse().unwrap()).collect(),
    };
    issue(
        secret,
        &who,
        Utc::now() - chrono::Duration::hours(age_hours),
        chrono::Duration::hours(1),
    )
}

async fn wait_for_review(api: &Api, admin: &str, id: &str) {
    for _ in 0..1000 {
        let (_, _, job, _) = api
            .call("GET", &format!("/v1/jobs/{id}"), Some(admin), &[], None)
            .await;
        if job["status"] == "awaiting_approval" {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the job never awaited review");
}

#[tokio::test(flavor = "multi_thread")]
async fn every_route_for_every_caller() {
    let api = api();
    let s = &api.secret;
    let admin = token(s, "ada", Role::Admin, &[], 0);
    // The owner makes two jobs as a TA of the course version; one of them
    // is then aborted, so abort requests meet a harmless conflict.
    let olivia_ta = token(s, "olivia", Role::Ta, &["c1/v1"], 0);
    let mut ids = Vec::new();
    for _ in 0..2 {
        let key = upload_as(&api, &olivia_ta).await;
        let (status, _, job, _) = api
            .call(
                "POST",
                "/v1/jobs",
                Some(&olivia_ta),
                &[],
                Some(create_body(&key)),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
        ids.push(job["id"].as_str().unwrap().to_owned());
    }
    let (live, ended) = (&ids[0], &ids[1]);
    wait_for_review(&api, &admin, live).await;
    let (status, ..) = api
        .call(
            "POST",
            &format!("/v1/jobs/{ended}/abort"),
            Some(&admin),
            &[],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    use Credential::{As, Expired, Forged, NoSubject, Nothing};
    use Seen::*;
    // (caller, credential, read, review, abort, create in c1/v1, list, upload)
    let callers: Vec<(&str, Credential, [Seen; 6])> = vec![
        (
            "admin",
            As("ada", Role::Admin, &[]),
            [Allowed, Allowed, Allowed, Allowed, Allowed, Allowed],
        ),
        (
            "instructor of the course",
            As("ines", Role::Instructor, &["c1"]),
            [Allowed, Allowed, Allowed, Allowed, Allowed, Allowed],
        ),
        (
            "instructor of another course",
            As("ian", Role::Instructor, &["c2"]),
            [Hidden, Hidden, Hidden, Forbidden, Allowed, Allowed],
        ),
        (
            "TA of the version",
            As("tom", Role::Ta, &["c1/v1"]),
            [Allowed, Allowed, Forbidden, Allowed, Allowed, Allowed],
        ),
        (
            "student",
            As("stu", Role::Student, &["c1"]),
            [Hidden, Hidden, Hidden, Forbidden, Allowed, Forbidden],
        ),
        (
            "owner",
            As("olivia", Role::Student, &[]),
            [Allowed, Forbidden, Forbidden, Forbidden, Allowed, Forbidden],
        ),
        (
            "stranger",
            As("sam", Role::Student, &[]),
            [Hidden, Hidden, Hidden, Forbidden, Allowed, Forbidden],
        ),
        ("no token", Nothing, [Unauthenticated; 6]),
        ("expired token", Expired, [Unauthenticated; 6]),
        ("bad signature", Forged, [Unauthenticated; 6]),
        ("claims without a subject", NoSubject, [Unauthenticated; 6]),
    ];
    let job = format!("/v1/jobs/{live}");
    let routes: Vec<(Right, &str, String, Option<Value>, bool)> = vec![
        (Right::Read, "GET", job.clone(), None, false),
        (
            Right::Read,
            "GET",
            format!("{job}/stages/segment"),
            None,
            false,
        ),
        (
            Right::Read,
            "GET",
            format!("{job}/stages/segment/runs/1"),
            None,
            false,
        ),
        (Right::Read, "GET", format!("{job}/events"), None, false),
        (
            Right::Read,
            "GET",
            format!("{job}/course.json"),
            None,
            false,
        ),
        (Right::Read, "GET", format!("{job}/course.md"), None, false),
        (
            Right::Read,
            "GET",
            format!("{job}/exports/moodle"),
            None,
            false,
        ),
        (
            Right::Read,
            "GET",
            format!("{job}/exports/cc13/notes"),
            None,
            false,
        ),
        (
            Right::Read,
            "GET",
            format!("{job}/course.html"),
            None,
            false,
        ),
        (
            Right::Review,
            "PUT",
            format!("{job}/stages/segment/output"),
            Some(json!([])),
            true,
        ),
        (
            Right::Review,
            "POST",
            format!("{job}/stages/segment/approve"),
            Some(json!({"run": 99})),
            false,
        ),
        (
            Right::Review,
            "POST",
            format!("{job}/stages/segment/rerun"),
            Some(json!({"parameters": {"force": true}})),
            false,
        ),
        (
            Right::Abort,
            "POST",
            format!("/v1/jobs/{ended}/abort"),
            None,
            false,
        ),
        (
            Right::Create,
            "POST",
            "/v1/jobs".into(),
            Some(create_body("uploads/u-00/x/source.srt")),
            false,
        ),
        (Right::List, "GET", "/v1/jobs".into(), None, false),
        (
            Right::Upload,
            "POST",
            "/v1/uploads".into(),
            Some(json!({"kind": "transcript", "format": "srt", "size": 10})),
            false,
        ),
    ];
    for mode in [Mode::Local, Mode::Gateway] {
        for (caller, who, rights) in &callers {
            if !who.applies_to(mode) {
                continue;
            }
            for (right, method, uri, body, if_match) in &routes {
                let expected = rights[*right as usize];
                let got = seen(&api, mode, *who, method, uri, body.clone(), *if_match).await;
                assert_eq!(got, expected, "{mode:?}, {caller}: {method} {uri}");
            }
        }
    }

    // The job is still where it was: no allowed request changed it.
    let (_, _, after, _) = api.call("GET", &job, Some(&admin), &[], None).await;
    assert_eq!(after["status"], "awaiting_approval");
    assert_eq!(after["stages"][2]["runs"].as_array().unwrap().len(), 1);
}
