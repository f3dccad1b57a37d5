//! The report as the typst template receives it: one language, every label from the catalog,
//! money and dates formatted, narratives split into paragraphs and bullets, French typography
//! applied. User text travels as JSON strings and is never parsed as markup by the template.

use serde_json::{Value, json};

use super::world::{REPLACEMENT, can_draw};
use crate::check::limits;
use crate::fit;
use crate::i18n::Catalog;
use crate::model::{
    Date, Filled, Indicator, Outcome, Output, Report, Text, Usd, YearMonth, group_thousands,
};

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
    match &report.typed {
        Some(typed) => Builder {
            report: typed,
            form: &report.form,
            voice,
        }
        .all(version, options),
        None => super::answers::data(report, &voice, version, options),
    }
}

/// Every character no embedded font has becomes □, so that the PDF shows where it was.
fn replace_undrawable(value: &mut Value) {
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

impl Builder<'_> {
    fn all(&self, version: &str, options: Options) -> Value {
        let (b, report) = (self, self.report);
        json!({
        "lang": b.lang,
        "draft": options.draft.then(|| b.label("draft.mark")),
        "unofficial": report.unofficial_translations.iter().any(|l| l == b.lang)
            .then(|| b.label("doc.unofficial")),
        "revision_of": report.supersedes.as_ref()
            .map(|v| b.label_with("doc.revision_of", minijinja::context! { version => v })),
        "project": { "id": report.project_id, "version": version, "gateway": report.cover.gateway_number },
        "t": b.labels(),
        // A colon the template writes after a footnote mark, spaced as the language spaces it.
        "colon": typography(b.lang, "x:").trim_start_matches('x'),
        "cover": b.cover(),
        "progress": b.progress(),
        "outcomes": report.outcomes.iter().enumerate().map(|(i, o)| b.outcome(i + 1, o)).collect::<Vec<_>>(),
        "cross_cutting": b.cross_cutting(),
        "indicators_limit": b.label_with("indicators.limit", minijinja::context! { n => 300 }),
        // The indicator table's columns, as the form describes them: their wording's keys.
        "indicator_columns": b.form.table("indicators").iter().map(|c| &c.key).collect::<Vec<_>>(),
        "finance": b.finance(),
        })
    }
}

struct Builder<'a> {
    report: &'a Report,
    /// The source's form: its questions' order and wording.
    form: &'a crate::form::Form,
    voice: Voice<'a>,
}

impl<'a> std::ops::Deref for Builder<'a> {
    type Target = Voice<'a>;
    fn deref(&self) -> &Voice<'a> {
        &self.voice
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

    /// `answer` for a text and its limit (0: none) as the form's description gives them.
    pub(super) fn answer_text(&self, raw: &str, limit: usize, field: &str) -> Value {
        let count = limits::count(raw);
        let over = (limit > 0 && count > limit).then(|| {
            self.label_with(
                "draft.over",
                minijinja::context! { count => count, limit => limit, over => count - limit },
            )
        });
        let width = fit::width_of(field);
        let text = fit::wrap_long_runs(&typography(self.lang, raw), width);
        let tall = fit::lines(&text, width) > fit::TALL;
        // `path` names the field in the source, for the Word copy's reviewers' edits to return.
        json!({ "blocks": blocks(&text), "over": over, "tall": tall, "path": field })
    }

    /// `question` for a text and its limit (0: none) as the form's description gives them.
    pub(super) fn question_text(&self, key: &str, raw: &str, limit: usize, path: &str) -> Value {
        let note =
            (limit > 0).then(|| self.label_with("limit", minijinja::context! { n => limit }));
        json!({ "key": key, "question": self.label(key), "limit": note, "answer": self.answer_text(raw, limit, path) })
    }
}

