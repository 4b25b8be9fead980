//! A course in the formats learning systems import (DESIGN.md §1,
//! `functions/exports`): question banks for Moodle and anything else that
//! reads GIFT or Moodle XML. Each writer walks the same bank
//! ([`bank::Bank`]) and says in a [`bank::Report`] what its format could
//! not carry, so nothing is dropped without a word.

pub mod bank;
pub mod fractions;
pub mod gift;
pub mod moodle;

pub use bank::{Bank, Note, Report};
