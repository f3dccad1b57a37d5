//! `pbf-report new`: a skeleton source from `templates/new-report.yaml.j2`, every question of
//! the form above its field as a comment. Never overwrites a file.

use std::path::Path;

use crate::cli::NewArgs;
use crate::error::{Error, Result, Status};
use crate::i18n::Catalog;
use crate::terminal;

pub fn run(args: &NewArgs) -> Result<Status> {
    if !crate::model::is_valid_project_id(&args.project_id) {
        return Err(Error::usage(format!(
            "\"{}\" cannot name a project: use lower-case letters, digits and dashes",
            terminal::escape(&args.project_id)
        )));
    }
    check_version(&args.version)?;
    if let Some(from) = &args.from {
        return next_version(args, from);
    }
    let lang = args.lang.as_deref().unwrap_or_default();
    let form = super::form_named(&args.template)?;
    let templates = crate::templates::current();
    let catalog = Catalog::for_form(&templates, &form.form, lang).map_err(|e| {
        let known = crate::i18n::languages().join(", ");
        Error::usage(format!(
            "{}; the catalogs are {known}",
            terminal::escape(&e)
        ))
    })?;
    let Some(path) = super::new_source(args.output.as_deref(), &args.project_id, &args.version, "")
    else {
        return Ok(Status::Invalid);
    };
    let mut text = skeleton(&form, &catalog, args, &path)?;
    // A text file ends with a line break, whatever the template's last line.
    if !text.ends_with('\n') {
        text.push('\n');
    }
    if !super::write_source(&path, text.as_bytes())? {
        return Ok(Status::Invalid);
    }
    crate::say!("wrote {}", terminal::path(&path));
    // The skeleton names `../schema.json` for editors; in a fresh data/ folder, write it.
    if args.output.is_none() {
        let schema = Path::new("data").join(schema_name(&form));
        if !schema.exists() {
            let text = serde_json::to_string_pretty(&form.schema())
                .map_err(|e| Error::template(format!("cannot write the schema: {e}")))?;
            crate::fsio::write_atomic(&schema, format!("{text}\n").as_bytes())?;
            crate::say!("wrote {}", terminal::path(&schema));
        }
    }
    Ok(Status::Success)
}

/// Refuses a version name that cannot name a source, or whose date is no day of the calendar.
fn check_version(version: &str) -> Result<()> {
    if !crate::model::is_valid_project_id(version) {
        return Err(Error::usage(format!(
            "\"{}\" cannot name a version: use lower-case letters, digits and dashes, \
             e.g. 2020-06-15-semi-annual",
            terminal::escape(version)
        )));
    }
    if let Some(day) = version.get(..10).filter(|d| {
        d.as_bytes().iter().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                *b == b'-'
            } else {
                b.is_ascii_digit()
            }
        })
    }) && crate::model::parse_date(day).is_none()
    {
        return Err(Error::usage(format!(
            "the version starts with {day}, which is not a day of the calendar"
        )));
    }
    Ok(())
}

/// `new --from OLD`: the next version from the last, its text kept as written but for the
/// report's date and type, `previous:`, and a comment above each answer of the period.
fn next_version(args: &NewArgs, from: &Path) -> Result<Status> {
    let old = crate::diff::load(from)?;
    if old.filled.envelope.project_id != args.project_id {
        return Err(Error::usage(format!(
            "{} is a report of `{}`, not of `{}`",
            terminal::path(from),
            old.filled.envelope.project_id,
            terminal::line(&args.project_id)
        )));
    }
    if !crate::model::is_valid_project_id(&old.version) {
        return Err(Error::usage(format!(
            "{} is not named as a version (lower-case letters, digits and dashes, e.g. \
             2019-11-12-final.yaml), so the new one could not name it: rename it first",
            terminal::path(from)
        )));
    }
    if old.version == args.version {
        return Err(Error::usage(format!(
            "{} is the version {} already: give the new version's name",
            terminal::path(from),
            old.version
        )));
    }
    let (_, root) = crate::source::parse(from, old.text.as_bytes())
        .map_err(|d| Error::usage(d.render(None)))?;
    let text = next_text(&old, &root, &args.version);
    let Some(path) = super::new_source(args.output.as_deref(), &args.project_id, &args.version, "")
    else {
        return Ok(Status::Invalid);
    };
    if !super::write_source(&path, text.as_bytes())? {
        return Ok(Status::Invalid);
    }
    let marked = text.matches(UPDATE_MARK).count();
    crate::say!(
        "wrote {} from {}: {marked} answer{} of the period to update",
        terminal::path(&path),
        old.version,
        super::plural(marked)
    );
    let old_date = old.filled.report_date().map(|d| d.0);
    match (from_version(&args.version).0, old_date) {
        (None, Some(date)) => crate::say!(
            "note: the version names no date: the report's date is still {date}, the last one's"
        ),
        (Some(new), Some(date)) if new <= date => {
            crate::say!("note: the new version is dated {new}, not after the last one ({date})")
        }
        _ => {}
    }
    Ok(Status::Success)
}

