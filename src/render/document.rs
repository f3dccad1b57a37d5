//! The report as the typst template receives it: one language, every label from the catalog,
//! money and dates formatted, narratives split into paragraphs and bullets, French typography
//! applied. User text travels as JSON strings and is never parsed as markup by the template.

use serde_json::{Value, json};

use super::world::{REPLACEMENT, can_draw};
use crate::check::limits;
use crate::fit;
use crate::i18n::Catalog;
use crate::model::{Date, Filled, Usd, YearMonth, group_thousands};

/// How the document is rendered.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Render answers over their limit, marked with their count, instead of refusing them.
    pub draft: bool,
}

/// The template data for `report` in the catalog's language.
pub fn data(report: &Filled, version: &str, catalog: &Catalog, options: Options) -> Value {
    let mut data = data_as_written(report, version, catalog, options);
    replace_undrawable(&mut data);
    data
}

/// The same data with every character as written, even one the embedded fonts cannot draw:
/// for the Word copy, which the reader's own fonts draw.
pub fn data_as_written(
    report: &Filled,
    version: &str,
    catalog: &Catalog,
    options: Options,
) -> Value {
    let voice = Voice {
        catalog,
        lang: catalog.lang.as_str(),
    };
    super::answers::data(report, &voice, version, options)
}

/// Every character no embedded font has becomes □, so that the PDF shows where it was.
pub(super) fn replace_undrawable(value: &mut Value) {
    match value {
        Value::String(s) if !s.chars().all(can_draw) => {
            *s = s
                .chars()
                .map(|c| if can_draw(c) { c } else { REPLACEMENT })
                .collect();
        }
        Value::Array(items) => items.iter_mut().for_each(replace_undrawable),
        Value::Object(map) => map.values_mut().for_each(replace_undrawable),
        _ => {}
    }
}

/// The words of one language: labels from its catalog, answers with its typography.
pub(super) struct Voice<'a> {
    pub catalog: &'a Catalog,
    pub lang: &'a str,
}

impl Voice<'_> {
    /// A label from the catalog, placeholders filled in, typography of the language applied.
    pub(super) fn label(&self, key: &str) -> String {
        self.label_with(key, minijinja::context! {})
    }

    pub(super) fn label_with(&self, key: &str, context: minijinja::Value) -> String {
        typography(self.lang, &self.catalog.render(key, context))
    }

    /// Every catalog entry, for the fixed texts of the form. `{page}` and `{total}` are left for
    /// the template, which alone knows the page numbers.
    pub(super) fn labels(&self) -> Value {
        let context = minijinja::context! { page => "{page}", total => "{total}" };
        self.catalog
            .entries
            .keys()
            .map(|k| {
                (
                    k.clone(),
                    Value::String(self.label_with(k, context.clone())),
                )
            })
            .collect::<serde_json::Map<_, _>>()
            .into()
    }

    /// `answer` for a text and its limit (0: none) as the form's description gives them, in a
    /// box `width` ems wide.
    pub(super) fn answer_text(&self, raw: &str, limit: usize, field: &str, width: f32) -> Value {
        let count = limits::count(raw);
        let over = (limit > 0 && count > limit).then(|| {
            self.label_with(
                "draft.over",
                minijinja::context! { count => count, limit => limit, over => count - limit },
            )
        });
        let text = fit::wrap_long_runs(&typography(self.lang, raw), width);
        let tall = fit::lines(&text, width) > fit::TALL;
        // `path` names the field in the source, for the Word copy's reviewers' edits to return.
        json!({ "blocks": blocks(&text), "over": over, "tall": tall, "path": field })
    }
}

/// Narrative text as blocks: each line a paragraph, lines starting with "- " bullet items.
/// Nothing else in the text has any meaning.
fn blocks(text: &str) -> Vec<Value> {
    text.lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty())
        .map(|line| match line.trim_start().strip_prefix("- ") {
            Some(item) => json!({ "kind": "item", "text": item.trim() }),
            None => json!({ "kind": "par", "text": line.trim() }),
        })
        .collect()
}

const NARROW_NBSP: char = '\u{202F}';

/// The typography of the language. French: straight double quotes paired into « guillemets »
/// and a narrow no-break space before `; : ! ?` (replacing a plain space there). Other
/// languages: the text as it is.
pub fn typography(lang: &str, text: &str) -> String {
    if lang == "fr" {
        french_spacing(&guillemets(text))
    } else {
        text.to_string()
    }
}

/// Pairs straight double quotes into « … » with narrow no-break spaces inside; an odd last
/// quote stays as typed (it may be an inch mark).
fn guillemets(text: &str) -> String {
    let pairs = text.matches('"').count() / 2;
    let mut seen = 0;
    let mut out = String::with_capacity(text.len() + 8);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '"' || seen >= pairs * 2 {
            out.push(c);
            continue;
        }
        if seen % 2 == 0 {
            out.push('«');
            out.push(NARROW_NBSP);
            while chars.next_if(|n| *n == ' ').is_some() {}
        } else {
            out.truncate(out.trim_end_matches(' ').len());
            out.push(NARROW_NBSP);
            out.push('»');
        }
        seen += 1;
    }
    out
}

