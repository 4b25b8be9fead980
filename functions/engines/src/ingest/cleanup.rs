//! Raw cues → clean cues: markup and entities out, sound descriptions
//! (`[Music]`, `(applause)`, `♪`) out, speaker labels kept as metadata,
//! rolling captions merged so every word appears once, and word timings
//! (given or interpolated) used to give each cue its true span.

use coursegen_core::material::{Cue, Transcript};

use super::plain::MS_PER_WORD;
use super::timestamp::share;
use super::{RawCue, RawTranscript};

/// Rolling captions repeat at least this many words of the previous line
/// (or the whole cue); shorter overlaps are taken for real repetition.
const MIN_ROLLING_OVERLAP: usize = 3;
/// How many trailing words are compared against the next cue.
const OVERLAP_WINDOW: usize = 64;
/// A silence this much longer than a word takes splits a cue in two.
const PAUSE_SPLIT_MS: u64 = 300;

#[derive(Debug, Clone)]
struct Word {
    text: String,
    at_ms: Option<u64>,
}

pub(crate) fn normalise(raw: RawTranscript) -> Transcript {
    let mut cues: Vec<Cue> = Vec::new();
    let mut tail: Vec<String> = Vec::new();
    let mut speaker: Option<String> = None;
    let mut raw_cues = raw.cues;
    raw_cues.sort_by_key(|c| c.start_ms);
    for raw_cue in raw_cues {
        let words = clean_words(&raw_cue, &mut speaker);
        if words.is_empty() {
            continue;
        }
        let overlap = rolling_overlap(&tail, &words);
        let new: Vec<Word> = words[overlap..].to_vec();
        if new.is_empty() {
            continue;
        }
        tail.extend(new.iter().map(|w| comparable(&w.text)));
        let excess = tail.len().saturating_sub(OVERLAP_WINDOW);
        tail.drain(..excess);
        cues.extend(timed_cues(&raw_cue, new, speaker.clone()));
    }
    Transcript {
        language: raw
            .language
            .map(|l| l.trim().to_owned())
            .filter(|l| !l.is_empty()),
        cues,
    }
}

/// The words of a cue with markup, entities and sound descriptions removed.
/// A speaker label at the start of a line sets `speaker`; `>>` alone marks
/// an unnamed new speaker.
fn clean_words(cue: &RawCue, speaker: &mut Option<String>) -> Vec<Word> {
    let mut words = Vec::new();
    for segment in &cue.segments {
        let (text, voice) = strip_markup(&segment.text);
        if let Some(voice) = voice {
            *speaker = Some(voice);
        }
        let mut text = decode_entities(&text);
        if segment.line_start {
            let trimmed = text.trim_start();
            if let Some(rest) = trimmed.strip_prefix(">>") {
                *speaker = None;
                text = rest.to_owned();
            }
            if let Some((label, rest)) = speaker_label(&text) {
                *speaker = Some(label);
                text = rest;
            }
        }
        let text = remove_sound_descriptions(&text);
        let mut at = segment.at_ms;
        for w in text.split_whitespace() {
            words.push(Word {
                text: w.to_owned(),
                at_ms: at.take(),
            });
        }
    }
    words
}

/// Removes `<…>` tags and `{\…}` override codes; returns the voice name of
/// a `<v Name>` tag, if any.
fn strip_markup(s: &str) -> (String, Option<String>) {
    let mut out = String::with_capacity(s.len());
    let mut voice = None;
    let mut rest = s;
    loop {
        let next = rest.find(['<', '{']);
        crate::work::add(next.map_or(rest.len(), |o| o + 1));
        let Some(open) = next else {
            out.push_str(rest);
            break;
        };
        let closer = if rest[open..].starts_with('<') {
            '>'
        } else {
            '}'
        };
        let len = rest[open..].find(closer);
        crate::work::add(len.map_or(rest.len() - open, |l| l + 1));
        let Some(len) = len else {
            out.push_str(rest);
            break;
        };
        out.push_str(&rest[..open]);
        let tag = &rest[open + 1..open + len];
        if closer == '>' {
            // `<v Name>` or `<v.class Name>`.
            if (tag.starts_with("v ") || tag.starts_with("v."))
                && let Some((_, name)) = tag.split_once(' ')
                && !name.trim().is_empty()
            {
                voice = Some(name.trim().to_owned());
            }
            out.push(' ');
        }
        rest = &rest[open + len + 1..];
    }
    (out, voice)
}

