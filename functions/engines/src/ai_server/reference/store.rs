//! The result files the reference server serves, in memory and bounded:
//! at most so many files and bytes, each for a day at most (the real
//! server's file URLs expire after 24 h), the oldest dropped first. Names
//! are 128 random bits, so a URL cannot be guessed from a job id.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use rand::RngExt;

/// What the server keeps.
#[derive(Debug, Clone, Copy)]
pub struct Keep {
    pub files: usize,
    pub bytes: usize,
    /// How long a file is served.
    pub for_: Duration,
}

impl Default for Keep {
    fn default() -> Self {
        Keep {
            files: 256,
            bytes: 256 << 20,
            for_: Duration::from_secs(24 * 3600),
        }
    }
}

#[derive(Debug)]
pub(super) struct Files {
    keep: Keep,
    by_name: HashMap<String, (Instant, Vec<u8>)>,
    /// Names, oldest first.
    order: VecDeque<String>,
    bytes: usize,
}

impl Files {
    pub fn new(keep: Keep) -> Self {
        Files {
            keep,
            by_name: HashMap::new(),
            order: VecDeque::new(),
            bytes: 0,
        }
    }

    /// Keeps `bytes` under a new unguessable name ending in `suffix`,
    /// dropping the oldest files to make room; the name.
    pub fn insert(&mut self, suffix: &str, bytes: Vec<u8>) -> Result<String, String> {
        if bytes.len() > self.keep.bytes {
            return Err(format!(
                "the result is {} bytes, more than the {} this server keeps",
                bytes.len(),
                self.keep.bytes
            ));
        }
        self.expire(Instant::now());
        while self.order.len() >= self.keep.files || self.bytes + bytes.len() > self.keep.bytes {
            self.drop_oldest();
        }
        let name = format!("{:032x}{suffix}", rand::rng().random::<u128>());
        self.bytes += bytes.len();
        self.order.push_back(name.clone());
        self.by_name.insert(name.clone(), (Instant::now(), bytes));
        Ok(name)
    }

    pub fn get(&mut self, name: &str) -> Option<Vec<u8>> {
        self.expire(Instant::now());
        self.by_name.get(name).map(|(_, bytes)| bytes.clone())
    }

    fn expire(&mut self, now: Instant) {
        while let Some(oldest) = self.order.front() {
            match self.by_name.get(oldest) {
                Some((at, _)) if now.duration_since(*at) < self.keep.for_ => break,
                _ => self.drop_oldest(),
            }
        }
    }

    fn drop_oldest(&mut self) {
        if let Some(name) = self.order.pop_front()
            && let Some((_, bytes)) = self.by_name.remove(&name)
        {
            self.bytes -= bytes.len();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_bounded_by_count_bytes_and_age_oldest_first() {
        let mut files = Files::new(Keep {
            files: 3,
            bytes: 10,
            for_: Duration::from_millis(200),
        });
        let a = files.insert(".json", vec![1; 4]).unwrap();
        let b = files.insert(".json", vec![2; 4]).unwrap();
        assert!(a.ends_with(".json") && a.len() == 32 + 5 && a != b);
        // 4 + 4 + 4 > 10: the oldest goes.
        let c = files.insert(".json", vec![3; 4]).unwrap();
        assert_eq!(files.get(&a), None);
        assert_eq!(files.get(&b), Some(vec![2; 4]));
        let d = files.insert("", vec![4; 1]).unwrap();
        let e = files.insert("", vec![5; 1]).unwrap();
        // At most three files: b went too.
        assert_eq!(files.get(&b), None);
        for kept in [&c, &d, &e] {
            assert!(files.get(kept).is_some());
        }
        assert!(files.insert("", vec![0; 11]).is_err());
        std::thread::sleep(Duration::from_millis(250));
        assert_eq!(files.get(&e), None, "expired");
        assert_eq!((files.order.len(), files.bytes), (0, 0));
    }
}
