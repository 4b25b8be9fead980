//! Cue phrases: words a speaker opens a new topic with ("In this section
//! …", "Now let's look at …"). Lexical cohesion finds that a topic changed
//! somewhere in a valley a minute wide; a sentence announcing the next
//! topic says where.

use coursegen_core::material::Sentence;

use super::boundaries::depth_spread;
use super::text::words;

/// How much deeper a gap before a sentence that opens a topic is, in
/// standard deviations of all gaps' depths: enough to win within a valley,
/// where cohesion alone cannot tell which sentence starts the topic (on the
/// quality harness's lectures, one to three gave the same boundaries but
/// for one; one gave fewer), and with the boundary penalty at its default
/// enough to start a lesson where the speaker says a topic starts.
const CUE_DEPTH: f64 = 2.0;

/// Words a teaching text calls a part of itself.
const PARTS: &[&str] = &[
    "chapter", "section", "lesson", "lecture", "part", "video", "module", "unit", "topic",
    "tutorial",
];
/// Ways a speaker says what comes next…
const OPENERS: &[&[&str]] = &[
    &["let's"],
    &["let", "us"],
    &["we'll"],
    &["we", "will"],
    &["we're", "going", "to"],
    &["we", "are", "going", "to"],
    &["i'll"],
    &["i", "will"],
    &["i'm", "going", "to"],
    &["now", "we"],
];
/// …and what they do with it.
const ACTIONS: &[&[&str]] = &[
    &["look", "at"],
    &["talk", "about"],
    &["turn", "to"],
    &["move", "on"],
    &["discuss"],
    &["cover"],
    &["introduce"],
    &["explore"],
];
/// A cue counts only this early in a sentence.
const HEAD_WORDS: usize = 8;
/// Words allowed between an opener and its action ("let's now take a look at").
const BETWEEN: usize = 3;

/// Whether the sentence `text` opens a topic: it names the part it begins
/// ("This chapter explains …", "In the next section …") or says what the
/// speaker turns to ("So now let's look at …").
pub fn opens_topic(text: &str) -> bool {
    let words = words(text);
    let head = &words[..words.len().min(HEAD_WORDS)];
    let at = |i: usize, phrase: &[&str]| {
        head.get(i..i + phrase.len())
            .is_some_and(|w| w.iter().zip(phrase).all(|(a, b)| a == b))
    };
    (0..head.len()).any(|i| {
        let names_part = matches!(head[i].as_str(), "this" | "next")
            && head.get(i + 1).is_some_and(|w| PARTS.contains(&w.as_str()));
        let turns = OPENERS.iter().find(|o| at(i, o)).is_some_and(|opener| {
            let from = i + opener.len();
            (from..=from + BETWEEN).any(|j| ACTIONS.iter().any(|a| at(j, a)))
        });
        names_part || turns
    })
}

/// Deepens `depths[g]` (the valley before sentence `g`) where sentence `g`
/// opens a topic.
pub fn deepen_cued(sentences: &[Sentence], depths: &mut [f64]) {
    let (_, sd) = depth_spread(depths);
    let gaps = depths.len().saturating_sub(1);
    for (g, sentence) in sentences.iter().enumerate().skip(1).take(gaps) {
        if opens_topic(&sentence.text) {
            depths[g] += CUE_DEPTH * sd;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_gap_before_an_announcement_is_deepened() {
        let sentences = crate::offline::facts::tests::sentences(&[
            "Compost needs air.",
            "Turn it weekly.",
            "Now let's talk about watering.",
            "Water in the morning.",
        ]);
        let mut depths = vec![0.0, 1.0, 3.0, 1.0];
        deepen_cued(&sentences, &mut depths);
        // The gaps' depths have a standard deviation of about 0.94.
        assert_eq!(depths[..2], [0.0, 1.0]);
        assert!(
            (depths[2] - (3.0 + 2.0 * 0.9428)).abs() < 1e-3,
            "{depths:?}"
        );
        assert_eq!(depths[3], 1.0, "{depths:?}");
        let mut none: Vec<f64> = Vec::new();
        deepen_cued(&sentences, &mut none);
    }

    #[test]
    fn a_sentence_that_announces_its_topic_opens_one() {
        for text in [
            "This chapter is about getting images into the editor.",
            "In the next section we configure the server.",
            "so now let's take a look at how replication works",
            "Okay, we're going to talk about indexes.",
            "Now we turn to the ledger.",
        ] {
            assert!(opens_topic(text), "{text}");
        }
        for text in [
            "The heap needs air and water to rot.",
            "As we saw before, you can read more about this in the manual, which this section cites.",
            "Look at the chart.",
            "We will see that it works.",
        ] {
            assert!(!opens_topic(text), "{text}");
        }
    }
}
