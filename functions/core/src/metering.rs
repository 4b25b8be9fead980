//! What model calls cost, counted per stage run. An engine records each
//! call's usage with [`record`]; the step that runs the engine wraps it in
//! [`metered`] and stores the total on the run. A task-local keeps the
//! content ports about content: engines that cost nothing (offline) say
//! nothing, and no port signature carries a meter.

use std::future::Future;
use std::sync::{Arc, Mutex};

use crate::stage::Usage;

tokio::task_local! {
    static METER: Arc<Mutex<Usage>>;
}

/// Adds `usage` to the run being metered; outside [`metered`] it is
/// dropped (a direct call of an engine, e.g. from a test or a bench).
pub fn record(usage: Usage) {
    let _ = METER.try_with(|meter| {
        *meter.lock().unwrap_or_else(|p| p.into_inner()) += usage;
    });
}

/// Runs `work`, returning what it produced and what its model calls cost,
/// including the calls of a `work` that failed.
pub async fn metered<F: Future>(work: F) -> (F::Output, Usage) {
    let meter = Arc::new(Mutex::new(Usage::default()));
    let output = METER.scope(meter.clone(), work).await;
    let usage = *meter.lock().unwrap_or_else(|p| p.into_inner());
    (output, usage)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn calls_inside_are_summed_and_calls_outside_are_dropped() {
        let one = Usage {
            prompt_tokens: 10,
            completion_tokens: 3,
            cost_usd: 0.5,
        };
        record(one);
        let ((), usage) = metered(async {
            record(one);
            tokio::task::yield_now().await;
            record(one);
        })
        .await;
        assert_eq!(usage.prompt_tokens, 20);
        assert_eq!(usage.completion_tokens, 6);
        assert_eq!(usage.cost_usd, 1.0);
        let (result, usage) = metered(async {
            record(one);
            Err::<(), _>("failed")
        })
        .await;
        assert!(result.is_err());
        assert_eq!(usage.prompt_tokens, 10, "a failed run's calls still count");
    }
}
