//! Line breaking by measured width: greedy, word by word, breaking inside a
//! word only when the word alone is wider than the line, and shortening with
//! an ellipsis when the lines must be fewer. Pure: widths come from a
//! [`Measure`], so the rules are tested without fonts.

/// What ends shortened text.
pub(crate) const ELLIPSIS: &str = "…";

/// Widths of text set in one font at one size.
pub(crate) trait Measure {
    /// The advance of `text`, a word or part of one (no spaces).
    fn advance(&self, text: &str) -> f32;
    /// The advance of the space between two words.
    fn space(&self) -> f32;

    /// The advance of a line: its words and the single spaces between them.
    fn line(&self, line: &str) -> f32 {
        let (count, sum) = line
            .split_whitespace()
            .fold((0usize, 0.0f32), |(n, w), word| {
                (n + 1, w + self.advance(word))
            });
        sum + self.space() * count.saturating_sub(1) as f32
    }
}

/// `text` broken into lines no wider than `max`.
pub(crate) fn wrap(text: &str, max: f32, m: &dyn Measure) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut width = 0.0;
    for word in text.split_whitespace() {
        let w = m.advance(word);
        if !line.is_empty() && width + m.space() + w <= max {
            line.push(' ');
            line.push_str(word);
            width += m.space() + w;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        if w <= max {
            line.push_str(word);
            width = w;
        } else {
            // A word wider than the line (a URL, a long compound) is cut
            // where it must be; its last piece starts the next line.
            let mut pieces = split_word(word, max, m);
            let last = pieces.pop().unwrap_or_default();
            lines.extend(pieces);
            width = m.advance(&last);
            line = last;
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// At most `max_lines` of `lines`; when some are dropped, the last kept one
/// ends with an ellipsis, still no wider than `max`.
pub(crate) fn clamp(
    mut lines: Vec<String>,
    max_lines: usize,
    max: f32,
    m: &dyn Measure,
) -> Vec<String> {
    if lines.len() <= max_lines {
        return lines;
    }
    lines.truncate(max_lines);
    if let Some(last) = lines.pop() {
        lines.push(ellipsize(&last, max, m));
    }
    lines
}

/// `line` shortened from its end until it and a trailing ellipsis fit `max`.
pub(crate) fn ellipsize(line: &str, max: f32, m: &dyn Measure) -> String {
    let mut kept: Vec<&str> = clusters(line).collect();
    loop {
        let head = kept.concat();
        let candidate = format!("{}{ELLIPSIS}", head.trim_end());
        if kept.is_empty() || m.line(&candidate) <= max {
            return candidate;
        }
        kept.pop();
    }
}

/// A word cut into pieces no wider than `max` (a single character wider
/// than `max` still makes a piece of its own).
fn split_word(word: &str, max: f32, m: &dyn Measure) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut piece = String::new();
    for cluster in clusters(word) {
        let longer = format!("{piece}{cluster}");
        if !piece.is_empty() && m.advance(&longer) > max {
            pieces.push(std::mem::replace(&mut piece, cluster.to_string()));
        } else {
            piece = longer;
        }
    }
    if !piece.is_empty() {
        pieces.push(piece);
    }
    pieces
}

/// `text` in pieces that are never split: a character with the combining
/// marks that follow it (accents, Arabic vowel marks, Hebrew points).
fn clusters(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        let mut chars = rest.char_indices();
        chars.next()?;
        let end = chars
            .find(|&(_, c)| !is_mark(c))
            .map_or(rest.len(), |(i, _)| i);
        let (cluster, tail) = rest.split_at(end);
        rest = tail;
        Some(cluster)
    })
}

/// Combining marks of the scripts the fonts cover, and the joiners.
fn is_mark(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}'
        | '\u{0483}'..='\u{0489}'
        | '\u{0591}'..='\u{05BD}' | '\u{05BF}' | '\u{05C1}'..='\u{05C2}' | '\u{05C4}'..='\u{05C5}' | '\u{05C7}'
        | '\u{0610}'..='\u{061A}' | '\u{064B}'..='\u{065F}' | '\u{0670}'
        | '\u{06D6}'..='\u{06DC}' | '\u{06DF}'..='\u{06E4}' | '\u{06E7}'..='\u{06E8}' | '\u{06EA}'..='\u{06ED}'
        | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}' | '\u{20D0}'..='\u{20FF}'
        | '\u{200C}'..='\u{200D}' | '\u{FE00}'..='\u{FE0F}' | '\u{FE20}'..='\u{FE2F}')
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every character 10 wide, a space 5.
    struct Mono;
    impl Measure for Mono {
        fn advance(&self, text: &str) -> f32 {
            10.0 * text.chars().filter(|&c| !is_mark(c)).count() as f32
        }
        fn space(&self) -> f32 {
            5.0
        }
    }

    #[test]
    fn words_fill_lines_greedily() {
        // "aaa bb" is 30 + 5 + 20 = 55.
        assert_eq!(wrap("aaa bb cccc d", 55.0, &Mono), ["aaa bb", "cccc d"]);
        assert_eq!(
            wrap("aaa bb cccc d", 54.0, &Mono),
            ["aaa", "bb", "cccc", "d"]
        );
        assert_eq!(wrap("  spaced \n out  ", 200.0, &Mono), ["spaced out"]);
        assert!(wrap("   ", 100.0, &Mono).is_empty());
    }

    #[test]
    fn a_word_wider_than_the_line_is_cut() {
        assert_eq!(
            wrap("ab abcdefgh ij", 30.0, &Mono),
            ["ab", "abc", "def", "gh", "ij"]
        );
        // The piece that ends the word shares its line with what follows.
        assert_eq!(wrap("abcdefg h", 50.0, &Mono), ["abcde", "fg h"]);
    }

    #[test]
    fn combining_marks_stay_with_their_letter() {
        // e + combining acute, twice, then f: three clusters of 10.
        let word = "e\u{301}e\u{301}f";
        assert_eq!(
            clusters(word).collect::<Vec<_>>(),
            ["e\u{301}", "e\u{301}", "f"]
        );
        assert_eq!(wrap(word, 20.0, &Mono), ["e\u{301}e\u{301}", "f"]);
    }

    #[test]
    fn clamped_lines_end_with_an_ellipsis_that_fits() {
        let lines = wrap("one two three four five", 50.0, &Mono);
        assert_eq!(lines, ["one", "two", "three", "four", "five"]);
        let kept = clamp(lines.clone(), 2, 50.0, &Mono);
        assert_eq!(kept, ["one", "two…"]);
        assert_eq!(clamp(lines.clone(), 9, 50.0, &Mono), lines);
        // No room for the ellipsis beside the word: letters give way.
        assert_eq!(ellipsize("three", 30.0, &Mono), "th…");
        assert_eq!(ellipsize("ab cd", 40.0, &Mono), "ab…");
        assert!(Mono.line(&ellipsize("abcdef", 25.0, &Mono)) <= 25.0);
    }
}