/// The comment `new --from` writes above each answer of the period.
const UPDATE_MARK: &str = "# TODO: update for this period";

/// The old version's text with the new version's date and type, `previous:` naming the old
/// version (and no `supersedes:`, which belonged to it), and each answer of the period marked.
fn next_text(old: &crate::diff::Side, root: &crate::source::Node, version: &str) -> String {
    let text = &old.text;
    let form = &old.filled.form;
    // Edits as (byte range, replacement), made from the end so that each range still holds.
    let mut edits: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    let (date, kind) = from_version(version);
    for (role, value) in [
        ("report_date", date),
        ("report_type", kind.map(String::from)),
    ] {
        let node = form.path_of_role(role).and_then(|p| root.at(p));
        if let (Some(span), Some(value)) = (node.and_then(|n| n.span.clone()), value) {
            edits.push((span, value));
        }
    }
    let line_start = |at: usize| text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line_end = |at: usize| text[at..].find('\n').map_or(text.len(), |i| at + i + 1);
    // The marks the last version still had: this version's are written anew.
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        if line.trim_start().starts_with(UPDATE_MARK) {
            edits.push((at..at + line.len(), String::new()));
        }
        at += line.len();
    }
    match root.get("previous").and_then(|n| n.span.clone()) {
        Some(span) => edits.push((span, old.version.clone())),
        None => {
            let after = root.get("project_id").and_then(|n| n.span.clone());
            let at = after.map_or(0, |s| line_end(s.end));
            edits.push((at..at, format!("previous: {}\n", old.version)));
        }
    }
    if let Some(span) = root.get("supersedes").and_then(|n| n.span.clone())
        && !text[span.clone()].contains('\n')
    {
        edits.push((line_start(span.start)..line_end(span.end), String::new()));
    }
    for path in form.period_fields() {
        let (parent, key) = match path.rsplit_once('.') {
            Some((parent, key)) => (root.at(parent), key),
            None => (Some(root), path.as_str()),
        };
        let entry = parent.and_then(|p| match &p.value {
            crate::source::Value::Map(entries) => entries.iter().find(|e| e.key == key),
            _ => None,
        });
        if let Some(entry) = entry {
            let at = crate::source::byte_of_line(text, entry.key_pos.line as usize);
            let indent = " ".repeat(entry.key_pos.col.saturating_sub(1) as usize);
            let mark = format!("{indent}{UPDATE_MARK}; it is still {}'s\n", old.version);
            edits.push((at..at, mark));
        }
    }
    edits.sort_by_key(|(range, _)| std::cmp::Reverse((range.start, range.end)));
    let mut out = text.clone();
    for (range, replacement) in edits {
        out.replace_range(range, &replacement);
    }
    out
}

/// The schema file a skeleton names: `schema.json` for the built-in form, `<form>.schema.json`
/// for another, so that sources of both forms can share a data/ folder.
fn schema_name(form: &crate::form::Form) -> String {
    match form.form == crate::form::BUILT_IN {
        true => "schema.json".into(),
        false => format!("{}.schema.json", form.form),
    }
}

