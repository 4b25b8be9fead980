//! A step of the course workflow as a Lambda: the state machine's payload
//! in, the step's small JSON out. A failed step answers with its error name
//! as the Lambda error type, which the definition's Retry and Catch match.

use std::sync::Arc;

use coursegen_core::pipeline::Steps;
use lambda_runtime::{Diagnostic, LambdaEvent, service_fn};
use serde_json::Value;

use crate::config::Config;
use crate::stack::Stack;
#[cfg(feature = "video")]
use crate::stack::VisualSecrets;

/// The gate's payload carries a task token instead of a step name.
pub const GATE: &str = "gate";

/// Whether `payload` is for the step this function was deployed as, so a
/// wrong DefinitionSubstitution fails loudly instead of running another step.
fn is_for(step: &str, payload: &Value) -> bool {
    match payload.get("step").and_then(Value::as_str) {
        Some(named) => named == step,
        None => step == GATE && payload.get("token").is_some(),
    }
}

/// Runs one invocation of `step`.
pub async fn handle(steps: &Steps, step: &str, payload: Value) -> Result<Value, Diagnostic> {
    if !is_for(step, &payload) {
        return Err(Diagnostic {
            error_type: "WrongFunction".into(),
            error_message: format!("this function runs the {step} step, not this payload's"),
        });
    }
    steps.handle(&payload).await.map_err(|e| Diagnostic {
        error_type: e.name.into(),
        error_message: e.message,
    })
}

/// The `main` of a step function: `step` is the payload's step name
/// (`plan_lessons`, `record_failure`, …) or [`GATE`].
pub async fn run(step: &'static str) -> Result<(), crate::Error> {
    crate::init_logging();
    crate::check_model()?;
    let config = Config::from_env()?;
    let stack = Stack::from_env(&config).await;
    serve(step, stack.steps).await
}

/// The `main` of a step that writes content with the jobs' engines
/// (validate, segment, outline, lesson, assessment, assemble, storyboard,
/// prompts): the only
/// ones given the LLM's key (infra/template.yaml).
pub async fn run_content(step: &'static str) -> Result<(), crate::Error> {
    crate::init_logging();
    crate::check_model()?;
    let config = Config::from_env()?;
    let stack = Stack::from_env(&config).await.with_llm(&config).await?;
    serve(step, stack.steps).await
}

/// The `main` of the dispatch function, the one step that talks to the AI
/// server (signing its calls with the webhook secret, the one secret it
/// may read).
pub async fn run_dispatch() -> Result<(), crate::Error> {
    crate::init_logging();
    crate::check_model()?;
    let config = Config::from_env()?;
    let stack = Stack::from_env(&config).await;
    let secret = crate::secrets::call_signing_secret(&stack.sdk, &config).await?;
    let stack = stack.with_ai_server(&config, secret);
    serve("dispatch", stack.steps).await
}

/// The `main` of the export function: the one step that writes packages.
pub async fn run_export() -> Result<(), crate::Error> {
    crate::init_logging();
    crate::check_model()?;
    let config = Config::from_env()?;
    let stack = Stack::from_env(&config).await.with_exporter();
    serve("export", stack.steps).await
}

/// The `main` of the video function (a container image with ffmpeg,
/// espeak-ng and the DejaVu fonts, infra/video/Dockerfile). The image is
/// checked at cold start, so a broken one fails its init with the Debian
/// package it lacks rather than failing every lesson.
#[cfg(feature = "video")]
pub async fn run_video() -> Result<(), crate::Error> {
    crate::init_logging();
    crate::check_model()?;
    if let Err(e) = coursegen_media::preflight().await {
        tracing::error!("this image cannot render videos: {e}");
        return Err(e.into());
    }
    let config = Config::from_env()?;
    let stack = Stack::from_env(&config)
        .await
        .with_renderer(&config)
        .await?;
    serve("video", stack.steps).await
}

/// The `main` of a script job's media steps (`images`, `clips`, `film`),
/// in the video function's image: the same checks at cold start, and the
/// stack that draws, animates and films.
#[cfg(feature = "video")]
pub async fn run_visual(step: &'static str) -> Result<(), crate::Error> {
    crate::init_logging();
    crate::check_model()?;
    if let Err(e) = coursegen_media::preflight().await {
        tracing::error!("this image cannot draw or film storyboards: {e}");
        return Err(e.into());
    }
    let config = Config::from_env()?;
    let speaks_openai = crate::config::optional("COURSEGEN_SPEECH")
        .is_some_and(|s| s.trim().eq_ignore_ascii_case("openai"));
    let secrets = match step {
        "images" => VisualSecrets {
            llm: true,
            clips: false,
        },
        "clips" => VisualSecrets {
            llm: speaks_openai,
            clips: true,
        },
        _ => VisualSecrets::default(),
    };
    let stack = Stack::from_env(&config)
        .await
        .with_visuals(&config, secrets)
        .await?;
    serve(step, stack.steps).await
}

async fn serve(step: &'static str, steps: Arc<Steps>) -> Result<(), crate::Error> {
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| {
        let steps = steps.clone();
        async move { handle(&steps, step, event.payload).await }
    }))
    .await
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_function_runs_only_its_own_step() {
        let ingest = json!({"job_id": "01J0000000000000000000000", "step": "ingest"});
        let gate = json!({"job_id": "01J0000000000000000000000", "stage": "segment", "token": "t"});
        assert!(is_for("ingest", &ingest));
        assert!(!is_for("validate", &ingest));
        assert!(is_for(GATE, &gate));
        assert!(!is_for("ingest", &gate));
        assert!(!is_for(GATE, &ingest));
    }
}
