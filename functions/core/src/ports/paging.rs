//! Cursor paging shared by every listing. A cursor is opaque to clients:
//! base64url of the position of the last item of the previous page. Both
//! stores order by (created, id) descending, so one position format serves.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use super::StoreError;
use crate::ids::JobId;

pub const DEFAULT_PAGE_SIZE: usize = 25;
pub const MAX_PAGE_SIZE: usize = 100;

/// Where a page ends: the sort key of its last item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListPosition {
    /// Creation time of the last item, in milliseconds since the epoch.
    pub created_ms: i64,
    pub id: JobId,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor(String);

impl Cursor {
    pub fn from_position(pos: &ListPosition) -> Self {
        let json = serde_json::to_vec(pos).expect("a position always serialises");
        Cursor(URL_SAFE_NO_PAD.encode(json))
    }

    pub fn position(&self) -> Result<ListPosition, StoreError> {
        let bytes = URL_SAFE_NO_PAD
            .decode(&self.0)
            .map_err(|_| StoreError::InvalidCursor)?;
        serde_json::from_slice(&bytes).map_err(|_| StoreError::InvalidCursor)
    }

    /// A cursor as a client sent it back; checked when used.
    pub fn parse(s: &str) -> Self {
        Cursor(s.to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    pub cursor: Option<Cursor>,
    pub limit: usize,
}

impl PageRequest {
    pub fn first(limit: usize) -> Self {
        PageRequest {
            cursor: None,
            limit,
        }
    }

    /// The limit actually used: 1 to [`MAX_PAGE_SIZE`].
    pub fn effective_limit(&self) -> usize {
        self.limit.clamp(1, MAX_PAGE_SIZE)
    }

    /// The position to continue after, if any; `InvalidCursor` if garbled.
    pub fn after(&self) -> Result<Option<ListPosition>, StoreError> {
        self.cursor.as_ref().map(Cursor::position).transpose()
    }
}

impl Default for PageRequest {
    fn default() -> Self {
        Self::first(DEFAULT_PAGE_SIZE)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Present when more items may follow.
    pub next: Option<Cursor>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let pos = ListPosition {
            created_ms: 1_700_000_000_000,
            id: JobId::new(),
        };
        let c = Cursor::from_position(&pos);
        assert_eq!(Cursor::parse(c.as_str()).position(), Ok(pos));
        for bad in ["", "!!!", "e30", "bm90IGpzb24"] {
            assert_eq!(
                Cursor::parse(bad).position(),
                Err(StoreError::InvalidCursor),
                "{bad}"
            );
        }
        assert_eq!(PageRequest::first(0).effective_limit(), 1);
        assert_eq!(PageRequest::first(10_000).effective_limit(), MAX_PAGE_SIZE);
    }
}
