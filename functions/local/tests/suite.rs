//! Every integration test of this crate in one binary: one link of the
//! whole stack instead of one per file keeps CI's build fast and its disk small.

mod asl_executor;
mod contracts;
mod course_workflow;
mod crashes;
mod local_workflow;
mod upload_sweep;
