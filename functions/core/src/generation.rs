//! A generation job: one picture or clip asked of a provider, as the
//! workflow keeps it between a submission and its end. The rules of
//! polling live here, pure, so the state machine's Wait/Choice loop (on AWS
//! and in our interpreter) only asks "how long to wait, and then what":
//! waits grow from seconds to a minute; a provider that cannot be asked is
//! asked again later, not failed; a safety refusal is final; a task past
//! its time limit is cancelled. The provider's task id is kept from the
//! moment it is known, so a step that dies and runs again polls that task
//! and never submits a second one.

use chrono::{DateTime, Duration, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::ports::ClipState;

/// Where a generation job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum GenerationStatus {
    /// Not yet accepted by the provider.
    Pending,
    /// Accepted, waiting its turn.
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
    /// Past its time limit; cancelled at the provider.
    TimedOut,
}

impl GenerationStatus {
    pub fn is_final(self) -> bool {
        matches!(
            self,
            GenerationStatus::Succeeded
                | GenerationStatus::Failed
                | GenerationStatus::Cancelled
                | GenerationStatus::TimedOut
        )
    }
}

/// How a job is polled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PollPolicy {
    /// The first wait after a submission, doubling after each poll that
    /// finds the task unfinished, up to `longest`.
    pub first: Duration,
    pub longest: Duration,
    /// From submission to giving up.
    pub limit: Duration,
}

impl Default for PollPolicy {
    /// Clips take one to a few minutes: first look after 5 s, then at most
    /// once a minute, for up to 30 minutes.
    fn default() -> Self {
        PollPolicy {
            first: Duration::seconds(5),
            longest: Duration::seconds(60),
            limit: Duration::minutes(30),
        }
    }
}

impl PollPolicy {
    /// The policy `get` (an environment) sets: `COURSEGEN_CLIP_POLL_FIRST_S`
    /// (the first wait), `COURSEGEN_CLIP_POLL_MAX_S` (the longest) and
    /// `COURSEGEN_CLIP_TIMEOUT_S` (from submission to giving up), each a
    /// whole number of seconds; the defaults where unset.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let seconds = |name: &str, default: Duration| match get(name) {
            None => Ok(default),
            Some(v) => v
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|&s| s > 0)
                .map(|s| Duration::seconds(i64::from(s)))
                .ok_or_else(|| format!("{name} {v:?} is not a positive whole number of seconds")),
        };
        let default = PollPolicy::default();
        let policy = PollPolicy {
            first: seconds("COURSEGEN_CLIP_POLL_FIRST_S", default.first)?,
            longest: seconds("COURSEGEN_CLIP_POLL_MAX_S", default.longest)?,
            limit: seconds("COURSEGEN_CLIP_TIMEOUT_S", default.limit)?,
        };
        if policy.first > policy.longest {
            return Err(
                "COURSEGEN_CLIP_POLL_FIRST_S must not be over COURSEGEN_CLIP_POLL_MAX_S".into(),
            );
        }
        Ok(policy)
    }
}

/// Why a job ended without its output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct GenerationError {
    /// The provider's code ("SAFETY.INPUT.TEXT"), or ours ("timed_out").
    pub code: String,
    pub message: String,
}

/// One picture or clip asked of a provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct GenerationJob {
    /// "runway", "luma", "openai", "offline".
    pub provider: String,
    /// The provider's task id, once it has accepted the job.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    pub status: GenerationStatus,
    /// Polls made, and when the next is due.
    pub polls: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submitted_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_poll_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percent: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<GenerationError>,
    /// Where the provider put the result, until it is fetched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_url: Option<String>,
}

/// What the workflow does next with a job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// Wait this long, then poll.
    Wait(Duration),
    /// Fetch the result from this URL.
    Fetch(String),
    /// Ask the provider to stop the task (it ran out of time).
    Cancel,
    /// Nothing: the job has ended.
    Done,
}

impl GenerationJob {
    /// A job not yet submitted to `provider`.
    pub fn new(provider: &str) -> Self {
        GenerationJob {
            provider: provider.to_owned(),
            external_id: None,
            status: GenerationStatus::Pending,
            polls: 0,
            submitted_at: None,
            next_poll_at: None,
            percent: None,
            error: None,
            output_url: None,
        }
    }

    /// The provider accepted it as task `external_id` at `now`.
    pub fn submitted(&mut self, external_id: String, now: DateTime<Utc>, policy: &PollPolicy) {
        self.external_id = Some(external_id);
        self.status = GenerationStatus::Queued;
        self.submitted_at = Some(now);
        self.next_poll_at = Some(now + policy.first);
    }

    /// The wait before poll `polls + 1`: the first, doubled per poll made.
    fn wait(&self, policy: &PollPolicy) -> Duration {
        let doublings = self.polls.min(16);
        (policy.first * 2i32.pow(doublings)).min(policy.longest)
    }

