//! The model's files — both models' weights, the vocabulary and the casing
//! lexicon, written by `scripts/train-punctuation` into
//! `functions/engines/model/punctuation/` — and where a process finds them.
//! With the `embedded-model` feature (the CLI and tests) they are compiled
//! in. Without it (Lambda functions, whose packages must stay small) they
//! are read once from `COURSEGEN_PUNCTUATION_DIR`, by default
//! `/opt/punctuation`, where the template's `PunctuationModel` layer puts
//! them.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use super::features::Vocabulary;
use super::model::Weights;

/// The four files, as read.
#[derive(Debug)]
pub struct Model {
    /// Reading left to right, which chooses the marks…
    pub forward: Weights,
    /// …and right to left, which checks their sentence ends.
    pub backward: Weights,
    pub vocabulary: Vocabulary,
    /// `lower` → its usual written form.
    pub truecase: HashMap<String, String>,
}

/// Why the model cannot be used: which file, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the punctuation model's {file}: {why}")]
pub struct BadModel {
    file: PathBuf,
    why: String,
}

const FILES: [&str; 4] = [
    "forward.bin",
    "backward.bin",
    "vocabulary.txt",
    "truecase.txt",
];

impl Model {
    fn from_files(bytes: [&[u8]; 4], dir: &Path) -> Result<Model, BadModel> {
        let bad = |i: usize, why: String| BadModel {
            file: dir.join(FILES[i]),
            why,
        };
        let weights = |i: usize| Weights::from_bytes(bytes[i]).map_err(|e| bad(i, e.to_string()));
        let text = |i: usize| std::str::from_utf8(bytes[i]).map_err(|e| bad(i, e.to_string()));
        Ok(Model {
            forward: weights(0)?,
            backward: weights(1)?,
            vocabulary: Vocabulary::from_text(text(2)?),
            truecase: lexicon(text(3)?),
        })
    }

    /// The model in `dir` (compiled in, the model is read this way only
    /// by the tests).
    #[cfg_attr(feature = "embedded-model", allow(dead_code))]
    pub fn from_dir(dir: &Path) -> Result<Model, BadModel> {
        let mut read = Vec::new();
        for name in FILES {
            let path = dir.join(name);
            read.push(std::fs::read(&path).map_err(|e| BadModel {
                file: path,
                why: e.to_string(),
            })?);
        }
        Model::from_files([&read[0], &read[1], &read[2], &read[3]], dir)
    }
}

/// `lower<TAB>Form` lines.
pub fn lexicon(text: &str) -> HashMap<String, String> {
    text.lines()
        .filter_map(|l| l.split_once('\t'))
        .map(|(lower, form)| (lower.to_owned(), form.to_owned()))
        .collect()
}

static MODEL: OnceLock<Result<Model, BadModel>> = OnceLock::new();

#[cfg(feature = "embedded-model")]
fn load() -> Result<Model, BadModel> {
    macro_rules! file {
        ($name:literal) => {
            include_bytes!(concat!("../../../model/punctuation/", $name))
        };
    }
    let files: [&[u8]; 4] = [
        file!("forward.bin"),
        file!("backward.bin"),
        file!("vocabulary.txt"),
        file!("truecase.txt"),
    ];
    Model::from_files(files, Path::new("functions/engines/model/punctuation"))
}

/// Where the files are read from without the `embedded-model` feature.
fn dir() -> PathBuf {
    std::env::var_os("COURSEGEN_PUNCTUATION_DIR")
        .filter(|d| !d.is_empty())
        .map_or_else(|| PathBuf::from("/opt/punctuation"), PathBuf::from)
}

#[cfg(not(feature = "embedded-model"))]
fn load() -> Result<Model, BadModel> {
    Model::from_dir(&dir())
}

/// Whether the model's files are there, without reading them (a Lambda
/// function's cold start is timed in milliseconds; the model is read when
/// captions first need it): a process that may restore captions checks
/// this as it starts, so one deployed without the model fails then, naming
/// the missing file, rather than on a user's captions.
pub fn present() -> Result<(), BadModel> {
    if cfg!(feature = "embedded-model") {
        Ok(())
    } else {
        all_in(&dir())
    }
}

/// Whether `dir` holds every file of the model.
fn all_in(dir: &Path) -> Result<(), BadModel> {
    for name in FILES {
        let path = dir.join(name);
        if let Err(e) = std::fs::metadata(&path) {
            return Err(BadModel {
                file: path,
                why: e.to_string(),
            });
        }
    }
    Ok(())
}

/// The model, read on first use.
pub fn ready() -> Result<&'static Model, BadModel> {
    MODEL.get_or_init(load).as_ref().map_err(Clone::clone)
}

/// The model, once [`present`] has said its files are there.
pub fn model() -> &'static Model {
    // Compiled in, the files are checked by this module's tests; read from
    // a directory, the files are those of the same tests, and `present`
    // checked that they are there as the process started.
    ready().expect("the punctuation model's files are checked")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("model/punctuation")
    }

    #[test]
    fn the_model_reads_from_its_directory_as_compiled_in() {
        let read = Model::from_dir(&source()).unwrap();
        let loaded = ready().unwrap();
        assert_eq!(read.vocabulary.to_text(), loaded.vocabulary.to_text());
        assert_eq!(read.truecase, loaded.truecase);
        assert_eq!(read.truecase["python"], "Python");
    }

    #[test]
    fn a_missing_or_broken_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let missing = Model::from_dir(dir.path()).unwrap_err();
        assert!(missing.to_string().contains("forward.bin"), "{missing}");
        assert_eq!(all_in(dir.path()), Err(missing));
        assert_eq!(all_in(&source()), Ok(()));
        for name in FILES {
            std::fs::copy(source().join(name), dir.path().join(name)).unwrap();
        }
        std::fs::write(dir.path().join("backward.bin"), b"CGPUNC01 short").unwrap();
        let broken = Model::from_dir(dir.path()).unwrap_err();
        assert!(broken.to_string().contains("backward.bin"), "{broken}");
    }
}
