//! Storyboards and image prompts by the LLM engine, against the fake
//! OpenAI-compatible server (which checks every request and fails three in
//! ten): the narration's cut stays the offline engine's, the model
//! describes every frame and writes every prompt, and a reply with a frame
//! missing is sent back to be put right.

use crate::fake_llm;

use std::sync::Arc;
use std::time::Duration;

use coursegen_core::options::{EngineKind, Options};
use coursegen_core::ports::{PromptWriter, StoryboardRequest, StoryboardWriter};
use coursegen_core::source::DocumentFormat;
use coursegen_engines::llm::{LlmConfig, LlmEngine, RetryPolicy};
use coursegen_engines::offline::OfflineEngine;
use coursegen_local::fs_artifacts::FsArtifactStore;
use fake_llm::{Fake, KEY};

fn engine(url: &str, dir: &std::path::Path) -> LlmEngine {
    let mut config = LlmConfig::new(url, Some(KEY.into()), "test-model");
    config.retry = RetryPolicy {
        attempts: 4,
        timeout: Duration::from_millis(1000),
        base: Duration::from_millis(20),
        cap: Duration::from_millis(200),
    };
    LlmEngine::new(
        config,
        Arc::new(FsArtifactStore::open(dir, 1 << 30).unwrap()),
    )
    .unwrap()
}

/// The example script's storyboard and prompts by a model answering from
/// `fake`: checks them; the fake's problems, and how many storyboard
/// calls it answered per video.
async fn storyboard_by(fake: Fake) -> (Vec<String>, usize) {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/course-script/course-script.docx"
    );
    let doc =
        coursegen_engines::ingest::document(&std::fs::read(path).unwrap(), DocumentFormat::Docx)
            .unwrap();
    let videos = coursegen_engines::ingest::split_sections(&doc);
    let options = Options {
        default_engine: EngineKind::Openai,
        ..Options::default()
    };
    let request = StoryboardRequest {
        title: "Saving water",
        videos: &videos,
        language: "en",
        options: &options,
    };
    let server = fake.serve().await;
    let dir = tempfile::tempdir().unwrap();
    let llm = engine(&server.url, dir.path());

    let board = llm.storyboard(request).await.unwrap();
    let offline = OfflineEngine::new().storyboard(request).await.unwrap();
    assert_eq!(board.videos.len(), offline.videos.len());
    for (video, cut) in board.videos.iter().zip(&offline.videos) {
        // The same frames saying the same sentences, drawn by the model.
        let said = |v: &coursegen_core::storyboard::VideoBoard| -> Vec<Vec<String>> {
            v.frames().map(|(_, f)| f.narration.clone()).collect()
        };
        assert_eq!(said(video), said(cut));
        assert!(
            video
                .frames()
                .all(|(_, f)| f.seen.starts_with("Drawn by the model"))
        );
        let first = video.frames().next().unwrap().1;
        assert_eq!(first.on_screen_text.as_deref(), Some("The title"));
        assert!(
            video
                .frames()
                .skip(1)
                .all(|(_, f)| f.on_screen_text.is_none())
        );
        let prompts = llm.prompts(video, &options).await.unwrap();
        assert_eq!(prompts.frames.len(), video.frames().count());
        assert_eq!(prompts.style.style, "ink and watercolour");
        let numbered: Vec<(u32, u32)> = prompts.frames.iter().map(|p| (p.shot, p.frame)).collect();
        let expected: Vec<(u32, u32)> = video.frames().map(|(s, f)| (s, f.number)).collect();
        assert_eq!(numbered, expected);
    }
    board.validate().unwrap();
    let calls = server.fake.calls.lock().unwrap();
    let asked = calls.iter().filter(|c| c.task == "storyboard").count();
    let problems = server.fake.problems.lock().unwrap().clone();
    (problems, asked / board.videos.len())
}

#[tokio::test]
async fn the_model_describes_every_frame_and_prompts_each_under_one_style() {
    // Three calls in ten fail (429, 500, a stall, not JSON, off the
    // schema, cut short): retried, and the storyboard is whole.
    let (problems, _) = storyboard_by(Fake::new(Vec::new(), true)).await;
    assert!(problems.is_empty(), "{problems:?}");
}

#[tokio::test]
async fn a_storyboard_reply_missing_a_frame_is_sent_back_to_be_put_right() {
    let mut fake = Fake::new(Vec::new(), false);
    fake.weak = true;
    let (problems, asked) = storyboard_by(fake).await;
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(asked, 2, "each video's storyboard was asked for again");
}
