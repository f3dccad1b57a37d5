//! The values a report's fields hold: texts with their limits, amounts in cents, dates and
//! months, and the fund's rules on amounts (indirect costs, the gender share).

use std::borrow::Cow;
use std::collections::BTreeMap;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Serialize};

/// A text in the report's language, or one text per language (`fr: …`, `en: …`).
/// A single text prints the same in every language: right for names and figures.
/// `LIMIT` is the form's character limit; `MAX` bounds a text the form sets no limit on
/// (0: the same as `LIMIT`). Both are counted by `check::limits::count`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(transparent)]
pub struct Text<const LIMIT: usize, const MAX: usize = 0>(TextRepr);

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(untagged)]
enum TextRepr {
    Same(String),
    PerLanguage(BTreeMap<String, String>),
}

/// A narrative answer of Part 1.1 or 1.3.
pub type Narrative = Text<1500>;
/// An outcome progress summary.
pub type Summary = Text<3000>;
/// A cell of the indicator table.
pub type Cell = Text<300>;
/// The finance delay explanation.
pub type Note = Text<500>;
/// A name or a one-line field of the cover (country, title, agencies, partners, signatories,
/// an attachment's title). The form sets no limit; 300 characters is two lines of the cover.
pub type Line = Text<0, 300>;
/// An outcome's or output's statement, an activity's wording or notes: copied from the results
/// framework, whose longest entries run to a few hundred characters.
pub type Statement = Text<0, 1000>;
/// A free answer the form sets no limit on (tranches, evaluation, the Secretariat's comments):
/// bounded like a narrative answer.
pub type Free = Text<0, 1500>;

impl<const LIMIT: usize, const MAX: usize> Text<LIMIT, MAX> {
    /// The most characters the text may hold: the form's limit, or pbf-report's bound.
    pub const MOST: usize = if MAX == 0 { LIMIT } else { MAX };

    /// The text for `lang`, or an empty string when the source gives none for it.
    pub fn get(&self, lang: &str) -> &str {
        match &self.0 {
            TextRepr::Same(s) => s,
            TextRepr::PerLanguage(m) => m.get(lang).map_or("", String::as_str),
        }
    }
}

impl<const LIMIT: usize, const MAX: usize> JsonSchema for Text<LIMIT, MAX> {
    fn schema_name() -> Cow<'static, str> {
        match (LIMIT, MAX) {
            (0, 0) => "Text".into(),
            (n, 0) => format!("Text{n}").into(),
            (_, m) => format!("Text{m}Bound").into(),
        }
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        text_schema(Self::MOST, LIMIT > 0)
    }
}

/// The schema of a text of at most `most` characters (no bound when 0), written once or per
/// language; `form_limit` says the form states that limit, rather than pbf-report bounding it.
pub fn text_schema(most: usize, form_limit: bool) -> Schema {
    let counted = "Characters are counted after NFC normalisation, spaces and line breaks included, ends trimmed.";
    let description = match (most, form_limit) {
        (0, _) => "A text, or one text per language (fr: …, en: …). A number is read as typed."
            .to_string(),
        (_, false) => format!(
            "A text of at most {most} characters, or one such text per language (fr: …, en: …). \
             The form sets no limit here; this bound keeps the report readable. {counted}"
        ),
        (_, true) => format!(
            "A text of at most {most} characters (the form's limit), or one such text per language \
             (fr: …, en: …). {counted}"
        ),
    };
    // `x-text` tells `check` to read the two branches as one text, for messages in a writer's
    // words. The limit is `x-limit`, not a `maxLength`: a validator counts code points as
    // written, and a text within its limit once normalised and trimmed (`e` and a combining
    // accent, spaces at its ends) would be refused. `x-form-limit` says whether the form states
    // the limit (a draft may go over it) or pbf-report bounds the field. A number or a yes/no
    // where a text goes prints as typed (`baseline: 0`); a language left empty is no text.
    let mut schema = json_schema!({
        "description": description,
        "anyOf": [
            { "type": ["string", "number", "boolean"] },
            {
                "type": "object",
                "additionalProperties": { "type": ["string", "number", "boolean", "null"] },
                "minProperties": 1
            }
        ],
        "x-text": true,
        "x-form-limit": form_limit,
    });
    if most > 0 {
        schema.insert("x-limit".into(), most.into());
    }
    schema
}

/// An amount in US dollars, kept in cents so that sums are exact. `check` reads it from the
/// digits the person typed (`Usd::parse`), never through a float; in the typed report it travels
/// as that decimal text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Usd(pub i64);

