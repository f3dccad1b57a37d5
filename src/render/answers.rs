//! The template data of any form, read through its description: its parts in order, each
//! question with its wording and its answer in one language. A form's layout walks this list,
//! so that a new form is a description, a layout and catalogs, with no code of its own.
//!
//! Every question carries its `key`, `kind`, field `name` and `path`, `drawn` (where the
//! description draws it), `question` (its wording), `limit` (the note that states it), `framed`
//! (a text in a frame, which a Word copy's reviewers may edit) and `answer`, which by kind holds:
//! - a text: `blocks` (paragraphs and bullets), with `over` in a draft past its limit, `tall`
//!   when it cannot fit one page, and the field's `path`; a line, a statement or an id also its
//!   `text` (one line, typography applied);
//! - a rating, a choice or tick boxes: `options`, each `{key, label, checked}`, and the
//!   chosen `label`;
//! - a date, a month, an amount, a count: `text`, as the language writes it; yes or no also
//!   its `value`;
//! - a list: `items`, texts or, for items with fields, the questions of each item (with its
//!   number `n` and its `label`, the list's wording numbered); a table also its `columns`,
//!   each `{key, label, limit}`.
//!
//! A run of characters too wide for its box gets break opportunities (`fit`), in every text.

use serde_json::{Value, json};

use super::document::{Options, Voice, format_date, format_money, format_month, text_in};
use crate::fit;
use crate::form::{Kind, Question};
use crate::model::{Date, Filled, Usd, YearMonth};

/// The template data of `report`, in `voice`'s language.
pub fn data(report: &Filled, voice: &Voice, version: &str, options: Options) -> Value {
    let envelope = &report.envelope;
    let lang = voice.lang;
    let form = &report.form;
    let parts: Vec<Value> = form
        .parts
        .iter()
        .map(|part| {
            let questions: Vec<Value> = part
                .questions
                .iter()
                .map(|q| question(report, voice, q, &report.tree, &q.path, 1))
                .collect();
            json!({
                "name": part.name,
                "title": part.title.as_ref().map(|t| voice.label(t)),
                "questions": questions,
            })
        })
        .collect();
    json!({
        "lang": lang,
        "form": form.form,
        "draft": options.draft.then(|| voice.label("draft.mark")),
        "unofficial": envelope.unofficial_translations.iter().any(|l| l == lang)
            .then(|| voice.label("doc.unofficial")),
        "revision_of": envelope.supersedes.as_ref()
            .map(|v| voice.label_with("doc.revision_of", minijinja::context! { version => v })),
        // The project's number on the form, as written, when a field plays `project_number`.
        "project": { "id": envelope.project_id, "version": version, "number": report.role("project_number") },
        "title": voice.label(&form.title),
        "t": voice.labels(),
        // A colon after a footnote mark, spaced as the language spaces it.
        "colon": super::document::typography(lang, "x:").trim_start_matches('x'),
        "parts": parts,
        // The heads of each table the form declares, for a layout to draw even when empty.
        "tables": form.tables.iter().map(|(name, columns)| (name.clone(), heads(voice, columns).into())).collect::<serde_json::Map<_, _>>(),
    })
}

/// One question: its wording (numbered `n` within its list), its limit note and its answer,
/// read from `within` (the report, or the list item it is asked of) at `path`.
fn question(
    report: &Filled,
    voice: &Voice,
    q: &Question,
    within: &Value,
    path: &str,
    n: usize,
) -> Value {
    let field = q.path.rsplit('.').next().unwrap_or(&q.path);
    let holder = match q.path.rsplit_once('.') {
        Some((group, _)) => group.split('.').try_fold(within, |v, k| v.get(k)),
        None => Some(within),
    };
    let value = holder.and_then(|h| h.get(field)).unwrap_or(&Value::Null);
    let limit = q.limit.unwrap_or(0);
    json!({
        "key": q.key,
        // The field's own name, by which a layout finds the question among its part's or
        // item's: `country`, `summary`.
        "name": field,
        "path": path,
        "kind": q.kind,
        "drawn": q.drawn,
        "question": voice.label_with(&q.key, minijinja::context! { n => n }),
        "limit": (limit > 0).then(|| voice.label_with("limit", minijinja::context! { n => limit })),
        "required": q.required,
        // A text the form frames, which a reviewer may edit in a Word copy.
        "framed": q.kind.is_answer_text(),
        "answer": answer(report, voice, q, holder, field, value, path),
    })
}

