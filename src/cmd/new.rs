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
    let catalog = Catalog::load(&args.lang).map_err(|e| {
        let known = crate::i18n::languages().join(", ");
        Error::usage(format!(
            "{}; the catalogs are {known}",
            terminal::escape(&e)
        ))
    })?;
    let path = args
        .output
        .clone()
        .unwrap_or_else(|| Path::new("data").join(&args.project_id).join("draft.yaml"));
    if path.exists() {
        crate::say!(
            "error: {} exists already; it was left as it is",
            terminal::path(&path)
        );
        return Ok(Status::Invalid);
    }
    let text = skeleton(&catalog, &args.project_id, &path)?;
    crate::fsio::write_atomic(&path, text.as_bytes())?;
    crate::say!("wrote {}", terminal::path(&path));
    Ok(Status::Success)
}

fn skeleton(catalog: &Catalog, project_id: &str, path: &Path) -> Result<String> {
    let templates = crate::templates::current();
    let template = templates
        .file("new-report.yaml.j2")
        .and_then(|t| std::str::from_utf8(t).ok())
        .ok_or_else(|| Error::template("the skeleton template is missing from the program"))?;
    let mut env = minijinja::Environment::new();
    let t = catalog.clone();
    env.add_function("t", move |key: String, n: Option<minijinja::Value>| {
        t.render(&key, minijinja::context! { n => n })
    });
    let q = catalog.clone();
    env.add_function(
        "q",
        move |key: String, limit: Option<u32>, n: Option<minijinja::Value>| {
            let mut text = q.render(&key, minijinja::context! { n => n });
            if let Some(limit) = limit {
                let note = q.render("limit", minijinja::context! { n => limit });
                text = format!("{text} {note}");
            }
            format!("# {text}")
        },
    );
    let context = minijinja::context! {
        project_id => project_id,
        lang => &catalog.lang,
        path => path.display().to_string(),
    };
    env.render_str(template, context)
        .map_err(|e| Error::template(format!("cannot render the skeleton: {e}")))
}
