//! The AWS path end to end, on one machine: the table and the bucket in
//! moto, `statemachine/course.asl.json` run by moto's Step Functions, and
//! every Lambda it invokes played by the real step handler over the AWS
//! adapters (moto sends its Lambda calls to a small server of ours that
//! speaks Lambda's Invoke API). A reviewer works through the API router as
//! API Gateway hands it requests: upload to a pre-signed S3 URL, create the
//! job, approve each review (SendTaskSuccess), download the course.

use crate::gateway;
use crate::moto;
use crate::oidc;
use crate::studio_on_aws;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use coursegen_aws::dynamo::table::create_table;
use coursegen_core::pipeline::Steps;
use coursegen_lambdas::config::Config;
use coursegen_lambdas::jwks::JwksVerifier;
use coursegen_lambdas::stack::Stack;
use coursegen_lambdas::step::{self, GATE};
use coursegen_local::workflow::{FUNCTIONS, definition_with};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

use gateway::gateway_request;
use moto::{ACCOUNT, Moto};

const REGION: &str = "us-east-1";
const TABLE: &str = "coursegen";
const BUCKET: &str = "coursegen-artifacts";

/// The Lambda service as moto's Step Functions calls it, answering with the
/// step handlers; it counts the invocations of each function.
#[derive(Clone)]
struct Lambda {
    steps: Arc<Steps>,
    calls: Arc<Mutex<BTreeMap<String, usize>>>,
}

/// Each function of the definition and the step its binary runs.
const STEPS: &[(&str, &str)] = &[
    ("Ingest", "ingest"),
    ("Validate", "validate"),
    ("Segment", "segment"),
    ("Outline", "outline"),
    ("PlanLessons", "plan_lessons"),
    ("Lesson", "lesson"),
    ("Assessment", "assessment"),
    ("Questions", "questions"),
    ("Assemble", "assemble"),
    ("PlanVideos", "plan_videos"),
    ("PlanRenders", "plan_renders"),
    ("Video", "video"),
    ("Storyboard", "storyboard"),
    ("Prompts", "prompts"),
    ("Images", "images"),
    ("Clips", "clips"),
    ("Film", "film"),
    ("Export", "export"),
    ("Finish", "finish"),
    ("Gate", GATE),
    ("Dispatch", "dispatch"),
    ("RecordFailure", "record_failure"),
];

/// The step of a function named by its ARN.
fn step_of(function: &str) -> &'static str {
    let name = function.rsplit(':').next().unwrap_or(function);
    STEPS
        .iter()
        .find(|(f, _)| *f == name)
        .map(|(_, step)| *step)
        .unwrap_or_else(|| panic!("moto invoked an unknown function {function}"))
}

async fn invoke(
    State(lambda): State<Lambda>,
    Path(function): Path<String>,
    body: Bytes,
) -> Response {
    let step = step_of(&function);
    *lambda
        .calls
        .lock()
        .unwrap()
        .entry(step.to_owned())
        .or_default() += 1;
    let payload: Value = serde_json::from_slice(&body).expect("a JSON payload");
    match step::handle(&lambda.steps, step, payload).await {
        Ok(output) => axum::Json(output).into_response(),
        // How Lambda reports a function's own error.
        Err(e) => {
            let mut headers = HeaderMap::new();
            headers.insert("x-amz-function-error", "Unhandled".parse().unwrap());
            let body = json!({"errorType": e.error_type, "errorMessage": e.error_message});
            (StatusCode::OK, headers, axum::Json(body)).into_response()
        }
    }
}

