//! Splitting a course script into its videos (or lessons) by their headers:
//! Arabic ordinal headers ("الفيديو الأول", "الدرس الثاني", "الوحدة الثالثة")
//! and "Video 1" / "Lesson 2" / "Module 3" styles, whether they are styled
//! headings or plain lines.

use coursegen_core::material::{Block, Document, ScriptSection};

/// Longer lines are prose, not headers.
const MAX_HEADER_CHARS: usize = 120;

const ENGLISH_KEYWORDS: &[&str] = &[
    "video", "lesson", "module", "unit", "chapter", "part", "episode", "section", "week",
];
const ENGLISH_NUMBERS: &[&str] = &[
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
];
/// Masculine nouns take masculine ordinals; feminine nouns feminine ones.
const ARABIC_MASCULINE_KEYWORDS: &[&str] = &[
    "الفيديو",
    "فيديو",
    "الدرس",
    "درس",
    "الجزء",
    "الفصل",
    "المقطع",
];
const ARABIC_FEMININE_KEYWORDS: &[&str] = &["الوحدة", "الحلقة", "المحاضرة"];
const ARABIC_MASCULINE: &[&str] = &[
    "الأول",
    "الثاني",
    "الثالث",
    "الرابع",
    "الخامس",
    "السادس",
    "السابع",
    "الثامن",
    "التاسع",
    "العاشر",
];
const ARABIC_FEMININE: &[&str] = &[
    "الأولى",
    "الثانية",
    "الثالثة",
    "الرابعة",
    "الخامسة",
    "السادسة",
    "السابعة",
    "الثامنة",
    "التاسعة",
    "العاشرة",
];

/// The number and title a header line gives, if it is a section header.
pub(crate) fn parse_header(line: &str) -> Option<(u32, String)> {
    let line = line.trim().trim_start_matches('#').trim();
    if line.is_empty() || line.chars().count() > MAX_HEADER_CHARS {
        return None;
    }
    let (number, rest) = english(line).or_else(|| arabic(line))?;
    let title = rest
        .trim_start_matches([':', '-', '–', '—', '.', ')', '|', '،', ' '])
        .trim();
    // A header is the keyword and number alone, or followed by a separator
    // and a title: "Video 1 shows…" is a sentence, not a header.
    let separated = rest.trim().is_empty()
        || rest
            .trim_start()
            .starts_with([':', '-', '–', '—', '.', ')', '|', '،']);
    separated.then(|| (number, title.to_owned()))
}

pub(crate) fn is_section_header(line: &str) -> bool {
    parse_header(line).is_some()
}

fn english(line: &str) -> Option<(u32, &str)> {
    let (keyword, rest) = line.split_once(char::is_whitespace)?;
    if !ENGLISH_KEYWORDS.contains(&keyword.to_lowercase().as_str()) {
        return None;
    }
    let rest = rest.trim_start().trim_start_matches('#');
    let end = rest
        .find(|c: char| !c.is_alphanumeric())
        .unwrap_or(rest.len());
    let (token, after) = rest.split_at(end);
    let number = token.parse::<u32>().ok().or_else(|| {
        ENGLISH_NUMBERS
            .iter()
            .position(|w| w.eq_ignore_ascii_case(token))
            .map(|i| i as u32 + 1)
    })?;
    Some((number, after))
}

fn arabic(line: &str) -> Option<(u32, &str)> {
    let (keyword, rest) = line.split_once(char::is_whitespace)?;
    let ordinals = if ARABIC_MASCULINE_KEYWORDS.contains(&keyword) {
        ARABIC_MASCULINE
    } else if ARABIC_FEMININE_KEYWORDS.contains(&keyword) {
        ARABIC_FEMININE
    } else {
        return None;
    };
    let rest = rest.trim_start();
    let end = rest
        .find(|c: char| c.is_whitespace() || matches!(c, ':' | '-' | '–' | '—' | '.' | ')' | '،'))
        .unwrap_or(rest.len());
    let (token, after) = rest.split_at(end);
    // Digits, Western or Arabic-Indic.
    let digits: String = token
        .chars()
        .map(|c| match c {
            '٠'..='٩' => char::from_digit(c as u32 - '٠' as u32, 10).unwrap_or(c),
            c => c,
        })
        .collect();
    if let Ok(n) = digits.parse::<u32>() {
        return Some((n, after));
    }
    // Teens are the units' ordinal then "عشر"/"عشرة" ("الثاني عشر" = 12),
    // with "الحادي"/"الحادية" for the one of eleven; "العشرون" is 20.
    if matches!(token, "العشرون" | "العشرين") {
        return Some((20, after));
    }
    let eleven = matches!(token, "الحادي" | "الحادية");
    let index = if eleven {
        0
    } else {
        ordinals.iter().position(|o| *o == token)?
    };
    let after_trim = after.trim_start();
    for teen in ["عشرة", "عشر"] {
        if let Some(more) = after_trim.strip_prefix(teen) {
            return Some((index as u32 + 11, more));
        }
    }
    (!eleven).then_some((index as u32 + 1, after))
}

