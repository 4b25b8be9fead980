//! Webhook deliveries seen so far, so a delivery's effects happen once: the
//! first caller claims the id, does the work and records its answer; a replay
//! gets that first answer back and changes nothing.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::StoreError;
use crate::ids::DeliveryId;

/// The HTTP answer given to a delivery, replayed verbatim to duplicates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredAnswer {
    pub status: u16,
    pub body: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryState {
    /// The caller now owns the delivery and must `finish` or `release` it.
    Claimed,
    /// Another caller is processing it right now.
    InProgress,
    /// Already processed: answer with this.
    Answered(StoredAnswer),
}

#[async_trait]
pub trait DeliveryLog: Send + Sync + std::fmt::Debug {
    /// Claims `id` until `lease_until`; a claim whose lease has run out (its
    /// owner crashed) may be claimed again. The record is forgotten after
    /// `expires_at`.
    async fn begin(
        &self,
        id: &DeliveryId,
        lease_until: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<DeliveryState, StoreError>;

    /// Records the answer of a claimed delivery; later `begin`s return it.
    async fn finish(&self, id: &DeliveryId, answer: &StoredAnswer) -> Result<(), StoreError>;

    /// Gives up a claim without an answer (the work failed in a way worth
    /// retrying), so the sender's next attempt is processed.
    async fn release(&self, id: &DeliveryId) -> Result<(), StoreError>;
}