async fn call(api: &Router, method: &str, uri: &str, body: Option<Value>) -> (StatusCode, Value) {
    let claims = json!({"sub": "ines", "role": "instructor", "courses": "[c1]"});
    let request = gateway_request(method, uri, Some(&claims), &[], body);
    let response = api.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// A GET answered with a redirect: its status and Location.
async fn redirect(api: &Router, uri: &str) -> (StatusCode, String) {
    let claims = json!({"sub": "ines", "role": "instructor", "courses": "[c1]"});
    let request = gateway_request("GET", uri, Some(&claims), &[], None);
    let response = api.clone().oneshot(request).await.unwrap();
    let location = response
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (response.status(), location)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_job_runs_through_step_functions_the_lambdas_and_the_api() {
    let mut functions: Vec<&str> = STEPS.iter().map(|(f, _)| *f).collect();
    functions.sort_unstable();
    let mut named = FUNCTIONS.to_vec();
    named.sort_unstable();
    assert_eq!(
        functions, named,
        "a step for every function of the definition"
    );

    // Our Lambda service first: moto must know where to send invocations.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let lambda_port = listener.local_addr().unwrap().port();
    let moto = Moto::with_lambda_at(lambda_port).await;
    let sdk = moto.sdk_config(REGION);

    create_table(&aws_sdk_dynamodb::Client::new(&sdk), TABLE)
        .await
        .unwrap();
    moto.bucket(REGION, BUCKET).await;
    let sfn = moto.sfn(REGION);
    let definition =
        definition_with(|f| format!("arn:aws:lambda:{REGION}:{ACCOUNT}:function:{f}")).unwrap();
    let machine = sfn
        .create_state_machine()
        .name("course")
        .definition(definition)
        .role_arn(format!("arn:aws:iam::{ACCOUNT}:role/coursegen-workflow"))
        .send()
        .await
        .unwrap();

    let config = Config {
        table: TABLE.into(),
        bucket: BUCKET.into(),
        state_machine_arn: Some(machine.state_machine_arn().to_owned()),
        s3_path_style: true,
        ai_server_url: None,
        llm_key_secret_arn: None,
        llm: false,
    };
    // Each function's stack as its main builds it; the export function's
    // alone writes packages.
    let stack = Stack::new(&config, sdk).with_exporter();
    let lambda = Lambda {
        steps: stack.steps.clone(),
        calls: Arc::default(),
    };
    let service = Router::new()
        .route("/2015-03-31/functions/{function}/invocations", post(invoke))
        .with_state(lambda.clone());
    tokio::spawn(async move { axum::serve(listener, service).await });
    let api = coursegen_lambdas::api::app(&config, &stack, None).unwrap();

    // Upload the sample lecture to its pre-signed S3 URL.
    let bytes = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/lecture/lecture.srt"),
    )
    .unwrap();
    let grant = json!({"kind": "transcript", "format": "srt", "size": bytes.len()});
    let (status, target) = call(&api, "POST", "/v1/uploads", Some(grant)).await;
    assert_eq!(status, StatusCode::CREATED, "{target}");
    let mut put = reqwest::Client::new()
        .put(target["url"].as_str().unwrap())
        .body(bytes);
    for (name, value) in target["headers"].as_object().unwrap() {
        put = put.header(name, value.as_str().unwrap());
    }
    assert!(put.send().await.unwrap().status().is_success());

    // Create the job; Step Functions runs it.
    let create = json!({
        "course": {"course_id": "c1", "version_id": "v1"},
        "source": {"kind": "transcript", "upload_key": target["upload_key"], "format": "srt"},
        "options": {"exports": ["scorm2004", "gift"]},
    });
    let (status, job) = call(&api, "POST", "/v1/jobs", Some(create)).await;
    assert_eq!(status, StatusCode::CREATED, "{job}");
    let uri = format!("/v1/jobs/{}", job["id"].as_str().unwrap());

    // Approve each review through the API until the course is ready.
    let mut approved = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    let done = loop {
        assert!(Instant::now() < deadline, "the job did not finish");
        let (_, job) = call(&api, "GET", &uri, None).await;
        match job["status"].as_str().unwrap() {
            "succeeded" => break job,
            "failed" | "aborted" => panic!("the job ended badly: {job}"),
            "awaiting_approval" => {
                let stage = job["stages"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|s| s["status"] == "awaiting_approval")
                    .expect("the stage under review");
                let name = stage["stage"].as_str().unwrap().to_owned();
                let run = stage["runs"].as_array().unwrap().len();
                let approve = format!("{uri}/stages/{name}/approve");
                let (status, body) = call(&api, "POST", &approve, Some(json!({"run": run}))).await;
                assert_eq!(status, StatusCode::OK, "{body}");
                approved.push(name);
            }
            _ => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    };
    assert!(
        !approved.is_empty(),
        "at least one review went through the API"
    );
    assert_eq!(done["progress"]["percent"], 100);

    let (status, course) = call(&api, "GET", &format!("{uri}/course.json"), None).await;
    assert_eq!(status, StatusCode::OK);
    let lessons: usize = course["modules"]
        .as_array()
        .expect("modules")
        .iter()
        .map(|m| m["lessons"].as_array().map_or(0, Vec::len))
        .sum();
    assert!(lessons >= 2, "{course}");
    assert!(
        course["assessment"]["questions"]
            .as_array()
            .is_some_and(|q| !q.is_empty())
    );

    // Every review waited in the gate function, every step ran in its own.
    let calls = lambda.calls.lock().unwrap().clone();
    assert_eq!(calls[GATE], approved.len());
    for step in [
        "ingest",
        "validate",
        "segment",
        "outline",
        "plan_lessons",
        "assemble",
        "export",
        "finish",
    ] {
        assert!(
            calls.get(step).is_some_and(|n| *n >= 1),
            "{step} never ran: {calls:?}"
        );
    }
    assert!(
        calls["lesson"] >= 2,
        "the lessons ran in the Map: {calls:?}"
    );

    // The export step kept the SCORM package in S3; the API hands it out
    // as a pre-signed link, made once: asking again redirects to the same
    // object.
    let export = format!("{uri}/exports/scorm2004");
    let (status, location) = redirect(&api, &export).await;
    assert_eq!(status, StatusCode::TEMPORARY_REDIRECT);
    assert!(
        location.contains(&format!("/{BUCKET}/jobs/")) && location.contains("X-Amz-Signature"),
        "{location}"
    );
    assert!(location.contains("/course.scorm2004.zip?"), "{location}");
    let package = reqwest::get(&location)
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(package.to_vec())).unwrap();
    assert!(archive.by_name("imsmanifest.xml").is_ok());
    assert!(archive.by_name("assessment/index.html").is_ok());
    let (_, again) = redirect(&api, &export).await;
    assert_eq!(again.split('?').next(), location.split('?').next());
    // A package the step did not write is made on demand, kept in S3 too.
    let (status, location) = redirect(&api, &format!("{uri}/exports/cc13")).await;
    assert_eq!(status, StatusCode::TEMPORARY_REDIRECT);
    assert!(location.contains("/course.imscc?"), "{location}");
    let (status, notes) = call(&api, "GET", &format!("{uri}/exports/cc13/notes"), None).await;
    assert_eq!(status, StatusCode::OK, "{notes}");
    assert_eq!(notes["format"], "cc13");

    // The streaming events function: a token in the query (EventSource
    // sends no headers) checked against the issuer's keys, every event
    // replayed from the table, and the stream closed as the job has ended.
    let provider = oidc::provider().await;
    let verifier = Arc::new(JwksVerifier::new(&provider.issuer, "coursegen-web"));
    let events = coursegen_lambdas::events::app(&config, &stack, verifier).unwrap();
    let claims = json!({
        "sub": "ines", "iss": provider.issuer, "aud": "coursegen-web",
        "exp": chrono::Utc::now().timestamp() + 600,
        "custom:role": "instructor", "custom:courses": "c1",
    });
    let token = oidc::sign(&claims, Some("k1"));
    let get = |uri: String| {
        axum::http::Request::get(uri)
            .body(axum::body::Body::empty())
            .unwrap()
    };
    let stream = format!("{uri}/events");
    let response = events
        .clone()
        .oneshot(get(format!("{stream}?access_token={token}")))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body = response.into_body().collect().await.unwrap().to_bytes();
    let text = String::from_utf8_lossy(&body);
    let ids: Vec<u64> = text
        .lines()
        .filter_map(|l| l.strip_prefix("id: ")?.parse().ok())
        .collect();
    assert!(!ids.is_empty());
    assert_eq!(
        ids,
        (1..=ids.len() as u64).collect::<Vec<_>>(),
        "every event once"
    );
    assert!(text.contains("event: job_succeeded"), "{text}");
    let response = events.oneshot(get(stream)).await.unwrap();
    assert_eq!(
        response.status(),
        StatusCode::UNAUTHORIZED,
        "no token, no stream"
    );

    // The same job in the review studio.
    let id = job["id"].as_str().unwrap();
    studio_on_aws::reads_the_job(&config, &stack, &provider.issuer, id).await;
}
