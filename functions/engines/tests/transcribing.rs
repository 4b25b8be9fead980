//! A recording's ingest on the embedded stack: the transcriber's advance
//! becomes the stage's progress (and events), and aborting the job stops
//! the transcription. The transcriber here is a stand-in that listens for
//! as long as it is let; the real one is tested in coursegen-asr.

use crate::common;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use common::{new_job, stack};
use coursegen_core::lifecycle::Command;
use coursegen_core::material::{Cue, Transcript};
use coursegen_core::ports::{EngineError, JobStore, Progress, Transcriber};
use coursegen_core::source::Source;
use coursegen_core::stage::{Stage, StageStatus};
use coursegen_engines::ingest::UploadIngestor;
use serde_json::json;

/// Reports a second of "speech" every 10 ms, up to `seconds`, stopping
/// when cancelled; says whether it was.
#[derive(Debug, Default)]
struct Listener {
    seconds: u32,
    cancelled: AtomicBool,
}

#[async_trait::async_trait]
impl Transcriber for Listener {
    async fn transcribe(
        &self,
        _audio: &Path,
        _language: Option<&str>,
        progress: &Progress,
    ) -> Result<Transcript, EngineError> {
        for s in 1..=self.seconds {
            if progress.is_cancelled() {
                self.cancelled.store(true, Ordering::SeqCst);
                return Err(EngineError::Invalid(
                    "the transcription was cancelled".into(),
                ));
            }
            progress.report(s, self.seconds, format!("transcribed {s} s"));
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let text = "Energy is the capacity to do work. It comes in many forms.";
        Ok(Transcript {
            language: Some("en".into()),
            cues: vec![Cue {
                start_ms: 0,
                end_ms: 4000,
                text: text.into(),
                speaker: None,
            }],
        })
    }
}

#[tokio::test]
async fn transcription_reports_progress_and_keeps_its_transcript() {
    let mut stack = stack().await;
    let listener = Arc::new(Listener {
        seconds: 5,
        ..Listener::default()
    });
    stack.steps.ingestor = Arc::new(UploadIngestor::transcribing(listener));
    let id = new_job(&stack, "lecture/lecture.srt", |k| Source::Audio {
        upload_key: k,
    })
    .await;
    let out = stack
        .steps
        .handle(&json!({"job_id": id.to_string(), "step": "ingest"}))
        .await
        .unwrap();
    assert_eq!(out["sentences"], 2);
    let events = stack.jobs.events_after(id, 0, 1000).await.unwrap();
    let progress: Vec<_> = events
        .iter()
        .filter_map(|e| serde_json::to_value(e).ok())
        .filter(|e| e["type"] == "stage_progress")
        .map(|e| {
            (
                e["done"].as_u64().unwrap(),
                e["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(!progress.is_empty());
    assert!(
        progress.windows(2).all(|w| w[0].0 <= w[1].0),
        "{progress:?}"
    );
    assert!(progress.iter().all(|(_, m)| m.starts_with("transcribed")));
    let job = stack.jobs.get(id).await.unwrap();
    assert_eq!(job.stage(Stage::Ingest).status, StageStatus::Completed);
}

#[tokio::test]
async fn aborting_the_job_stops_the_transcription() {
    let mut stack = stack().await;
    let listener = Arc::new(Listener {
        seconds: 3000,
        ..Listener::default()
    });
    stack.steps.ingestor = Arc::new(UploadIngestor::transcribing(listener.clone()));
    let id = new_job(&stack, "lecture/lecture.srt", |k| Source::Audio {
        upload_key: k,
    })
    .await;
    let steps = stack.steps.clone();
    let ingest = tokio::spawn(async move {
        steps
            .handle(&json!({"job_id": id.to_string(), "step": "ingest"}))
            .await
    });
    // Once it is under way, the job is aborted.
    loop {
        let job = stack.jobs.get(id).await.unwrap();
        if job.stage(Stage::Ingest).progress.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    stack
        .steps
        .update(id, |_| {
            Ok(vec![Command::Abort {
                reason: Some("changed my mind".into()),
            }])
        })
        .await
        .unwrap();
    let outcome = tokio::time::timeout(Duration::from_secs(10), ingest)
        .await
        .expect("the transcription stopped soon after the abort")
        .unwrap();
    assert!(outcome.is_err());
    assert!(
        listener.cancelled.load(Ordering::SeqCst),
        "the transcriber was told to stop"
    );
}
