//! The OpenAPI 3.1 document at `/v1/openapi.json`, built from the same Rust
//! types the routes read and write (their schemars schemas), so the
//! document cannot drift from the code. The route list here is checked
//! against the router by a test.

use coursegen_core::course::Course;
use coursegen_core::event::Event;
use coursegen_core::job::Job;
use coursegen_core::stage::StageState;
use coursegen_core::upload::{UploadRequest, UploadTarget};
use schemars::JsonSchema;
use schemars::generate::{Contract, SchemaSettings};
use serde_json::{Map, Value, json};

use crate::jobs::{Abort, Approve, CreateJob, Rerun};

mod builder;
mod videos;
mod visuals;

use builder::{Builder, ErrorEnvelope, job_id, json_content, param, stage};

/// A page of jobs.
#[derive(JsonSchema)]
#[allow(dead_code)]
struct JobPage {
    items: Vec<Job>,
    /// Pass as `cursor` for the next page; absent on the last one.
    next: Option<String>,
}

/// Every route, as `(method, path)`, for the router test.
pub const ROUTES: &[(&str, &str)] = &[
    ("get", "/healthz"),
    ("get", "/v1/openapi.json"),
    ("post", "/v1/uploads"),
    ("put", "/v1/uploads/{token}"),
    ("get", "/v1/files/{token}"),
    ("post", "/v1/jobs"),
    ("get", "/v1/jobs"),
    ("get", "/v1/jobs/{id}"),
    ("post", "/v1/jobs/{id}/abort"),
    ("get", "/v1/jobs/{id}/events"),
    ("get", "/v1/jobs/{id}/stages/{stage}"),
    ("get", "/v1/jobs/{id}/stages/{stage}/runs/{n}"),
    ("put", "/v1/jobs/{id}/stages/{stage}/output"),
    ("post", "/v1/jobs/{id}/stages/{stage}/approve"),
    ("post", "/v1/jobs/{id}/stages/{stage}/rerun"),
    ("get", "/v1/jobs/{id}/course"),
    ("get", "/v1/jobs/{id}/course.json"),
    ("get", "/v1/jobs/{id}/course.md"),
    ("get", "/v1/jobs/{id}/course.html"),
    ("get", "/v1/jobs/{id}/course.questions.json"),
    ("get", "/v1/jobs/{id}/exports/{format}"),
    ("get", "/v1/jobs/{id}/exports/{format}/notes"),
    ("post", "/v1/jobs/{id}/videos"),
    ("get", "/v1/jobs/{id}/videos"),
    ("get", "/v1/jobs/{id}/videos/{lesson}"),
    ("delete", "/v1/jobs/{id}/videos/{lesson}"),
    ("post", "/v1/jobs/{id}/videos/{lesson}/retry"),
    ("get", "/v1/jobs/{id}/videos/{lesson}/narration"),
    ("put", "/v1/jobs/{id}/videos/{lesson}/narration"),
    ("get", "/v1/jobs/{id}/videos/{lesson}/{file}"),
    ("get", "/v1/jobs/{id}/storyboard"),
    ("get", "/v1/jobs/{id}/visuals/{file}"),
    ("get", "/v1/jobs/{id}/clips"),
    ("post", "/files/extract"),
    ("post", "/prompts/generate"),
    ("post", "/generation/images"),
    ("post", "/generation/video"),
    ("get", "/generation/{id}"),
    ("post", "/video-transform/generate-video"),
    ("get", "/video-transform/{id}/video-generation-status"),
    ("post", "/v1/webhooks/ai-server"),
];

