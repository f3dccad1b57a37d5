//! The one rule for the form's character limits. `count` is the only place that decides how
//! long a text is; docs/reference.md quotes this rule and the JSON Schema's descriptions repeat it.

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

/// Length of `text` as the form counts it: the ends trimmed, normalised to NFC, then counted in
/// Unicode characters (scalar values), spaces and line breaks included. Never bytes, never NFD:
/// "é" typed as `e` + combining accent counts as one character, like Word's
/// "characters (with spaces)".
pub fn count(text: &str) -> usize {
    let text = text.trim();
    // Nearly every text is already NFC, which a quick scan proves without building a copy.
    match is_nfc_quick(text.chars()) {
        IsNormalized::Yes => text.chars().count(),
        IsNormalized::No | IsNormalized::Maybe => text.nfc().count(),
    }
}

/// Most combining marks accepted on one character: Unicode's stream-safe text format (UAX #15)
/// allows 30 in a row.
pub const MAX_MARKS: usize = 30;

/// Combining marks stacked on the character last pushed. Stacked marks cost layout time and
/// memory out of all proportion to their length; no script needs more than a few on one letter.
#[derive(Default)]
pub struct Marks(usize);

impl Marks {
    /// Counts `c`; true once more than `MAX_MARKS` stand on one character.
    pub fn too_many_with(&mut self, c: char) -> bool {
        self.0 = match unicode_normalization::char::canonical_combining_class(c) {
            0 => 0,
            _ => self.0 + 1,
        };
        self.0 > MAX_MARKS
    }
}

/// Characters that take no room on the page but still count toward a limit: soft hyphens,
/// zero-width spaces and joiners, direction marks, embeddings and isolates, the byte-order mark.
pub fn is_invisible(c: char) -> bool {
    matches!(c, '\u{AD}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

/// Where a limit falls in `text`: up to `context` characters before the cut and after it,
/// counted the same way as `count`.
pub fn cut_at(text: &str, limit: usize, context: usize) -> (String, String) {
    let chars: Vec<char> = text.trim().nfc().collect();
    let limit = limit.min(chars.len());
    let start = limit.saturating_sub(context);
    let end = (limit + context).min(chars.len());
    let before: String = chars[start..limit].iter().collect();
    let after: String = chars[limit..end].iter().collect();
    (before, after)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_characters_not_bytes() {
        assert_eq!(count("été"), 3);
        assert_eq!("été".len(), 5);
    }

    #[test]
    fn decomposed_accents_count_once() {
        let nfd = "e\u{301}te\u{301}";
        assert_eq!(nfd.chars().count(), 5);
        assert_eq!(count(nfd), 3);
    }

    #[test]
    fn the_quick_path_counts_as_normalising_does() {
        // Composed, decomposed, singletons (Å as the ångström sign), Hangul jamo, a mark that
        // decomposes into two, a compatibility ideograph, stacked marks, a flag.
        let texts = [
            "été",
            "e\u{301}",
            "\u{212B}",
            "\u{1100}\u{1161}\u{11A8}",
            "\u{0344}",
            "\u{F900}",
            "a\u{308}\u{301}",
            "a\u{301}\u{308}",
            "\u{0958}",
            "🇫🇷",
            "",
        ];
        for text in texts {
            assert_eq!(count(text), text.nfc().count(), "{text:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn counts_any_text_as_its_nfc(text in "\\PC*") {
            proptest::prop_assert_eq!(count(&text), text.trim().nfc().count());
        }
    }

    #[test]
    fn trims_ends_but_keeps_inner_spaces_and_line_breaks() {
        assert_eq!(count("  a b\nc \n"), 5);
    }

    #[test]
    fn cut_shows_both_sides_of_the_limit() {
        assert_eq!(cut_at("abcdef", 3, 2), ("bc".to_string(), "de".to_string()));
        assert_eq!(cut_at("ab", 5, 2), ("ab".to_string(), String::new()));
    }
}
