//! Every integration test of this crate in one binary: one link of the
//! whole stack instead of one per file keeps CI's build fast and its disk small.

mod fixture;
#[path = "support/gift_pegjs.rs"]
mod gift_pegjs;
mod packages;

mod cc;
mod gift;
mod moodle;
mod scorm;
