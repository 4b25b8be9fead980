//! A job as its page shows it: status, stages, the gate that waits, cost,
//! problems, videos and downloads, and what the viewer may do to it.

use coursegen_core::access::{self, Action};
use coursegen_core::auth::Principal;
use coursegen_core::job::{Job, JobStatus};
use coursegen_core::lifecycle;
use coursegen_core::stage::{RunStatus, Stage, StageStatus};
use coursegen_core::videos::VideoStatus;

pub(super) struct StageRow {
    pub name: String,
    pub label: String,
    pub status: &'static str,
    pub runs: usize,
    pub approved: Option<u32>,
    pub progress: Option<String>,
    pub awaiting: bool,
    /// Has a review page (a gate, with runs to look at).
    pub reviewable: bool,
}

pub(super) struct VideoRow {
    /// The lesson as a URL names it (`m1-l2`).
    pub path: String,
    pub title: String,
    pub status: &'static str,
    pub progress: u8,
    pub ready: bool,
    pub error: Option<String>,
}

pub(super) struct JobView {
    pub id: String,
    pub course: String,
    pub source: String,
    pub status: &'static str,
    pub percent: u8,
    pub eta: Option<String>,
    pub error: Option<String>,
    pub seq: u64,
    /// Still moving: its events are followed.
    pub live: bool,
    pub stages: Vec<StageRow>,
    /// The stage waiting for a review, if one is.
    pub gate: Option<(String, String)>,
    pub cost: String,
    pub tokens: u64,
    pub problems: Vec<String>,
    pub videos: Vec<VideoRow>,
    pub has_course: bool,
    pub can_abort: bool,
}

/// A stage's name as people read it.
pub(super) fn label(stage: Stage) -> String {
    let name = stage.to_string().replace('_', " ");
    let mut chars = name.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

impl JobView {
    pub fn of(job: &Job, who: &Principal) -> JobView {
        let stages: Vec<StageRow> = job
            .stages
            .iter()
            .filter(|s| s.status != StageStatus::Skipped)
            .map(|s| StageRow {
                name: s.stage.to_string(),
                label: label(s.stage),
                status: s.status.as_str(),
                runs: s.runs.len(),
                approved: s.approved_run,
                progress: s.progress.as_ref().map(|p| match &p.message {
                    Some(m) => format!("{} of {} — {m}", p.done, p.total),
                    None => format!("{} of {}", p.done, p.total),
                }),
                awaiting: s.status == StageStatus::AwaitingApproval,
                reviewable: s.stage.is_gateable() && !s.runs.is_empty(),
            })
            .collect();
        let gate = stages
            .iter()
            .find(|s| s.awaiting)
            .map(|s| (s.name.clone(), s.label.clone()));
        let mut cost = 0.0;
        let mut tokens = 0;
        let mut problems = Vec::new();
        for (stage, run) in job.runs() {
            cost += run.usage.cost_usd;
            tokens += run.usage.prompt_tokens + run.usage.completion_tokens;
            if run.status == RunStatus::Failed {
                let why = run.error.as_deref().unwrap_or("no reason given");
                problems.push(format!("{} run {} failed: {why}", label(stage), run.n));
            }
        }
        let live = !job.status.is_terminal();
        JobView {
            id: job.id.to_string(),
            course: format!("{} / {}", job.course.course_id, job.course.version_id),
            source: job.source.kind().to_owned(),
            status: job.status.as_str(),
            percent: job.progress.percent,
            eta: lifecycle::eta(job, chrono::Utc::now()).map(|eta| {
                let s = eta.num_seconds().max(0);
                format!("about {}:{:02} left", s / 60, s % 60)
            }),
            error: job.error.clone(),
            seq: job.last_event_seq,
            live,
            stages,
            gate,
            cost: format!("${cost:.4}"),
            tokens,
            problems,
            videos: job
                .videos
                .iter()
                .map(|v| VideoRow {
                    path: v.lesson_path.replace('/', "-"),
                    title: v.title.clone(),
                    status: v.status.as_str(),
                    progress: v.progress,
                    ready: v.status == VideoStatus::Completed,
                    error: v.error.clone(),
                })
                .collect(),
            has_course: job.status == JobStatus::Succeeded
                && job.stage(Stage::Assemble).status.is_done()
                && job.options.storyboard.is_none(),
            can_abort: live && access::check(who, job, Action::Abort).is_ok(),
        }
    }
}
