//! Text inside XML: the slides' SVG and Polly's SSML.

use std::borrow::Cow;

/// `text` safe as XML character data: markup characters escaped, and the
/// characters XML 1.0 forbids (most C0 controls) dropped.
pub fn escape(text: &str) -> Cow<'_, str> {
    let plain = |c: char| !matches!(c, '&' | '<' | '>' | '"' | '\'') && allowed(c);
    if text.chars().all(plain) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if allowed(c) => out.push(c),
            _ => {}
        }
    }
    Cow::Owned(out)
}

fn allowed(c: char) -> bool {
    !matches!(c, '\u{0}'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}')
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn text_is_escaped_and_cleaned() {
        assert_eq!(escape("plain"), "plain");
        assert_eq!(
            escape(r#"<b> & "q" 'a'"#),
            "&lt;b&gt; &amp; &quot;q&quot; &apos;a&apos;"
        );
        assert_eq!(escape("a\u{0}b\u{1b}c\td"), "abc\td");
    }
}
