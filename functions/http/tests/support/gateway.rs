//! Requests as API Gateway's HTTP API hands them to a Lambda, for the tests
//! of the router behind the JWT authorizer (shared with coursegen-lambdas).

use axum::body::Body;
use axum::http::Request;
use serde_json::{Value, json};

/// A request as `lambda_http` makes it from an API Gateway HTTP API event
/// (payload 2.0): the claims the JWT authorizer verified, or no authorizer.
pub fn gateway_request(
    method: &str,
    uri: &str,
    claims: Option<&Value>,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> Request<Body> {
    let (path, query) = uri.split_once('?').unwrap_or((uri, ""));
    let mut header_map: serde_json::Map<String, Value> = headers
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), json!(v)))
        .collect();
    if body.is_some() {
        header_map.insert("content-type".into(), json!("application/json"));
    }
    let mut context = json!({
        "accountId": "123456789012",
        "apiId": "api",
        "domainName": "api.example.com",
        "domainPrefix": "api",
        "http": {
            "method": method, "path": path, "protocol": "HTTP/1.1",
            "sourceIp": "192.0.2.1", "userAgent": "tests",
        },
        "requestId": "r1",
        "routeKey": "$default",
        "stage": "$default",
        "time": "22/Nov/2026:10:00:00 +0000",
        "timeEpoch": 1_795_341_600_000_u64,
    });
    if let Some(claims) = claims {
        context["authorizer"] = json!({"jwt": {"claims": claims, "scopes": null}});
    }
    let event = json!({
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": query,
        "headers": header_map,
        "requestContext": context,
        "body": body.map(|b| b.to_string()),
        "isBase64Encoded": false,
    });
    lambda_http::request::from_str(&event.to_string())
        .expect("an API Gateway v2 event")
        .map(|body| Body::from(body.to_vec()))
}
