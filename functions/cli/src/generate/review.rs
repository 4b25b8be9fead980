//! Review gates in the terminal: show what the stage produced, then approve,
//! pick an earlier run, edit, rerun with other parameters, or abort.

use coursegen_core::narration::NarrationSet;
use std::collections::BTreeMap;
use std::io::{BufRead, Write};

use anyhow::{Context, anyhow, bail};
use coursegen_core::auth::Principal;
use coursegen_core::course::{Question, QuestionType};
use coursegen_core::ids::JobId;
use coursegen_core::image_prompt::PromptSet;
use coursegen_core::outputs::{Outline, Segment};
use coursegen_core::pipeline::{QuestionSet, Steps, output_key};
use coursegen_core::service::{Decision, Service};
use coursegen_core::stage::{Stage, StageStatus};
use coursegen_core::storyboard::Storyboard;
use coursegen_core::visuals::{ClipSet, FrameImages};
use serde_json::Value;

/// A reviewer's answer at a gate.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// Approve a run, or rerun with parameters: the workflow goes on.
    Decide(Decision),
    /// Replace the output with this edited JSON (a new run), then ask again.
    Edit(String),
    Abort,
}

/// Applies an answer through the service, as the API would.
async fn apply(
    service: &Service,
    me: &Principal,
    id: JobId,
    stage: Stage,
    answer: Answer,
) -> anyhow::Result<After> {
    match answer {
        Answer::Decide(decision) => {
            service.decide(me, id, stage, decision).await?;
            Ok(After::Continue)
        }
        Answer::Edit(text) => {
            let version = service.job(me, id).await?.version;
            service.edit(me, id, stage, version, &text).await?;
            Ok(After::AskAgain)
        }
        Answer::Abort => {
            service
                .abort(me, id, Some("aborted at review".into()))
                .await?;
            Ok(After::Aborted)
        }
    }
}

/// What became of the job after an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum After {
    Continue,
    AskAgain,
    Aborted,
}

/// A short view of the stage's latest output.
pub async fn summary(steps: &Steps, id: JobId, stage: Stage) -> anyhow::Result<String> {
    let job = steps.jobs.get(id).await?;
    let state = job.stage(stage);
    let latest = state.latest_run().map(|r| r.n).unwrap_or(0);
    let key = state
        .latest_run()
        .and_then(|r| r.output_key.clone())
        .or_else(|| output_key(state))
        .context("no output to review")?;
    let bytes = steps.artifacts.get(&key).await?.bytes;
    let clock = |ms: u64| format!("{:02}:{:02}", ms / 60_000, ms / 1000 % 60);
    let mut out = format!(
        "Review of {stage} (run {latest} of {}):\n",
        state.runs.len()
    );
    match stage {
        Stage::Segment => {
            for (i, s) in serde_json::from_slice::<Vec<Segment>>(&bytes)?
                .iter()
                .enumerate()
            {
                out.push_str(&format!(
                    "  {:>2}. {}–{}  {}\n",
                    i + 1,
                    clock(s.start_ms),
                    clock(s.end_ms),
                    s.title
                ));
            }
        }
        Stage::Outline => {
            let outline: Outline = serde_json::from_slice(&bytes)?;
            out.push_str(&format!("  {}\n", outline.title));
            for (m, module) in outline.modules.iter().enumerate() {
                out.push_str(&format!("  Module {}: {}\n", m + 1, module.title));
                for lesson in &module.lessons {
                    out.push_str(&format!("    - {}\n", lesson.title));
                }
            }
        }
        Stage::Questions => {
            let set: QuestionSet = serde_json::from_slice(&bytes)?;
            for l in &set.lessons {
                out.push_str(&format!("  {}  {}\n", mix(&l.exercises), l.title));
            }
            if let Some(a) = &set.assessment {
                out.push_str(&format!("  {}  final assessment\n", mix(&a.questions)));
            }
        }
        Stage::Videos => {
            let set: NarrationSet = serde_json::from_slice(&bytes)?;
            for l in &set.lessons {
                let n = &l.narration;
                let words: usize = n.sentences().map(|s| s.split_whitespace().count()).sum();
                out.push_str(&format!(
                    "  {:>2} slides, {:>3} sentences, ~{} min  {}\n",
                    n.beats.len(),
                    n.sentences().count(),
                    words.div_ceil(150),
                    n.title
                ));
            }
        }
        Stage::Storyboard => {
            let board: Storyboard = serde_json::from_slice(&bytes)?;
            for v in &board.videos {
                out.push_str(&format!(
                    "  Video {} ({}, ~{}): {} shots, {} frames  {}\n",
                    v.number,
                    v.language,
                    clock(v.duration_ms()),
                    v.shots.len(),
                    v.frames().count(),
                    v.title
                ));
            }
        }
        Stage::Prompts => {
            let set: PromptSet = serde_json::from_slice(&bytes)?;
            for v in &set.videos {
                out.push_str(&format!(
                    "  Video {}: {} prompts; style: {}\n",
                    v.video,
                    v.frames.len(),
                    v.style.style
                ));
            }
        }
        Stage::Images => {
            let images: FrameImages = serde_json::from_slice(&bytes)?;
            out.push_str(&format!(
                "  {} pictures, e.g. {}\n",
                images.frames.len(),
                images
                    .frames
                    .first()
                    .map_or("none".into(), |f| f.key.to_string())
            ));
            out.push_str("  (redraw some: r frames=[\"v01-s01-f02\"])\n");
        }
        Stage::Clips => {
            let set: ClipSet = serde_json::from_slice(&bytes)?;
            for v in &set.videos {
                let here = v.frames.iter().filter(|f| f.fallback.is_some()).count();
                out.push_str(&format!(
                    "  Video {}: {} clips ({here} moved here instead), narration ~{}\n",
                    v.number,
                    v.frames.len(),
                    clock(v.narration.duration_ms)
                ));
                for f in v
                    .frames
                    .iter()
                    .filter_map(|f| f.fallback.as_ref().map(|why| (&f.name, why)))
                {
                    out.push_str(&format!("    {}: {}\n", f.0, f.1));
                }
            }
        }
        _ => {}
    }
    Ok(out)
}

