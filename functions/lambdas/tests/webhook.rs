//! The `webhook` function against moto: its secret read from Secrets
//! Manager, deliveries checked and deduplicated over DynamoDB.

use crate::gateway;
use crate::moto;

use axum::http::StatusCode;
use chrono::Utc;
use coursegen_aws::dynamo::table::create_table;
use coursegen_core::ai_protocol::signature::{Secret, WebhookAuth, sign};
use coursegen_lambdas::config::Config;
use coursegen_lambdas::stack::Stack;
use coursegen_lambdas::webhook;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

use gateway::gateway_request;
use moto::Moto;

const REGION: &str = "eu-west-1";
const STATE_MACHINE: &str = "arn:aws:states:eu-west-1:123456789012:stateMachine:course";

async fn stack(name: &str) -> (Config, Stack) {
    let moto = Moto::shared().await;
    let sdk = moto.sdk_config(REGION);
    create_table(&aws_sdk_dynamodb::Client::new(&sdk), name)
        .await
        .unwrap();
    moto.bucket(REGION, name).await;
    let config = Config {
        table: name.into(),
        bucket: name.into(),
        state_machine_arn: Some(STATE_MACHINE.into()),
        s3_path_style: true,
        ai_server_url: None,
        llm_key_secret_arn: None,
        llm: false,
    };
    let stack = Stack::new(&config, sdk);
    (config, stack)
}

async fn post(
    router: &axum::Router,
    headers: &[(&str, &str)],
    body: &Value,
) -> (StatusCode, Value) {
    let request = gateway_request(
        "POST",
        "/v1/webhooks/ai-server",
        None,
        headers,
        Some(body.clone()),
    );
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn the_secret_comes_from_secrets_manager_and_only_signed_deliveries_get_in() {
    let (config, stack) = stack("webhook-signed").await;
    let arn = aws_sdk_secretsmanager::Client::new(&stack.sdk)
        .create_secret()
        .name("coursegen-webhook")
        .secret_string("the deployed webhook secret")
        .send()
        .await
        .unwrap()
        .arn()
        .unwrap()
        .to_owned();
    let secret = coursegen_lambdas::secrets::read(&stack.sdk, &arn, "webhook secret")
        .await
        .unwrap();
    assert_eq!(secret.as_deref(), Some("the deployed webhook secret"));
    let auth = WebhookAuth::from_config(secret, None).unwrap();
    let router = webhook::app(&config, &stack, auth).unwrap();

    let body = json!({"task": "SEGMENTATION", "status": "RUNNING", "jobId": "0123456789abcdef0123456789abcdef"});
    let (status, answer) = post(&router, &[], &body).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{answer}");

    let now = Utc::now().timestamp();
    let signature = sign(
        &Secret::new("the deployed webhook secret").unwrap(),
        now,
        body.to_string().as_bytes(),
    );
    let now = now.to_string();
    let headers = [
        ("x-coursegen-timestamp", now.as_str()),
        ("x-coursegen-signature", signature.as_str()),
        ("x-coursegen-delivery", "delivery-1"),
    ];
    // A well-signed delivery for a handle nobody issued: 404, and the same
    // answer again from the delivery log.
    let first = post(&router, &headers, &body).await;
    assert_eq!(first.0, StatusCode::NOT_FOUND, "{}", first.1);
    assert_eq!(post(&router, &headers, &body).await, first);

    assert!(
        coursegen_lambdas::secrets::read(
            &stack.sdk,
            "arn:aws:secretsmanager:eu-west-1:123456789012:secret:nope",
            "webhook secret"
        )
        .await
        .is_err()
    );
}

#[tokio::test]
async fn without_a_secret_the_endpoint_is_closed() {
    let (config, stack) = stack("webhook-closed").await;
    let auth = WebhookAuth::from_config(Some(String::new()), None).unwrap();
    let router = webhook::app(&config, &stack, auth).unwrap();
    let body = json!({"task": "SEGMENTATION", "status": "RUNNING", "jobId": "x"});
    let now = Utc::now().timestamp().to_string();
    let (status, answer) = post(
        &router,
        &[
            ("x-coursegen-timestamp", &now),
            ("x-coursegen-signature", "v1=00"),
            ("x-webhook-signature", ""),
        ],
        &body,
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("no webhook secret")
    );
    // Only the webhook is served here.
    let request = gateway_request("GET", "/v1/jobs", None, &[], None);
    let response = router.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}
