//! A script job's routes in the OpenAPI document: its storyboard, its
//! files and its clip tasks.

use coursegen_core::board_view::BoardView;
use coursegen_core::service::ClipTasks;
use serde_json::json;

use super::builder::{Builder, job_id, json_content, param};

pub(super) fn routes(b: &mut Builder) {
    let view = b.schema::<BoardView>();
    let tasks = b.schema::<ClipTasks>();
    b.route(
        "get",
        "/v1/jobs/{id}/storyboard",
        "getStoryboard",
        "A script job's storyboard (videos → shots → frames), each frame with its image prompt and links to its picture, its shot's clip and its video as far as they are made",
        vec![job_id()],
        None,
        (200, "the storyboard", json_content(view)),
        &[404, 409],
    );
    b.download(
        "/v1/jobs/{id}/visuals/{file}",
        "downloadVisual",
        "A frame's picture (v01-s02-f03.png), a shot's clip (v01-s02.mp4), or a video and its subtitles (v01.mp4, .vtt, .srt); honours Range. On AWS: a redirect to S3",
        vec![
            job_id(),
            param(
                "file",
                "path",
                json!({"type": "string"}),
                true,
                "the file's name, as the storyboard links it",
            ),
        ],
        &["image/png", "video/mp4", "text/vtt", "application/x-subrip"],
        &[404, 409],
    );
    b.route(
        "get",
        "/v1/jobs/{id}/clips",
        "getClipTasks",
        "A script job's clip tasks at its provider: per frame, the task id, status, polls, next poll, error, and whether its clip is made (or was made here instead, and why)",
        vec![job_id()],
        None,
        (200, "the clip tasks", json_content(tasks)),
        &[404],
    );
}

/// Seed 003's routes over script jobs.
pub(super) fn seed_routes(b: &mut Builder) {
    use crate::seed_script::{
        Extracted, GenerateImages, GeneratePrompts, GenerateVideo, GenerationView, VideoPromptsView,
    };
    let extracted = b.schema::<Extracted>();
    let prompts_request = b.schema::<GeneratePrompts>();
    let prompts = b.schema::<VideoPromptsView>();
    let images_request = b.schema::<GenerateImages>();
    let video_request = b.schema::<GenerateVideo>();
    let generation = b.schema::<GenerationView>();
    b.route(
        "post",
        "/files/extract",
        "seedExtract",
        "Seed 003: upload a course script (multipart: file, course_id, version_id); a script job is made and its storyboard returned (201), or 202 while it is being written",
        vec![],
        Some(json!({"type": "object"})),
        (201, "the script job and its storyboard", json_content(extracted.clone())),
        &[400, 403, 409, 422, 429],
    );
    b.paths["/files/extract"]["post"]["requestBody"] = json!({
        "required": true,
        "content": {"multipart/form-data": {"schema": {
            "type": "object",
            "required": ["file", "course_id", "version_id"],
            "properties": {
                "file": {"type": "string", "format": "binary", "description": "a .docx, .md or .txt script"},
                "course_id": {"type": "string"},
                "version_id": {"type": "string"},
            },
        }}},
    });
    b.paths["/files/extract"]["post"]["responses"]["202"] = json!({"description": "the storyboard is being written", "content": json_content(extracted)});
    b.route(
        "post",
        "/prompts/generate",
        "seedGeneratePrompts",
        "Seed 003: a video's image prompts (the storyboard's review, when it waits, is approved); 202 while they are being written",
        vec![],
        Some(prompts_request),
        (200, "the video's prompts", json_content(prompts.clone())),
        &[400, 403, 404, 409],
    );
    b.paths["/prompts/generate"]["post"]["responses"]["202"] =
        json!({"description": "the prompts are being written", "content": json_content(prompts)});
    b.route(
        "post",
        "/generation/images",
        "seedGenerateImages",
        "Seed 003: draw the pictures (the prompts' review, when it waits, is approved); the generation of the prompt's frame",
        vec![],
        Some(images_request),
        (202, "the frame's picture is asked for", json_content(generation.clone())),
        &[400, 403, 404, 409],
    );
    b.route(
        "post",
        "/generation/video",
        "seedGenerateVideo",
        "Seed 003: animate the frames (the pictures' review, when it waits, is approved); the generation of the start picture's frame, which must be a frame of a script job",
        vec![],
        Some(video_request),
        (202, "the frame's clip is asked for", json_content(generation.clone())),
        &[400, 403, 404, 409],
    );
    b.route(
        "get",
        "/generation/{id}",
        "seedGenerationStatus",
        "Seed 003: where a picture's or a clip's generation stands, and where it downloads from once made",
        vec![param(
            "id",
            "path",
            json!({"type": "string"}),
            true,
            "a generation's id, as the routes above return it",
        )],
        None,
        (200, "the generation", json_content(generation)),
        &[404],
    );
}
