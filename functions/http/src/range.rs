//! A stored file answered whole or, when the request asks with `Range:
//! bytes=…`, in part (206 with Content-Range): what lets a browser's
//! `<video>` seek. One range per request (what players send); a range that
//! is not satisfiable is 416 with the size. Hand-written: the one crate of
//! the field for this (tower-http's ServeFile) serves only files on disk,
//! and ours may be in an object store.

use axum::http::header::{ACCEPT_RANGES, CONTENT_DISPOSITION, CONTENT_RANGE, CONTENT_TYPE, RANGE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// Which bytes a `Range` header asks for, of a file of `size` bytes:
/// `None` for the whole file (no header, or one we do not serve in part,
/// such as several ranges), `Some(Err(()))` when unsatisfiable.
fn requested(headers: &HeaderMap, size: u64) -> Option<Result<(u64, u64), ()>> {
    let spec = headers.get(RANGE)?.to_str().ok()?.trim();
    let spec = spec.strip_prefix("bytes=")?;
    if spec.contains(',') {
        return None;
    }
    let (first, last) = spec.split_once('-')?;
    let (first, last) = (first.trim(), last.trim());
    let range = if first.is_empty() {
        // The last `n` bytes.
        let n: u64 = last.parse().ok()?;
        if n == 0 || size == 0 {
            return Some(Err(()));
        }
        (size.saturating_sub(n), size - 1)
    } else {
        let start: u64 = first.parse().ok()?;
        let end = if last.is_empty() {
            size.saturating_sub(1)
        } else {
            let end: u64 = last.parse().ok()?;
            if end < start {
                return None;
            }
            end.min(size.saturating_sub(1))
        };
        if start >= size {
            return Some(Err(()));
        }
        (start, end)
    };
    Some(Ok(range))
}

/// `bytes` (of `content_type`) as a download named `file_name`, whole or
/// the range the request asks for.
pub fn respond(
    headers: &HeaderMap,
    bytes: Vec<u8>,
    content_type: &str,
    file_name: &str,
) -> Response {
    let size = bytes.len() as u64;
    let mut response = match requested(headers, size) {
        None => (StatusCode::OK, bytes).into_response(),
        Some(Ok((start, end))) => {
            // Both within the file: `requested` clamps them.
            let part = bytes[start as usize..=end as usize].to_vec();
            let mut response = (StatusCode::PARTIAL_CONTENT, part).into_response();
            if let Ok(value) = HeaderValue::from_str(&format!("bytes {start}-{end}/{size}")) {
                response.headers_mut().insert(CONTENT_RANGE, value);
            }
            response
        }
        Some(Err(())) => {
            let mut response = StatusCode::RANGE_NOT_SATISFIABLE.into_response();
            if let Ok(value) = HeaderValue::from_str(&format!("bytes */{size}")) {
                response.headers_mut().insert(CONTENT_RANGE, value);
            }
            return response;
        }
    };
    let headers = response.headers_mut();
    headers.insert(ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    if let Ok(value) = HeaderValue::from_str(content_type) {
        headers.insert(CONTENT_TYPE, value);
    }
    if let Ok(value) = HeaderValue::from_str(&format!("inline; filename=\"{file_name}\"")) {
        headers.insert(CONTENT_DISPOSITION, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asked(range: &str, size: u64) -> Option<Result<(u64, u64), ()>> {
        let mut headers = HeaderMap::new();
        headers.insert(RANGE, HeaderValue::from_str(range).unwrap());
        requested(&headers, size)
    }

    #[test]
    fn ranges_are_read_as_players_send_them() {
        assert_eq!(asked("bytes=0-", 10), Some(Ok((0, 9))));
        assert_eq!(asked("bytes=2-5", 10), Some(Ok((2, 5))));
        assert_eq!(asked("bytes=8-100", 10), Some(Ok((8, 9))));
        assert_eq!(asked("bytes=-3", 10), Some(Ok((7, 9))));
        assert_eq!(asked("bytes=-30", 10), Some(Ok((0, 9))));
        assert_eq!(asked("bytes=10-", 10), Some(Err(())));
        assert_eq!(asked("bytes=-0", 10), Some(Err(())));
        // Not served in part: the whole file.
        assert_eq!(asked("bytes=0-1,4-5", 10), None);
        assert_eq!(asked("items=0-1", 10), None);
        assert_eq!(asked("bytes=5-2", 10), None);
        assert_eq!(asked("bytes=x-", 10), None);
        assert_eq!(requested(&HeaderMap::new(), 10), None);
    }
}
