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
