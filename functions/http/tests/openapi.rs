//! The OpenAPI document covers every route the router answers, with the
//! error envelope, and its schemas resolve.

use crate::common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use coursegen_http::openapi::{ROUTES, document};
use serde_json::Value;
use tower::ServiceExt;

use common::api;

#[tokio::test]
async fn every_route_is_documented_and_every_documented_route_answers() {
    let doc = document();
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    let documented: usize = paths.values().map(|p| p.as_object().unwrap().len()).sum();
    assert_eq!(documented, ROUTES.len(), "one entry per route");
    let api = api();
    for (method, path) in ROUTES {
        let op = &doc["paths"][path][method];
        assert!(op.is_object(), "{method} {path} is not documented");
        assert!(op["operationId"].is_string());
        // The router knows the route: whatever it answers, it is not the
        // fallback's "no such route" or a 405.
        let uri = path
            .replace("{id}", "01M80BCPTXQ40ATGBAYPAFZA27")
            .replace("{stage}", "segment")
            .replace("{n}", "1")
            .replace("{token}", "t");
        let request = Request::builder()
            .method(method.to_uppercase().as_str())
            .uri(&uri)
            .body(Body::empty())
            .unwrap();
        let response = api.router.clone().oneshot(request).await.unwrap();
        assert_ne!(
            response.status(),
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {uri}"
        );
        let bytes = http_body_util::BodyExt::collect(response.into_body())
            .await
            .unwrap()
            .to_bytes();
        let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        assert_ne!(body["error"]["message"], "no such route", "{method} {uri}");
    }
    // Every $ref points at a schema the document has.
    let text = doc.to_string();
    for reference in text.split("\"$ref\":\"").skip(1) {
        let target = reference.split('"').next().unwrap();
        let name = target
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("unexpected $ref {target}"));
        assert!(
            doc["components"]["schemas"][name].is_object(),
            "{target} does not resolve"
        );
    }
    assert!(doc["components"]["schemas"]["ErrorEnvelope"].is_object());
}

#[tokio::test]
async fn the_document_is_served() {
    let api = api();
    let response = api
        .router
        .clone()
        .oneshot(
            Request::get("/v1/openapi.json")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let bytes = http_body_util::BodyExt::collect(response.into_body())
        .await
        .unwrap()
        .to_bytes();
    let served: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(served, document());
}
