//! Every integration test of this crate in one binary: one link of the
//! whole stack instead of one per file keeps CI's build fast and its disk small.

mod common;

mod api;
mod edits;
mod events;
mod hosted_login;
mod isolation;
mod openapi;
mod permissions;
mod server;
mod studio;
mod uploads;
mod video_api;
mod video_renders;
mod webhook;
mod webhook_files;
mod webhook_replay;
mod webhook_storm;
mod webhook_transcription;
