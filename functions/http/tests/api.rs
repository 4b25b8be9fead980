//! The router called in process: authentication, the error envelope, and
//! a job reviewed from upload to course.

use crate::common;

use std::time::Duration;

use axum::http::StatusCode;
use chrono::Utc;
use coursegen_core::auth::{Principal, Role};
use coursegen_local::dev_auth::{JwtSecret, issue};
use serde_json::{Value, json};

use common::{Api, api, create_body, upload, upload_as};

#[tokio::test]
async fn callers_are_authenticated_and_errors_use_the_envelope() {
    let api = api();
    let (status, _, body, _) = api.call("GET", "/v1/jobs", None, &[], None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "unauthenticated");

    let other =
        JwtSecret::from_bytes(b"a different secret, also 32 bytes or more".to_vec()).unwrap();
    let forged = issue(
        &other,
        &Principal {
            user: "eve".parse().unwrap(),
            role: Role::Admin,
            courses: vec![],
        },
        Utc::now(),
        chrono::Duration::hours(1),
    );
    let (status, ..) = api.call("GET", "/v1/jobs", Some(&forged), &[], None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a bad signature");

    let ada = api.token("ada", Role::Admin, &[]);
    let cases: Vec<(&str, &str, Option<Value>, StatusCode, &str)> = vec![
        (
            "GET",
            "/v1/jobs/not-a-job",
            None,
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            "GET",
            "/v1/jobs/01M80BCPTXQ40ATGBAYPAFZA27",
            None,
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            "GET",
            "/v1/jobs/01M80BCPTXQ40ATGBAYPAFZA27/stages/nope",
            None,
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            "GET",
            "/v1/nothing",
            None,
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            "DELETE",
            "/v1/jobs",
            None,
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
        ),
        (
            "POST",
            "/v1/jobs",
            Some(json!({"course": 1})),
            StatusCode::BAD_REQUEST,
            "invalid",
        ),
        (
            "GET",
            "/v1/jobs?limit=many",
            None,
            StatusCode::BAD_REQUEST,
            "invalid",
        ),
        (
            "GET",
            "/v1/jobs?cursor=garbage",
            None,
            StatusCode::BAD_REQUEST,
            "invalid",
        ),
    ];
    for (method, uri, body, expected, code) in cases {
        let (status, _, json, text) = api.call(method, uri, Some(&ada), &[], body).await;
        assert_eq!(status, expected, "{method} {uri}: {text}");
        assert_eq!(json["error"]["code"], code, "{method} {uri}: {text}");
    }

    let key = upload(&api).await;
    let mut body = create_body(&key);
    body["options"] = json!({"bloom": {"remember": 10}});
    let (status, _, json, _) = api
        .call("POST", "/v1/jobs", Some(&ada), &[], Some(body))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(json["error"]["details"]["field"], "options.bloom");
    let (status, _, json, _) = api
        .call(
            "POST",
            "/v1/jobs",
            Some(&ada),
            &[],
            Some(create_body("jobs/someone/else.srt")),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(json["error"]["details"]["field"], "source.upload_key");

    // A topic-only course needs the LLM; the LLM must be configured.
    let topic = json!({
        "course": {"course_id": "c1", "version_id": "v1"},
        "source": {"kind": "topic", "topic": "Rust for Python programmers"},
    });
    let (status, _, json, text) = api
        .call("POST", "/v1/jobs", Some(&ada), &[], Some(topic.clone()))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");
    assert!(
        text.contains("a topic-only course needs an LLM engine"),
        "{text}"
    );
    assert_eq!(json["error"]["details"]["field"], "options.engines.outline");
    let mut with_llm = topic;
    with_llm["options"] = json!({"default_engine": "openai"});
    let (status, _, _, text) = api
        .call("POST", "/v1/jobs", Some(&ada), &[], Some(with_llm))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");
    assert!(text.contains("no LLM is configured here"), "{text}");
}

async fn wait_for(api: &Api, token: &str, id: &str, stage: &str) -> Value {
    for _ in 0..1000 {
        let (_, _, job, _) = api
            .call("GET", &format!("/v1/jobs/{id}"), Some(token), &[], None)
            .await;
        let state = job["stages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["stage"] == stage)
            .cloned()
            .unwrap();
        if state["status"] == "awaiting_approval" || job["status"] == "succeeded" {
            return job;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("{stage} never awaited review");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_job_reviewed_from_upload_to_course() {
    let api = api();
    let tom = api.token("tom", Role::Ta, &["c1/v1"]);
    let sam = api.token("sam", Role::Instructor, &["c2"]);
    let key = upload_as(&api, &tom).await;
    let (status, headers, job, text) = api
        .call("POST", "/v1/jobs", Some(&tom), &[], Some(create_body(&key)))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{text}");
    let id = job["id"].as_str().unwrap().to_owned();
    assert_eq!(headers["location"], format!("/v1/jobs/{id}").as_str());

    let (status, ..) = api
        .call("GET", &format!("/v1/jobs/{id}"), Some(&sam), &[], None)
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "a stranger is told it does not exist"
    );

    let job = wait_for(&api, &tom, &id, "segment").await;
    let version = job["version"].as_u64().unwrap();
    let (status, _, segments, _) = api
        .call(
            "GET",
            &format!("/v1/jobs/{id}/stages/segment/runs/1"),
            Some(&tom),
            &[],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(segments.as_array().is_some_and(|s| !s.is_empty()));

    let output = format!("/v1/jobs/{id}/stages/segment/output");
    let (status, ..) = api
        .call("PUT", &output, Some(&tom), &[], Some(segments.clone()))
        .await;
    assert_eq!(status, StatusCode::PRECONDITION_REQUIRED);
    let stale = format!("\"{}\"", version - 1);
    let (status, ..) = api
        .call(
            "PUT",
            &output,
            Some(&tom),
            &[("if-match", &stale)],
            Some(segments.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED);
    let current = format!("\"{version}\"");
    let (status, headers, _, text) = api
        .call(
            "PUT",
            &output,
            Some(&tom),
            &[("if-match", &current)],
            Some(segments),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert_eq!(headers["etag"], format!("\"{}\"", version + 1).as_str());

    let approve = |stage: &str| format!("/v1/jobs/{id}/stages/{stage}/approve");
    let (status, _, job, text) = api
        .call("POST", &approve("segment"), Some(&tom), &[], None)
        .await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert_eq!(
        job["stages"][2]["approved_run"], 2,
        "the edit, run 2, is approved"
    );
    let (status, _, err, _) = api
        .call("POST", &approve("segment"), Some(&tom), &[], None)
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{err}");

    wait_for(&api, &tom, &id, "outline").await;
    let (status, ..) = api
        .call(
            "POST",
            &approve("outline"),
            Some(&tom),
            &[],
            Some(json!({})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    wait_for(&api, &tom, &id, "questions").await;
    let rerun = format!("/v1/jobs/{id}/stages/questions/rerun");
    let (status, _, err, _) = api
        .call(
            "POST",
            &rerun,
            Some(&tom),
            &[],
            Some(json!({"parameters": {"force": true}})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(err["error"]["details"]["field"], "parameters.force");
    let (status, ..) = api
        .call(
            "POST",
            &rerun,
            Some(&tom),
            &[],
            Some(json!({"parameters": {"question_mix": {"true_false": 1}}})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let job = wait_for(&api, &tom, &id, "questions").await;
    assert_eq!(job["stages"][6]["runs"].as_array().unwrap().len(), 2);
    let (status, ..) = api
        .call(
            "POST",
            &approve("questions"),
            Some(&tom),
            &[],
            Some(json!({"run": 1})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    for _ in 0..500 {
        let (_, _, job, _) = api
            .call("GET", &format!("/v1/jobs/{id}"), Some(&tom), &[], None)
            .await;
        if job["status"] == "succeeded" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let (status, headers, course, _) = api
        .call(
            "GET",
            &format!("/v1/jobs/{id}/course.json"),
            Some(&tom),
            &[],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "application/json");
    let exercises = &course["modules"][0]["lessons"][0]["exercises"];
    assert!(
        exercises
            .as_array()
            .unwrap()
            .iter()
            .any(|q| q["type"] != "true_false"),
        "questions run 1 (the default mix) was approved, not the rerun"
    );
    for (file, kind) in [("course.md", "text/markdown"), ("course.html", "text/html")] {
        let (status, headers, _, text) = api
            .call(
                "GET",
                &format!("/v1/jobs/{id}/{file}"),
                Some(&tom),
                &[],
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(headers["content-type"].to_str().unwrap().starts_with(kind));
        assert!(!text.is_empty());
    }
    // Question banks and packages for an LMS, as downloads; an unknown
    // format is refused.
    for (format, kind, start, name) in [
        ("gift", "text/plain", "// ", "course.gift.txt"),
        ("moodle", "application/xml", "<?xml", "course.moodle.xml"),
        ("scorm12", "application/zip", "PK", "course.scorm12.zip"),
        ("scorm2004", "application/zip", "PK", "course.scorm2004.zip"),
        ("cc13", "application/zip", "PK", "course.imscc"),
    ] {
        let (status, headers, _, text) = api
            .call(
                "GET",
                &format!("/v1/jobs/{id}/exports/{format}"),
                Some(&tom),
                &[],
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(headers["content-type"].to_str().unwrap().starts_with(kind));
        assert_eq!(
            headers["content-disposition"],
            format!("attachment; filename=\"{name}\"")
        );
        assert!(text.starts_with(start), "{text}");
    }
    let (status, _, _, _) = api
        .call(
            "GET",
            &format!("/v1/jobs/{id}/exports/pdf"),
            Some(&tom),
            &[],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A package option it does not know is the client's mistake.
    let (status, _, body, _) = api
        .call(
            "GET",
            &format!("/v1/jobs/{id}/exports/scorm12?sco=both"),
            Some(&tom),
            &[],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    // What a format could not carry, as the API reports it; asking twice
    // makes the package once.
    let notes = format!("/v1/jobs/{id}/exports/cc13/notes");
    let (status, _, report, _) = api.call("GET", &notes, Some(&tom), &[], None).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["format"], "cc13");
    let noted = report["notes"].as_array().unwrap();
    assert!(
        noted.iter().any(|n| n["question"] == "(course)"),
        "the pass mark QTI cannot hold: {report}"
    );
    let (_, _, again, _) = api.call("GET", &notes, Some(&tom), &[], None).await;
    assert_eq!(again, report);
    let prefix = format!("jobs/{id}/exports/").parse().unwrap();
    let kept = api.service.steps.artifacts.list(&prefix).await.unwrap();
    let cartridges = kept
        .iter()
        .filter(|e| e.key.as_str().ends_with("/course.imscc"));
    assert_eq!(
        cartridges.count(),
        1,
        "downloaded once, asked about twice: made once"
    );
    // The questions in the AI server's format: one item per question.
    let (status, _, items, _) = api
        .call(
            "GET",
            &format!("/v1/jobs/{id}/course.questions.json"),
            Some(&tom),
            &[],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let items = items.as_array().unwrap();
    let all: usize = course["modules"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|m| m["lessons"].as_array().unwrap())
        .map(|l| l["exercises"].as_array().unwrap().len())
        .sum::<usize>()
        + course["assessment"]["questions"]
            .as_array()
            .map_or(0, Vec::len);
    assert_eq!(items.len(), all);
    assert!(
        items
            .iter()
            .all(|i| i["segmentId"].is_number() && i["solution"].is_object())
    );
}

#[tokio::test]
async fn uploads_must_be_what_they_declare() {
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;

    let api = api();
    let tom = api.token("tom", Role::Ta, &["c1/v1"]);
    let grant = |body: Value| {
        let api = &api;
        let tom = tom.clone();
        async move {
            api.call("POST", "/v1/uploads", Some(&tom), &[], Some(body))
                .await
        }
    };
    let (status, _, err, _) =
        grant(json!({"kind": "transcript", "format": "srt", "size": 0})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(err["error"]["details"]["field"], "size");
    let (status, _, err, _) =
        grant(json!({"kind": "audio", "format": "mp3", "size": 1u64 << 40})).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{err}");
    let (status, ..) = grant(json!({"kind": "video", "size": 10})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let (status, _, target, _) =
        grant(json!({"kind": "transcript", "format": "srt", "size": 64})).await;
    assert_eq!(status, StatusCode::CREATED);
    let path = target["url"]
        .as_str()
        .unwrap()
        .trim_start_matches("http://localhost")
        .to_owned();
    let put = |path: &str, content_type: &str, body: &'static [u8]| {
        let request = Request::put(path)
            .header("content-type", content_type)
            .body(Body::from(body))
            .unwrap();
        let router = api.router.clone();
        async move { router.oneshot(request).await.unwrap().status() }
    };
    assert_eq!(
        put(
            &path,
            "text/plain",
            b"1\n00:00:01,000 --> 00:00:02,000\nHi.\n"
        )
        .await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
    assert_eq!(
        put(&path, "application/x-subrip", &[b'x'; 65]).await,
        StatusCode::PAYLOAD_TOO_LARGE
    );
    assert_eq!(
        put(
            &path,
            "application/x-subrip",
            b"%PDF-1.7 this is no subtitle file"
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        put(
            "/v1/uploads/forged.token.here",
            "application/x-subrip",
            b"x"
        )
        .await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        put(
            &path,
            "application/x-subrip",
            b"1\n00:00:01,000 --> 00:00:02,000\nHi.\n"
        )
        .await,
        StatusCode::OK
    );

    // A job may only be made from the caller's own upload.
    let admins = upload(&api).await;
    let (status, _, err, _) = api
        .call(
            "POST",
            "/v1/jobs",
            Some(&tom),
            &[],
            Some(create_body(&admins)),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(err["error"]["details"]["field"], "source.upload_key");
    let mine = upload_as(&api, &tom).await;
    let (status, ..) = api
        .call(
            "POST",
            "/v1/jobs",
            Some(&tom),
            &[],
            Some(create_body(&mine)),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
}