impl From<Usd> for f64 {
    /// For the workbook's cells, which hold IEEE doubles: exact for every amount up to `MAX`.
    fn from(usd: Usd) -> f64 {
        usd.0 as f64 / 100.0
    }
}

/// Why an amount as written is not one: `Usd::parse`'s refusals, which `check` words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AmountError {
    /// Not a decimal number (`.inf`, `0x10`, `12,5`).
    NotANumber,
    Negative,
    /// More than two decimals that are not zero.
    TooPrecise,
    /// Above `Usd::MAX_UNITS`.
    TooLarge,
}

impl Usd {
    /// The largest amount a source may state, in whole USD: far above any PBF budget, and small
    /// enough that the sum of every amount a source can hold stays exact in an i64 of cents and
    /// in a spreadsheet's double.
    pub const MAX_UNITS: i64 = 1_000_000_000_000;

    /// The amount written `text` (a YAML number as typed: `1500`, `141844132.64`, `0.50`,
    /// `2.5e6`), exactly, in cents. Refused when it is not a decimal number, is negative, has a
    /// third decimal that is not zero, or exceeds `MAX_UNITS`.
    pub fn parse(text: &str) -> Result<Usd, AmountError> {
        let text = text.trim();
        let (negative, unsigned) = match text.as_bytes().first() {
            Some(b'-') => (true, &text[1..]),
            Some(b'+') => (false, &text[1..]),
            _ => (false, text),
        };
        let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
            Some(at) => (&unsigned[..at], Some(&unsigned[at + 1..])),
            None => (unsigned, None),
        };
        let (units, decimals) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let is_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if units.is_empty() && decimals.is_empty() || !is_digits(units) || !is_digits(decimals) {
            return Err(AmountError::NotANumber);
        }
        let exponent: i64 = match exponent {
            None => 0,
            Some(e) => {
                let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
                if digits.is_empty() || !is_digits(digits) {
                    return Err(AmountError::NotANumber);
                }
                // Past 30 digits of exponent the amount is out of range or below a cent anyway.
                let magnitude: i64 = digits.parse().unwrap_or(i64::MAX).min(1_000);
                if e.starts_with('-') {
                    -magnitude
                } else {
                    magnitude
                }
            }
        };
        let digits = format!("{units}{decimals}");
        let digits = digits.trim_start_matches('0');
        let zero = digits.is_empty();
        // The amount in cents is `digits` × 10^shift.
        let shift = exponent - decimals.len() as i64 + 2;
        let (kept, dropped) = if shift >= 0 {
            (digits.to_string(), "")
        } else {
            let cut = digits.len().saturating_sub(shift.unsigned_abs() as usize);
            (digits[..cut].to_string(), &digits[cut..])
        };
        if dropped.bytes().any(|b| b != b'0') {
            return Err(AmountError::TooPrecise);
        }
        if zero {
            return Ok(Usd(0));
        }
        if negative {
            return Err(AmountError::Negative);
        }
        let max_cents = i128::from(Usd::MAX_UNITS) * 100;
        let mut cents: i128 = 0;
        for b in kept.bytes() {
            cents = cents * 10 + i128::from(b - b'0');
            if cents > max_cents {
                return Err(AmountError::TooLarge);
            }
        }
        for _ in 0..shift.max(0) {
            cents *= 10;
            if cents > max_cents {
                return Err(AmountError::TooLarge);
            }
        }
        Ok(Usd(cents as i64))
    }

    /// The amount as a plain decimal, `2500000` or `19979.42`: how a source would write it.
    pub fn plain(self) -> String {
        match self.0 % 100 {
            0 => (self.0 / 100).to_string(),
            cents => format!("{}.{:02}", self.0 / 100, cents.abs()),
        }
    }
}

impl Serialize for Usd {
    /// A number, as a source writes it (the schema's defaults, a report's JSON form). Read back,
    /// a double's shortest decimal is the amount again: every amount up to `MAX_UNITS` with two
    /// decimals has at most 15 significant digits, which a double keeps.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 % 100 {
            0 => s.serialize_i64(self.0 / 100),
            _ => s.serialize_f64(f64::from(*self)),
        }
    }
}

