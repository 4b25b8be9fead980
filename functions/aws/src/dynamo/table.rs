//! The table's definition, for emulators and first runs outside
//! CloudFormation. It must match `infra/template.yaml`: keys, the three
//! listing indexes and the TTL attribute.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, TimeToLiveSpecification,
};
use coursegen_core::ports::StoreError;

use super::item::{ALL_JOBS, BY_COURSE, BY_OWNER, EXPIRES_AT, Index, PK, SK};
use super::{corrupt, unavailable};

fn key(name: &str, kind: KeyType) -> Result<KeySchemaElement, StoreError> {
    KeySchemaElement::builder()
        .attribute_name(name)
        .key_type(kind)
        .build()
        .map_err(|e| corrupt("table definition", e))
}

fn string_attribute(name: &str) -> Result<AttributeDefinition, StoreError> {
    AttributeDefinition::builder()
        .attribute_name(name)
        .attribute_type(ScalarAttributeType::S)
        .build()
        .map_err(|e| corrupt("table definition", e))
}

/// Creates the table (on-demand) with its indexes and TTL.
pub async fn create_table(client: &Client, name: &str) -> Result<(), StoreError> {
    let mut request = client
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest)
        .key_schema(key(PK, KeyType::Hash)?)
        .key_schema(key(SK, KeyType::Range)?)
        .attribute_definitions(string_attribute(PK)?)
        .attribute_definitions(string_attribute(SK)?);
    for Index(index, pk, sk) in [BY_OWNER, BY_COURSE, ALL_JOBS] {
        request = request
            .attribute_definitions(string_attribute(pk)?)
            .attribute_definitions(string_attribute(sk)?)
            .global_secondary_indexes(
                GlobalSecondaryIndex::builder()
                    .index_name(index)
                    .key_schema(key(pk, KeyType::Hash)?)
                    .key_schema(key(sk, KeyType::Range)?)
                    .projection(
                        Projection::builder()
                            .projection_type(ProjectionType::All)
                            .build(),
                    )
                    .build()
                    .map_err(|e| corrupt("table definition", e))?,
            );
    }
    request.send().await.map_err(unavailable)?;
    client
        .update_time_to_live()
        .table_name(name)
        .time_to_live_specification(
            TimeToLiveSpecification::builder()
                .enabled(true)
                .attribute_name(EXPIRES_AT)
                .build()
                .map_err(|e| corrupt("table definition", e))?,
        )
        .send()
        .await
        .map_err(unavailable)?;
    Ok(())
}
