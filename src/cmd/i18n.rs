//! `pbf-report i18n`: the translators' commands. `init` starts a language, `check` and `status`
//! say what is left to do, `preview` shows where each string lands on the page.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::plural;
use crate::cli::{CatalogArgs, CheckCatalogArgs, InitArgs, PreviewArgs};
use crate::error::{Error, Result, Status};
use crate::i18n::{self, Catalog};
use crate::terminal;

/// Every problem of every catalog, with file, line and key. Each file is read once, so the
/// check takes time in proportion to the catalogs' size.
pub fn check(args: &CheckCatalogArgs) -> Result<Status> {
    if args.fix {
        fix_marks(&args.catalogs)?;
    }
    let (problems, statuses) = check_catalogs(&args.catalogs)?;
    let mut texts: BTreeMap<PathBuf, Vec<String>> = BTreeMap::new();
    let mut shown: BTreeMap<PathBuf, usize> = BTreeMap::new();
    let mut out = String::new();
    for problem in &problems {
        // A screenful at a time, as for sources: past the cap, a count per file.
        let n = shown.entry(problem.file.clone()).or_default();
        *n += 1;
        if *n > crate::check::MAX_SHOWN {
            continue;
        }
        let lines = texts.entry(problem.file.clone()).or_insert_with(|| {
            // Within the cap, and only a regular file: the problem may be that it is not one.
            let bytes = crate::fsio::read_file(&problem.file).unwrap_or_default();
            let text = String::from_utf8_lossy(&bytes);
            text.lines().map(str::to_string).collect()
        });
        let line = problem.pos.and_then(|p| lines.get(p.line as usize - 1));
        out.push_str(&problem.render_line(line.map(String::as_str)));
        out.push('\n');
    }
    for (file, n) in shown.iter().filter(|(_, n)| **n > crate::check::MAX_SHOWN) {
        let rest = n - crate::check::MAX_SHOWN;
        out.push_str(&format!(
            "… and {rest} more problems in {}\n\n",
            terminal::path(file)
        ));
    }
    let errors = problems.iter().filter(|d| d.is_error()).count();
    let warnings = problems.len() - errors;
    let files = statuses.len();
    out.push_str(&format!(
        "checked {files} catalog{}: {errors} problem{}, {warnings} warning{}\n",
        plural(files),
        plural(errors),
        plural(warnings)
    ));
    crate::say_raw!("{out}");
    Ok(if errors == 0 {
        Status::Success
    } else {
        Status::Invalid
    })
}

/// How complete each language is.
pub fn status(args: &CatalogArgs) -> Result<Status> {
    let (problems, statuses) = check_catalogs(args)?;
    // A catalog that cannot be read has no line in the table: it is named instead, and the
    // count is not a success.
    let language_of = |p: &Path| p.file_stem().map(|s| s.to_string_lossy().into_owned());
    let unread: Vec<_> = problems
        .iter()
        .filter(|d| language_of(&d.file).is_none_or(|lang| !statuses.contains_key(&lang)))
        .collect();
    for problem in &unread {
        crate::say!(
            "error: {}: {}",
            terminal::path(&problem.file),
            terminal::line(&problem.message)
        );
    }
    let mut table = format!(
        "{:<10} {:>10} {:>12} {:>6} {:>8} {:>6}\n",
        "language", "translated", "untranslated", "stale", "missing", "extra"
    );
    for (lang, s) in &statuses {
        let reference = if lang == i18n::REFERENCE {
            " (reference)"
        } else {
            ""
        };
        table.push_str(&format!(
            "{:<10} {:>10} {:>12} {:>6} {:>8} {:>6}{reference}\n",
            terminal::line(lang),
            s.translated,
            s.untranslated,
            s.stale,
            s.missing,
            s.extra
        ));
    }
    super::print_out(&table)?;
    Ok(match unread.is_empty() {
        true => Status::Success,
        false => Status::Invalid,
    })
}

/// The workspace's catalogs (or `--dir`'s) with the built-in languages it does not hold, each
/// language's problems and status.
fn check_catalogs(
    args: &CatalogArgs,
) -> Result<(
    Vec<crate::diagnostic::Diagnostic>,
    BTreeMap<String, i18n::Status>,
)> {
    i18n::check_dir(&catalogs(&args.dir), args.dir.is_some())
}

