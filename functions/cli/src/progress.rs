//! Progress in the terminal: for `generate`, one line per stage and, once
//! lessons are being written, one per lesson; once lesson videos are
//! planned, one per video with its percent. For `videos`, the video lines
//! of the lessons it renders alone. A poller reads the job from the store
//! (the source of truth) ten times a second; indicatif draws only on a
//! terminal, and elsewhere `videos` writes a plain line when a video
//! starts, is done or fails.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use coursegen_core::ids::JobId;
use coursegen_core::job::Job;
use coursegen_core::pipeline::{LessonProgress, Steps};
use coursegen_core::stage::{Stage, StageState, StageStatus};
use coursegen_core::videos::{LessonRef, LessonVideo, VideoStatus};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use tokio::sync::Notify;
use tokio::task::JoinHandle;

/// What the board shows.
#[derive(Debug, Clone)]
pub enum Scope {
    /// Every stage, lesson and video of the job (`generate`).
    Job,
    /// The videos of these lessons alone (`videos`).
    Videos(Vec<LessonRef>),
}

#[derive(Debug)]
pub struct Progress {
    multi: MultiProgress,
    done: Arc<AtomicBool>,
    /// Wakes the poller from its sleep, so finishing costs no wait.
    wake: Arc<Notify>,
    poller: JoinHandle<()>,
}

const TICK: Duration = Duration::from_millis(100);

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar())
}

/// A stage line: a bar while it runs with a known amount of work, a
/// spinner while it runs without, and a mark once settled.
fn draw_stage(bar: &ProgressBar, state: &StageState) {
    let name = state.stage.as_str();
    let (mark, note) = match state.status {
        StageStatus::Running => {
            match &state.progress {
                Some(p) => {
                    bar.set_style(style(
                        "  {spinner} {prefix:<11} {bar:24} {pos:>3}/{len:<3} {msg}",
                    ));
                    bar.set_length(u64::from(p.total));
                    bar.set_position(u64::from(p.done));
                    bar.set_message(p.message.clone().unwrap_or_default());
                }
                None => {
                    bar.set_style(style("  {spinner} {prefix:<11} {msg}"));
                    bar.set_message("running");
                }
            }
            bar.set_prefix(name);
            bar.enable_steady_tick(TICK);
            return;
        }
        StageStatus::Pending => ("·", String::new()),
        StageStatus::AwaitingApproval => ("?", "awaiting review".to_owned()),
        StageStatus::Approved | StageStatus::Completed => ("✓", settled(state)),
        StageStatus::Failed => (
            "✗",
            state
                .latest_run()
                .and_then(|r| r.error.clone())
                .unwrap_or_else(|| "failed".into()),
        ),
        StageStatus::Aborted => ("✗", "aborted".to_owned()),
        StageStatus::Skipped => ("-", "skipped".to_owned()),
    };
    bar.disable_steady_tick();
    bar.set_style(style("  {msg}"));
    bar.set_message(format!("{mark} {name:<11} {note}"));
    bar.tick();
}

/// "run 2 · 0.4 s" for a settled stage.
fn settled(state: &StageState) -> String {
    let Some(run) = state.latest_run() else {
        return String::new();
    };
    let took = run
        .finished_at
        .map(|end| (end - run.started_at).num_milliseconds().max(0) as f64 / 1000.0);
    match took {
        Some(s) => format!("run {} · {s:.1} s", run.n),
        None => format!("run {}", run.n),
    }
}

fn draw_lesson(bar: &ProgressBar, lesson: &LessonProgress, writing: bool) {
    let label = format!(
        "{}.{} {}",
        lesson.module + 1,
        lesson.lesson + 1,
        lesson.title
    );
    if lesson.written || !writing {
        bar.disable_steady_tick();
        bar.set_style(style("      {msg}"));
        let mark = if lesson.written { "✓" } else { "·" };
        bar.set_message(format!("{mark} {label}"));
        bar.tick();
    } else {
        bar.set_style(style("      {spinner} {msg}"));
        bar.set_message(label);
        bar.enable_steady_tick(TICK);
    }
}

fn draw_video(bar: &ProgressBar, video: &LessonVideo) {
    let label = format!("{} {}", video.lesson_path, video.title);
    let (mark, note) = match video.status {
        VideoStatus::Generating => {
            bar.set_style(style("      {spinner} {bar:24} {pos:>3}% {msg}"));
            bar.set_length(100);
            bar.set_position(u64::from(video.progress));
            bar.set_message(label);
            bar.enable_steady_tick(TICK);
            return;
        }
        VideoStatus::NotStarted => ("·", String::new()),
        VideoStatus::Completed => ("✓", String::new()),
        VideoStatus::Failed => ("✗", video.error.clone().unwrap_or_default()),
    };
    bar.disable_steady_tick();
    bar.set_style(style("      {msg}"));
    bar.set_message(format!("{mark} {label}  {note}").trim_end().to_owned());
    bar.tick();
}

/// What a video line says off a terminal, once per change of status.
fn plain_video(video: &LessonVideo) -> String {
    let label = format!("{} {}", video.lesson_path, video.title);
    match video.status {
        VideoStatus::NotStarted => format!("video {label}: waiting"),
        VideoStatus::Generating => format!("video {label}: rendering"),
        VideoStatus::Completed => format!("video {label}: done"),
        VideoStatus::Failed => format!(
            "video {label}: failed: {}",
            video.error.as_deref().unwrap_or("unknown error")
        ),
    }
}