/// "3 questions (single_choice 2, true_false 1)".
fn mix(questions: &[Question]) -> String {
    let mut counts: BTreeMap<QuestionType, usize> = BTreeMap::new();
    for q in questions {
        *counts.entry(q.question_type()).or_default() += 1;
    }
    let parts: Vec<String> = counts
        .iter()
        .map(|(ty, n)| format!("{} {n}", ty.as_str()))
        .collect();
    format!("{:>2} questions ({})", questions.len(), parts.join(", "))
}

/// Asks in the terminal until the reviewer decides; returns what happened.
pub async fn ask(
    service: &Service,
    me: &Principal,
    id: JobId,
    input: &mut impl BufRead,
    output: &mut impl Write,
) -> anyhow::Result<After> {
    let steps = &service.steps;
    loop {
        let job = steps.jobs.get(id).await?;
        let stage = job
            .stages
            .iter()
            .find(|s| s.status == StageStatus::AwaitingApproval)
            .map(|s| s.stage)
            .ok_or_else(|| anyhow!("the workflow waits, but no stage awaits review"))?;
        writeln!(output, "\n{}", summary(steps, id, stage).await?)?;
        write!(
            output,
            "[a]pprove, [p]ick run N, [e]dit, [r]erun key=value…, a[b]ort > "
        )?;
        output.flush()?;
        let mut line = String::new();
        if input.read_line(&mut line)? == 0 {
            bail!(
                "no answer at the {stage} review (input closed); run with --auto-approve to skip reviews"
            );
        }
        let answer = line.trim();
        let parsed = if matches!(answer, "e" | "edit") {
            edit_in_editor(steps, id, stage)
                .await
                .map(|text| Some(Answer::Edit(text)))
        } else {
            parse(answer)
        };
        let answer = match parsed {
            Ok(Some(d)) => d,
            Ok(None) => continue,
            Err(e) => {
                writeln!(output, "{e}")?;
                continue;
            }
        };
        match apply(service, me, id, stage, answer).await {
            Ok(After::AskAgain) => continue,
            Ok(after) => return Ok(after),
            Err(e) => writeln!(output, "{e}")?,
        }
    }
}

/// Reads one answer (`e` is handled by the caller: it opens $EDITOR).
fn parse(line: &str) -> anyhow::Result<Option<Answer>> {
    let mut words = line.split_whitespace();
    Ok(Some(match words.next() {
        None => return Ok(None),
        Some("a" | "approve") => Answer::Decide(Decision::Approve { run: None }),
        Some("p" | "pick") => {
            let n = words
                .next()
                .and_then(|n| n.parse().ok())
                .ok_or_else(|| anyhow!("pick which run? e.g. p 1"))?;
            Answer::Decide(Decision::Approve { run: Some(n) })
        }
        Some("r" | "rerun") => Answer::Decide(Decision::Rerun {
            parameters: Value::Object(super::key_values(words)?),
        }),
        Some("b" | "abort") => Answer::Abort,
        Some(other) => bail!("{other:?}: answer a, p N, e, r key=value… or b"),
    }))
}

/// Opens `$EDITOR` on the stage's latest output and returns the edited text.
async fn edit_in_editor(steps: &Steps, id: JobId, stage: Stage) -> anyhow::Result<String> {
    let editor =
        std::env::var("EDITOR").map_err(|_| anyhow!("set $EDITOR to edit the {stage} output"))?;
    let job = steps.jobs.get(id).await?;
    let key = job
        .stage(stage)
        .latest_run()
        .and_then(|r| r.output_key.clone())
        .context("nothing to edit")?;
    let current: Value = serde_json::from_slice(&steps.artifacts.get(&key).await?.bytes)?;
    let file = std::env::temp_dir().join(format!("coursegen-{id}-{stage}.json"));
    std::fs::write(&file, serde_json::to_string_pretty(&current)?)?;
    // $EDITOR may carry arguments ("code --wait").
    let mut words = editor.split_whitespace();
    let program = words.next().ok_or_else(|| anyhow!("$EDITOR is empty"))?;
    let status = std::process::Command::new(program)
        .args(words)
        .arg(&file)
        .status()
        .context("cannot start $EDITOR")?;
    if !status.success() {
        bail!("the editor exited with {status}");
    }
    let text = std::fs::read_to_string(&file)?;
    let _ = std::fs::remove_file(&file);
    Ok(text)
}
