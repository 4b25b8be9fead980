//! Language codes as MP4 subtitle tracks carry them: ISO 639-2, three
//! letters. Players show the track's language from it.

/// The ISO 639-2 (bibliographic/terminology as ffmpeg expects) code of a
/// BCP 47 tag's language; "und" (undetermined) for one not listed.
pub fn iso639_2(tag: &str) -> &'static str {
    let primary = tag
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    match primary.as_str() {
        "ar" => "ara",
        "bn" => "ben",
        "cs" => "ces",
        "da" => "dan",
        "de" => "deu",
        "el" => "ell",
        "en" => "eng",
        "es" => "spa",
        "fa" => "fas",
        "fi" => "fin",
        "fr" => "fra",
        "he" | "iw" => "heb",
        "hi" => "hin",
        "hu" => "hun",
        "id" => "ind",
        "it" => "ita",
        "ja" => "jpn",
        "ko" => "kor",
        "ms" => "msa",
        "nl" => "nld",
        "no" | "nb" | "nn" => "nor",
        "pl" => "pol",
        "pt" => "por",
        "ro" => "ron",
        "ru" => "rus",
        "sv" => "swe",
        "sw" => "swa",
        "th" => "tha",
        "tr" => "tur",
        "uk" => "ukr",
        "ur" => "urd",
        "vi" => "vie",
        "zh" => "zho",
        _ => "und",
    }
}

#[cfg(test)]
mod tests {
    use super::iso639_2;

    #[test]
    fn tags_map_to_three_letters() {
        assert_eq!(iso639_2("en-US"), "eng");
        assert_eq!(iso639_2("ar_EG"), "ara");
        assert_eq!(iso639_2("AR"), "ara");
        assert_eq!(iso639_2("x-klingon"), "und");
        assert_eq!(iso639_2(""), "und");
    }
}