fn answer(
    report: &Filled,
    voice: &Voice,
    q: &Question,
    holder: Option<&Value>,
    field: &str,
    value: &Value,
    path: &str,
) -> Value {
    let options = |chosen: &[&str]| -> Vec<Value> {
        let name = q.options.as_deref().unwrap_or_default();
        let keys = report.form.options.get(name).cloned().unwrap_or_default();
        keys.iter()
            .map(|key| {
                let label = voice.label(&format!("{name}.{key}"));
                json!({ "key": key, "label": label, "checked": chosen.contains(&key.as_str()) })
            })
            .collect()
    };
    let text = |s: String| json!({ "text": s });
    match q.kind {
        k if k.is_text() => {
            let lang = voice.lang;
            let mut raw = holder.map_or("", |h| text_in(h, field, lang)).trim();
            if let (true, Some(other), Some(h)) = (raw.is_empty(), &q.fallback, holder) {
                raw = text_in(h, other, lang).trim();
            }
            let width = report.form.width_of(path);
            let mut answer = voice.answer_text(raw, q.limit.unwrap_or(0), path, width);
            // One line, as a cover or a heading draws it; an id as written.
            let line = match k {
                Kind::Id => raw.to_string(),
                _ => super::document::typography(lang, raw),
            };
            // A framed answer is drawn as its blocks; a line, a statement, an id as one text.
            if !k.is_answer_text() {
                answer["text"] = fit::wrap_long_runs(&line, width).into();
            }
            answer
        }
        Kind::Rating | Kind::Choice | Kind::Ticks => {
            let chosen: Vec<&str> = match value {
                Value::String(one) => vec![one.as_str()],
                Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
                _ => Vec::new(),
            };
            let options = options(&chosen);
            let label = options
                .iter()
                .filter(|o| o["checked"] == true)
                .map(|o| o["label"].as_str().unwrap_or_default())
                .collect::<Vec<_>>()
                .join(", ");
            json!({ "options": options, "label": label })
        }
        Kind::Date => text(
            value
                .as_str()
                .map(|d| format_date(&Date(d.into()), voice.catalog))
                .unwrap_or_default(),
        ),
        Kind::Month => text(
            value
                .as_str()
                .map(|m| format_month(&YearMonth(m.into()), voice.catalog))
                .unwrap_or_default(),
        ),
        Kind::Amount => text(
            amount(value)
                .map(|usd| format_money(usd, voice.catalog))
                .unwrap_or_default(),
        ),
        Kind::Count => text(value.as_u64().map(|n| n.to_string()).unwrap_or_default()),
        Kind::YesNo | Kind::Flag => json!({
            "text": match value.as_bool() {
                Some(true) => voice.label("answer.yes"),
                Some(false) => voice.label("answer.no"),
                None => String::new(),
            },
            "value": value.as_bool(),
        }),
        Kind::Amounts => {
            let items: Vec<Value> = value
                .as_object()
                .into_iter()
                .flatten()
                .map(|(id, v)| json!({ "id": id, "text": amount(v).map(|u| format_money(u, voice.catalog)) }))
                .collect();
            json!({ "items": items })
        }
        Kind::List | Kind::Table => {
            let columns: &[Question] = match &q.table {
                Some(table) => report.form.table(table),
                None => &q.each,
            };
            let items: Vec<Value> = value
                .as_array()
                .into_iter()
                .flatten()
                .enumerate()
                .map(|(i, item)| {
                    let at = format!("{path}[{}]", i + 1);
                    match columns.is_empty() {
                        true => {
                            let raw = item.as_str().unwrap_or_else(|| text_in_item(item, voice.lang));
                            let line = super::document::typography(voice.lang, raw.trim());
                            json!({ "path": at, "text": fit::wrap_long_runs(&line, report.form.width_of(&at)) })
                        }
                        false => {
                            let fields: Vec<Value> = columns
                                .iter()
                                .map(|c| question(report, voice, c, item, &format!("{at}.{}", c.path), i + 1))
                                .collect();
                            let label = voice.label_with(&q.key, minijinja::context! { n => i + 1 });
                            json!({ "path": at, "n": i + 1, "label": label, "questions": fields })
                        }
                    }
                })
                .collect();
            json!({ "items": items, "columns": heads(voice, columns) })
        }
        // Annex A's figures reach a form's layout through the typed report alone.
        _ => json!({}),
    }
}

/// The heads of a table's columns: each column's key, wording and limit.
fn heads(voice: &Voice, columns: &[Question]) -> Vec<Value> {
    columns
        .iter()
        .map(|c| {
            json!({
                "key": c.key,
                "label": voice.label_with(&c.key, minijinja::context! { n => 1 }),
                "limit": c.limit,
            })
        })
        .collect()
}

/// A list item written once or per language.
fn text_in_item<'a>(item: &'a Value, lang: &str) -> &'a str {
    item.get(lang).and_then(Value::as_str).unwrap_or_default()
}

/// An amount as `check` accepted it: a number or its decimal text.
fn amount(value: &Value) -> Option<Usd> {
    match value {
        Value::String(s) => Usd::parse(s).ok(),
        Value::Number(n) => Usd::parse(&n.to_string()).ok(),
        _ => None,
    }
}
