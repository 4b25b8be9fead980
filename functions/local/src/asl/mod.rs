//! An interpreter of Amazon States Language, so the one workflow definition
//! (`statemachine/course.asl.json`) runs locally exactly as Step Functions
//! runs it on AWS. This module holds the language: the definition model,
//! paths, payload templates, intrinsic functions, Choice rules, and Retry /
//! Catch; the durable executor builds on them.

pub mod choice;
pub mod definition;
pub mod execution;
pub mod executor;
pub mod intrinsics;
pub mod path;
pub mod retry;
pub mod step;
pub mod template;

pub use definition::{DefinitionError, State, StateMachine, substitute};
pub use execution::{Execution, ExecutionStatus, HistoryEvent};
pub use executor::{
    Checkpoint, Drive, ExecutionStore, Executor, PersistError, TaskFailure, TaskRunner, TokenError,
};
pub use path::PathError;