/// The document's sections. Headers found anywhere (styled or not) start
/// sections; without any, top-level headings do; without those, the whole
/// document is one section. Content before the first header becomes an
/// introduction section, so nothing is dropped.
pub fn split_sections(doc: &Document) -> Vec<ScriptSection> {
    let header_at = |b: &Block| match b {
        Block::Heading { text, .. } | Block::Paragraph { text } => parse_header(text),
        _ => None,
    };
    let mut starts: Vec<usize> = (0..doc.blocks.len())
        .filter(|&i| header_at(&doc.blocks[i]).is_some())
        .collect();
    if starts.is_empty() {
        let top = doc
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Heading { level, .. } => Some(*level),
                _ => None,
            })
            .min();
        starts = (0..doc.blocks.len())
            .filter(
                |&i| matches!(&doc.blocks[i], Block::Heading { level, .. } if Some(*level) == top),
            )
            .collect();
    }
    let mut sections = Vec::new();
    let first = starts.first().copied().unwrap_or(doc.blocks.len());
    if first > 0 {
        let title = doc
            .title
            .clone()
            .unwrap_or_else(|| "Introduction".to_owned());
        sections.push(ScriptSection {
            header: String::new(),
            number: None,
            title,
            blocks: doc.blocks[..first].to_vec(),
        });
    }
    for (k, &start) in starts.iter().enumerate() {
        let end = starts.get(k + 1).copied().unwrap_or(doc.blocks.len());
        let header = doc.blocks[start].text();
        let (number, title) = match header_at(&doc.blocks[start]) {
            Some((n, t)) if !t.is_empty() => (Some(n), t),
            Some((n, _)) => (Some(n), header.clone()),
            None => (None, header.clone()),
        };
        sections.push(ScriptSection {
            header,
            number,
            title,
            blocks: doc.blocks[start + 1..end].to_vec(),
        });
    }
    sections
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_in_arabic_and_english() {
        let cases = [
            ("الفيديو الأول: مقدمة", Some((1, "مقدمة"))),
            ("الفيديو العاشر", Some((10, ""))),
            ("الفيديو الحادي عشر - الخاتمة", Some((11, "الخاتمة"))),
            ("الوحدة الثانية: الري", Some((2, "الري"))),
            ("الدرس ٣ - التسربات", Some((3, "التسربات"))),
            ("Video 4: Fixing leaks", Some((4, "Fixing leaks"))),
            ("## Lesson 5 - Gardens", Some((5, "Gardens"))),
            ("MODULE TWO", Some((2, ""))),
            ("Part #3) Review", Some((3, "Review"))),
        ];
        for (line, expected) in cases {
            let got = parse_header(line);
            assert_eq!(
                got.as_ref().map(|(n, t)| (*n, t.as_str())),
                expected,
                "{line}"
            );
        }
        for prose in [
            "Video 1 shows how taps leak.",
            "The video is short.",
            "Lesson learned",
            "الفيديو مفيد جدا",
        ] {
            assert_eq!(parse_header(prose), None, "{prose}");
        }
    }

    #[test]
    fn sections_start_at_headers_and_keep_the_preamble() {
        let p = |t: &str| Block::Paragraph { text: t.into() };
        let doc = Document {
            title: Some("Water".into()),
            blocks: vec![
                p("Why this course."),
                Block::Heading {
                    level: 1,
                    text: "الفيديو الأول: مقدمة".into(),
                },
                p("نص"),
                p("Video 2: Leaks"),
                p("Check the meter."),
                Block::ListItem {
                    level: 0,
                    ordered: false,
                    text: "tap".into(),
                },
            ],
        };
        let s = split_sections(&doc);
        let summary: Vec<(Option<u32>, &str, usize)> = s
            .iter()
            .map(|s| (s.number, s.title.as_str(), s.blocks.len()))
            .collect();
        assert_eq!(
            summary,
            vec![
                (None, "Water", 1),
                (Some(1), "مقدمة", 1),
                (Some(2), "Leaks", 2)
            ]
        );
    }

    #[test]
    fn without_headers_top_level_headings_split() {
        let doc = Document {
            title: None,
            blocks: vec![
                Block::Heading {
                    level: 2,
                    text: "Taps".into(),
                },
                Block::Paragraph { text: "a".into() },
                Block::Heading {
                    level: 3,
                    text: "Detail".into(),
                },
                Block::Heading {
                    level: 2,
                    text: "Showers".into(),
                },
            ],
        };
        let titles: Vec<String> = split_sections(&doc).into_iter().map(|s| s.title).collect();
        assert_eq!(titles, vec!["Taps", "Showers"]);
        let one = split_sections(&Document {
            title: None,
            blocks: vec![Block::Paragraph {
                text: "only".into(),
            }],
        });
        assert_eq!((one.len(), one[0].title.as_str()), (1, "Introduction"));
    }
}