/// Removes the `# untranslated` mark of every translated entry of the folder's catalogs.
fn fix_marks(args: &CatalogArgs) -> Result<()> {
    let dir = catalogs(&args.dir);
    if args.dir.is_none() && !dir.exists() {
        return Ok(());
    }
    let (files, _) = i18n::read_dir(&dir)?;
    for (path, text) in files.values() {
        if let Some((fixed, n)) = i18n::without_stale_marks(text) {
            let read_only = std::fs::metadata(path).is_ok_and(|m| m.permissions().readonly());
            if read_only {
                crate::say!(
                    "error: {} is read-only: its marks were left",
                    terminal::path(path)
                );
                continue;
            }
            crate::fsio::rewrite(path, fixed.as_bytes())?;
            crate::say!(
                "removed the {} mark of {n} translated entr{} in {}",
                "# untranslated",
                if n == 1 { "y" } else { "ies" },
                terminal::path(path)
            );
        }
    }
    Ok(())
}

fn language_code(lang: &str) -> Result<()> {
    match i18n::is_language_code(lang) {
        true => Ok(()),
        false => Err(Error::usage(format!(
            "\"{}\" is not a language code: use lower-case letters, e.g. es or pt",
            terminal::escape(lang)
        ))),
    }
}

/// The built-in catalog of `lang`, if the program has one.
fn builtin_catalog(lang: &str) -> Option<&'static [u8]> {
    crate::templates::builtin_file(&format!("i18n/{lang}.yaml"))
}

/// Writes the new catalog `bytes` at `<dir>/<lang>.yaml`, never over a file: false, after saying
/// so, when one is there.
fn write_catalog(args: &InitArgs, bytes: &[u8]) -> Result<Option<PathBuf>> {
    let path = catalogs(&args.dir).join(format!("{}.yaml", args.lang));
    let exists = || {
        crate::say!(
            "error: {} exists already; it was left as it is",
            terminal::path(&path)
        );
    };
    if crate::fsio::taken(&path) {
        exists();
        return Ok(None);
    }
    match crate::fsio::write_new(&path, bytes) {
        Err(e) if super::made_meanwhile(&e, &path) => {
            exists();
            Ok(None)
        }
        other => other.map(|()| Some(path)),
    }
}

/// Writes a built-in catalog into the workspace, byte for byte, to edit.
pub fn export(args: &InitArgs) -> Result<Status> {
    language_code(&args.lang)?;
    let Some(bytes) = builtin_catalog(&args.lang) else {
        let builtin = crate::templates::Templates::builtin()
            .languages()
            .join(", ");
        return Err(Error::usage(format!(
            "{} has no built-in catalog (those built in: {builtin}); `pbf-report i18n init {}` starts one",
            args.lang, args.lang
        )));
    };
    let Some(path) = write_catalog(args, bytes)? else {
        return Ok(Status::Invalid);
    };
    crate::say!(
        "wrote {}: the built-in `{}` catalog, to edit; a build uses it in place of the built-in one",
        terminal::path(&path),
        args.lang
    );
    Ok(Status::Success)
}

/// Writes `<dir>/<lang>.yaml` from the English catalog; never over an existing file. A language
/// built in is written as built in.
pub fn init(args: &InitArgs) -> Result<Status> {
    language_code(&args.lang)?;
    if args.lang == i18n::REFERENCE {
        // English is what every other catalog translates: it is edited, never started.
        return Err(Error::usage(
            "en is the reference catalog every other translates: `pbf-report i18n export en` writes it into the workspace, to edit",
        ));
    }
    if builtin_catalog(&args.lang).is_some() {
        return export(args);
    }
    let dir = catalogs(&args.dir);
    let english_path = dir.join("en.yaml");
    let english = match english_path.exists() {
        true => String::from_utf8(crate::fsio::read_file(&english_path)?).map_err(|_| {
            Error::wrong_kind(&english_path, "a catalog in UTF-8 text", "not UTF-8 text")
        })?,
        false => {
            let builtin = crate::templates::Templates::builtin();
            String::from_utf8_lossy(builtin.file("i18n/en.yaml").unwrap_or_default()).into()
        }
    };
    let catalog = i18n::new_catalog(&args.lang, &english);
    let Some(path) = write_catalog(args, catalog.as_bytes())? else {
        return Ok(Status::Invalid);
    };
    crate::say!(
        "wrote {}: every entry is in English, marked # untranslated; translate and remove the marks",
        terminal::path(&path)
    );
    Ok(Status::Success)
}

