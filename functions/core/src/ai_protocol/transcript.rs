//! The transcript file the AI server reads:
//! `{"chunks": [{"timestamp": [start_s, end_s], "text": " ..."}]}`.

use serde_json::{Value, json};

use crate::material::Material;

/// The material's sentences as chunks, one per sentence, times in seconds.
/// The server's own transcripts start each text with a space; so do these.
pub fn chunks(material: &Material) -> Value {
    let chunks: Vec<Value> = material
        .sentences
        .iter()
        .map(|s| {
            json!({
                "timestamp": [s.start_ms as f64 / 1000.0, s.end_ms as f64 / 1000.0],
                "text": format!(" {}", s.text.trim()),
            })
        })
        .collect();
    json!({ "chunks": chunks })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::material::Sentence;

    #[test]
    fn sentences_become_chunks_in_seconds() {
        let material = Material::from(vec![
            Sentence {
                start_ms: 0,
                end_ms: 2500,
                text: "Hello there.".into(),
                end_trust: crate::material::EndTrust::Sure,
            },
            Sentence {
                start_ms: 2500,
                end_ms: 4010,
                text: "Welcome.".into(),
                end_trust: crate::material::EndTrust::Sure,
            },
        ]);
        assert_eq!(
            chunks(&material),
            json!({"chunks": [
                {"timestamp": [0.0, 2.5], "text": " Hello there."},
                {"timestamp": [2.5, 4.01], "text": " Welcome."}
            ]})
        );
    }
}
