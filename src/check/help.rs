//! The fix for a mistake, in the person's own terms: their amount without separators, their
//! date in ISO form, their number without a leading zero. Each returns `None` when the fix
//! cannot be told for sure, so that a help line never guesses.

use serde_json::Value as Json;
use unicode_normalization::UnicodeNormalization;

use crate::source::Value;

/// The plain form of an amount typed as a text with separators or a currency (`'428,000'`,
/// `USD 2 500 000`, `$ 855,000.50`, `10 000,50`), when it can be told for sure. The last point
/// or comma followed by one or two digits is the decimal mark; one followed by three digits
/// groups thousands, unless the text also groups with spaces and ends in `,ddd` (`10 000,500`
/// could be either): then nothing is suggested.
pub fn amount_in_words(text: &str) -> Option<String> {
    let bare = text
        .trim()
        .trim_start_matches("USD")
        .trim_end_matches("USD")
        .trim_start_matches(['$', ' '])
        .trim_end_matches(['$', ' '])
        .trim();
    let is_space = |c: char| matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\'');
    if bare.is_empty()
        || !bare
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',' || is_space(c))
    {
        return None;
    }
    let (units, cents) = match bare.rfind(['.', ',']) {
        Some(at) => {
            let after = &bare[at + 1..];
            let spaced = bare.contains(is_space);
            match after.len() {
                1 | 2 => (&bare[..at], after),
                3 if spaced && bare.as_bytes()[at] == b',' => return None,
                3 => (bare, ""),
                _ => return None,
            }
        }
        None => (bare, ""),
    };
    let digits: String = units.chars().filter(char::is_ascii_digit).collect();
    let plain = match cents {
        "" => digits,
        cents => format!("{digits}.{cents}"),
    };
    crate::model::Usd::parse(&plain).ok().map(|usd| usd.plain())
}

/// The fix for a value of the wrong kind, from what the field expects (`schema`) and what was
/// typed: an amount with separators or a share, a count with its unit (`18 mois`), `oui` for
/// `true`, one value where a list is expected, a spreadsheet's day number for a date.
/// A count written as a word, in English or French (`One`, `deux`, `Twelve tranches`): its
/// number, up to twenty.
fn number_word(text: &str) -> Option<usize> {
    const EN: [&str; 21] = [
        "zero",
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
    const FR: [&str; 21] = [
        "zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix",
        "onze", "douze", "treize", "quatorze", "quinze", "seize", "dix-sept", "dix-huit",
        "dix-neuf", "vingt",
    ];
    let word = text.split_whitespace().next()?.to_lowercase();
    let word = if word == "une" {
        "un".to_string()
    } else {
        word
    };
    EN.iter()
        .position(|w| *w == word)
        .or_else(|| FR.iter().position(|w| *w == word))
}

pub fn for_type(schema: &Json, path: &str, value: &Value, written: &str) -> Option<String> {
    let kind = match schema.get("type") {
        Some(Json::Array(kinds)) => kinds.iter().filter_map(Json::as_str).find(|k| *k != "null"),
        Some(kind) => kind.as_str(),
        None => None,
    }
    .unwrap_or_default();
    let amount = schema.get("x-amount").is_some();
    match value {
        Value::Str(text) if amount && text.trim_end().ends_with('%') => Some(
            "help: give the amount in USD; the workbook computes the share of the budget".into(),
        ),
        Value::Str(text) if amount => Some(match amount_in_words(text) {
            Some(plain) => format!("help: write the amount as a plain number: {plain}"),
            None => {
                "help: write the amount in digits, with a point before the cents: 19979.42".into()
            }
        }),
        Value::Str(text) if kind == "integer" => {
            let text = text.trim();
            let digits: String = text.chars().take_while(char::is_ascii_digit).collect();
            let rest = text[digits.len()..].trim().to_lowercase();
            let units = ["mois", "month", "months", "tranche", "tranches", "m"];
            if !digits.is_empty() && rest.is_empty() {
                Some(format!("help: write {digits} without quotes"))
            } else if let Some(n) = number_word(text) {
                Some(format!("help: write the number in digits: {n}"))
            } else {
                (!digits.is_empty() && units.contains(&rest.as_str()))
                    .then(|| format!("help: write the number alone: {digits}"))
            }
        }
        Value::Str(text) if kind == "boolean" => {
            let word = text.trim().to_lowercase();
            Some(match word.as_str() {
                "yes" | "y" | "oui" | "vrai" | "si" | "sí" => "help: write true".into(),
                "no" | "n" | "non" | "faux" => "help: write false".into(),
                _ => "help: write true or false".into(),
            })
        }
        Value::Str(text) if kind == "array" => {
            let key = path.rsplit('.').next().unwrap_or(path);
            // Language codes are written in lower case, as the catalogs are named.
            let lower = key.contains("languages") || key.contains("translations");
            let items: Vec<String> = text
                .split(',')
                .map(str::trim)
                .filter(|i| !i.is_empty())
                .map(|i| {
                    if lower {
                        i.to_lowercase()
                    } else {
                        i.to_string()
                    }
                })
                .collect();
            Some(format!("help: write a list: {key}: [{}]", items.join(", ")))
        }
        Value::Float(f) if kind == "integer" && f.fract() == 0.0 && f.abs() < 1e9 => {
            Some(format!("help: write {}", *f as i64))
        }
        Value::Int(n) if is_date_field(schema) => {
            let iso = spreadsheet_day(*n)?;
            Some(format!(
                "help: {written} looks like a spreadsheet's day number, which is {iso}: write {iso}"
            ))
        }
        _ => None,
    }
}

/// Whether the field holds a date or a month.
fn is_date_field(schema: &Json) -> bool {
    matches!(
        schema.get("format").and_then(Json::as_str),
        Some("date" | "x-year-month")
    )
}

/// A date or month typed another way: a spreadsheet's day number given as text (`'43997'`), a
/// date with a time of day (`2019-11-12 00:00:00`, as a spreadsheet exports it).
pub fn for_date_text(text: &str) -> Option<String> {
    let text = text.trim();
    if text.len() == 5 && text.bytes().all(|b| b.is_ascii_digit()) {
        let iso = spreadsheet_day(text.parse().ok()?)?;
        return Some(format!(
            "help: {text} looks like a spreadsheet's day number, which is {iso}: write {iso}"
        ));
    }
    let date = text.get(..10)?;
    let rest = text[10..].trim_start_matches(['T', ' ']);
    let time = !rest.is_empty()
        && rest
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ':' | '.' | 'Z'));
    (crate::model::parse_date(date).is_some() && time).then(|| format!("help: write {date}"))
}

