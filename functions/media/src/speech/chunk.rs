//! Text cut into pieces a provider takes in one request: between
//! sentences where it can, between words where a sentence is too long, and
//! between characters only for a "word" longer than a whole request.

/// `text` in order as pieces for which `fits` holds (each trimmed, none
/// empty). `fits` must hold for any single character.
pub fn split(text: &str, fits: impl Fn(&str) -> bool) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut current = String::new();
    for sentence in sentences(text) {
        push_unit(&mut pieces, &mut current, sentence, &fits, Level::Sentence);
    }
    flush(&mut pieces, &mut current);
    pieces
}

#[derive(Clone, Copy)]
enum Level {
    Sentence,
    Word,
}

/// Adds `unit` to the piece being built, starting a new piece when it would
/// not fit, and cutting `unit` finer when it does not fit alone.
fn push_unit(
    pieces: &mut Vec<String>,
    current: &mut String,
    unit: &str,
    fits: &impl Fn(&str) -> bool,
    level: Level,
) {
    let unit = unit.trim();
    if unit.is_empty() {
        return;
    }
    let joined = if current.is_empty() {
        unit.to_owned()
    } else {
        format!("{current} {unit}")
    };
    if fits(&joined) {
        *current = joined;
        return;
    }
    flush(pieces, current);
    if fits(unit) {
        *current = unit.to_owned();
        return;
    }
    match level {
        Level::Sentence => {
            for word in unit.split_whitespace() {
                push_unit(pieces, current, word, fits, Level::Word);
            }
        }
        Level::Word => {
            // Characters join with no space: they were one word.
            for c in unit.chars() {
                let mut grown = current.clone();
                grown.push(c);
                if !current.is_empty() && !fits(&grown) {
                    flush(pieces, current);
                    grown = c.to_string();
                }
                *current = grown;
            }
            // The next word must not run on into this one's last piece.
            flush(pieces, current);
        }
    }
}

fn flush(pieces: &mut Vec<String>, current: &mut String) {
    if !current.trim().is_empty() {
        pieces.push(std::mem::take(current));
    }
    current.clear();
}

/// Sentences of `text`: each ends after `.`, `!`, `?` (and their Arabic,
/// CJK and Devanagari forms) followed by whitespace, or at a line break.
fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let ends = matches!(c, '.' | '!' | '?' | '؟' | '。' | '！' | '？' | '।')
            && chars.peek().is_none_or(|(_, next)| next.is_whitespace());
        if ends || c == '\n' {
            let end = i + c.len_utf8();
            out.push(&text[start..end]);
            start = end;
        }
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn under(n: usize) -> impl Fn(&str) -> bool {
        move |s: &str| s.chars().count() <= n
    }

    #[test]
    fn sentences_stay_whole_when_they_fit() {
        let text = "One two. Three four five! Six?\nSeven";
        assert_eq!(
            split(text, under(25)),
            ["One two. Three four five!", "Six? Seven"]
        );
        assert_eq!(split("  ", under(5)), Vec::<String>::new());
        // A decimal point is not a sentence's end.
        assert_eq!(
            sentences("Pi is 3.14 roughly. Yes."),
            ["Pi is 3.14 roughly.", " Yes."]
        );
    }

    #[test]
    fn long_sentences_break_at_words_and_long_words_anywhere() {
        let pieces = split("alpha beta gamma delta. abcdefghij", under(11));
        assert_eq!(pieces, ["alpha beta", "gamma", "delta.", "abcdefghij"]);
        let pieces = split("x abcdefghijklmnopqrstuvwxyz y", under(10));
        assert_eq!(pieces, ["x", "abcdefghij", "klmnopqrst", "uvwxyz", "y"]);
        let long = "word ".repeat(2_000);
        let pieces = split(&long, under(3_000));
        assert!(pieces.iter().all(|p| p.chars().count() <= 3_000));
        assert_eq!(pieces.join(" "), long.trim());
    }
}
