//! A report that follows another (`previous:`, as `new --from` records it): each answer given
//! anew each period (the form's `period: true`) that is still the previous version's is a
//! warning, located, until it is updated. An answer is still the previous version's when the
//! previous version gives the same text at the same field of any item (a row removed moves the
//! rows after it), language by language.

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value;

use crate::diagnostic::Diagnostic;
use crate::model::Filled;
use crate::source::Node;

/// The answers of the period of `report` (the source at `path`, parsed as `root`) identical to
/// those of the version it follows.
pub fn unchanged(path: &Path, root: &Node, report: &Filled) -> Vec<Diagnostic> {
    let envelope = &report.envelope;
    let Some(previous) = envelope.previous.as_deref() else {
        return Vec::new();
    };
    let at = |field: &str| root.at(field).map(|n| n.pos);
    let said = |message: String| {
        let d = Diagnostic::warning(path, message).field("previous");
        vec![at("previous").map_or(d.clone(), |pos| d.at(pos))]
    };
    let own = path.file_stem().and_then(|s| s.to_str());
    if own == Some(previous) {
        return said("it names this very version as the one it follows".into());
    }
    // A name that is not a version's is an error of its own, said by the schema.
    if !crate::model::is_valid_project_id(previous) {
        return Vec::new();
    }
    let Some(found) = crate::diff::previous_path(path, &envelope.project_id, previous) else {
        return said(format!(
            "the version it follows, {previous}, is neither beside it, in data/{0} nor in \
             out/{0}: the answers of the period are not compared with it",
            envelope.project_id
        ));
    };
    let old = match crate::diff::load(&found) {
        Ok(old) => old.filled,
        Err(e) => {
            let why = crate::terminal::line(&e.to_string());
            return said(format!(
                "the version it follows cannot be read ({why}): the answers of the period are \
                 not compared with it"
            ));
        }
    };
    if old.envelope.project_id != envelope.project_id {
        return said(format!(
            "{} is a report of `{}`, not of this project",
            crate::terminal::path(&found),
            old.envelope.project_id
        ));
    }
    let mut before: HashMap<String, Vec<&Value>> = HashMap::new();
    for field in old.form.period_fields() {
        if let Some(value) = crate::diff::at(&old.tree, &field) {
            let unnumbered = crate::form::unnumbered(&field);
            before.entry(unnumbered).or_default().push(value);
        }
    }
    let mut found = Vec::new();
    for field in report.form.period_fields() {
        let Some(now) = crate::diff::at(&report.tree, &field) else {
            continue;
        };
        let then = before.get(&crate::form::unnumbered(&field));
        let then = then.map_or(&[][..], Vec::as_slice);
        for (shown, lang) in still(now, then) {
            let field = match lang {
                Some(lang) => format!("{field}.{lang}"),
                None => field.clone(),
            };
            let mut d = Diagnostic::warning(
                path,
                format!("{shown}still the answer of {previous}: it is given anew for each period"),
            )
            .field(field.as_str())
            .note("help: update it for this report, and remove the TODO comment `new --from` wrote above it");
            if let Some(pos) = at(&field) {
                d = d.at(pos);
            }
            found.push(d);
        }
    }
    found
}

/// Whether `now` is among the previous answers `then`: whole, or, for a text given per
/// language, each language that is (with its name and the words that begin the message).
fn still(now: &Value, then: &[&Value]) -> Vec<(String, Option<String>)> {
    let blank = |v: &Value| v.is_null() || v.as_str().is_some_and(|s| s.trim().is_empty());
    if blank(now) {
        return Vec::new();
    }
    if let Value::Object(per_language) = now
        && per_language.values().all(Value::is_string)
        && per_language.len() > 1
    {
        let whole = then.contains(&now);
        let same: Vec<&String> = per_language
            .iter()
            .filter(|(lang, text)| {
                !blank(text) && then.iter().any(|t| t.get(lang.as_str()) == Some(*text))
            })
            .map(|(lang, _)| lang)
            .collect();
        return match whole {
            true => vec![(String::new(), None)],
            false => same
                .into_iter()
                .map(|lang| (format!("its `{lang}` text is "), Some(lang.clone())))
                .collect(),
        };
    }
    match then.contains(&now) {
        true => vec![(String::new(), None)],
        false => Vec::new(),
    }
}
