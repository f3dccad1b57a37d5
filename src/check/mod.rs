//! Checking a source before anything is rendered: structure and limits on the YAML tree, then
//! consistency on the typed report. Every problem of a source comes back at once.

pub mod consistency;
pub(crate) mod help;
pub mod limits;
pub mod structure;
pub mod syntax;

use std::path::Path;
use std::sync::LazyLock;

use crate::diagnostic::Diagnostic;
use crate::model::Report;
use crate::source::{self, Node, Source, Value};

/// The schema of the built-in form, derived from its description once.
static SCHEMA: LazyLock<serde_json::Value> =
    LazyLock::new(|| crate::form::Form::pbf_2019().schema());

/// Whether `name` is a field of the report somewhere (`country`, `approved_by`), for telling a
/// misplaced field from a line of text.
pub fn is_field_name(name: &str) -> bool {
    static NAMES: LazyLock<std::collections::HashSet<String>> = LazyLock::new(|| {
        let mut names = std::collections::HashSet::new();
        collect_properties(&SCHEMA, &mut names);
        names
    });
    NAMES.contains(name)
}

fn collect_properties(schema: &serde_json::Value, names: &mut std::collections::HashSet<String>) {
    match schema {
        serde_json::Value::Object(map) => {
            if let Some(serde_json::Value::Object(properties)) = map.get("properties") {
                names.extend(properties.keys().cloned());
            }
            map.values().for_each(|v| collect_properties(v, names));
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect_properties(v, names)),
        _ => {}
    }
}

/// How many diagnostics of one source are printed.
pub const MAX_SHOWN: usize = 50;

/// What checking one source found.
pub struct Checked {
    pub source: Option<Source>,
    /// The typed report, when the source could be read as one (it may still have errors).
    pub report: Option<Report>,
    pub diagnostics: Vec<Diagnostic>,
    /// The source parsed, but its structure is too wrong for the consistency rules to run.
    pub consistency_skipped: bool,
    /// Every limited text, with its count, for `check --counts`.
    pub counts: Vec<structure::Count>,
}

impl Checked {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// The report and the diagnostics that do not stop it from being rendered (warnings; in a
    /// draft, texts over their limit), or every diagnostic when something does.
    pub fn into_renderable(
        self,
        draft: bool,
    ) -> Result<(Report, Vec<Diagnostic>), Vec<Diagnostic>> {
        // A draft draws a text over its limit: said as a warning, whatever else is wrong.
        let drawn = |d: &Diagnostic| draft && d.kind == crate::diagnostic::Kind::Limit;
        let note = "a draft draws it with its count; a build without --draft refuses it";
        let diagnostics: Vec<Diagnostic> = self
            .diagnostics
            .into_iter()
            .map(|d| match drawn(&d) {
                true => d.warned().note(note),
                false => d,
            })
            .collect();
        match self.report {
            Some(report) if !diagnostics.iter().any(Diagnostic::is_error) => {
                Ok((report, diagnostics))
            }
            _ => Err(diagnostics),
        }
    }

    /// The diagnostics, rendered with the source lines they point at; past `MAX_SHOWN` of them
    /// a count of the rest, since a person fixes a source a screenful at a time.
    pub fn render(&self) -> String {
        render_all(
            &self.diagnostics,
            self.source.as_ref().map(|s| s.text.as_str()),
        )
    }
}

/// Diagnostics about one source, with the lines of `text` they point at, at most `MAX_SHOWN`.
pub fn render_all(diagnostics: &[Diagnostic], text: Option<&str>) -> String {
    let mut shown: Vec<String> = diagnostics
        .iter()
        .take(MAX_SHOWN)
        .map(|d| d.render(text))
        .collect();
    if diagnostics.len() > MAX_SHOWN {
        let rest = diagnostics.len() - MAX_SHOWN;
        shown.push(format!("… and {rest} more problems in this source\n"));
    }
    shown.join("\n")
}

/// Reads and checks the source at `path`.
pub fn check_file(path: &Path) -> Checked {
    match crate::fsio::read_source(path) {
        Ok(bytes) => check_bytes(path, &bytes),
        Err(e) => failed(Diagnostic::error(path, e.to_string())),
    }
}

/// Checks the bytes of a source named `path` against this run's catalogs.
pub fn check_bytes(path: &Path, bytes: &[u8]) -> Checked {
    check_with(path, bytes, &crate::templates::current().languages())
}

/// Checks the bytes of a source named `path`; `catalogs` are the languages it may be written in.
pub fn check_with(path: &Path, bytes: &[u8], catalogs: &[String]) -> Checked {
    let (source, root) = match source::parse(path, bytes) {
        Ok(parsed) => parsed,
        Err(d) => {
            return Checked {
                source: source::text_of(path, bytes),
                report: None,
                diagnostics: vec![*d],
                consistency_skipped: false,
                counts: Vec::new(),
            };
        }
    };
    let languages = languages_of(&root);
    let mut walker = structure::Walker::new(&SCHEMA, path, &source.text, &languages);
    walker.walk(&SCHEMA, &root, "");
    let mut diagnostics = walker.diagnostics;
    let counts = walker.counts;
    let structure_ok = !diagnostics.iter().any(Diagnostic::is_error);
    // Texts over their limit and unknown fields still leave a readable report, so that the
    // consistency rules can report their problems in the same run.
    let mut report = None;
    match serde_json::from_value::<Report>(root.to_json(&walker.unknown_keys, &walker.values)) {
        Ok(r) => {
            diagnostics.extend(consistency::check(&r, &root, path, catalogs));
            report = Some(r);
        }
        Err(e) if structure_ok => diagnostics.push(Diagnostic::error(
            path,
            format!("cannot read the report: {e}"),
        )),
        Err(_) => {}
    }
    let consistency_skipped = report.is_none();
    diagnostics.sort_by_key(|d| (d.pos.map(|p| (p.line, p.col)), d.severity));
    Checked {
        source: Some(source),
        report,
        diagnostics,
        consistency_skipped,
        counts,
    }
}

fn failed(d: Diagnostic) -> Checked {
    Checked {
        source: None,
        report: None,
        diagnostics: vec![d],
        consistency_skipped: false,
        counts: Vec::new(),
    }
}

/// The report's languages as far as the tree gives them, so that texts can be checked per
/// language even when other parts of the source are wrong.
pub fn languages_of(root: &Node) -> Vec<String> {
    match root.get("languages").map(|n| &n.value) {
        // `languages: fr` is refused, but the texts are still checked as French.
        Some(Value::Str(one)) => one
            .split(',')
            .map(|l| l.trim().to_lowercase())
            .filter(|l| !l.is_empty())
            .collect(),
        Some(Value::Seq(items)) => items
            .iter()
            .filter_map(|n| match &n.value {
                Value::Str(s) => Some(s.clone()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}