fn skeleton(
    form: &crate::form::Form,
    catalog: &Catalog,
    args: &NewArgs,
    path: &Path,
) -> Result<String> {
    let templates = crate::templates::current();
    let template = templates
        .file("new-report.yaml.j2")
        .and_then(|t| std::str::from_utf8(t).ok())
        .ok_or_else(|| Error::template("the skeleton template is missing from the program"))?;
    let mut env = minijinja::Environment::new();
    let t = catalog.clone();
    env.add_function("t", move |key: String| {
        t.render(&key, minijinja::context! {})
    });
    let (report_date, report_type) = from_version(&args.version);
    let modality = modality_of(&args.project_id);
    let wording = |key: &str, n: Option<usize>| catalog.render(key, minijinja::context! { n => n });
    let limit = |n: usize| catalog.render("limit", minijinja::context! { n => n });
    // What the id and the version already say, by the role the form gives the field.
    let known = |role: &str| match role {
        "report_date" => report_date.clone().map(|d| (d, "")),
        "report_type" => report_type.map(|t| (t.to_string(), "")),
        "modality" => modality.map(|m| (m.to_string(), ", from the project id")),
        _ => None,
    };
    let fields = form.skeleton(&crate::form::Words {
        wording: &wording,
        limit: &limit,
        known: &known,
    });
    let context = minijinja::context! {
        template => &form.form,
        title => catalog.get(&form.title),
        schema => schema_name(form),
        project_id => &args.project_id,
        lang => &catalog.lang,
        path => path.display().to_string(),
        fields => fields,
    };
    // A workspace's skeleton is code like a layout: it runs under the same budget.
    let shown = match templates.is_builtin("new-report.yaml.j2") {
        true => "the built-in new-report.yaml.j2".to_string(),
        false => crate::terminal::path(
            &crate::templates::folder()
                .unwrap_or_default()
                .join("new-report.yaml.j2"),
        ),
    };
    let _budget = crate::render::budget::guard(shown);
    env.render_str(template, context)
        .map_err(|e| Error::template(format!("cannot render the skeleton: {e}")))
}

/// The modality a project id names: `pbf-prf-12` is a PRF project, `pbf-irf-300` an IRF one.
fn modality_of(project_id: &str) -> Option<&'static str> {
    let parts: Vec<&str> = project_id.split('-').collect();
    match (parts.contains(&"irf"), parts.contains(&"prf")) {
        (true, false) => Some("irf"),
        (false, true) => Some("prf"),
        _ => None,
    }
}

/// The report's date and type a version names: `2020-06-15-semi-annual` is a semi-annual report
/// of 15 June 2020; either is `None` when the version does not say.
fn from_version(version: &str) -> (Option<String>, Option<&'static str>) {
    let date = version
        .get(..10)
        .filter(|d| crate::model::parse_date(d).is_some())
        .map(String::from);
    let kind = if ["semi-annual", "semiannual", "semestriel"]
        .iter()
        .any(|k| version.contains(k))
    {
        Some("semi_annual")
    } else if version.contains("annual") {
        Some("annual")
    } else if version.contains("final") {
        Some("final")
    } else {
        None
    };
    (date, kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_id_and_the_version_fill_in_what_they_name() {
        assert_eq!(modality_of("pbf-prf-12"), Some("prf"));
        assert_eq!(modality_of("pbf-irf-300"), Some("irf"));
        assert_eq!(modality_of("mali-2019"), None);
        assert_eq!(modality_of("prf-irf"), None);
        assert_eq!(
            from_version("2020-06-15-semi-annual"),
            (Some("2020-06-15".into()), Some("semi_annual"))
        );
        assert_eq!(
            from_version("2019-11-12-final-r2"),
            (Some("2019-11-12".into()), Some("final"))
        );
        assert_eq!(from_version("2020-annual"), (None, Some("annual")));
        assert_eq!(from_version("2020-06-15-semiannual").1, Some("semi_annual"));
        assert_eq!(from_version("2020-02-30-final"), (None, Some("final")));
        assert_eq!(from_version("draft"), (None, None));
    }
}
