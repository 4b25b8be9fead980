//! Is the material teachable? Three explainable measurements decide, each
//! with a named threshold: enough words, not song-like repetition, and more
//! teaching than chatter.

use std::collections::{BTreeMap, HashMap};

use coursegen_core::material::Sentence;
use coursegen_core::outputs::{MaterialCategory, Validation};

use super::text::words;

/// Fewer words than this cannot make a lesson.
pub const MIN_WORDS: usize = 150;
/// Fewer words than this cannot make a script's video: a shot of a few
/// frames is a dozen seconds of speech.
pub const MIN_SCRIPT_WORDS: usize = 25;
/// Share of word 4-grams that occur 3+ times; songs repeat their chorus.
pub const MAX_REPETITION: f64 = 0.25;
/// Teaching cues (definitions, explanations, enumerations, numbers) per 100
/// words below which material is not instruction…
pub const MIN_TEACHING_PER_100: f64 = 1.0;
/// …when chatter words per 100 words are above this.
pub const MAX_CHATTER_PER_100: f64 = 3.0;

/// Phrases that signal explanation.
const TEACHING_CUES: &[&str] = &[
    " is a ",
    " is an ",
    " is the ",
    " are the ",
    " means ",
    " refers to ",
    " is called ",
    " we call ",
    " defined as ",
    " for example",
    " for instance",
    " because ",
    " therefore ",
    " which means ",
    " in other words",
    " the reason ",
    " first,",
    " second,",
    " third,",
    " finally,",
    " step ",
    " steps ",
    " let's look at ",
    " notice that ",
    " remember that ",
    " the key ",
    " this is why ",
    " as a result",
];
/// Words of chat, not teaching.
const CHATTER: &[&str] = &[
    "lol",
    "haha",
    "omg",
    "yeah",
    "yep",
    "nah",
    "gonna",
    "wanna",
    "gotta",
    "guys",
    "subscribe",
    "like",
    "literally",
    "awesome",
    "crazy",
    "um",
    "uh",
    "dude",
    "wow",
    "oh",
    "hey",
    "bro",
    "vlog",
];

