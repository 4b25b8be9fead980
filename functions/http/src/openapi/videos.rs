//! The lesson video routes in the OpenAPI document, and seed 001's two.

use coursegen_core::narration::Narration;
use coursegen_core::videos::{LessonVideo, VideoRequest};
use serde_json::{Value, json};

use super::builder::{Builder, job_id, json_content, param};
use crate::seed::{GenerateVideo, GenerationStatus, VideoAccepted};
use crate::videos::VideosView;

fn lesson() -> Value {
    param(
        "lesson",
        "path",
        json!({"type": "string", "pattern": "^[mM][1-9][0-9]*[-/][lL][1-9][0-9]*$"}),
        true,
        "the lesson, as m1-l2 (module 1, lesson 2)",
    )
}

pub(super) fn routes(b: &mut Builder) {
    let view = b.schema::<VideosView>();
    let request = b.schema::<VideoRequest>();
    let video = b.schema::<LessonVideo>();
    let narration = b.schema::<Narration>();
    let generate = b.schema::<GenerateVideo>();
    let accepted = b.schema::<VideoAccepted>();
    let status = b.schema::<GenerationStatus>();

    b.route(
        "post",
        "/v1/jobs/{id}/videos",
        "renderVideos",
        "Render the course's lesson videos (every lesson or those listed; again, or only the failed), in the options named",
        vec![job_id()],
        Some(request),
        (202, "the renders are planned", json_content(view.clone())),
        &[400, 403, 404, 409],
    );
    b.route(
        "get",
        "/v1/jobs/{id}/videos",
        "getVideos",
        "The lesson videos: the aggregate status and each lesson's status, progress, error and file",
        vec![job_id()],
        None,
        (200, "the videos", json_content(view)),
        &[404],
    );
    b.route(
        "get",
        "/v1/jobs/{id}/videos/{lesson}",
        "getLessonVideo",
        "One lesson's video",
        vec![job_id(), lesson()],
        None,
        (200, "the lesson's video", json_content(video.clone())),
        &[404],
    );
    b.route(
        "delete",
        "/v1/jobs/{id}/videos/{lesson}",
        "cancelLessonVideo",
        "Cancel a lesson's render: it stops, keeps no file and fails as cancelled",
        vec![job_id(), lesson()],
        None,
        (
            200,
            "the cancelled lesson's video",
            json_content(video.clone()),
        ),
        &[403, 404, 409],
    );
    b.route(
        "post",
        "/v1/jobs/{id}/videos/{lesson}/retry",
        "retryLessonVideo",
        "Render a lesson whose video failed again",
        vec![job_id(), lesson()],
        None,
        (202, "the render is planned", json_content(video.clone())),
        &[403, 404, 409],
    );
    b.route(
        "get",
        "/v1/jobs/{id}/videos/{lesson}/narration",
        "getLessonNarration",
        "What the lesson's video says and shows",
        vec![job_id(), lesson()],
        None,
        (200, "the narration", json_content(narration.clone())),
        &[404, 409],
    );
    b.route(
        "put",
        "/v1/jobs/{id}/videos/{lesson}/narration",
        "editLessonNarration",
        "Replace the lesson's narration and render its video again",
        vec![
            job_id(),
            lesson(),
            param(
                "If-Match",
                "header",
                json!({"type": "string"}),
                false,
                "the job's ETag; an edit without it is refused with 428",
            ),
        ],
        Some(narration),
        (202, "the render is planned", json_content(video)),
        &[400, 403, 404, 409, 412, 428],
    );
    b.download(
        "/v1/jobs/{id}/videos/{lesson}/{file}",
        "downloadLessonVideo",
        "The lesson's video (any name ending .mp4) or its subtitles (.vtt, .srt); honours Range. On AWS: a redirect to S3",
        vec![
            job_id(),
            lesson(),
            param(
                "file",
                "path",
                json!({"type": "string"}),
                true,
                "lesson.mp4, lesson.vtt or lesson.srt (the stem is the client's choice)",
            ),
        ],
        &["video/mp4", "text/vtt", "application/x-subrip"],
        &[404, 409],
    );

    b.route(
        "post",
        "/video-transform/generate-video",
        "seedGenerateVideo",
        "Seed 001: render one lesson's video (asynchronous; poll the status route)",
        vec![],
        Some(generate),
        (202, "the render is planned", json_content(accepted)),
        &[400, 403, 404, 409],
    );
    b.route(
        "get",
        "/video-transform/{id}/video-generation-status",
        "seedVideoGenerationStatus",
        "Seed 001: the job's video status in the seed's fields",
        vec![job_id()],
        None,
        (200, "the status", json_content(status)),
        &[404],
    );
}
