//! Every integration test of this crate in one binary: one link of the
//! whole stack instead of one per file keeps CI's build fast and its disk small.

#[path = "support/moto.rs"]
mod moto;

mod contracts;
mod two_interpreters;
mod uploads;
mod workflow;
