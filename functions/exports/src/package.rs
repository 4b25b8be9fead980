//! A content package as a zip: the files an LMS unpacks, with the manifest
//! first. Every entry carries the same fixed date and files are written in
//! name order, so exporting the same course twice gives the same bytes.

use std::collections::BTreeMap;
use std::io::{Cursor, Write as _};

use zip::CompressionMethod;
use zip::write::{SimpleFileOptions, ZipWriter};

/// The files of a package, by their path inside it.
#[derive(Debug, Default)]
pub struct Package {
    files: BTreeMap<String, Vec<u8>>,
}

impl Package {
    pub fn add(&mut self, path: impl Into<String>, bytes: impl Into<Vec<u8>>) {
        self.files.insert(path.into(), bytes.into());
    }

    pub fn contains(&self, path: &str) -> bool {
        self.files.contains_key(path)
    }

    /// The zip: `manifest` first, then every other file by name. Video is
    /// stored as it is (deflate gains nothing on it); the rest is deflated.
    pub fn zip(&self, manifest: &str) -> std::io::Result<Vec<u8>> {
        let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
        let order = self
            .files
            .get_key_value(manifest)
            .into_iter()
            .chain(self.files.iter().filter(|(path, _)| *path != manifest));
        for (path, bytes) in order {
            let method = if path.ends_with(".mp4") {
                CompressionMethod::Stored
            } else {
                CompressionMethod::Deflated
            };
            let options = SimpleFileOptions::default()
                .compression_method(method)
                .large_file(bytes.len() as u64 >= u32::MAX as u64)
                .unix_permissions(0o644);
            zip.start_file(path.as_str(), options)
                .map_err(std::io::Error::other)?;
            zip.write_all(bytes)?;
        }
        Ok(zip.finish().map_err(std::io::Error::other)?.into_inner())
    }
}

/// `s` as an XML ID (what manifests' identifiers are): letters, digits,
/// `-`, `_` and `.`, starting with a letter.
pub fn xml_id(s: &str) -> String {
    let kept: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .collect();
    if kept.starts_with(|c: char| c.is_ascii_alphabetic()) {
        kept
    } else {
        format!("id-{kept}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_files_give_the_same_zip_with_the_manifest_first() {
        let make = || {
            let mut package = Package::default();
            package.add("b/index.html", "<p>b</p>");
            package.add("imsmanifest.xml", "<manifest/>");
            package.add("a.mp4", vec![0u8; 64]);
            package.zip("imsmanifest.xml").unwrap()
        };
        let bytes = make();
        assert_eq!(bytes, make());
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let names: Vec<String> = (0..archive.len())
            .map(|i| archive.by_index(i).unwrap().name().unwrap().into_owned())
            .collect();
        assert_eq!(names, ["imsmanifest.xml", "a.mp4", "b/index.html"]);
        assert_eq!(
            archive.by_name("a.mp4").unwrap().compression(),
            CompressionMethod::Stored
        );
    }
}