impl Builder<'_> {
    /// A short text in this language, typography applied, long runs made to wrap in the box
    /// of `field` (its path, as `fit::width_of` knows it).
    fn text<const L: usize, const M: usize>(&self, text: &Text<L, M>, field: &str) -> String {
        fit::wrap_long_runs(
            &typography(self.lang, text.get(self.lang).trim()),
            fit::width_of(field),
        )
    }

    fn opt_text<const L: usize, const M: usize>(
        &self,
        text: &Option<Text<L, M>>,
        field: &str,
    ) -> String {
        text.as_ref()
            .map(|t| self.text(t, field))
            .unwrap_or_default()
    }

    /// A narrative: its paragraphs and bullet lines, and how far it is over its limit (drafts).
    fn answer<const L: usize, const M: usize>(
        &self,
        text: Option<&Text<L, M>>,
        field: &str,
    ) -> Value {
        self.answer_text(text.map(|t| t.get(self.lang)).unwrap_or(""), L, field)
    }

    /// A question of the form with its limit note and the answer of the field at `path`.
    fn question<const L: usize, const M: usize>(
        &self,
        key: &str,
        text: Option<&Text<L, M>>,
        path: &str,
    ) -> Value {
        let raw = text.map(|t| t.get(self.lang)).unwrap_or("");
        self.question_text(key, raw, L, path)
    }

    /// The text questions of the description's part `part`, each with its position in the part
    /// and its answer read from `section` (that part's fields of the report) by its field's name.
    fn described(&self, part: &str, section: &impl serde::Serialize) -> Vec<(usize, Value)> {
        let answers = serde_json::to_value(section).expect("a part of the report serialises");
        let questions = self.form.part(part);
        let asked = questions.iter().enumerate();
        asked
            .filter(|(_, q)| q.kind.is_answer_text())
            .map(|(at, q)| {
                let field = q.path.rsplit('.').next().unwrap_or(&q.path);
                let raw = text_in(&answers, field, self.lang);
                (
                    at,
                    self.question_text(&q.key, raw, q.limit.unwrap_or(0), &q.path),
                )
            })
            .collect()
    }

    fn money(&self, usd: Usd) -> String {
        format_money(usd, self.catalog)
    }

    fn cover(&self) -> Value {
        let c = &self.report.cover;
        let choice = |prefix: &str, key: String| self.label(&format!("{prefix}.{key}"));
        let windows = ["gender", "youth", "transition", "cross_border"].map(|w| {
            let checked = c.priority_windows.iter().any(|p| key_of(p) == w);
            json!({ "label": self.label(&format!("window.{w}")), "checked": checked })
        });
        let recipients: Vec<Value> = c
            .recipients
            .iter()
            .map(|r| {
                let short = r.short_name.as_ref().unwrap_or(&r.name);
                let partners: Vec<String> = r
                    .implementing_partners
                    .iter()
                    .map(|p| self.text(p, "cover.partners"))
                    .collect();
                json!({
                    "name": self.text(&r.name, "cover.name"),
                    "short_name": self.text(short, "cover.name"),
                    "type": choice("organisation", key_of(&r.kind)),
                    "lead": r.lead,
                    "budget": self.money(r.budget),
                    "partners": (!partners.is_empty()).then(|| self.label_with(
                        "cover.partner_line",
                        minijinja::context! { agency => self.text(&r.name, "cover.name"), partners => partners.join(", ") },
                    )),
                })
            })
            .collect();
        json!({
            "country": self.text(&c.country, "cover.country"),
            "report_type": choice("report_type", key_of(&c.report_type)),
            "report_date": format_date(&c.report_date, self.catalog),
            "title": self.text(&c.title, "cover.title"),
            "gateway_number": fit::wrap_long_runs(&c.gateway_number, fit::width_of("cover.gateway_number")),
            "modality": { "irf": key_of(&c.modality) == "irf", "prf": key_of(&c.modality) == "prf" },
            "trust_fund": {
                "country": c.trust_fund.is_some_and(|t| key_of(&t) == "country"),
                "regional": c.trust_fund.is_some_and(|t| key_of(&t) == "regional"),
            },
            "trust_fund_name": self.opt_text(&c.trust_fund_name, "cover.trust_fund_name"),
            "recipients": recipients,
            "other_partners": c.other_partners.iter().map(|p| self.text(p, "cover.other_partners")).collect::<Vec<_>>(),
            "start_date": format_month(&c.start_date, self.catalog),
            "duration_months": c.duration_months,
            "windows": windows,
            "budget_total": self.money(c.budget_total),
            "tranches_received": c.tranches_received,
            "prepared_by": self.text(&c.prepared_by, "cover.prepared_by"),
            "approved_by": self.text(&c.approved_by, "cover.approved_by"),
            "secretariat_cleared": c.secretariat_cleared.map(|y| self.label(if y { "answer.yes" } else { "answer.no" })),
            "secretariat_comments": self.answer(c.secretariat_comments.as_ref(), "cover.secretariat_comments"),
            "evaluation": self.answer(c.evaluation.as_ref(), "cover.evaluation"),
        })
    }

    fn progress(&self) -> Value {
        let p = &self.report.progress;
        // The part's questions in the description's order, on either side of its rating.
        let questions = self.form.part("progress");
        let rating_at = questions
            .iter()
            .position(|q| q.kind == crate::form::Kind::Rating);
        let (mut before, mut after) = (Vec::new(), Vec::new());
        for (at, question) in self.described("progress", p) {
            match Some(at) < rating_at {
                true => before.push(question),
                false => after.push(question),
            }
        }
        json!({
            "before_rating": before,
            "rating": { "question": self.label("progress.rating"), "value": self.label(&format!("rating.{}", key_of(&p.rating))) },
            "after_rating": after,
            "attachments": {
                "question": self.label("progress.attachments"),
                "items": p.attachments.iter().map(|a| self.text(a, "progress.attachments")).collect::<Vec<_>>(),
            },
        })
    }

    fn outcome(&self, n: usize, o: &Outcome) -> Value {
        let summary_key = if n == 1 {
            "outcome.summary"
        } else {
            "outcome.summary_short"
        };
        let indicators = |list: &[Indicator], prefix: String, path: String| -> Vec<Value> {
            list.iter()
                .enumerate()
                .map(|(i, ind)| {
                    let path = format!("{path}.indicators[{}]", i + 1);
                    self.indicator(&format!("{prefix}.{}", i + 1), ind, &path)
                })
                .collect()
        };
        let outputs: Vec<Value> = o
            .outputs
            .iter()
            .enumerate()
            .map(|(i, out): (usize, &Output)| {
                let number = format!("{n}.{}", i + 1);
                json!({
                    "label": self.label_with("indicators.output", minijinja::context! { n => &number }),
                    "statement": self.text(&out.statement, "outcomes.outputs[].statement"),
                    "indicators": indicators(&out.indicators, number, format!("outcomes[{n}].outputs[{}]", i + 1)),
                })
            })
            .collect();
        json!({
            "label": self.label_with("outcome.label", minijinja::context! { n => n }),
            "statement": self.text(&o.statement, "outcomes[].statement"),
            "rating": { "question": self.label("outcome.rating"), "value": self.label(&format!("rating.{}", key_of(&o.rating))) },
            "summary": self.question(summary_key, Some(&o.summary), &format!("outcomes[{n}].summary")),
            "table_label": self.label_with("indicators.outcome", minijinja::context! { n => n }),
            "framework_statement": self.text(o.framework_statement.as_ref().unwrap_or(&o.statement), "framework_statement"),
            "indicators": indicators(&o.indicators, n.to_string(), format!("outcomes[{n}]")),
            "outputs": outputs,
        })
    }

    fn indicator(&self, number: &str, ind: &Indicator, path: &str) -> Value {
        // The row's cells in the columns the form describes, each read by its field's name.
        let row = serde_json::to_value(ind).expect("an indicator serialises");
        let cells: Vec<Value> = self
            .form
            .table("indicators")
            .iter()
            .map(|column| {
                let raw = text_in(&row, &column.path, self.lang);
                let limit = column.limit.unwrap_or(0);
                self.answer_text(raw, limit, &format!("{path}.{}", column.path))
            })
            .collect();
        // A row too tall for one page breaks across pages rather than losing its end.
        let tall = cells.iter().any(|c| c["tall"] == true);
        json!({
            "label": self.label_with("indicators.item", minijinja::context! { n => number }),
            "cells": cells,
            "tall": tall,
        })
    }

    /// Part 1.3: each question the form's description asks there, with its answer.
    fn cross_cutting(&self) -> Vec<Value> {
        let answers = self.described("cross_cutting", &self.report.cross_cutting);
        answers.into_iter().map(|(_, q)| q).collect()
    }

    fn finance(&self) -> Value {
        let f = &self.report.finance;
        json!({
            "rating": { "question": self.label("finance.rating"), "value": self.label(&format!("finance_rating.{}", key_of(&f.rating))) },
            "questions": self.described("finance", f).into_iter().map(|(_, q)| q).collect::<Vec<_>>(),
            "gender": self.label_with("finance.gender_amounts", minijinja::context! {
                planned => self.money(f.gender_planned),
                allocated => self.money(f.gender_allocated),
            }),
        })
    }
}

/// The stable key of a choice, as written in the source (`on_track`, `irf`, …).
fn key_of<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(Value::String(s)) => s,
        _ => String::new(),
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

/// `2019-11-12` as `12 novembre 2019` / `12 November 2019`.
pub fn format_date(date: &Date, catalog: &Catalog) -> String {
    match date.ymd() {
        Some((y, m, d)) => format!("{d} {} {y}", month_name(usize::from(m), catalog)),
        None => date.0.clone(),
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
            format!("{capital} {y}")
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
