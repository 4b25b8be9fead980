//! Error names, Retry and Catch: which retrier or catcher handles an error,
//! and how long to wait before the next attempt.

use std::time::Duration;

use super::definition::{Catcher, Jitter, Retrier};

/// Error names the interpreter itself raises, as Step Functions does.
pub const ALL: &str = "States.ALL";
pub const TASK_FAILED: &str = "States.TaskFailed";
pub const TIMEOUT: &str = "States.Timeout";
pub const HEARTBEAT_TIMEOUT: &str = "States.HeartbeatTimeout";
pub const RUNTIME: &str = "States.Runtime";
/// A task whose code panicked (not a Step Functions name: a Lambda that
/// crashes reports its runtime's own error type). Nothing retries it.
pub const PANIC: &str = "Panic";
/// A task that was running each time the process stopped, too often to try
/// it again.
pub const INTERRUPTED: &str = "Interrupted";

/// Whether an `ErrorEquals` list covers `error`. `States.ALL` covers every
/// error except `States.Runtime`; `States.TaskFailed` covers every error a
/// task raised except timeouts; `States.Timeout` covers heartbeat timeouts.
pub fn covers(error_equals: &[String], error: &str) -> bool {
    error_equals.iter().any(|e| {
        e == error
            || (e == ALL && error != RUNTIME)
            || (e == TASK_FAILED && !error.starts_with("States."))
            || (e == TIMEOUT && error == HEARTBEAT_TIMEOUT)
    })
}

/// The retrier that handles `error`: the first whose list covers it.
pub fn retrier_for<'a>(retry: &'a [Retrier], error: &str) -> Option<(usize, &'a Retrier)> {
    retry
        .iter()
        .enumerate()
        .find(|(_, r)| covers(&r.error_equals, error))
}

pub fn catcher_for<'a>(catch: &'a [Catcher], error: &str) -> Option<&'a Catcher> {
    catch.iter().find(|c| covers(&c.error_equals, error))
}

/// The wait before retry number `attempt` (1 = the first retry), or `None`
/// when the retrier's attempts are used up. `unit` is a random number in
/// [0, 1) for full jitter (passed in so tests are deterministic).
pub fn delay(retrier: &Retrier, attempt: u32, unit: f64) -> Option<Duration> {
    if attempt > retrier.max_attempts {
        return None;
    }
    let exponent = i32::try_from(attempt.saturating_sub(1)).unwrap_or(i32::MAX);
    let mut seconds = retrier.interval_seconds * retrier.backoff_rate.powi(exponent);
    if let Some(max) = retrier.max_delay_seconds {
        seconds = seconds.min(max);
    }
    if retrier.jitter_strategy == Jitter::Full {
        seconds *= unit.clamp(0.0, 1.0);
    }
    Some(Duration::from_secs_f64(
        seconds.clamp(0.0, 365.0 * 24.0 * 3600.0),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn retrier(errors: &[&str]) -> Retrier {
        Retrier {
            error_equals: errors.iter().map(|e| (*e).to_owned()).collect(),
            interval_seconds: 2.0,
            max_attempts: 4,
            backoff_rate: 3.0,
            max_delay_seconds: Some(30.0),
            jitter_strategy: Jitter::None,
        }
    }

    #[test]
    fn error_matching_follows_aws() {
        let list = |e: &[&str]| e.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert!(covers(&list(&["States.ALL"]), "Lambda.ServiceException"));
        assert!(!covers(&list(&["States.ALL"]), RUNTIME));
        assert!(covers(&list(&["States.TaskFailed"]), "EngineUnavailable"));
        assert!(!covers(&list(&["States.TaskFailed"]), TIMEOUT));
        assert!(covers(&list(&["States.Timeout"]), HEARTBEAT_TIMEOUT));
        assert!(!covers(
            &list(&["Lambda.TooManyRequestsException"]),
            "Other"
        ));
        let retry = vec![retrier(&["Throttled"]), retrier(&["States.ALL"])];
        assert_eq!(retrier_for(&retry, "Throttled").map(|(i, _)| i), Some(0));
        assert_eq!(retrier_for(&retry, "Boom").map(|(i, _)| i), Some(1));
    }

    #[test]
    fn backoff_grows_caps_and_jitters() {
        let mut r = retrier(&["States.ALL"]);
        let secs = |a| delay(&r, a, 0.5).map(|d| d.as_secs_f64());
        assert_eq!(
            [secs(1), secs(2), secs(3), secs(4), secs(5)],
            [Some(2.0), Some(6.0), Some(18.0), Some(30.0), None]
        );
        r.jitter_strategy = Jitter::Full;
        assert_eq!(delay(&r, 2, 0.5).map(|d| d.as_secs_f64()), Some(3.0));
        assert_eq!(delay(&r, 2, 0.0), Some(Duration::ZERO));
        r.max_attempts = 0;
        assert_eq!(delay(&r, 1, 0.5), None);
    }
}