pub fn document() -> Value {
    let settings = SchemaSettings::draft2020_12().with(|s| {
        s.definitions_path = "/components/schemas".into();
        s.meta_schema = None;
        // Responses are what we serialize; requests are validated by the
        // same types' deserialization.
        s.contract = Contract::Serialize;
    });
    let mut b = Builder {
        generator: settings.into_generator(),
        paths: Map::new(),
    };
    b.schema::<ErrorEnvelope>();
    let job = b.schema::<Job>();
    let page = b.schema::<JobPage>();
    let stage_state = b.schema::<StageState>();
    let course = b.schema::<Course>();
    let event = b.schema::<Event>();
    let upload_request = b.schema::<UploadRequest>();
    let upload_target = b.schema::<UploadTarget>();
    let create = b.schema::<CreateJob>();
    let approve = b.schema::<Approve>();
    let rerun = b.schema::<Rerun>();
    let abort = b.schema::<Abort>();
    let text = |kind: &str| json!({kind: {"schema": {"type": "string"}}});

    b.route(
        "get",
        "/healthz",
        "health",
        "Is the server up?",
        vec![],
        None,
        (200, "up", text("text/plain")),
        &[],
    );
    b.route(
        "get",
        "/v1/openapi.json",
        "openapi",
        "This document",
        vec![],
        None,
        (
            200,
            "the OpenAPI document",
            json_content(json!({"type": "object"})),
        ),
        &[],
    );
    b.route(
        "post",
        "/v1/uploads",
        "createUpload",
        "Ask to upload a file of a declared kind, format and size",
        vec![],
        Some(upload_request),
        (201, "where to PUT the file", json_content(upload_target)),
        &[400, 403, 413, 429],
    );
    b.route(
        "put",
        "/v1/uploads/{token}",
        "putUpload",
        "Send an upload's bytes (locally; on AWS the URL is S3's)",
        vec![param(
            "token",
            "path",
            json!({"type": "string"}),
            true,
            "from the upload's URL",
        )],
        None,
        (
            200,
            "stored",
            json_content(
                json!({"type": "object", "properties": {"upload_key": {"type": "string"}}}),
            ),
        ),
        &[400, 403, 413, 415, 422, 429],
    );
    b.route(
        "get",
        "/v1/files/{token}",
        "getFile",
        "Read a file through a link the server handed out, e.g. to the AI server (locally; on AWS the URL is S3's)",
        vec![param(
            "token",
            "path",
            json!({"type": "string"}),
            true,
            "from the file's URL",
        )],
        None,
        (
            200,
            "the file",
            json!({"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}),
        ),
        &[403, 404],
    );
    b.route(
        "post",
        "/v1/jobs",
        "createJob",
        "Make a course from an upload, a video or a topic",
        vec![],
        Some(create),
        (201, "the new job", json_content(job.clone())),
        &[400, 403],
    );
    b.route(
        "get",
        "/v1/jobs",
        "listJobs",
        "The caller's jobs, or a course's",
        vec![
            param(
                "cursor",
                "query",
                json!({"type": "string"}),
                false,
                "from the previous page's next",
            ),
            param(
                "limit",
                "query",
                json!({"type": "integer", "minimum": 0}),
                false,
                "page size (1–100)",
            ),
            param(
                "course",
                "query",
                json!({"type": "string"}),
                false,
                "a course in the caller's scope",
            ),
        ],
        None,
        (200, "a page of jobs", json_content(page)),
        &[400, 403],
    );
    b.route(
        "get",
        "/v1/jobs/{id}",
        "getJob",
        "The job: stages, runs, progress (ETag = version)",
        vec![job_id()],
        None,
        (200, "the job", json_content(job.clone())),
        &[404],
    );
    b.route(
        "post",
        "/v1/jobs/{id}/abort",
        "abortJob",
        "Abort the job",
        vec![job_id()],
        Some(abort),
        (200, "the aborted job", json_content(job.clone())),
        &[400, 403, 404, 409],
    );
    b.route(
        "get",
        "/v1/jobs/{id}/events",
        "jobEvents",
        "Server-sent events: id = event sequence; resumes after Last-Event-ID",
        vec![
            job_id(),
            param(
                "last_event_id",
                "query",
                json!({"type": "integer", "minimum": 0}),
                false,
                "resume after this event",
            ),
            param(
                "Last-Event-ID",
                "header",
                json!({"type": "string"}),
                false,
                "resume after this event",
            ),
        ],
        None,
        (
            200,
            "an event stream: each message's id is the event's sequence, its event the type, its data the Event as JSON",
            json!({"text/event-stream": {"schema": {
                "type": "object",
                "properties": {
                    "id": {"type": "string"},
                    "event": {"type": "string"},
                    "data": {"type": "string", "contentMediaType": "application/json", "contentSchema": event},
                },
            }}}),
        ),
        &[400, 404],
    );
    b.route(
        "get",
        "/v1/jobs/{id}/stages/{stage}",
        "getStage",
        "A stage and its runs",
        vec![job_id(), stage()],
        None,
        (200, "the stage", json_content(stage_state)),
        &[404],
    );
    b.route(
        "get",
        "/v1/jobs/{id}/stages/{stage}/runs/{n}",
        "getRunOutput",
        "What run n of a stage produced",
        vec![
            job_id(),
            stage(),
            param(
                "n",
                "path",
                json!({"type": "integer", "minimum": 1}),
                true,
                "the run number",
            ),
        ],
        None,
        (200, "the run's output", json_content(json!({}))),
        &[404, 409],
    );
    b.route(
        "put",
        "/v1/jobs/{id}/stages/{stage}/output",
        "editStage",
        "Replace a stage's output with an edit (a new run)",
        vec![
            job_id(),
            stage(),
            param(
                "If-Match",
                "header",
                json!({"type": "string"}),
                // Required in effect (428 without); declared optional so
                // that answer is the documented one.
                false,
                "the job's ETag; an edit without it is refused with 428",
            ),
        ],
        Some(json!({})),
        (200, "the job", json_content(job.clone())),
        &[400, 403, 404, 409, 412, 428],
    );
    b.route(
        "post",
        "/v1/jobs/{id}/stages/{stage}/approve",
        "approveStage",
        "Approve a run (default: the latest)",
        vec![job_id(), stage()],
        Some(approve),
        (200, "the job", json_content(job.clone())),
        &[400, 403, 404, 409],
    );
    b.route(
        "post",
        "/v1/jobs/{id}/stages/{stage}/rerun",
        "rerunStage",
        "Run a stage again with other parameters",
        vec![job_id(), stage()],
        Some(rerun),
        (200, "the job", json_content(job)),
        &[400, 403, 404, 409],
    );
    for (suffix, id, kind) in [
        ("", "getCourse", "application/json"),
        (".json", "getCourseJson", "application/json"),
        (".md", "getCourseMarkdown", "text/markdown"),
        (".html", "getCourseHtml", "text/html"),
    ] {
        let content = if kind == "application/json" {
            json_content(course.clone())
        } else {
            text(kind)
        };
        b.route(
            "get",
            &format!("/v1/jobs/{{id}}/course{suffix}"),
            id,
            "The assembled course",
            vec![job_id()],
            None,
            (200, "the course", content),
            &[404, 409],
        );
    }
    b.route(
        "get",
        "/v1/jobs/{id}/course.questions.json",
        "getCourseQuestions",
        "The course's questions in the AI server's questions format (one segment per lesson)",
        vec![job_id()],
        None,
        (
            200,
            "a JSON array of question items",
            json_content(json!({"type": "array", "items": {"type": "object"}})),
        ),
        &[404, 409],
    );
    let export_params = || {
        vec![
            job_id(),
            param(
                "format",
                "path",
                json!({"type": "string", "enum": coursegen_exports::Format::ALL.map(|f| f.name())}),
                true,
                "gift: GIFT text; moodle: Moodle XML; scorm12, scorm2004: a SCORM package; cc13: a Common Cartridge (zip)",
            ),
            param(
                "sco",
                "query",
                json!({"type": "string", "enum": coursegen_exports::scorm::Scos::NAMES, "default": "multi"}),
                false,
                "SCORM: a SCO per lesson and one for the assessment (multi), or one SCO for the whole course (single)",
            ),
            param(
                "reporting",
                "query",
                json!({"type": "string", "enum": coursegen_exports::scorm::Reporting::NAMES, "default": "passed-failed"}),
                false,
                "SCORM: what a pass and a fail of the assessment are reported as",
            ),
        ]
    };
    b.download(
        "/v1/jobs/{id}/exports/{format}",
        "getCourseExport",
        "The course for a learning system, as a download: its questions as a GIFT or Moodle XML question bank (a category per module and one for the final assessment), or the whole course as a SCORM 1.2 or 2004 package or a Common Cartridge 1.3 (lessons with their finished videos, exercises and the assessment). Made once per course and videos and kept; on AWS a redirect to S3",
        export_params(),
        &["text/plain", "application/xml", "application/zip"],
        &[400, 404, 409],
    );
    let report = b.schema::<crate::exports::ExportReport>();
    b.route(
        "get",
        "/v1/jobs/{id}/exports/{format}/notes",
        "getCourseExportNotes",
        "What the export in this format (and these choices) could not carry, question by question: a type it has no form for, a grade it rounds, a pass mark it cannot hold",
        export_params(),
        None,
        (200, "the export's notes", json_content(report)),
        &[400, 404, 409],
    );
    videos::routes(&mut b);
    visuals::routes(&mut b);
    visuals::seed_routes(&mut b);

    let header = |name: &str, description: &str| {
        param(
            name,
            "header",
            json!({"type": "string"}),
            false,
            description,
        )
    };
    b.route(
        "post",
        "/v1/webhooks/ai-server",
        "aiServerWebhook",
        "An AI server reports on a task (AI_SERVER_PROTOCOL.md); signed, deduplicated",
        vec![
            header(
                "X-Coursegen-Delivery",
                "the delivery's id, for deduplication",
            ),
            header("X-Coursegen-Timestamp", "unix seconds, within 300 s of now"),
            header(
                "X-Coursegen-Signature",
                "v1=<hex HMAC-SHA256(secret, timestamp + \".\" + body)>",
            ),
            header(
                "x-webhook-signature",
                "the shared secret (COURSEGEN_WEBHOOK_COMPAT=shared-secret only)",
            ),
        ],
        Some(json!({"type": "object"})),
        (
            200,
            "applied, ignored (late or superseded) or a repeat's first answer",
            json_content(json!({"type": "object", "required": ["status"],
                "properties": {"status": {"type": "string"}}})),
        ),
        &[400, 404, 409],
    );

    // These need no bearer token: the health check, this document, an
    // upload or file URL (each its own credential) and the webhook (signed).
    for (path, method) in [
        ("/v1/webhooks/ai-server", "post"),
        ("/healthz", "get"),
        ("/v1/openapi.json", "get"),
        ("/v1/uploads/{token}", "put"),
        ("/v1/files/{token}", "get"),
    ] {
        b.paths[path][method]["security"] = json!([]);
    }
    let schemas = b.generator.take_definitions(true);
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "coursegen",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Teaching material to a reviewed course. Errors are {\"error\": {\"code\", \"message\", \"details\"}}.",
        },
        "security": [{"bearer": []}],
        "paths": b.paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
    })
}