/// Judges material for a course, or with `for_video` for a script's videos
/// (which need far fewer words).
pub fn validate(sentences: &[Sentence], for_video: bool) -> Validation {
    let (min_words, made) = if for_video {
        (MIN_SCRIPT_WORDS, "a video")
    } else {
        (MIN_WORDS, "a lesson")
    };
    let text: String = sentences
        .iter()
        .map(|s| s.text.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let ws = words(&text);
    let n = ws.len();
    let per_100 = |count: usize| {
        if n == 0 {
            0.0
        } else {
            count as f64 * 100.0 / n as f64
        }
    };
    let padded = format!(" {} ", ws.join(" "));
    let teaching = TEACHING_CUES
        .iter()
        .map(|c| padded.matches(&c.replace(',', "")).count())
        .sum::<usize>()
        + ws.iter()
            .filter(|w| w.chars().all(|c| c.is_ascii_digit() || c == '.'))
            .count();
    let chatter = ws.iter().filter(|w| CHATTER.contains(&w.as_str())).count();
    let repetition = repetition(&ws);
    let mut signals = BTreeMap::new();
    signals.insert("words".to_owned(), n as f64);
    signals.insert("repetition".to_owned(), round(repetition));
    signals.insert(
        "teaching_per_100_words".to_owned(),
        round(per_100(teaching)),
    );
    signals.insert("chatter_per_100_words".to_owned(), round(per_100(chatter)));

    let (suitable, category, reason, margin) = if n < min_words {
        (
            false,
            MaterialCategory::TooShort,
            format!("Only {n} words of speech; at least {min_words} are needed for {made}."),
            1.0 - n as f64 / min_words as f64,
        )
    } else if repetition > MAX_REPETITION {
        (
            false,
            MaterialCategory::MusicOrLyrics,
            format!(
                "{:.0}% of its phrases repeat three or more times, as song lyrics do.",
                repetition * 100.0
            ),
            (repetition - MAX_REPETITION) / MAX_REPETITION,
        )
    } else if per_100(teaching) < MIN_TEACHING_PER_100 && per_100(chatter) > MAX_CHATTER_PER_100 {
        (
            false,
            MaterialCategory::Conversation,
            format!(
                "It reads as conversation: {:.1} chat words and only {:.1} teaching cues per 100 words.",
                per_100(chatter),
                per_100(teaching)
            ),
            (per_100(chatter) - MAX_CHATTER_PER_100) / MAX_CHATTER_PER_100,
        )
    } else {
        (
            true,
            MaterialCategory::Instructional,
            format!(
                "{n} words with {:.1} teaching cues (definitions, explanations, steps, figures) per 100 words.",
                per_100(teaching)
            ),
            (per_100(teaching) / MIN_TEACHING_PER_100 - 1.0).max(0.0) * 0.5
                + (1.0 - repetition / MAX_REPETITION).max(0.0) * 0.5,
        )
    };
    Validation {
        suitable,
        confidence: round(confidence(margin)),
        reason,
        category,
        signals,
    }
}

/// Share of word 4-grams that occur at least three times.
fn repetition(ws: &[String]) -> f64 {
    if ws.len() < 4 {
        return 0.0;
    }
    let mut counts: HashMap<&[String], usize> = HashMap::new();
    for gram in ws.windows(4) {
        *counts.entry(gram).or_insert(0) += 1;
    }
    let repeated: usize = counts.values().filter(|c| **c >= 3).sum();
    repeated as f64 / (ws.len() - 3) as f64
}

/// 0.5 at the threshold, rising towards 1 as the margin grows.
fn confidence(margin: f64) -> f64 {
    0.5 + 0.5 * (1.0 - (-2.0 * margin.max(0.0)).exp())
}

fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sentences(text: &str) -> Vec<Sentence> {
        text.split(". ")
            .enumerate()
            .map(|(i, t)| Sentence {
                start_ms: i as u64,
                end_ms: i as u64 + 1,
                text: t.to_owned(),
                end_trust: coursegen_core::material::EndTrust::Sure,
            })
            .collect()
    }

    #[test]
    fn too_short_material() {
        let v = validate(
            &sentences("A cell is the unit of life. It has a membrane"),
            false,
        );
        assert_eq!(
            (v.suitable, v.category),
            (false, MaterialCategory::TooShort)
        );
        assert!(v.reason.contains("words"), "{}", v.reason);
    }

    #[test]
    fn a_script_video_needs_fewer_words_than_a_lesson() {
        let short = "The keeper climbs the spiral stairs at dusk. He trims the wick and polishes the great lens. \
                     Ships far out at sea watch for its flash every ten seconds. At dawn he writes the weather in the log.";
        let (lesson, video) = (
            validate(&sentences(short), false),
            validate(&sentences(short), true),
        );
        assert_eq!(
            (lesson.suitable, lesson.category),
            (false, MaterialCategory::TooShort)
        );
        assert!(video.suitable, "{}", video.reason);
        let v = validate(&sentences("A cell is the unit of life."), true);
        assert_eq!(
            (v.suitable, v.category),
            (false, MaterialCategory::TooShort)
        );
        assert!(v.reason.contains("a video"), "{}", v.reason);
    }

    #[test]
    fn lyrics_repeat() {
        let verse = "we ride the night away under silver skies tonight. ";
        let chorus = "oh baby hold me close and never let me go. oh baby hold me close and never let me go. ";
        let song: String = (0..6)
            .map(|i| {
                format!(
                    "{} {}",
                    verse.replace("night", ["night", "road", "wind", "sea", "rain", "sun"][i]),
                    chorus
                )
            })
            .collect();
        let v = validate(&sentences(&song), false);
        assert_eq!(
            (v.suitable, v.category),
            (false, MaterialCategory::MusicOrLyrics),
            "{v:?}"
        );
        assert!(v.confidence > 0.5);
    }

    #[test]
    fn chatter_is_not_a_lesson() {
        let vlog = "hey guys so yeah we went to the beach today and it was literally awesome. oh my god the waves were crazy dude. \
            like we just hung out and my friend was like wow and we got tacos after. um yeah the tacos were so good lol. \
            anyway we drove back and hey it started raining like crazy and we were laughing so hard. \
            so yeah that was the day guys, hope you liked it and see you next time, peace out. \
            oh and my dog was there too and he was running around like a maniac, haha it was so funny. \
            then my sister called and we talked about her new car which is literally bright orange lol. \
            yeah so we are gonna go again next weekend probably, it was just the best day ever honestly. \
            oh wait guys i forgot, we also saw this huge sandcastle that some kids made and it was literally taller than me. \
            smash that subscribe button if you want more beach days with us, love you all, bye.";
        let v = validate(&sentences(vlog), false);
        assert_eq!(
            (v.suitable, v.category),
            (false, MaterialCategory::Conversation),
            "{v:?}"
        );
    }
}
