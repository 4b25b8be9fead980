//! Contract test suites: what every adapter of a port must do, written once.
//! An adapter crate runs a suite with one macro call in a test file, e.g.
//!
//! ```text
//! async fn make() -> (Arc<dyn JobStore>, TempDir) { … }
//! coursegen_core::job_store_contract!(make);
//! ```
//!
//! The factory returns the adapter and a guard kept alive for the test (a
//! temporary directory, an emulator table). Each case becomes its own
//! `#[tokio::test]` on a multi-threaded runtime, so the concurrency cases
//! really run in parallel. The calling crate needs `tokio` (with `macros`).

pub mod artifact_store;
pub mod callback_store;
pub mod delivery_log;
pub mod job_store;

/// Expands to one multi-threaded tokio test per named case of a suite.
#[doc(hidden)]
#[macro_export]
macro_rules! __contract_cases {
    ($suite:path, $make:expr, $args:tt; $($case:ident),+ $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $case() {
                use $suite as suite;
                let (adapter, _guard) = ($make) $args .await;
                suite::$case(adapter).await;
            }
        )+
    };
}

/// Runs the [`job_store`] suite: `$make` is an async fn returning
/// `(Arc<dyn JobStore>, guard)`.
#[macro_export]
macro_rules! job_store_contract {
    ($make:expr) => {
        mod job_store_contract {
            use super::*;
            $crate::__contract_cases!($crate::contract::job_store, $make, ();
                create_then_get_round_trips,
                create_twice_is_refused,
                unknown_jobs_are_not_found,
                update_applies_the_change_and_appends_its_events,
                stale_update_is_a_version_conflict_and_changes_nothing,
                concurrent_updates_from_one_version_have_one_winner,
                concurrent_writers_lose_no_event,
                events_after_reads_in_order_and_in_pages,
                lists_by_owner_newest_first_in_pages,
                lists_by_course_and_all,
                garbled_cursors_are_refused,
            );
        }
    };
}

/// Runs the [`artifact_store`] suite: `$make` is an async fn taking the
/// size limit in bytes and returning `(Arc<dyn ArtifactStore>, guard)`.
#[macro_export]
macro_rules! artifact_store_contract {
    ($make:expr) => {
        mod artifact_store_contract {
            use super::*;
            $crate::__contract_cases!($crate::contract::artifact_store, $make, ($crate::contract::artifact_store::LIMIT);
                put_then_get_and_head,
                put_replaces,
                missing_artifacts,
                delete_removes_and_is_idempotent,
                list_returns_the_prefix_sorted,
                size_limit_is_enforced_and_nothing_is_stored,
                content_types_are_checked,
                readers_never_see_a_partial_write,
                a_staged_file_is_stored_as_a_put_would_store_it,
                a_staged_file_over_the_limit_or_dropped_leaves_nothing,
            );
        }
    };
}

/// Runs the [`callback_store`] suite: `$make` is an async fn returning
/// `(Arc<dyn CallbackStore>, guard)`.
#[macro_export]
macro_rules! callback_store_contract {
    ($make:expr) => {
        mod callback_store_contract {
            use super::*;
            $crate::__contract_cases!($crate::contract::callback_store, $make, ();
                put_then_get_keeps_the_token,
                ids_are_unique,
                unknown_deleted_and_expired_handles_do_not_resolve,
            );
        }
    };
}

/// Runs the [`delivery_log`] suite: `$make` is an async fn returning
/// `(Arc<dyn DeliveryLog>, guard)`.
#[macro_export]
macro_rules! delivery_log_contract {
    ($make:expr) => {
        mod delivery_log_contract {
            use super::*;
            $crate::__contract_cases!($crate::contract::delivery_log, $make, ();
                first_claim_then_in_progress_then_answered,
                released_claims_can_be_claimed_again,
                expired_leases_and_records_start_over,
                concurrent_claims_have_one_winner,
                finishing_an_unclaimed_delivery_is_not_found,
            );
        }
    };
}
