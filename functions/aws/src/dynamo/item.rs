//! Keys and attribute values: the one place that spells the table's layout.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use coursegen_core::ids::JobId;
use coursegen_core::ports::StoreError;
use coursegen_core::stage::Stage;

use super::corrupt;

pub type Item = HashMap<String, AttributeValue>;

pub const PK: &str = "PK";
pub const SK: &str = "SK";
pub const META: &str = "META";
/// The TTL attribute, in epoch seconds.
pub const EXPIRES_AT: &str = "expires_at";
pub const BODY: &str = "body";
pub const VERSION: &str = "version";

/// The indexes jobs are listed by: `(name, partition attribute, sort attribute)`.
pub const BY_OWNER: Index = Index("GSI1", "GSI1PK", "GSI1SK");
pub const BY_COURSE: Index = Index("GSI2", "GSI2PK", "GSI2SK");
pub const ALL_JOBS: Index = Index("GSI3", "GSI3PK", "GSI3SK");
/// GSI3's one partition: every job, for admins' listings.
pub const ALL_JOBS_KEY: &str = "JOBS";

#[derive(Debug, Clone, Copy)]
pub struct Index(pub &'static str, pub &'static str, pub &'static str);

pub fn job_pk(id: &JobId) -> String {
    format!("JOB#{id}")
}

pub fn run_sk(stage: Stage, n: u32) -> String {
    format!("RUN#{:02}#{n:04}", stage as usize)
}

pub const RUN_PREFIX: &str = "RUN#";

pub fn event_sk(seq: u64) -> String {
    format!("EVT#{seq:010}")
}

/// Sorts after every event key (`~` comes after the digits).
pub const EVENTS_END: &str = "EVT#~";

/// The sort key every listing index uses: creation time, then id.
pub fn list_sk(created_ms: i64, id: &JobId) -> String {
    format!("{created_ms:013}#{id}")
}

pub fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

pub fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

pub fn get_s<'a>(item: &'a Item, name: &str) -> Result<&'a str, StoreError> {
    match item.get(name) {
        Some(AttributeValue::S(v)) => Ok(v),
        _ => Err(corrupt(
            "item",
            format!("{name} is missing or not a string"),
        )),
    }
}

pub fn get_n<T: std::str::FromStr>(item: &Item, name: &str) -> Result<T, StoreError> {
    match item.get(name) {
        Some(AttributeValue::N(v)) => v
            .parse()
            .map_err(|_| corrupt("item", format!("{name} is not a number: {v}"))),
        _ => Err(corrupt(
            "item",
            format!("{name} is missing or not a number"),
        )),
    }
}

/// The body attribute, parsed.
pub fn body<T: serde::de::DeserializeOwned>(item: &Item, what: &str) -> Result<T, StoreError> {
    serde_json::from_str(get_s(item, BODY)?).map_err(|e| corrupt(what, e))
}

pub fn to_body(value: &impl serde::Serialize, what: &str) -> Result<AttributeValue, StoreError> {
    serde_json::to_string(value)
        .map(AttributeValue::S)
        .map_err(|e| corrupt(what, e))
}

/// An item with its two keys.
pub fn keyed(pk: String, sk: impl Into<String>) -> Item {
    HashMap::from([(PK.to_owned(), s(pk)), (SK.to_owned(), s(sk))])
}
