//! Stage outputs this process has read lately, parsed, by artifact key.
//! Each lesson of a job is its own step, and each reads the same material
//! and outline: parsed anew per lesson, the lessons stage grew with lessons
//! × material. What is kept is the output of a completed run, which is never
//! written again (a later run or an edit gets a key of its own), so a key
//! always names the same content.

use std::any::Any;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use crate::artifact::ArtifactKey;

/// How many outputs are kept: the material and outline of a couple of jobs
/// writing lessons at once.
const KEPT: usize = 4;

type Entry = (ArtifactKey, Arc<dyn Any + Send + Sync>);

#[derive(Debug, Default)]
pub struct ParsedOutputs {
    recent: Mutex<VecDeque<Entry>>,
}

impl ParsedOutputs {
    fn recent(&self) -> std::sync::MutexGuard<'_, VecDeque<Entry>> {
        self.recent.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The output under `key`, if it was kept as a `T`.
    pub(super) fn get<T: Any + Send + Sync>(&self, key: &ArtifactKey) -> Option<Arc<T>> {
        let recent = self.recent();
        let (_, value) = recent.iter().find(|(k, _)| k == key)?;
        value.clone().downcast::<T>().ok()
    }

    /// Keeps `value` as the output under `key`, dropping the oldest kept.
    pub(super) fn keep<T: Any + Send + Sync>(&self, key: ArtifactKey, value: Arc<T>) {
        let mut recent = self.recent();
        recent.retain(|(k, _)| *k != key);
        if recent.len() == KEPT {
            recent.pop_front();
        }
        recent.push_back((key, value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outputs_are_kept_by_key_and_type_the_latest_few() {
        let parsed = ParsedOutputs::default();
        let key = |n: usize| -> ArtifactKey {
            format!("jobs/j/segment/run-{n:04}.json").parse().unwrap()
        };
        parsed.keep(key(0), Arc::new(String::from("zero")));
        assert_eq!(
            parsed.get::<String>(&key(0)).as_deref().map(String::as_str),
            Some("zero")
        );
        assert!(parsed.get::<u32>(&key(0)).is_none(), "kept as another type");
        for n in 1..=KEPT {
            parsed.keep(key(n), Arc::new(n));
        }
        assert!(
            parsed.get::<String>(&key(0)).is_none(),
            "the oldest is dropped"
        );
        assert_eq!(parsed.get::<usize>(&key(KEPT)).as_deref(), Some(&KEPT));
    }
}
