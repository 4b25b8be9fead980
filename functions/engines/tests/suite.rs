//! Every integration test of this crate in one binary: one link of the
//! whole stack instead of one per file keeps CI's build fast and its disk small.

mod common;
mod fake_llm;
mod reference;
mod scripted;

mod ai_server_client;
mod cost;
mod dispatch;
mod hostile_inputs;
mod ingest_examples;
mod ingest_malformed;
mod llm_engine;
mod llm_storyboard;
mod offline_code;
mod offline_course;
mod offline_ports;
mod offline_robustness;
mod pipeline_steps;
mod reference_server;
mod reference_server_guards;
mod segmentation;
mod service;
mod transcribing;
mod workflow_local;