/// Keys whose text is a format, not words: a key beside them would break what they format.
fn is_format(key: &str) -> bool {
    key.starts_with("format.") || key == "months"
}

/// Builds a report in `lang` with each entry's key beside its text.
pub fn preview(args: &PreviewArgs) -> Result<Status> {
    let templates = crate::templates::current();
    let mut catalog = Catalog::load_from(&templates, &args.lang).map_err(|e| {
        Error::usage(format!(
            "{}; the catalogs are {}",
            terminal::escape(&e),
            templates.languages().join(", ")
        ))
    })?;
    for (key, text) in catalog.entries.iter_mut() {
        if !is_format(key) {
            let mark = if catalog.untranslated.contains(key) {
                "✗ "
            } else {
                ""
            };
            *text = format!("{mark}{text} ⟨{key}⟩");
        }
    }
    catalog.show_keys = false;
    let source = match &args.source {
        Some(path) => path.clone(),
        None => first_source()?,
    };
    let bytes = crate::fsio::read_file(&source)?;
    let checked = crate::check::check_bytes(&source, &bytes);
    let (report, _) = checked.into_renderable(true).map_err(|diagnostics| {
        let first = diagnostics
            .first()
            .map(|d| d.message.clone())
            .unwrap_or_default();
        Error::wrong_kind(
            &source,
            "a report source that checks",
            format!("a source with errors ({first})"),
        )
    })?;
    let report = in_language(&report, &args.lang);
    let options = crate::render::document::Options::default();
    let pdf = crate::render::pdf::render(
        &templates,
        &report,
        &source,
        "preview",
        &catalog,
        options,
        &[],
    )
    .map_err(|d| Error::template(d.iter().map(|d| d.render(None)).collect::<String>()))?;
    let path = args.out.join(format!("preview.{}.pdf", args.lang));
    crate::fsio::write_atomic(&path, &pdf.bytes)?;
    let left = catalog.untranslated.len();
    crate::say!(
        "wrote {}: each text is followed by its key; {left} entr{} not yet translated (marked ✗)",
        terminal::path(&path),
        if left == 1 { "y is" } else { "ies are" }
    );
    Ok(Status::Success)
}

fn first_source() -> Result<PathBuf> {
    let (sources, mut errors) = crate::discover::find(&[]);
    match sources.into_iter().next() {
        Some(source) => Ok(source),
        None => Err(errors.pop().unwrap_or(Error::Missing {
            path: Path::new("data").into(),
        })),
    }
}

/// `report` written in `lang` alone: every text given per language takes its English (or first)
/// version in `lang`, so a language the report was never written in can be previewed.
fn in_language(report: &crate::model::Filled, lang: &str) -> crate::model::Filled {
    fn fill(value: &mut serde_json::Value, langs: &[String], lang: &str) {
        match value {
            serde_json::Value::Object(map) => {
                let per_language =
                    !map.is_empty() && map.iter().all(|(k, v)| langs.contains(k) && v.is_string());
                if per_language {
                    let text = map.get("en").or_else(|| map.values().next()).cloned();
                    map.insert(lang.to_string(), text.unwrap_or_default());
                } else {
                    map.values_mut().for_each(|v| fill(v, langs, lang));
                }
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(|v| fill(v, langs, lang)),
            _ => {}
        }
    }
    let mut out = report.clone();
    fill(&mut out.tree, &report.envelope.languages, lang);
    out.tree["languages"] = serde_json::json!([lang]);
    out.tree["unofficial_translations"] = serde_json::json!([]);
    out.envelope.languages = vec![lang.to_string()];
    out.envelope.unofficial_translations = Vec::new();
    if out.typed.is_some() {
        out.typed = Some(
            crate::model::roles::read(&out.form, &out.tree)
                .expect("the same report, one language more"),
        );
    }
    out
}

/// The folder of catalogs: `dir` when given, else `i18n/` in this run's templates folder.
fn catalogs(dir: &Option<PathBuf>) -> PathBuf {
    let templates = crate::templates::folder().unwrap_or_else(|| PathBuf::from("templates"));
    dir.clone().unwrap_or_else(|| templates.join("i18n"))
}
