//! Checking a source before anything is rendered: structure and limits on the YAML tree, then
//! consistency on the typed report. Every problem of a source comes back at once.

pub mod consistency;
pub(crate) mod help;
pub mod limits;
pub mod period;
mod sieve;
pub mod spelling;
pub mod structure;
pub mod syntax;

use std::path::Path;
use std::sync::LazyLock;

use crate::diagnostic::Diagnostic;
use serde::Deserialize;

use crate::form::Form;
use crate::model::{Envelope, Filled};
use crate::source::{self, Node, Source, Value};
use crate::templates::Templates;

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
    /// The report, when the source could be read as one (it may still have errors).
    pub report: Option<Filled>,
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
    ) -> Result<(Filled, Vec<Diagnostic>), Vec<Diagnostic>> {
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

    /// Adds the warnings for answers of the period still the previous version's (`period`), as
    /// `check` says them for a source on disk, which may follow a version beside it.
    pub fn add_period_warnings(&mut self, path: &Path) {
        if let (Some(report), Some(source)) = (&self.report, &self.source)
            && let Ok((_, root)) = crate::source::parse(path, source.text.as_bytes())
        {
            let unchanged = period::unchanged(path, &root, report);
            self.diagnostics.extend(unchanged);
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

/// The problems of a source's fields beside its syntax errors, so that a first draft's mistakes
/// come in one run: those of the source read with the mistaken lines set aside, but for any
/// about a field on those lines (which is not missing, only mistyped).
fn fields_beside(
    path: &Path,
    bytes: &[u8],
    recovered: &source::Recovered,
    templates: &Templates,
) -> Vec<Diagnostic> {
    let Some(text) = &recovered.text else {
        return Vec::new();
    };
    // The names of the fields on those lines: a field named there is not missing, only mistyped
    // (found by name, since a line indented wrongly has no sure path).
    let original = String::from_utf8_lossy(bytes);
    let lines: Vec<&str> = original.split('\n').collect();
    let name = |line: &str| -> Option<String> {
        let body = line.trim_start().trim_start_matches("- ");
        let key = body.split_once(':').map(|(key, _)| key.trim_end())?;
        crate::check::is_field_name(key).then(|| key.to_string())
    };
    let names: Vec<String> = recovered
        .set_aside
        .iter()
        .filter_map(|&i| lines.get(i).and_then(|l| name(l)))
        .collect();
    let about_set_aside = |d: &Diagnostic| {
        let on_line = d
            .pos
            .is_some_and(|p| recovered.set_aside.contains(&(p.line as usize - 1)));
        let field = d.field.as_deref().unwrap_or_default();
        let named = field
            .split(['.', '['])
            .any(|segment| names.iter().any(|n| n == segment));
        on_line || named
    };
    check_with(path, text.as_bytes(), templates)
        .diagnostics
        .into_iter()
        .filter(|d| d.file == path && d.pos.is_some() && !about_set_aside(d))
        .collect()
}

/// Reads and checks the source at `path`.
pub fn check_file(path: &Path) -> Checked {
    match crate::fsio::read_source(path) {
        Ok(bytes) => check_bytes(path, &bytes),
        Err(e) => failed(Diagnostic::error(path, e.to_string())),
    }
}

/// Checks the bytes of a source named `path` against this run's templates.
pub fn check_bytes(path: &Path, bytes: &[u8]) -> Checked {
    check_with(path, bytes, &crate::templates::current())
}

/// Checks the bytes of a source named `path` against the forms and catalogs of `templates`.
pub fn check_with(path: &Path, bytes: &[u8], templates: &Templates) -> Checked {
    let (source, root) = match source::parse(path, bytes) {
        Ok(parsed) => parsed,
        Err(d) => {
            let more = source::more_syntax_errors(path, bytes, &d);
            let beside = fields_beside(path, bytes, &more, templates);
            return Checked {
                source: source::text_of(path, bytes),
                report: None,
                diagnostics: {
                    let mut all: Vec<Diagnostic> = std::iter::once(*d)
                        .chain(more.errors)
                        .chain(beside)
                        .collect();
                    all.sort_by_key(|d| d.pos);
                    all
                },
                consistency_skipped: false,
                counts: Vec::new(),
            };
        }
    };
    let (form, known) = match form_of(path, &source, &root, templates) {
        Ok(found) => found,
        Err(d) => return stopped(source, *d),
    };
    let schema = &form.schema;
    let typed_form = form.form.reads_as_typed();
    let languages = languages_of(&root);
    // A form's wording missing from a catalog would print as its key: said before anything is
    // drawn, at the catalog.
    let worded: Vec<Diagnostic> = form
        .wording_problems
        .iter()
        .map(|(file, problem)| Diagnostic::error(Path::new(file), problem.clone()))
        .collect();
    let mut walker = structure::Walker::new(schema, path, &source.text, &languages);
    walker.form = Some(&form.form);
    walker.walk(schema, &root, "");
    let mut diagnostics = walker.diagnostics;
    diagnostics.extend(worded);
    let counts = walker.counts;
    if let Some(d) = too_long(&walker.heights, &languages, path) {
        diagnostics.push(d);
    }
    let structure_ok = !diagnostics.iter().any(Diagnostic::is_error);
    // Texts over their limit and unknown fields still leave a readable report, so that the
    // consistency rules can report their problems in the same run.
    let tree = root.to_json(&walker.unknown_keys, &walker.values);
    let mut report = None;
    let typed = match typed_form {
        true => match crate::model::roles::read(&form.form, &tree) {
            Ok(r) => {
                diagnostics.extend(consistency::check(&r, &form.form, &root, path));
                Some(Some(r))
            }
            Err(e) if structure_ok => {
                // The form was written with Annex A's role but not the fields its rules read.
                let message = format!(
                    "the form `{}` declares Annex A's figures (`role: annex_a`), whose rules read \
                     the 2019 form's recipients, outcomes and finance: {e}",
                    form.form.form
                );
                diagnostics.push(Diagnostic::error(path, message));
                None
            }
            Err(_) => None,
        },
        false => Some(None),
    };
    let envelope = Envelope::deserialize(&tree);
    if let Ok(envelope) = &envelope {
        let catalogs = templates.languages();
        diagnostics.extend(consistency::envelope(envelope, &root, path, &catalogs));
    }
    if let (true, Some(typed), Ok(envelope)) = (known, typed, envelope) {
        let filled = Filled {
            envelope,
            form: form.form.clone(),
            tree,
            typed,
        };
        diagnostics.extend(consistency::by_role(&filled, &root, path));
        report = Some(filled);
    }
    let consistency_skipped = report.is_none() && typed_form;
    diagnostics.sort_by_key(|d| (d.pos.map(|p| (p.line, p.col)), d.severity));
    Checked {
        source: Some(source),
        report,
        diagnostics,
        consistency_skipped,
        counts,
    }
}

/// The form a source names, and whether it names one. A source that names none is walked as the
/// built-in form, so that the rest of its problems come in the same run (`template:` missing is
/// one of them); one that names a form these templates do not hold, or one that cannot be read,
/// is that one problem.
fn form_of(
    path: &Path,
    source: &Source,
    root: &Node,
    templates: &Templates,
) -> Result<(std::sync::Arc<crate::form::Prepared>, bool), Box<Diagnostic>> {
    let Some(node) = root.get("template") else {
        return Ok((builtin(templates), false));
    };
    // A template written as a number or a list names no form either.
    let name = match &node.value {
        Value::Str(name) => name.clone(),
        _ => node
            .span
            .clone()
            .and_then(|span| source.text.get(span))
            .unwrap_or_default()
            .trim()
            .to_string(),
    };
    let prepared = match &node.value {
        Value::Str(_) => templates.prepared(&name),
        _ => None,
    };
    match prepared {
        Some(Ok(form)) => Ok((form, true)),
        Some(Err(problem)) => {
            let file = templates.form_file(&name);
            let d = Diagnostic::error(
                Path::new(&file),
                format!("this form cannot be read: {problem}"),
            )
            .note(format!(
                "{} names it, at line {}",
                crate::terminal::path(path),
                node.pos.line
            ));
            Err(Box::new(d))
        }
        None => {
            let forms = templates.form_names();
            let list = forms
                .iter()
                .map(|f| format!("`{f}`"))
                .collect::<Vec<_>>()
                .join(", ");
            let mut d = Diagnostic::error(
                path,
                format!("`{name}` is not a form these templates hold; they hold {list}"),
            )
            .at(node.pos)
            .field("template");
            let named = forms
                .iter()
                .map(String::as_str)
                .filter(|f| crate::model::is_valid_project_id(f));
            if let Some(near) = structure::closest(&name, named) {
                d = d.note(format!("did you mean `{near}`?"));
            }
            d = d.note("a form is a folder of templates/ with its form.yaml; --templates DIR names another folder");
            Err(Box::new(d))
        }
    }
}

/// The built-in form as these templates hold it (a workspace may lay its own description
/// over it), or as the program holds it when theirs cannot be read.
fn builtin(templates: &Templates) -> std::sync::Arc<crate::form::Prepared> {
    match templates.prepared(crate::form::BUILT_IN) {
        Some(Ok(builtin)) => builtin,
        _ => std::sync::Arc::new(crate::form::Prepared::new(
            Form::pbf_2019().clone(),
            templates,
        )),
    }
}

/// A source whose form is unknown or unreadable: that one problem, and nothing more checked.
fn stopped(source: Source, d: Diagnostic) -> Checked {
    Checked {
        source: Some(source),
        report: None,
        diagnostics: vec![d],
        consistency_skipped: true,
        counts: Vec::new(),
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

/// About how many lines of answers a page of the PDF holds, and how many pages the form takes
/// around them. Measured on the 2019 layout against the pages typst lays out: the example (13
/// pages, predicted 13), every answer at its limit in prose (20, predicted 20) and one character
/// a line (358, predicted 355).
const LINES_PER_PAGE: usize = 50;
const FORM_PAGES: usize = 4;

/// The error a source gets when its texts would make a PDF longer than a report may be: at
/// the text that takes the most lines, naming the next ones too.
fn too_long(
    heights: &[structure::Height],
    languages: &[String],
    file: &Path,
) -> Option<Diagnostic> {
    let most = crate::render::pdf::MAX_PAGES;
    let (pages, lang) = languages
        .iter()
        .map(|lang| {
            // Texts stand one below the other; a table's cells side by side in their row.
            let mut rows: std::collections::HashMap<&str, usize> = Default::default();
            let mut lines = 0;
            for h in heights
                .iter()
                .filter(|h| h.lang.as_deref().is_none_or(|l| l == lang))
            {
                match &h.row {
                    Some(row) => {
                        let tallest = rows.entry(row).or_default();
                        *tallest = (*tallest).max(h.lines);
                    }
                    None => lines += h.lines,
                }
            }
            lines += rows.values().sum::<usize>();
            (FORM_PAGES + lines / LINES_PER_PAGE, lang)
        })
        .max()?;
    // The estimate is within about a tenth of the pages laid out: a source it puts past nine
    // tenths of the bound is refused, so that none it passes can fail to lay out.
    if pages <= most - most / 10 {
        return None;
    }
    let mut tallest: Vec<&structure::Height> = heights
        .iter()
        .filter(|h| h.lang.as_deref().is_none_or(|l| l == lang))
        .collect();
    tallest.sort_by_key(|h| std::cmp::Reverse(h.lines));
    let first = tallest.first()?;
    let mut d = Diagnostic::error(
        file,
        format!(
            "its texts would make the {lang} PDF about {pages} pages long, too close to the {most} a report may have; this text takes about {} lines",
            first.lines
        ),
    )
    .field(&first.field)
    .at(first.pos);
    let others: Vec<String> = tallest[1..tallest.len().min(4)]
        .iter()
        .map(|h| format!("{} ({} lines)", h.field, h.lines))
        .collect();
    if !others.is_empty() {
        d.notes
            .push(format!("the next longest: {}", others.join(", ")));
    }
    d.notes.push("help: a line break starts a new line: join short lines into sentences, or move lists into an attachment".into());
    Some(d)
}
