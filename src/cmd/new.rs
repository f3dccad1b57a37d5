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
    let form = super::form_named(&args.template)?;
    let templates = crate::templates::current();
    let catalog = Catalog::for_form(&templates, &form.form, &args.lang).map_err(|e| {
        let known = crate::i18n::languages().join(", ");
        Error::usage(format!(
            "{}; the catalogs are {known}",
            terminal::escape(&e)
        ))
    })?;
    if !crate::model::is_valid_project_id(&args.version) {
        return Err(Error::usage(format!(
            "\"{}\" cannot name a version: use lower-case letters, digits and dashes, \
             e.g. 2020-06-15-semi-annual",
            terminal::escape(&args.version)
        )));
    }
    if let Some(day) = args.version.get(..10).filter(|d| {
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