impl<'de> Deserialize<'de> for Usd {
    /// From the decimal text `check` passes on, or from a whole number.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Amount;
        impl serde::de::Visitor<'_> for Amount {
            type Value = Usd;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an amount in USD")
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Usd, E> {
                Usd::parse(text).map_err(|e| E::custom(format!("{text}: {e:?}")))
            }
            fn visit_u64<E: serde::de::Error>(self, units: u64) -> Result<Usd, E> {
                self.visit_str(&units.to_string())
            }
            fn visit_i64<E: serde::de::Error>(self, units: i64) -> Result<Usd, E> {
                self.visit_str(&units.to_string())
            }
            /// The shortest decimal that reads back as `value`: the amount, when it was one.
            fn visit_f64<E: serde::de::Error>(self, value: f64) -> Result<Usd, E> {
                self.visit_str(&value.to_string())
            }
        }
        d.deserialize_any(Amount)
    }
}

impl JsonSchema for Usd {
    fn schema_name() -> Cow<'static, str> {
        "Usd".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "An amount in US dollars, at most two decimals (read from the digits typed, never through a binary float).",
            "type": "number",
            "minimum": 0,
            "maximum": Usd::MAX_UNITS,
            "x-amount": true,
        })
    }
}

/// PBF's indirect support cost rate on direct costs, in percent.
pub const INDIRECT_PERCENT: i64 = 7;

/// The share of a budget PBF expects to go to gender equality and women's empowerment, in
/// percent.
pub const GENDER_MIN_PERCENT: i64 = 15;

/// Indirect support costs on `direct`, rounded to the cent (half up): the one rule that `check`,
/// the PDF and the workbook's cached results share.
pub fn indirect(direct: Usd) -> Usd {
    let cents = (i128::from(direct.0) * i128::from(INDIRECT_PERCENT) + 50).div_euclid(100);
    Usd(i64::try_from(cents).unwrap_or(i64::MAX))
}

/// Whether `gender` is less than `GENDER_MIN_PERCENT` of `total`, the budget it is part of.
pub fn below_gender_minimum(gender: Usd, total: Usd) -> bool {
    i128::from(gender.0) * 100 < i128::from(total.0) * i128::from(GENDER_MIN_PERCENT)
}

impl std::ops::Add for Usd {
    type Output = Usd;
    /// Saturating: no sum of a source's amounts comes near, but a bad source must not crash.
    fn add(self, other: Usd) -> Usd {
        Usd(self.0.saturating_add(other.0))
    }
}

impl std::iter::Sum for Usd {
    fn sum<I: Iterator<Item = Usd>>(iter: I) -> Usd {
        iter.fold(Usd(0), |a, b| a + b)
    }
}

impl std::fmt::Display for Usd {
    /// Plain figure with a thousands separator, as the English form prints it: `2,500,000.00`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let cents = self.0.unsigned_abs();
        let units = group_thousands(cents / 100, ",");
        write!(f, "{sign}{units}.{:02}", cents % 100)
    }
}

/// `units` with `separator` between groups of three digits: `2500000` → `2 500 000`.
pub fn group_thousands(units: u64, separator: &str) -> String {
    let digits = units.to_string();
    let mut grouped = String::with_capacity(digits.len() * 2);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push_str(separator);
        }
        grouped.push(c);
    }
    grouped
}

/// A calendar date written `YYYY-MM-DD`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(transparent)]
pub struct Date(pub String);

impl Date {
    /// Year, month and day; `check` accepts only dates that have them.
    pub fn ymd(&self) -> Option<(u16, u8, u8)> {
        parse_date(&self.0)
    }
}

impl JsonSchema for Date {
    fn schema_name() -> Cow<'static, str> {
        "Date".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A date written YYYY-MM-DD.",
            "type": "string",
            "format": "date",
            "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$",
        })
    }
}

/// A month written `YYYY-MM`, or an exact date `YYYY-MM-DD`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(transparent)]
pub struct YearMonth(pub String);

impl JsonSchema for YearMonth {
    fn schema_name() -> Cow<'static, str> {
        "YearMonth".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A month written YYYY-MM, or a date written YYYY-MM-DD.",
            "type": "string",
            "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])(-[0-3][0-9])?$",
            "format": "x-year-month",
        })
    }
}

impl YearMonth {
    /// Year and month, whether it is written as a month or as a date.
    pub fn ym(&self) -> Option<(u16, u8)> {
        parse_month(&self.0)
    }
}