/// A narrow no-break space before `; : ! ?` that end a word. A colon inside a word or number
/// (`10:30`, `http://`) is left alone, and so is the second mark of `?!`.
fn french_spacing(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        let high = matches!(c, ';' | ':' | '!' | '?');
        let ends_word = chars
            .get(i + 1)
            .is_none_or(|n| n.is_whitespace() || matches!(n, '!' | '?' | '»' | ')'));
        if high && ends_word {
            let trimmed = out.trim_end_matches([' ', '\u{A0}', NARROW_NBSP]).len();
            out.truncate(trimmed);
            let after = out.chars().last();
            if after.is_some_and(|p| p != '\n' && !matches!(p, ';' | ':' | '!' | '?')) {
                out.push(NARROW_NBSP);
            }
        }
        out.push(c);
    }
    out
}

/// An amount as the language writes it: `2 500 000 USD` in French, `USD 2,500,000` in English.
/// Cents are shown only when there are any.
pub fn format_money(usd: Usd, catalog: &Catalog) -> String {
    let thousands = catalog.get("format.thousands");
    let decimal = catalog.get("format.decimal");
    let cents = usd.0.unsigned_abs();
    let mut grouped = group_thousands(cents / 100, &thousands);
    if !cents.is_multiple_of(100) {
        grouped = format!("{grouped}{decimal}{:02}", cents % 100);
    }
    if usd.0 < 0 {
        grouped.insert(0, '-');
    }
    catalog.render("format.money", minijinja::context! { amount => grouped })
}

fn month_name(month: usize, catalog: &Catalog) -> String {
    let months = catalog.get("months");
    months
        .split_whitespace()
        .nth(month.saturating_sub(1))
        .unwrap_or("")
        .to_string()
}

/// `2019-11-12` as `12 novembre 2019` / `12 November 2019` / `12 de noviembre de 2019`: the
/// catalog's `format.date` (a catalog older than it writes the day, month and year).
pub fn format_date(date: &Date, catalog: &Catalog) -> String {
    match date.ymd() {
        Some((y, m, d)) => {
            let month = month_name(usize::from(m), catalog);
            let context = minijinja::context! { day => d, month => month, year => y };
            dated(catalog, "format.date", context)
        }
        None => date.0.clone(),
    }
}

/// The catalog's pattern `key` filled in from `context`; day, month and year in that order
/// when the catalog has no such pattern.
fn dated(catalog: &Catalog, key: &str, context: minijinja::Value) -> String {
    match catalog.entries.contains_key(key) {
        true => catalog.render(key, context),
        false => ["day", "month", "year"]
            .iter()
            .filter_map(|name| context.get_attr(name).ok().filter(|v| !v.is_undefined()))
            .map(|v| v.to_string())
            .collect::<Vec<_>>()
            .join(" "),
    }
}

/// `2018-01` as `Janvier 2018` / `January 2018` (a full date prints as a date).
pub fn format_month(month: &YearMonth, catalog: &Catalog) -> String {
    if month.0.len() == 10 {
        return format_date(&Date(month.0.clone()), catalog);
    }
    match month.ym() {
        Some((y, m)) => {
            let name = month_name(usize::from(m), catalog);
            let mut chars = name.chars();
            let capital: String = chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect())
                .unwrap_or_default();
            dated(
                catalog,
                "format.month",
                minijinja::context! { month => capital, year => y },
            )
        }
        None => month.0.clone(),
    }
}

/// The text of `field` in `answers` (a part of the report as the source gives it: one text, or
/// one per language) in `lang`; empty when the source leaves it out.
pub(super) fn text_in<'a>(answers: &'a Value, field: &str, lang: &str) -> &'a str {
    match answers.get(field) {
        Some(Value::String(text)) => text,
        Some(Value::Object(per_language)) => {
            per_language.get(lang).and_then(Value::as_str).unwrap_or("")
        }
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_gets_narrow_spaces_before_high_punctuation() {
        assert_eq!(typography("fr", "PAYS:"), "PAYS\u{202F}:");
        assert_eq!(
            typography("fr", "Prise de risques : Décrivez"),
            "Prise de risques\u{202F}: Décrivez"
        );
        assert_eq!(
            typography("fr", "pertinent? Oui!"),
            "pertinent\u{202F}? Oui\u{202F}!"
        );
        assert_eq!(typography("fr", "a; b"), "a\u{202F}; b");
        assert_eq!(
            typography("fr", "à 10:30 sur http://x.org"),
            "à 10:30 sur http://x.org"
        );
        assert_eq!(typography("en", "COUNTRY: Mali?"), "COUNTRY: Mali?");
    }

    #[test]
    fn french_pairs_straight_quotes_into_guillemets() {
        assert_eq!(
            typography("fr", "il dit \"oui\"."),
            "il dit «\u{202F}oui\u{202F}»."
        );
        assert_eq!(typography("fr", "\" espace \""), "«\u{202F}espace\u{202F}»");
        assert_eq!(
            typography("fr", "\"oui\":"),
            "«\u{202F}oui\u{202F}»\u{202F}:"
        );
        assert_eq!(typography("fr", "Quoi?!"), "Quoi\u{202F}?!");
        // An unpaired quote stays as typed.
        assert_eq!(typography("fr", "5\" de haut"), "5\" de haut");
    }

    #[test]
    fn narratives_keep_paragraphs_and_bullets_only() {
        let b = blocks("Intro :\n- un\n  - deux\n\n*gras* #set");
        assert_eq!(
            b,
            vec![
                json!({"kind": "par", "text": "Intro :"}),
                json!({"kind": "item", "text": "un"}),
                json!({"kind": "item", "text": "deux"}),
                json!({"kind": "par", "text": "*gras* #set"}),
            ]
        );
    }
}
