//! The slides' look: one accent colour on a light page (the title slide on
//! the accent itself), and the type sizes of each role. Sizes are in the
//! frame's units (720 across the frame's short side), so every frame size
//! shows the same slide, scaled.

use super::fonts::Weight;

/// The page of the points and summary slides.
pub(crate) const PAPER: &str = "#F7F8FC";
/// Headings.
pub(crate) const INK: &str = "#141C2E";
/// Body text.
pub(crate) const BODY_INK: &str = "#2A3449";
/// What stands for text left out.
pub(crate) const MUTED: &str = "#6B7488";
/// The accent: rules, bullets, ticks, the title slide's page.
pub(crate) const ACCENT: &str = "#2B54D6";
/// Key terms: a light tint of the accent with its deep shade for text.
pub(crate) const TERM_FILL: &str = "#E2E9FB";
pub(crate) const TERM_INK: &str = "#1A3A9C";
/// Text on the accent.
pub(crate) const ON_ACCENT: &str = "#FFFFFF";
pub(crate) const ON_ACCENT_SOFT: &str = "#DCE4FB";
/// The title slide's bar, a pale accent on the accent.
pub(crate) const TITLE_BAR: &str = "#9FB6F2";

/// A kind of text: its size, the smallest it may shrink to, its weight,
/// and its line height (in em).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Role {
    pub size: f32,
    pub min: f32,
    pub weight: Weight,
    pub leading: f32,
}

impl Role {
    /// The size at `scale`, never under the role's minimum.
    pub(crate) fn at(self, scale: f32) -> f32 {
        (self.size * scale).max(self.min)
    }
}

pub(crate) const TITLE: Role = Role {
    size: 64.0,
    min: 36.0,
    weight: Weight::Bold,
    leading: 1.18,
};
pub(crate) const SUBTITLE: Role = Role {
    size: 30.0,
    min: 20.0,
    weight: Weight::Regular,
    leading: 1.3,
};
pub(crate) const HEADING: Role = Role {
    size: 46.0,
    min: 30.0,
    weight: Weight::Bold,
    leading: 1.2,
};
pub(crate) const BODY: Role = Role {
    size: 32.0,
    min: 20.0,
    weight: Weight::Regular,
    leading: 1.32,
};
pub(crate) const TERM: Role = Role {
    size: 22.0,
    min: 16.0,
    weight: Weight::Bold,
    leading: 1.0,
};

/// The scales a slide's text tries, largest first, until it fits; at the
/// last every role is at its minimum, and what still does not fit is cut.
pub(crate) const SCALES: [f32; 7] = [1.0, 0.92, 0.84, 0.77, 0.7, 0.63, 0.56];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_scale_is_every_role_at_its_minimum() {
        let last = SCALES[SCALES.len() - 1];
        for role in [TITLE, SUBTITLE, HEADING, BODY, TERM] {
            assert_eq!(role.at(last), role.min);
            assert_eq!(role.at(1.0), role.size);
            // A line's box holds its glyphs' box (DejaVu: 1.164 em).
            assert!(role.leading >= 1.0);
        }
    }
}
