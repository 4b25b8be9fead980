//! The studio's sessions and safety, in process: sign-in links work once
//! and set a cookie scripts and other sites cannot use; pages need a
//! session; posts need our Origin, and a student's are refused; the REST
//! routes read with the cookie but never change anything with it; a stale
//! edit gets a conflict page, not an overwrite.

use crate::common;

use std::sync::Arc;

use axum::http::StatusCode;
use coursegen_core::auth::{Principal, Role};

use coursegen_core::stage::Stage;
use coursegen_core::upload::{AudioFormat, UploadRequest};
use serde_json::json;

use common::{Api, Transcript, Worker, api, api_with_ai, create_job, post_signed, sent};

const HOST: &str = "studio.test";
const ORIGIN: &str = "http://studio.test";

/// A session cookie for `token`, as the sign-in form sets it.
async fn session(api: &Api, token: &str) -> String {
    let response = sign_in(api, &format!("token={token}")).await;
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = response.headers()["set-cookie"].to_str().unwrap();
    cookie.split(';').next().unwrap().to_owned()
}

/// The sign-in form posted with `form`.
async fn sign_in(api: &Api, form: &str) -> axum::response::Response {
    let request = axum::http::Request::builder()
        .method("POST")
        .uri("/studio/sign-in")
        .header("host", HOST)
        .header("origin", ORIGIN)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(axum::body::Body::from(form.to_owned()))
        .unwrap();
    tower::ServiceExt::oneshot(api.router.clone(), request)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_sign_in_link_works_once_and_sets_a_strict_http_only_cookie() {
    let api = api();
    let token = api.token("ada", Role::Admin, &[]);
    let code = api.sign_ins.offer(token);
    let link = format!("/studio/sign-in/{code}");
    let (status, headers, _, page) = api.call("GET", &link, None, &[], None).await;
    assert_eq!(status, StatusCode::OK);
    let cookie = headers["set-cookie"].to_str().unwrap();
    for part in [
        "coursegen_session=",
        "HttpOnly",
        "SameSite=Strict",
        "Path=/",
    ] {
        assert!(cookie.contains(part), "{cookie}");
    }
    assert!(
        page.contains("url=/studio/"),
        "the page goes on to the jobs"
    );
    let (again, headers, _, _) = api.call("GET", &link, None, &[], None).await;
    assert_eq!(again, StatusCode::UNAUTHORIZED);
    assert!(headers.get("set-cookie").is_none());
    let (status, _, _, _) = api
        .call("GET", "/studio/sign-in/not-a-code", None, &[], None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn pages_need_a_session_and_a_bad_token_signs_nobody_in() {
    let api = api();
    let (status, headers, _, _) = api.call("GET", "/studio/", None, &[], None).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers["location"], "/studio/sign-in");
    let bogus = sign_in(&api, "token=nonsense").await;
    assert_eq!(bogus.status(), StatusCode::UNAUTHORIZED);
    assert!(bogus.headers().get("set-cookie").is_none());
    let cookie = session(&api, &api.token("ada", Role::Admin, &[])).await;
    let (status, headers, _, page) = api
        .call("GET", "/studio/", None, &[("cookie", &cookie)], None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "text/html; charset=utf-8");
    assert!(page.contains("New job"));
    let (status, _, _, page) = api
        .call(
            "GET",
            "/studio/?course=Not%20A%20Course!",
            None,
            &[("cookie", &cookie)],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{page}");
}

/// A form post from the studio (our Host and Origin) with `cookie`.
async fn post(
    api: &Api,
    uri: &str,
    cookie: &str,
    origin: &str,
    form: &str,
) -> (StatusCode, String) {
    let request = axum::http::Request::builder()
        .method("POST")
        .uri(uri)
        .header("host", HOST)
        .header("origin", origin)
        .header("cookie", cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(axum::body::Body::from(form.to_owned()))
        .unwrap();
    let response = tower::ServiceExt::oneshot(api.router.clone(), request)
        .await
        .unwrap();
    let status = response.status();
    let bytes = http_body_util::BodyExt::collect(response.into_body())
        .await
        .unwrap()
        .to_bytes();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

#[tokio::test]
async fn posts_need_our_origin_and_students_change_nothing() {
    let api = api();
    let id = create_job(&api).await;
    let job = api
        .until(&id, |j| {
            j.stage(Stage::Segment).status.as_str() == "awaiting_approval"
        })
        .await;
    let admin = session(&api, &api.token("ada", Role::Admin, &[])).await;
    let approve = format!("/studio/jobs/{id}/stages/segment/approve");
    let form = format!("version={}", job.version);
    let (status, _) = post(&api, &approve, &admin, "http://elsewhere.example", &form).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "another site's form");
    let student = session(&api, &api.token("sam", Role::Student, &[])).await;
    let (status, _) = post(&api, &approve, &student, ORIGIN, &form).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a student");
    assert_eq!(api.job(&id).await.version, job.version, "nothing changed");

    // The REST routes read with the cookie (event streams, downloads) but
    // never change anything with it.
    let (status, _, _, _) = api
        .call(
            "GET",
            &format!("/v1/jobs/{id}"),
            None,
            &[("cookie", &admin)],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, _, _) = api
        .call(
            "POST",
            &format!("/v1/jobs/{id}/abort"),
            None,
            &[("cookie", &admin)],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // A decision on a version that is no longer the job's is a conflict.
    let stale = format!("version={}", job.version - 1);
    let (status, page) = post(&api, &approve, &admin, ORIGIN, &stale).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(page.contains("Nothing was overwritten"), "{page}");
    let (status, _) = post(&api, &approve, &admin, ORIGIN, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    api.until(&id, |j| {
        j.stage(Stage::Segment).status.as_str() == "approved"
    })
    .await;
}

#[tokio::test]
async fn the_studio_scripts_are_served_from_the_binary() {
    let api = api();
    let (status, headers, _, body) = api
        .call("GET", "/studio/assets/htmx.min.js", None, &[], None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
    assert!(body.contains("htmx"), "the vendored htmx");
    let (status, _, _, _) = api
        .call("GET", "/studio/assets/nothing.js", None, &[], None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_new_job_form_stores_its_file_through_an_upload_grant_of_its_own() {
    let api = api();
    let ada = session(&api, &api.token("ada", Role::Admin, &[])).await;
    let (status, body) = post(
        &api,
        "/studio/uploads",
        &ada,
        ORIGIN,
        "name=talk.vtt&size=120",
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let target: serde_json::Value = serde_json::from_str(&body).unwrap();
    let key = target["upload_key"].as_str().unwrap().to_owned();
    assert!(key.starts_with("uploads/"), "{target}");
    assert_eq!(target["method"], "PUT");
    assert_eq!(target["headers"]["Content-Type"], "text/vtt");

    let (status, body) = post(
        &api,
        "/studio/uploads",
        &ada,
        ORIGIN,
        "name=slides.pdf&size=9",
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("coursegen reads transcripts"), "{body}");
    let (status, _) = post(
        &api,
        "/studio/uploads",
        &ada,
        "http://elsewhere.example",
        "name=a.vtt&size=9",
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "another site's script");
    let sam = session(&api, &api.token("sam", Role::Student, &[])).await;
    let (status, _) = post(&api, "/studio/uploads", &sam, ORIGIN, "name=a.vtt&size=9").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a student");

    // The form then names the upload; nobody may name someone else's.
    let form = |key: &str| {
        let mut body = String::new();
        for (name, value) in [
            ("course_id", "c1"),
            ("version_id", "v1"),
            ("kind", "file"),
            ("upload_key", key),
            ("upload_name", "talk.vtt"),
            ("difficulty", "medium"),
            ("questions", "5"),
            ("passing_score", "70"),
        ] {
            body.push_str(&format!(
                "--b\r\ncontent-disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            ));
        }
        body + "--b--\r\n"
    };
    let ines = session(&api, &api.token("ines", Role::Instructor, &["c1"])).await;
    let request = axum::http::Request::builder()
        .method("POST")
        .uri("/studio/jobs")
        .header("host", HOST)
        .header("origin", ORIGIN)
        .header("cookie", &ines)
        .header("content-type", "multipart/form-data; boundary=b")
        .body(axum::body::Body::from(form(&key)))
        .unwrap();
    let response = tower::ServiceExt::oneshot(api.router.clone(), request)
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let page = http_body_util::BodyExt::collect(response.into_body())
        .await
        .unwrap()
        .to_bytes();
    let page = String::from_utf8_lossy(&page);
    assert!(
        page.contains("must name one of your uploads"),
        "someone else's upload is refused: {page}"
    );
    assert!(
        page.contains(&format!("value=\"{key}\"")),
        "the form comes back naming the stored file, not asking for it again"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_recordings_segments_play_it_on_the_page_from_their_start() {
    let worker = Arc::new(Worker::default());
    let api = api_with_ai(worker.clone(), Arc::new(Transcript));
    let ada = api.token("ada", Role::Admin, &[]);
    // A second of silence as a WAV file: 8 kHz, 8-bit mono.
    let mut wav = b"RIFF".to_vec();
    wav.extend(&(36u32 + 8000).to_le_bytes());
    wav.extend(b"WAVEfmt ");
    wav.extend(&16u32.to_le_bytes());
    wav.extend(&[1, 0, 1, 0]);
    wav.extend(&8000u32.to_le_bytes());
    wav.extend(&8000u32.to_le_bytes());
    wav.extend(&[1, 0, 8, 0]);
    wav.extend(b"data");
    wav.extend(&8000u32.to_le_bytes());
    wav.extend(std::iter::repeat_n(128u8, 8000));
    let owner = Principal {
        user: "ada".parse().unwrap(),
        role: Role::Admin,
        courses: Vec::new(),
    };
    let request = UploadRequest::Audio {
        format: AudioFormat::Wav,
        size: wav.len() as u64,
    };
    let source = api
        .service
        .store_upload(&owner, request, wav)
        .await
        .unwrap();
    let body = json!({
        "course": {"course_id": "c1", "version_id": "v1"},
        "source": source,
        "options": {"engines": {"ingest": "ai-server"}, "force": true},
    });
    let (status, _, job, text) = api
        .call("POST", "/v1/jobs", Some(&ada), &[], Some(body))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{text}");
    let id = job["id"].as_str().unwrap().to_owned();
    let (handle, _) = sent(&worker, 1).await;
    let transcript = json!({"task": "TRANSCRIPT_GENERATION", "status": "COMPLETED", "jobId": handle,
        "data": {"status": "COMPLETED", "fileName": "t.json", "fileUrl": "http://server/t.json"}});
    let (status, answer) = post_signed(
        &api,
        &transcript.to_string(),
        chrono::Utc::now().timestamp(),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    api.until(&id, |j| {
        j.stage(Stage::Segment).status.as_str() == "awaiting_approval"
    })
    .await;

    let cookie = session(&api, &ada).await;
    let page = |uri: String, range: Option<&'static str>| {
        let cookie = cookie.clone();
        let api = &api;
        async move {
            let mut headers = vec![("cookie", cookie.as_str())];
            headers.extend(range.map(|r| ("range", r)));
            let (status, headers, _, body) = api.call("GET", &uri, None, &headers, None).await;
            (status, headers, body)
        }
    };
    let (status, _, gate) = page(format!("/studio/jobs/{id}/stages/segment"), None).await;
    assert_eq!(status, StatusCode::OK);
    let recording = format!("/studio/jobs/{id}/recording");
    assert!(
        gate.contains(&format!(
            "<audio id=\"recording\" controls preload=\"metadata\" src=\"{recording}\""
        )),
        "{gate}"
    );
    assert!(
        gate.contains(&format!("href=\"{recording}#t=0.0\" data-play-ms=\"0\"")),
        "{gate}"
    );

    let (status, headers, bytes) = page(recording.clone(), Some("bytes=0-3")).await;
    assert_eq!(status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(headers["content-type"], "audio/wav");
    assert_eq!(bytes, "RIFF");

    // A job made from a transcript has no recording.
    let other = create_job(&api).await;
    let (status, _, _) = page(format!("/studio/jobs/{other}/recording"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
