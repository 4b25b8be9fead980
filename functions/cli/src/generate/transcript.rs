//! `DIR/transcript.vtt`: the transcript a course from a recording or a
//! video was made from, beside the course, so it can be checked and kept.

use anyhow::Context;
use coursegen_core::ids::JobId;
use coursegen_core::pipeline::{Ingested, Steps};
use coursegen_core::source::Source;
use coursegen_core::stage::Stage;
use coursegen_media::subtitles::{self, Cue};

/// Writes the transcript of job `id` when its source was spoken (a
/// recording or a video); other sources have their own file already.
pub async fn write(steps: &Steps, id: JobId, out: &std::path::Path) -> anyhow::Result<()> {
    let job = steps.jobs.get(id).await?;
    if !matches!(
        job.source,
        Source::Audio { .. } | Source::Youtube { .. } | Source::Playlist { .. }
    ) {
        return Ok(());
    }
    let key = job
        .stage(Stage::Ingest)
        .latest_run()
        .and_then(|run| run.output_key.clone())
        .context("the ingest stage has no output")?;
    let bytes = steps.artifacts.get(&key).await?.bytes;
    let ingested: Ingested = serde_json::from_slice(&bytes).context("the ingest output")?;
    for skipped in &ingested.skipped {
        eprintln!("left out of the course: {skipped}");
    }
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    // The transcriber's own cues when there are any; else (the AI server's
    // transcript) the sentences it was read into.
    let cues: Vec<Cue> = match &ingested.transcript {
        Some(transcript) => transcript
            .cues
            .iter()
            .map(|c| Cue {
                start_ms: c.start_ms,
                end_ms: c.end_ms,
                text: c.text.clone(),
            })
            .collect(),
        None => ingested
            .material
            .sentences
            .iter()
            .map(|s| Cue {
                start_ms: s.start_ms,
                end_ms: s.end_ms,
                text: s.text.clone(),
            })
            .collect(),
    };
    let path = out.join("transcript.vtt");
    std::fs::write(&path, subtitles::vtt(&cues))
        .with_context(|| format!("cannot write {}", path.display()))?;
    println!("{}", path.display());
    Ok(())
}
