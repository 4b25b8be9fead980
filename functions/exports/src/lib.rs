//! A course in every format it leaves coursegen in (DESIGN.md §1,
//! `functions/exports`): Markdown and HTML to read, the AI server's
//! questions format, and question banks for Moodle and anything else that
//! reads GIFT or Moodle XML. Each writer walks the same bank
//! ([`bank::Bank`]) and says in a [`bank::Report`] what its format could
//! not carry, so nothing is dropped without a word.

pub mod ai_questions;
pub mod bank;
pub mod document;
pub mod fractions;
pub mod gift;
pub mod moodle;

pub use bank::{Bank, Note, Report};