/// The date a spreadsheet's day number stands for (day 1 is 1900-01-01, with the 1900 leap
/// day that Lotus and Excel count), for the numbers of the years 1955 to 2119.
fn spreadsheet_day(n: i64) -> Option<String> {
    if !(20_000..=80_000).contains(&n) {
        return None;
    }
    // Days from 1970-01-01 to the serial's day: serial 25569 is 1970-01-01.
    let (y, m, d) = crate::model::civil_date(n - 25_569);
    Some(format!("{y}-{m:02}-{d:02}"))
}

/// A date written another way, in ISO form (`YYYY-MM-DD`), with a word on how it was read when
/// it could be read two ways. Day-first is the UN's and French usage: `05/06/2020` reads as
/// 5 June, and the help says so. Month names are looked for in `months` (each language's twelve
/// names, as the catalogs give them), with or without accents, whole or cut to three letters.
/// With `month_only`, a month and year (`Juillet 2019`, `07/2019`) gives `YYYY-MM`.
pub fn iso_date(text: &str, months: &[Vec<String>], month_only: bool) -> Option<String> {
    let parts: Vec<&str> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|p| !p.is_empty())
        .collect();
    let number = |p: &str| p.parse::<u32>().ok().filter(|_| p.len() <= 4);
    let named = |p: &str| month_number(p, months);
    let year = |p: &str| number(p).filter(|y| p.len() == 4 && (1900..=2200).contains(y));
    let (y, m, d, note) = match parts.as_slice() {
        [a, b] if month_only => {
            let (m, y) = match (year(a), year(b)) {
                (Some(y), None) => (named(b).or(number(b))?, y),
                (None, Some(y)) => (named(a).or(number(a))?, y),
                _ => return None,
            };
            return (1..=12).contains(&m).then(|| format!("{y}-{m:02}"));
        }
        [a, b, c] => match (year(a), named(a), named(b)) {
            (Some(y), _, _) => (y, named(b).or(number(b))?, number(c)?, None),
            (None, Some(m), _) => (year(c)?, m, number(b)?, None),
            (None, None, Some(m)) => (year(c)?, m, number(a)?, None),
            (None, None, None) => {
                let (a, b, y) = (number(a)?, number(b)?, year(c)?);
                match (a > 12, b > 12) {
                    (true, false) => (y, b, a, None),
                    (false, true) => (y, a, b, None),
                    (false, false) if a != b => (y, b, a, Some(format!("{y}-{a:02}-{b:02}"))),
                    _ => (y, b, a, None),
                }
            }
        },
        _ => return None,
    };
    let iso = format!("{y}-{m:02}-{d:02}");
    crate::model::parse_date(&iso)?;
    Some(match note {
        None => iso,
        Some(other) => format!("{iso} (day first; if the month comes first, {other})"),
    })
}

/// The month names of every language that has a catalog, for `iso_date`.
pub fn catalog_months() -> Vec<Vec<String>> {
    let templates = crate::templates::current();
    let catalogs: Vec<crate::i18n::Catalog> = templates
        .languages()
        .iter()
        .filter_map(|lang| crate::i18n::Catalog::load_from(&templates, lang).ok())
        .collect();
    months_of(&catalogs)
}