/// Year, month and day of the day `days` after 1970-01-01, in the proleptic Gregorian
/// calendar (H. Hinnant's civil-from-days algorithm).
pub fn civil_date(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = (if mp < 10 { mp + 3 } else { mp - 9 }) as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Year, month and day of a date written `YYYY-MM-DD`, if it is a day of the calendar. The one
/// reader of dates: `check` validates with it, the renderers format with it.
pub fn parse_date(text: &str) -> Option<(u16, u8, u8)> {
    let (month, day) = text.rsplit_once('-')?;
    let (y, m) = parse_month(month).filter(|_| month.len() == 7)?;
    let d = digits(day, 2)? as u8;
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => 31,
    };
    (1..=days).contains(&d).then_some((y, m, d))
}

/// Year and month of `YYYY-MM`, or of a date `YYYY-MM-DD`.
pub fn parse_month(text: &str) -> Option<(u16, u8)> {
    if text.len() == 10 {
        return parse_date(text).map(|(y, m, _)| (y, m));
    }
    let (year, month) = text.split_once('-')?;
    let (y, m) = (digits(year, 4)?, digits(month, 2)? as u8);
    (1..=12).contains(&m).then_some((y, m))
}

/// The number written by exactly `n` ASCII digits.
fn digits(text: &str, n: usize) -> Option<u16> {
    (text.len() == n && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_read_strictly() {
        assert_eq!(parse_date("2019-11-12"), Some((2019, 11, 12)));
        assert_eq!(parse_date("2020-02-29"), Some((2020, 2, 29)));
        for bad in [
            "2019-02-29",
            "2019-13-01",
            "2019-00-10",
            "12/11/2019",
            "2019-+7-01",
            "2019-1-01",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
        assert_eq!(parse_month("2018-01"), Some((2018, 1)));
        assert_eq!(parse_month("2018-01-31"), Some((2018, 1)));
        for bad in ["2019-+7", "2018-1", "2018-13", "+018-01", "2018-01-32"] {
            assert_eq!(parse_month(bad), None, "{bad}");
        }
    }

    #[test]
    fn amounts_are_read_exactly_as_written() {
        let ok = [
            ("141844132.64", 14_184_413_264),
            ("999999999999.99", 99_999_999_999_999),
            ("1000000000000", 100_000_000_000_000),
            ("0.50", 50),
            ("19979.420", 1_997_942),
            ("+7", 700),
            ("-0", 0),
            ("2.5e6", 250_000_000),
            ("1234E-2", 1234),
            (".5", 50),
            ("5.", 500),
            ("0.001e3", 100),
            ("0e99999", 0),
        ];
        for (text, cents) in ok {
            assert_eq!(Usd::parse(text), Ok(Usd(cents)), "{text}");
        }
        let refused = [
            ("0.001", AmountError::TooPrecise),
            ("141844132.645", AmountError::TooPrecise),
            ("1e-3", AmountError::TooPrecise),
            ("1000000000000.01", AmountError::TooLarge),
            ("1e13", AmountError::TooLarge),
            ("9e99999999999999999999", AmountError::TooLarge),
            ("-5", AmountError::Negative),
            ("-0.01", AmountError::Negative),
            (".inf", AmountError::NotANumber),
            (".nan", AmountError::NotANumber),
            ("0x10", AmountError::NotANumber),
            ("428,000", AmountError::NotANumber),
            ("1e", AmountError::NotANumber),
            (".", AmountError::NotANumber),
            ("", AmountError::NotANumber),
        ];
        for (text, error) in refused {
            assert_eq!(Usd::parse(text), Err(error), "{text}");
        }
        // The JSON form reads back to the same cents, to the largest amount.
        let mut cents: i64 = 1;
        while cents <= Usd::MAX_UNITS * 100 {
            for usd in [
                Usd(cents),
                Usd(cents * 7 / 3 + 1),
                Usd(Usd::MAX_UNITS * 100 - cents),
            ] {
                let json = serde_json::to_value(usd).unwrap();
                assert_eq!(serde_json::from_value::<Usd>(json).unwrap(), usd);
            }
            cents = cents * 3 + 1;
        }
        assert_eq!(Usd(1_997_942).plain(), "19979.42");
        assert_eq!(Usd(250_000_000).plain(), "2500000");
    }

    #[test]
    fn thousands_are_grouped_by_three() {
        assert_eq!(group_thousands(2_500_000, " "), "2 500 000");
        assert_eq!(group_thousands(999, ","), "999");
        assert_eq!(group_thousands(1000, ","), "1,000");
        assert_eq!(Usd(-123_456_789).to_string(), "-1,234,567.89");
    }
}
