//! Every job route against every kind of caller: admin, instructor of the
//! course and of another, TA, student, the owner, a stranger, and no,
//! expired or forged tokens. Requests are built so that a caller who passes
//! the access check gets a harmless answer (a validation error, a conflict),
//! which tells "allowed" apart from 403 and from the 404 a caller gets for a
//! job it may not see.

mod common;

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::Utc;
use coursegen_core::auth::{Principal, Role};
use coursegen_local::dev_auth::{JwtSecret, issue};
use serde_json::{Value, json};
use tower::ServiceExt;

use common::{Api, api, create_body, upload_as};

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
}

async fn seen(
    api: &Api,
    token: Option<&str>,
    method: &str,
    uri: &str,
    body: Option<Value>,
    if_match: bool,
) -> Seen {
    let mut request = Request::builder().method(method).uri(uri);
    if let Some(t) = token {
        request = request.header("authorization", format!("Bearer {t}"));
    }
    if if_match {
        request = request.header("if-match", "\"0\"");
    }
    let request = match body {
        Some(b) => request
            .header("content-type", "application/json")
            .body(Body::from(b.to_string())),
        None => request.body(Body::empty()),
    }
    .unwrap();
    let response = api.router.clone().oneshot(request).await.unwrap();
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

    let forged = token(
        &JwtSecret::from_bytes(b"not the server's secret, but long enough".to_vec()).unwrap(),
        "ada",
        Role::Admin,
        &[],
        0,
    );
    use Seen::*;
    // (caller, token, read, review, abort, create in c1/v1, list)
    let callers: Vec<(&str, Option<String>, [Seen; 5])> = vec![
        (
            "admin",
            Some(admin.clone()),
            [Allowed, Allowed, Allowed, Allowed, Allowed],
        ),
        (
            "instructor of the course",
            Some(token(s, "ines", Role::Instructor, &["c1"], 0)),
            [Allowed, Allowed, Allowed, Allowed, Allowed],
        ),
        (
            "instructor of another course",
            Some(token(s, "ian", Role::Instructor, &["c2"], 0)),
            [Hidden, Hidden, Hidden, Forbidden, Allowed],
        ),
        (
            "TA of the version",
            Some(token(s, "tom", Role::Ta, &["c1/v1"], 0)),
            [Allowed, Allowed, Forbidden, Allowed, Allowed],
        ),
        (
            "student",
            Some(token(s, "stu", Role::Student, &["c1"], 0)),
            [Hidden, Hidden, Hidden, Forbidden, Allowed],
        ),
        (
            "owner",
            Some(token(s, "olivia", Role::Student, &[], 0)),
            [Allowed, Forbidden, Forbidden, Forbidden, Allowed],
        ),
        (
            "stranger",
            Some(token(s, "sam", Role::Student, &[], 0)),
            [Hidden, Hidden, Hidden, Forbidden, Allowed],
        ),
        ("no token", None, [Unauthenticated; 5]),
        (
            "expired token",
            Some(token(s, "ada", Role::Admin, &[], 3)),
            [Unauthenticated; 5],
        ),
        ("bad signature", Some(forged), [Unauthenticated; 5]),
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
    ];
    for (caller, token, rights) in &callers {
        for (right, method, uri, body, if_match) in &routes {
            let expected = rights[*right as usize];
            let got = seen(&api, token.as_deref(), method, uri, body.clone(), *if_match).await;
            assert_eq!(got, expected, "{caller}: {method} {uri}");
        }
    }

    // The job is still where it was: no allowed request changed it.
    let (_, _, after, _) = api.call("GET", &job, Some(&admin), &[], None).await;
    assert_eq!(after["status"], "awaiting_approval");
    assert_eq!(after["stages"][2]["runs"].as_array().unwrap().len(), 1);
}