/// The month names of `catalogs`, for `iso_date`.
pub fn months_of(catalogs: &[crate::i18n::Catalog]) -> Vec<Vec<String>> {
    catalogs
        .iter()
        .map(|c| {
            c.get("months")
                .split_whitespace()
                .map(String::from)
                .collect()
        })
        .collect()
}

/// The month a name stands for (1–12), in any of the languages of `months`.
fn month_number(word: &str, months: &[Vec<String>]) -> Option<u32> {
    let fold = |s: &str| -> String {
        s.nfd()
            .filter(|c| unicode_normalization::char::canonical_combining_class(*c) == 0)
            .flat_map(char::to_lowercase)
            .collect()
    };
    let word = fold(word);
    if word.chars().count() < 3 || word.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    let found: Vec<u32> = months
        .iter()
        .flat_map(|names| names.iter().zip(1..))
        .filter(|(name, _)| fold(name).starts_with(&word))
        .map(|(_, m)| m)
        .collect();
    match found.as_slice() {
        [m, rest @ ..] if rest.iter().all(|r| r == m) => Some(*m),
        _ => None,
    }
}

/// A whole number typed with a leading zero (`018`), without it.
pub fn without_leading_zero(text: &str) -> Option<String> {
    let text = text.trim();
    let digits =
        text.len() > 1 && text.starts_with('0') && text.bytes().all(|b| b.is_ascii_digit());
    digits.then(|| {
        let rest = text.trim_start_matches('0');
        if rest.is_empty() { "0" } else { rest }.to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_typed_as_text_get_their_plain_form_when_it_is_sure() {
        for (typed, plain) in [
            ("428,000", Some("428000")),
            ("107 000 USD", Some("107000")),
            ("USD 2 500 000", Some("2500000")),
            ("$ 855,000.50", Some("855000.50")),
            ("10 000,50", Some("10000.50")),
            ("1,5", Some("1.50")),
            ("1 234,56", Some("1234.56")),
            ("1 000 000,00 USD", Some("1000000")),
            ("1.234,56", Some("1234.56")),
            ("1'234.50", Some("1234.50")),
            ("10 000,500", None),
            ("12.3456", None),
            ("about 400", None),
            ("", None),
        ] {
            assert_eq!(amount_in_words(typed).as_deref(), plain, "{typed}");
        }
    }

    fn months() -> Vec<Vec<String>> {
        [
            "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
            "January February March April May June July August September October November December",
        ]
        .iter()
        .map(|l| l.split_whitespace().map(String::from).collect())
        .collect()
    }

    #[test]
    fn dates_written_other_ways_get_their_iso_form() {
        let m = months();
        for (typed, iso) in [
            ("15/11/2020", Some("2020-11-15")),
            ("11/15/2020", Some("2020-11-15")),
            ("15.11.2020", Some("2020-11-15")),
            ("2020/11/15", Some("2020-11-15")),
            ("12 NOVEMBRE 2019", Some("2019-11-12")),
            ("12 novembre 2019", Some("2019-11-12")),
            ("November 12, 2019", Some("2019-11-12")),
            ("1er décembre 2019", None),
            (
                "05/06/2020",
                Some("2020-06-05 (day first; if the month comes first, 2020-05-06)"),
            ),
            ("31/02/2020", None),
            ("15/11/20", None),
            ("Juillet 2019", None),
            ("soon", None),
        ] {
            assert_eq!(iso_date(typed, &m, false).as_deref(), iso, "{typed}");
        }
        for (typed, iso) in [
            ("Juillet 2019", Some("2019-07")),
            ("janv. 2018", Some("2018-01")),
            ("Fevrier 2018", Some("2018-02")),
            ("07/2019", Some("2019-07")),
            ("2019/07", Some("2019-07")),
            ("ma 2019", None),
            (
                "1/7/2019",
                Some("2019-07-01 (day first; if the month comes first, 2019-01-07)"),
            ),
        ] {
            assert_eq!(iso_date(typed, &m, true).as_deref(), iso, "{typed}");
        }
    }

    #[test]
    fn spreadsheet_day_numbers_are_dates() {
        assert_eq!(spreadsheet_day(43_781).as_deref(), Some("2019-11-12"));
        assert_eq!(spreadsheet_day(25_569).as_deref(), Some("1970-01-01"));
        assert_eq!(spreadsheet_day(43_997).as_deref(), Some("2020-06-15"));
        assert_eq!(spreadsheet_day(18), None);
    }

    #[test]
    fn leading_zeros_are_dropped() {
        assert_eq!(without_leading_zero("018").as_deref(), Some("18"));
        assert_eq!(without_leading_zero("00").as_deref(), Some("0"));
        assert_eq!(without_leading_zero("18"), None);
        assert_eq!(without_leading_zero("0"), None);
        assert_eq!(without_leading_zero("0x12"), None);
    }
}