/// The entities captions actually contain, plus numeric ones.
fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        crate::work::add(amp + 1);
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        match entity(after) {
            Some((c, len)) => {
                out.push(c);
                rest = &after[len..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Longest entity name looked for after a `&`: an unended `&` costs no
/// more than this to pass over.
const MAX_ENTITY_NAME: usize = 8;

/// The character an entity at the start of `after` (the text after a `&`)
/// stands for, and how many bytes it takes with its `;`.
fn entity(after: &str) -> Option<(char, usize)> {
    let semi = after
        .bytes()
        .take(MAX_ENTITY_NAME + 1)
        .position(|b| b == b';')?;
    crate::work::add(semi + 1);
    // Before an ASCII `;`, so a character boundary.
    let name = &after[..semi];
    let c = match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" | "#39" => Some('\''),
        "nbsp" => Some(' '),
        _ => name
            .strip_prefix("#x")
            .or_else(|| name.strip_prefix("#X"))
            .and_then(|h| u32::from_str_radix(h, 16).ok())
            .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
            .and_then(char::from_u32),
    };
    c.map(|c| (c, semi + 1))
}

/// `NAME:` or `Dr. Name:` at the start of a line: a short label of
/// capitalised words before a colon.
fn speaker_label(text: &str) -> Option<(String, String)> {
    let trimmed = text.trim_start();
    let (label, rest) = trimmed.split_once(':')?;
    let words: Vec<&str> = label.split_whitespace().collect();
    let plausible = !words.is_empty()
        && words.len() <= 3
        && label.chars().count() <= 30
        && words
            .iter()
            .all(|w| w.chars().next().is_some_and(char::is_uppercase))
        && label
            .chars()
            .all(|c| c.is_alphabetic() || " .-'".contains(c))
        && (rest.is_empty() || rest.starts_with(' '));
    plausible.then(|| (label.trim().to_owned(), rest.to_owned()))
}

/// Drops `[Music]`, `[Applause]`, `(laughter)`-style descriptions (short
/// bracketed text) and music notes.
fn remove_sound_descriptions(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let (mut round, mut square) = (NextCloser::new(')'), NextCloser::new(']'));
    // `s[..copied]` is in `out`; brackets are looked for from `from`.
    let (mut copied, mut from) = (0, 0);
    while let Some(found) = s[from..].find(['[', '(']) {
        crate::work::add(found + 1);
        let open = from + found;
        let is_square = s.as_bytes()[open] == b'[';
        let closers = if is_square { &mut square } else { &mut round };
        match closers.after(s, open) {
            // Brackets are ASCII, so `open + 1` and `close` are boundaries.
            Some(close) if is_sound_description(&s[open + 1..close], is_square) => {
                out.push_str(&s[copied..open]);
                out.push(' ');
                (copied, from) = (close + 1, close + 1);
            }
            _ => from = open + 1,
        }
    }
    out.push_str(&s[copied..]);
    out.replace(['♪', '♫', '♬'], " ")
}

/// The next closing bracket of one kind after a position, for positions
/// asked in increasing order: each part of the text is searched once, so
/// a flood of unclosed brackets costs linear time, not a search to the end
/// per bracket.
struct NextCloser {
    closer: char,
    /// The last search: where it started, and the closer it found.
    last: Option<(usize, Option<usize>)>,
}

impl NextCloser {
    fn new(closer: char) -> Self {
        NextCloser { closer, last: None }
    }

    /// The first closer after `open` in `s`.
    fn after(&mut self, s: &str, open: usize) -> Option<usize> {
        // The last search already answers when it started at or before
        // `open + 1` and found nothing, or found a closer after `open`.
        if let Some((from, found)) = self.last
            && from <= open + 1
            && found.is_none_or(|at| at > open)
        {
            return found;
        }
        // After an ASCII bracket, so a character boundary.
        let rest = &s[open + 1..];
        let found = rest.find(self.closer);
        crate::work::add(found.map_or(rest.len(), |at| at + 1));
        let found = found.map(|at| open + 1 + at);
        self.last = Some((open + 1, found));
        found
    }
}

const SOUNDS: &[&str] = &[
    "music",
    "applause",
    "laughter",
    "laughs",
    "laughing",
    "silence",
    "inaudible",
    "cheering",
    "cheers",
    "noise",
    "coughs",
    "coughing",
    "sighs",
    "crosstalk",
    "background noise",
    "indistinct",
    "no audio",
    "blank_audio",
];

/// Longer bracketed text is speech, not a description of a sound: this
/// also keeps the check cheap on text with many brackets inside one pair.
const MAX_DESCRIPTION_BYTES: usize = 96;

fn is_sound_description(inner: &str, square: bool) -> bool {
    if inner.len() > MAX_DESCRIPTION_BYTES {
        return false;
    }
    crate::work::add(inner.len());
    let inner = inner.trim().to_lowercase();
    // Square brackets in captions are almost always descriptions; round ones
    // only when they name a sound.
    (square && inner.split_whitespace().count() <= 3) || SOUNDS.contains(&inner.as_str())
}

/// A word for overlap comparison: lower case, letters, digits, apostrophes.
fn comparable(w: &str) -> String {
    w.chars()
        .filter(|c| c.is_alphanumeric() || *c == '\'')
        .flat_map(char::to_lowercase)
        .collect()
}

/// How many leading words of `words` repeat the end of what came before.
fn rolling_overlap(tail: &[String], words: &[Word]) -> usize {
    let cmp: Vec<String> = words.iter().map(|w| comparable(&w.text)).collect();
    let max = cmp.len().min(tail.len());
    (1..=max)
        .rev()
        .find(|&k| tail[tail.len() - k..] == cmp[..k])
        .filter(|&k| k >= MIN_ROLLING_OVERLAP || k == cmp.len())
        .unwrap_or(0)
}

/// How long a word takes to say, roughly: longer words take longer, and
/// a digit as long as a short word ("97" is "ninety-seven").
fn spoken_ms(word: &str) -> u64 {
    let letters: u64 = word
        .chars()
        .map(|c| if c.is_ascii_digit() { 5 } else { 1 })
        .sum();
    (120 + 45 * letters).clamp(200, MS_PER_WORD * 2)
}

/// Gives every new word a start time (its own, or interpolated between
/// known ones by length) and cuts the words into cues at pauses.
fn timed_cues(raw: &RawCue, words: Vec<Word>, speaker: Option<String>) -> Vec<Cue> {
    let n = words.len();
    let mut starts: Vec<Option<u64>> = words.iter().map(|w| w.at_ms).collect();
    if starts[0].is_none() {
        starts[0] = Some(raw.start_ms);
    }
    let weights: Vec<u64> = words.iter().map(|w| spoken_ms(&w.text)).collect();
    let known: Vec<usize> = (0..n).filter(|&i| starts[i].is_some()).collect();
    for (k, &i) in known.iter().enumerate() {
        let from = starts[i].unwrap_or(raw.start_ms);
        let (to_index, to_time) = match known.get(k + 1) {
            Some(&j) => (j, starts[j].unwrap_or(raw.end_ms)),
            None => (n, raw.end_ms.max(from)),
        };
        let total: u64 = weights[i..to_index].iter().sum::<u64>().max(1);
        let mut elapsed = 0;
        for m in i + 1..to_index {
            elapsed += weights[m - 1];
            starts[m] = Some(from + share(to_time.saturating_sub(from), elapsed, total));
        }
    }
    let starts: Vec<u64> = starts
        .into_iter()
        .map(|s| s.unwrap_or(raw.start_ms))
        .collect();
    let mut cues = Vec::new();
    let mut begin = 0;
    for i in 0..n {
        let natural_end = starts[i] + weights[i];
        let last = i + 1 == n;
        let paused =
            !last && words[i + 1].at_ms.is_some() && starts[i + 1] > natural_end + PAUSE_SPLIT_MS;
        if last || paused {
            // A last word timed by the captions ends when it would be said;
            // one whose time was interpolated ends with its cue, for a gap
            // the estimate made would be taken for a pause.
            let end = if last && words[i].at_ms.is_some() {
                raw.end_ms.min(natural_end).max(starts[i])
            } else if last {
                raw.end_ms.max(starts[i])
            } else {
                natural_end
            };
            let text: Vec<&str> = words[begin..=i].iter().map(|w| w.text.as_str()).collect();
            cues.push(Cue {
                start_ms: starts[begin],
                end_ms: end.max(starts[begin]),
                text: text.join(" "),
                speaker: speaker.clone(),
            });
            begin = i + 1;
        }
    }
    cues
}

#[cfg(test)]
mod tests {
    use super::super::{RawTranscript, vtt};
    use super::*;

    fn texts(t: &Transcript) -> Vec<&str> {
        t.cues.iter().map(|c| c.text.as_str()).collect()
    }

    #[test]
    fn rolling_youtube_captions_become_each_word_once() {
        let vtt = "WEBVTT\nKind: captions\nLanguage: en\n\n\
00:00:00.000 --> 00:00:03.190 align:start position:0%\n \n[Music]\n\n\
00:00:03.190 --> 00:00:05.450 align:start position:0%\n \nso<00:00:03.510><c> today</c><00:00:03.870><c> we're</c><00:00:04.050><c> going</c>\n\n\
00:00:05.450 --> 00:00:05.460 align:start position:0%\nso today we're going\n \n\n\
00:00:05.460 --> 00:00:08.110 align:start position:0%\nso today we're going\nto<00:00:05.780><c> talk</c><00:00:06.020><c> about</c><00:00:07.400><c> vaccines</c>\n";
        let t = normalise(vtt::parse(vtt).unwrap());
        assert_eq!(t.language.as_deref(), Some("en"));
        assert_eq!(
            texts(&t),
            vec!["so today we're going", "to talk about", "vaccines"],
            "split at the pause before 'vaccines'"
        );
        assert_eq!(t.cues[0].start_ms, 3190);
        assert_eq!((t.cues[1].start_ms, t.cues[2].start_ms), (5460, 7400));
        assert!(
            t.cues[1].end_ms < 7400,
            "a cue ends when its last word does, not at the pause's end"
        );
        let numbers = "WEBVTT\n\n00:00:00.000 --> 00:00:03.000\n\
give<00:00:00.400><c> about</c><00:00:00.800><c> 97</c><00:00:01.350><c> percent</c>\n";
        let said = normalise(vtt::parse(numbers).unwrap());
        assert_eq!(
            texts(&said),
            ["give about 97 percent"],
            "saying a number is no pause"
        );
    }

    #[test]
    fn markup_entities_noise_and_speakers() {
        let raw = RawTranscript {
            language: None,
            cues: vec![
                RawCue {
                    start_ms: 0,
                    end_ms: 1000,
                    segments: vec![super::super::Segment::line(
                        "&gt;&gt; PROFESSOR: <i>Welcome</i> [Applause] back",
                    )],
                },
                RawCue {
                    start_ms: 1000,
                    end_ms: 2000,
                    segments: vec![super::super::Segment::line(
                        "<v Anna>Hi {\\an8}there &amp; (laughs) ♪ la ♪ &#233;t&eacute;",
                    )],
                },
                RawCue {
                    start_ms: 2000,
                    end_ms: 3000,
                    segments: vec![super::super::Segment::line(
                        "(see the figure) costs [about 3 to 4 dollars each]",
                    )],
                },
            ],
        };
        let t = normalise(raw);
        assert_eq!(
            texts(&t),
            vec![
                "Welcome back",
                "Hi there & la ét&eacute;",
                "(see the figure) costs [about 3 to 4 dollars each]"
            ]
        );
        assert_eq!(t.cues[0].speaker.as_deref(), Some("PROFESSOR"));
        assert_eq!(t.cues[1].speaker.as_deref(), Some("Anna"));
    }

    #[test]
    fn sounds_go_and_other_brackets_stay_however_many_there_are() {
        let floods = format!(
            "{}(laughs) then {}[Music] ok",
            "(".repeat(500),
            "[".repeat(500)
        );
        // Only a short bracketed stretch can be a sound: the flood of "["
        // stays but for the last few, which [Music] takes with it.
        let out = remove_sound_descriptions(&floods);
        assert!(
            out.starts_with(&format!("{}  then [[[", "(".repeat(500))) && out.ends_with("[  ok"),
            "{out}"
        );
        assert!(!out.contains("Music"), "{out}");
        let long = format!("[{}]", "word ".repeat(30));
        assert_eq!(
            remove_sound_descriptions(&long),
            long,
            "too long for a sound"
        );
        assert_eq!(remove_sound_descriptions("(x (applause)"), "(x  ");
        assert_eq!(decode_entities(&"&".repeat(20)), "&".repeat(20));
        assert_eq!(
            decode_entities("&&amp;&#x130;&toolongname;"),
            "&&İ&toolongname;"
        );
    }

    #[test]
    fn short_repeats_are_speech_not_rolling() {
        let raw = RawTranscript {
            language: None,
            cues: vec![
                RawCue {
                    start_ms: 0,
                    end_ms: 1000,
                    segments: vec![super::super::Segment::line("it was very")],
                },
                RawCue {
                    start_ms: 1000,
                    end_ms: 2000,
                    segments: vec![super::super::Segment::line("very good indeed")],
                },
            ],
        };
        let t = normalise(raw);
        assert_eq!(texts(&t), vec!["it was very", "very good indeed"]);
        let spans: Vec<(u64, u64)> = t.cues.iter().map(|c| (c.start_ms, c.end_ms)).collect();
        assert_eq!(
            spans,
            [(0, 1000), (1000, 2000)],
            "untimed words fill their cue: no pause is made up between cues"
        );
    }
}
