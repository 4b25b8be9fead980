//! Counted work. The loops of ingestion and of the offline engine whose
//! length depends on the input record how many steps they take, on a
//! per-thread counter, so a test can double an input and check that the
//! work at most about doubles: a check of cost that does not depend on the
//! machine's speed or load. Recording is one add to a thread-local.

use std::cell::Cell;

thread_local! {
    static STEPS: Cell<u64> = const { Cell::new(0) };
}

/// Records `n` steps of work on this thread.
#[inline]
pub(crate) fn add(n: usize) {
    STEPS.with(|s| s.set(s.get().saturating_add(n as u64)));
}

/// Runs `f` and returns its result with the steps of work it recorded on
/// this thread.
pub fn measure<T>(f: impl FnOnce() -> T) -> (T, u64) {
    let before = STEPS.with(Cell::get);
    let out = f();
    (out, STEPS.with(Cell::get) - before)
}
