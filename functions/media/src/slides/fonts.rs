//! The slides' fonts: DejaVu Sans, regular and bold, read from Debian's
//! files by path. Nothing is discovered from the system, so a slide looks
//! the same on every machine that has the package. DejaVu Sans carries
//! Arabic and Hebrew with their OpenType shaping (joining forms), so one
//! family serves right-to-left courses too.

use std::path::Path;
use std::sync::Arc;

use coursegen_core::ports::MediaError;
use resvg::usvg::{self, fontdb};

/// Where Debian's fonts-dejavu-core puts its fonts.
pub const DEJAVU_DIR: &str = "/usr/share/fonts/truetype/dejavu";
/// The Debian package the fonts come from.
pub const DEJAVU_PACKAGE: &str = "fonts-dejavu-core";
/// The family every slide is set in.
pub(crate) const FAMILY: &str = "DejaVu Sans";

/// The two files the slides use, by weight.
const FILES: [(Weight, &str); 2] = [
    (Weight::Regular, "DejaVuSans.ttf"),
    (Weight::Bold, "DejaVuSans-Bold.ttf"),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Weight {
    Regular,
    Bold,
}

impl Weight {
    /// The CSS weight, as an SVG attribute says it.
    pub(crate) fn css(self) -> u16 {
        match self {
            Weight::Regular => 400,
            Weight::Bold => 700,
        }
    }
}

/// The loaded fonts, shared by every render.
#[derive(Debug, Clone)]
pub(crate) struct Fonts {
    db: Arc<fontdb::Database>,
}

impl Fonts {
    /// Reads the fonts from `dir`; a missing file names the package to
    /// install, a file that is no font says so.
    pub(crate) fn load(dir: &Path) -> Result<Fonts, MediaError> {
        let mut db = fontdb::Database::new();
        for (weight, file) in FILES {
            let path = dir.join(file);
            let data = std::fs::read(&path).map_err(|_| missing())?;
            let before = db.len();
            db.load_font_data(data);
            let loaded = db.faces().skip(before).any(|face| {
                face.families.iter().any(|(name, _)| name == FAMILY)
                    && face.weight.0 == weight.css()
            });
            if !loaded {
                return Err(MediaError::Failed(format!(
                    "{} is not the {FAMILY} font it should be (reinstall the Debian package {DEJAVU_PACKAGE})",
                    path.display()
                )));
            }
        }
        Ok(Fonts { db: Arc::new(db) })
    }

    /// Parsing options that see only these fonts.
    pub(crate) fn options(&self) -> usvg::Options<'static> {
        usvg::Options {
            font_family: FAMILY.to_string(),
            fontdb: Arc::clone(&self.db),
            ..usvg::Options::default()
        }
    }

    /// `svg` parsed, its text shaped and laid out.
    pub(crate) fn parse(&self, svg: &str) -> Result<usvg::Tree, MediaError> {
        usvg::Tree::from_str(svg, &self.options())
            .map_err(|e| MediaError::Failed(format!("the slide's SVG does not parse: {e}")))
    }
}

fn missing() -> MediaError {
    MediaError::Missing {
        tool: "DejaVu fonts".to_string(),
        package: DEJAVU_PACKAGE.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_fonts_name_the_package() {
        let empty = tempfile::tempdir().unwrap();
        let err = Fonts::load(empty.path()).unwrap_err();
        assert!(
            matches!(&err, MediaError::Missing { package, tool }
                if package == DEJAVU_PACKAGE && tool == "DejaVu fonts"),
            "{err:?}"
        );
        assert!(err.to_string().contains("fonts-dejavu-core"), "{err}");
    }

    #[test]
    fn a_file_that_is_no_font_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        for (_, file) in FILES {
            std::fs::write(dir.path().join(file), b"not a font").unwrap();
        }
        let err = Fonts::load(dir.path()).unwrap_err();
        assert!(
            matches!(&err, MediaError::Failed(m) if m.contains("DejaVuSans.ttf")),
            "{err:?}"
        );
    }
}