    /// What the provider said of the task at `now`, and what follows.
    pub fn observed(&mut self, state: &ClipState, now: DateTime<Utc>, policy: &PollPolicy) -> Next {
        self.polls += 1;
        match state {
            ClipState::Queued => self.status = GenerationStatus::Queued,
            ClipState::Running { percent } => {
                self.status = GenerationStatus::Running;
                self.percent = *percent;
            }
            ClipState::Succeeded { url } => {
                self.status = GenerationStatus::Succeeded;
                self.percent = Some(100);
                self.output_url = Some(url.clone());
                self.next_poll_at = None;
                return Next::Fetch(url.clone());
            }
            ClipState::Failed { code, message, .. } => {
                return self.end(GenerationStatus::Failed, code, message);
            }
            ClipState::Cancelled => {
                return self.end(
                    GenerationStatus::Cancelled,
                    "cancelled",
                    "the task was cancelled",
                );
            }
        }
        self.later(now, policy)
    }

    /// The provider could not be asked at `now` (429, 5xx, the network):
    /// the task is unaffected, so ask again later.
    pub fn unreachable(&mut self, now: DateTime<Utc>, policy: &PollPolicy) -> Next {
        self.polls += 1;
        self.later(now, policy)
    }

    /// The next poll, or a cancel once past the time limit.
    fn later(&mut self, now: DateTime<Utc>, policy: &PollPolicy) -> Next {
        let started = self.submitted_at.unwrap_or(now);
        if now - started >= policy.limit {
            let minutes = policy.limit.num_minutes();
            self.end(
                GenerationStatus::TimedOut,
                "timed_out",
                &format!("not finished after {minutes} minutes"),
            );
            return Next::Cancel;
        }
        let wait = self.wait(policy).min(started + policy.limit - now);
        self.next_poll_at = Some(now + wait);
        Next::Wait(wait)
    }

    fn end(&mut self, status: GenerationStatus, code: &str, message: &str) -> Next {
        self.status = status;
        self.next_poll_at = None;
        self.error = Some(GenerationError {
            code: code.to_owned(),
            message: message.to_owned(),
        });
        Next::Done
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + seconds, 0).unwrap()
    }

    #[test]
    fn waits_double_to_a_minute_and_a_success_is_fetched() {
        let policy = PollPolicy::default();
        let mut job = GenerationJob::new("runway");
        job.submitted("task-1".into(), at(0), &policy);
        assert_eq!(job.next_poll_at, Some(at(5)));
        let mut waits = Vec::new();
        let mut now = 5;
        for state in [
            ClipState::Queued,
            ClipState::Queued,
            ClipState::Running { percent: Some(40) },
            ClipState::Running { percent: None },
            ClipState::Queued,
        ] {
            let Next::Wait(wait) = job.observed(&state, at(now), &policy) else {
                panic!("waits")
            };
            waits.push(wait.num_seconds());
            now += wait.num_seconds();
        }
        assert_eq!(waits, [10, 20, 40, 60, 60]);
        assert_eq!(job.polls, 5);
        let done = job.observed(
            &ClipState::Succeeded {
                url: "https://cdn/x.mp4".into(),
            },
            at(now),
            &policy,
        );
        assert_eq!(done, Next::Fetch("https://cdn/x.mp4".into()));
        assert_eq!(
            (job.status, job.percent, job.next_poll_at),
            (GenerationStatus::Succeeded, Some(100), None)
        );
        assert_eq!(
            job.external_id.as_deref(),
            Some("task-1"),
            "the task id is kept"
        );
    }

    #[test]
    fn a_refusal_ends_the_job_and_an_unreachable_provider_is_asked_again() {
        let policy = PollPolicy::default();
        let mut job = GenerationJob::new("runway");
        job.submitted("task-2".into(), at(0), &policy);
        assert_eq!(
            job.unreachable(at(5), &policy),
            Next::Wait(Duration::seconds(10))
        );
        assert_eq!(job.status, GenerationStatus::Queued);
        let failed = ClipState::Failed {
            code: "SAFETY.INPUT.TEXT".into(),
            message: "refused".into(),
            safety: true,
        };
        assert_eq!(job.observed(&failed, at(15), &policy), Next::Done);
        assert_eq!(job.status, GenerationStatus::Failed);
        assert_eq!(job.error.as_ref().unwrap().code, "SAFETY.INPUT.TEXT");
        assert!(job.status.is_final());
    }

    #[test]
    fn a_task_past_its_limit_is_cancelled_and_the_last_wait_stops_at_the_limit() {
        let policy = PollPolicy {
            first: Duration::seconds(5),
            longest: Duration::seconds(60),
            limit: Duration::seconds(100),
        };
        let mut job = GenerationJob::new("luma");
        job.submitted("g-1".into(), at(0), &policy);
        assert_eq!(
            job.observed(&ClipState::Queued, at(95), &policy),
            Next::Wait(Duration::seconds(5))
        );
        assert_eq!(
            job.observed(&ClipState::Running { percent: None }, at(100), &policy),
            Next::Cancel
        );
        assert_eq!(job.status, GenerationStatus::TimedOut);
        assert_eq!(job.error.as_ref().unwrap().code, "timed_out");
    }

    #[test]
    fn a_job_survives_a_round_trip_through_json() {
        let mut job = GenerationJob::new("offline");
        job.submitted("abc".into(), at(0), &PollPolicy::default());
        let back: GenerationJob =
            serde_json::from_str(&serde_json::to_string(&job).unwrap()).unwrap();
        assert_eq!(back, job);
    }
}
