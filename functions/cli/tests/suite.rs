//! Every integration test of this crate in one binary: one link of the
//! whole stack instead of one per file keeps CI's build fast and its disk small.

mod common;
#[path = "../../engines/tests/fake_llm/mod.rs"]
mod fake_llm;
#[path = "../../exports/tests/support/gift_pegjs.rs"]
mod gift_pegjs;
#[path = "../../media/tests/support/probe.rs"]
mod probe;

mod ai_server_e2e;
mod api_e2e;
mod cli;
mod crash;
mod export;
mod generate;
mod generate_llm;
mod one_process;
mod recording;
mod serve;
mod serve_seed_script;
mod serve_storyboard;
mod serve_videos;
mod storyboard_images;
mod storyboard_job;
mod storyboard_offline;
mod videos;
mod videos_command;
mod youtube;