/// The poller's view: for the job, a line per stage, the lesson lines
/// under the lessons stage, and the video lines under the videos stage;
/// for some lessons' videos, their lines alone.
struct Board {
    multi: MultiProgress,
    scope: Scope,
    stages: Vec<(Stage, ProgressBar)>,
    lessons: Vec<ProgressBar>,
    videos: Vec<ProgressBar>,
    /// Off a terminal, with [`Scope::Videos`]: each video's status and
    /// attempt as last written out.
    plain: Option<HashMap<LessonRef, (VideoStatus, u32)>>,
}

impl Board {
    fn new(multi: &MultiProgress, scope: Scope) -> Self {
        let stages = match scope {
            Scope::Job => Stage::ALL
                .iter()
                .map(|&s| (s, multi.add(ProgressBar::new(0))))
                .collect(),
            Scope::Videos(_) => Vec::new(),
        };
        let plain = (matches!(scope, Scope::Videos(_)) && !std::io::stderr().is_terminal())
            .then(HashMap::new);
        Board {
            multi: multi.clone(),
            scope,
            stages,
            lessons: Vec::new(),
            videos: Vec::new(),
            plain,
        }
    }

    /// `rows` made `count` lines long, under `stage`'s line (at the end
    /// when the board has no stage lines).
    fn rows(&self, stage: Stage, rows: &mut Vec<ProgressBar>, count: usize) {
        if rows.len() == count {
            return;
        }
        for bar in rows.drain(..) {
            self.multi.remove(&bar);
        }
        let at = Stage::ALL.iter().position(|s| *s == stage).unwrap_or(0);
        let mut after = self.stages.get(at).map(|(_, bar)| bar.clone());
        for _ in 0..count {
            let bar = match &after {
                Some(after) => self.multi.insert_after(after, ProgressBar::new(0)),
                None => self.multi.add(ProgressBar::new(0)),
            };
            after = Some(bar.clone());
            rows.push(bar);
        }
    }

    fn draw(&mut self, job: &Job, lessons: &[LessonProgress]) {
        for (stage, bar) in &self.stages {
            draw_stage(bar, job.stage(*stage));
        }
        let mut rows = std::mem::take(&mut self.lessons);
        self.rows(Stage::Lessons, &mut rows, lessons.len());
        self.lessons = rows;
        let writing = job.stage(Stage::Lessons).status == StageStatus::Running;
        for (bar, lesson) in self.lessons.iter().zip(lessons) {
            draw_lesson(bar, lesson, writing);
        }
        let videos: Vec<&LessonVideo> = match &self.scope {
            Scope::Job => job.videos.iter().collect(),
            Scope::Videos(only) => job
                .videos
                .iter()
                .filter(|v| only.contains(&v.at()))
                .collect(),
        };
        let mut rows = std::mem::take(&mut self.videos);
        self.rows(Stage::Videos, &mut rows, videos.len());
        self.videos = rows;
        for (bar, video) in self.videos.iter().zip(&videos) {
            draw_video(bar, video);
        }
        if let Some(said) = &mut self.plain {
            for video in videos {
                let now = (video.status, video.attempt);
                if said.insert(video.at(), now) != Some(now) {
                    eprintln!("{}", plain_video(video));
                }
            }
        }
    }
}

impl Progress {
    pub fn start(steps: Arc<Steps>, id: JobId, scope: Scope) -> Self {
        let multi = MultiProgress::new();
        let done = Arc::new(AtomicBool::new(false));
        let wake = Arc::new(Notify::new());
        let whole_job = matches!(scope, Scope::Job);
        let mut board = Board::new(&multi, scope);
        let (stop, woken) = (done.clone(), wake.clone());
        let poller = tokio::spawn(async move {
            loop {
                if let Ok(job) = steps.jobs.get(id).await {
                    let lessons = if whole_job {
                        steps.lesson_progress(id).await.unwrap_or_default()
                    } else {
                        Vec::new()
                    };
                    board.draw(&job, &lessons);
                }
                if stop.load(Ordering::Acquire) {
                    break;
                }
                tokio::select! {
                    () = tokio::time::sleep(TICK) => {}
                    () = woken.notified() => {}
                }
            }
            // Finished bars stay on screen as the run's summary.
            let stages = board.stages.iter().map(|(_, b)| b);
            for bar in stages.chain(&board.lessons).chain(&board.videos) {
                bar.disable_steady_tick();
                bar.finish();
            }
        });
        Progress {
            multi,
            done,
            wake,
            poller,
        }
    }

    /// Hides the lines while the terminal asks the reviewer something.
    pub fn pause(&self) {
        let _ = self.multi.clear();
        self.multi.set_draw_target(ProgressDrawTarget::hidden());
    }

    pub fn resume(&self) {
        self.multi.set_draw_target(ProgressDrawTarget::stderr());
    }

    /// Draws the final state once more and leaves it on screen.
    pub async fn finish(self) {
        self.done.store(true, Ordering::Release);
        self.wake.notify_one();
        let _ = self.poller.await;
    }
}
