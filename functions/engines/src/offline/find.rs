//! Finding markers and words in text whatever their case, at byte offsets
//! valid in the text searched. Searching a lower-cased copy instead gives
//! offsets into the copy, and lower-casing changes byte lengths ("İ" is two
//! bytes, its lower case "i̇" three): cut the original there and the cut
//! lands on the wrong word, inside a character, or past its end.

use std::ops::Range;

/// Where `marker` (lower-case ASCII, such as " is a ") first occurs in
/// `text`, ignoring ASCII case. Non-ASCII bytes never equal an ASCII one,
/// so the match starts and ends on character boundaries of `text`.
pub fn find_marker(text: &str, marker: &str) -> Option<usize> {
    debug_assert!(marker.is_ascii(), "markers are ASCII: {marker:?}");
    let (hay, m) = (text.as_bytes(), marker.as_bytes());
    crate::work::add(hay.len());
    if m.is_empty() {
        return Some(0);
    }
    hay.windows(m.len()).position(|w| w.eq_ignore_ascii_case(m))
}

/// Whether `text` contains `marker` (lower-case ASCII), ignoring ASCII case.
pub fn contains_marker(text: &str, marker: &str) -> bool {
    find_marker(text, marker).is_some()
}

/// `text` after `marker` (lower-case ASCII), if `text` starts with it in
/// any ASCII case.
pub fn strip_marker<'a>(text: &'a str, marker: &str) -> Option<&'a str> {
    debug_assert!(marker.is_ascii(), "markers are ASCII: {marker:?}");
    let head = text.as_bytes().get(..marker.len())?;
    // An ASCII match ends on a character boundary, so the slice is valid.
    head.eq_ignore_ascii_case(marker.as_bytes())
        .then(|| &text[marker.len()..])
}

/// The first whole-word occurrence of `word` in `text`, ignoring case, as
/// a byte range of `text`.
pub fn find_word(text: &str, word: &str) -> Option<Range<usize>> {
    let needle = word.to_lowercase();
    if needle.is_empty() {
        return None;
    }
    let folded = Folded::new(text);
    let mut from = 0;
    while let Some(found) = folded.lower[from..].find(&needle) {
        let lower = from + found..from + found + needle.len();
        from = lower.end;
        let Some(range) = folded.original(lower) else {
            continue;
        };
        let before = text[..range.start].chars().next_back();
        let after = text[range.end..].chars().next();
        if before.is_none_or(|c| !c.is_alphanumeric()) && after.is_none_or(|c| !c.is_alphanumeric())
        {
            return Some(range);
        }
    }
    None
}

/// A text lower-cased, remembering which character of the original each
/// byte of the lower-cased text came from.
struct Folded {
    lower: String,
    /// For each byte of `lower`, and one past its end: the byte offset in
    /// the original of the character it came from (the original's length
    /// for the end).
    origin: Vec<usize>,
}

impl Folded {
    fn new(text: &str) -> Self {
        let mut lower = String::with_capacity(text.len());
        let mut origin = Vec::with_capacity(text.len() + 1);
        for (at, c) in text.char_indices() {
            lower.extend(c.to_lowercase());
            origin.resize(lower.len(), at);
        }
        origin.push(text.len());
        crate::work::add(lower.len());
        Folded { lower, origin }
    }

    /// Whether byte `k` of `lower` begins the lower case of a character of
    /// the original (or is the end).
    fn begins(&self, k: usize) -> bool {
        k == 0 || self.origin[k] != self.origin[k - 1]
    }

    /// The range of the original that `range` of `lower` came from, when it
    /// covers whole characters of the original.
    fn original(&self, range: Range<usize>) -> Option<Range<usize>> {
        (self.begins(range.start) && self.begins(range.end))
            .then(|| self.origin[range.start]..self.origin[range.end])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_are_found_where_the_text_has_them() {
        // "İ" lower-cases to two characters: offsets from a lower-cased copy
        // would be two bytes late here.
        let text = "İİ Çay IS A drink.";
        let at = find_marker(text, " is a ").unwrap();
        assert_eq!(&text[..at], "İİ Çay");
        assert_eq!(find_marker("no marker here", " is a "), None);
        assert!(contains_marker("For Example, this", "for example"));
        assert_eq!(strip_marker("FIRST, İİİ.", "first"), Some(", İİİ."));
        assert_eq!(strip_marker("İİ", "first"), None);
        assert_eq!(strip_marker("fir", "first"), None);
    }

    #[test]
    fn words_are_found_whole_and_in_the_original_case() {
        let text = "İİ The ÇAY and çay.";
        assert_eq!(find_word(text, "çay").map(|r| &text[r]), Some("ÇAY"));
        let text = "Antigens and an ANTIGEN.";
        assert_eq!(
            find_word(text, "antigen").map(|r| &text[r]),
            Some("ANTIGEN")
        );
        assert_eq!(
            find_word("İzmir", "i"),
            None,
            "half of İ's lower case is no match"
        );
        assert_eq!(find_word("nothing here", "antigen"), None);
        assert_eq!(find_word("anything", ""), None);
    }
}
