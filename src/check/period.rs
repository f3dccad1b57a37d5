//! A report that follows another (`previous:`, as `new --from` records it): each answer given
//! anew each period (the form's `period: true`) that is still the previous version's is a
//! warning, located, until it is updated.

use std::path::Path;

use crate::diagnostic::Diagnostic;
use crate::model::Filled;
use crate::source::Node;

/// The answers of the period of `report` (the source at `path`, parsed as `root`) identical to
/// those of the version it follows, read from the source beside it.
pub fn unchanged(path: &Path, root: &Node, report: &Filled) -> Vec<Diagnostic> {
    let Some(previous) = &report.envelope.previous else {
        return Vec::new();
    };
    let beside = path
        .parent()
        .unwrap_or(Path::new(""))
        .join(format!("{previous}.yaml"));
    if beside == path {
        return Vec::new();
    }
    let at = |field: &str| root.at(field).map(|n| n.pos);
    let Some(old) = super::check_file(&beside).report else {
        let why = format!(
            "the version it follows, {}, cannot be read as a report: the answers of the period \
             are not compared with it",
            crate::terminal::path(&beside)
        );
        let d = Diagnostic::warning(path, why).field("previous");
        return vec![at("previous").map_or(d.clone(), |pos| d.at(pos))];
    };
    let mut found = Vec::new();
    for field in report.form.period_fields() {
        let now = crate::diff::at(&report.tree, &field);
        let blank =
            now.is_none_or(|v| v.is_null() || v.as_str().is_some_and(|s| s.trim().is_empty()));
        if blank || now != crate::diff::at(&old.tree, &field) {
            continue;
        }
        let mut d = Diagnostic::warning(
            path,
            format!("still the answer of {previous}: it is given anew for each period"),
        )
        .field(field.as_str())
        .note("help: update it, then remove the TODO comment above it");
        if let Some(pos) = at(&field) {
            d = d.at(pos);
        }
        found.push(d);
    }
    found
}
