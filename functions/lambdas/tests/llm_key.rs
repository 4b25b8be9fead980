//! The content steps' LLM against moto and an OpenAI-compatible server:
//! its key read from Secrets Manager (never plain configuration) and sent
//! as the bearer token; a missing secret or a bad URL stops the cold start
//! with a clear error.

use crate::fake_llm;
use crate::moto;

use std::collections::HashMap;

use coursegen_aws::dynamo::table::create_table;
use coursegen_core::material::{Material, Sentence};
use coursegen_core::options::{EngineKind, Options};
use coursegen_lambdas::config::Config;
use coursegen_lambdas::stack::Stack;
use fake_llm::{Fake, KEY};
use moto::Moto;

const REGION: &str = "eu-west-1";

async fn aws_stack(name: &str, key_secret: Option<String>) -> (Config, Stack) {
    let moto = Moto::shared().await;
    let sdk = moto.sdk_config(REGION);
    create_table(&aws_sdk_dynamodb::Client::new(&sdk), name)
        .await
        .unwrap();
    moto.bucket(REGION, name).await;
    let config = Config {
        table: name.into(),
        bucket: name.into(),
        state_machine_arn: None,
        s3_path_style: true,
        ai_server_url: None,
        llm: true,
        llm_key_secret_arn: key_secret,
    };
    let stack = Stack::new(&config, sdk);
    (config, stack)
}

fn material() -> Material {
    let texts = [
        "A packet is a small unit of data sent across a network.",
        "Each packet carries the address of the machine it is going to.",
        "Routers read that address and pass the packet one hop closer.",
    ];
    Material::from(
        texts
            .iter()
            .enumerate()
            .map(|(i, t)| Sentence {
                start_ms: i as u64 * 5_000,
                end_ms: i as u64 * 5_000 + 4_000,
                text: (*t).to_owned(),
                end_trust: coursegen_core::material::EndTrust::Sure,
            })
            .collect::<Vec<_>>(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_llm_key_comes_from_secrets_manager() {
    let server = Fake::new(material().sentences, false).serve().await;
    let (_, probe) = aws_stack("llm-key-a", None).await;
    let arn = aws_sdk_secretsmanager::Client::new(&probe.sdk)
        .create_secret()
        .name("llm-key")
        .secret_string(KEY)
        .send()
        .await
        .unwrap()
        .arn()
        .unwrap()
        .to_owned();
    let (config, stack) = aws_stack("llm-key-a2", Some(arn)).await;
    let env = HashMap::from([
        ("OPENAI_BASE_URL", server.url.clone()),
        ("COURSEGEN_LLM_MODEL", "test-model".into()),
    ]);
    let stack = stack
        .with_llm_from(&config, |name| env.get(name).cloned())
        .await
        .unwrap();
    assert!(stack.steps.llm);
    let options = Options {
        default_engine: EngineKind::Openai,
        ..Options::default()
    };
    let verdict = stack
        .steps
        .validator
        .validate(&material(), &options)
        .await
        .unwrap();
    assert!(verdict.suitable);
    let calls = server.fake.calls.lock().unwrap().clone();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].task, "verdict");
    // The fake checks the bearer key on every call.
    let problems = server.fake.problems.lock().unwrap().clone();
    assert!(problems.is_empty(), "{problems:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_secret_or_a_bad_url_stops_the_cold_start() {
    let missing = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:nope".to_owned();
    let (config, stack) = aws_stack("llm-key-b1", Some(missing)).await;
    let e = stack.with_llm_from(&config, |_| None).await.unwrap_err();
    assert!(e.to_string().contains("cannot read the LLM API key"), "{e}");

    let (config, stack) = aws_stack("llm-key-b2", None).await;
    let e = stack
        .with_llm_from(&config, |name| {
            (name == "OPENAI_BASE_URL").then(|| "llm.internal:8000".to_owned())
        })
        .await
        .unwrap_err();
    assert!(e.to_string().contains("is not an http(s) URL"), "{e}");

    // No LLM configured: the steps stay as they were (offline).
    let (config, stack) = aws_stack("llm-key-b3", None).await;
    let before = stack.steps.clone();
    let stack = stack.with_llm_from(&config, |_| None).await.unwrap();
    assert!(std::sync::Arc::ptr_eq(&before, &stack.steps));
}
