//! The commands behind the command line, each a short function over the pipeline stages.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::archive;
use crate::check::{self, Checked};
use crate::cli::{BuildArgs, CheckArgs, NewArgs};
use crate::diagnostic::Diagnostic;
use crate::i18n::Catalog;
use crate::model;
use crate::render::{annex_a, document, pdf};

/// Exit status, as documented in the README.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Success = 0,
    /// A source (or another input) is invalid.
    Invalid = 1,
    /// The tool itself failed (a bug or the machine).
    Internal = 3,
}

impl From<Status> for ExitCode {
    fn from(status: Status) -> ExitCode {
        ExitCode::from(status as u8)
    }
}

pub type Result<T> = std::result::Result<T, String>;

/// `pbf-report check`: every problem of every source, then a summary.
pub fn check(args: &CheckArgs) -> Result<Status> {
    let (sources, mut missing) = find_sources(&args.paths);
    let (mut errors, mut warnings) = (missing.len(), 0);
    for problem in missing.drain(..) {
        eprintln!("error: {problem}");
    }
    for path in &sources {
        let checked = check::check_file(path);
        print_diagnostics(path, &checked);
        let e = checked.diagnostics.iter().filter(|d| d.is_error()).count();
        errors += e;
        warnings += checked.diagnostics.len() - e;
    }
    let s = if sources.len() == 1 { "" } else { "s" };
    eprintln!(
        "checked {} source{s}: {errors} error{}, {warnings} warning{}",
        sources.len(),
        plural(errors),
        plural(warnings)
    );
    let failed = errors > 0 || (args.deny_warnings && warnings > 0);
    Ok(if failed {
        Status::Invalid
    } else {
        Status::Success
    })
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn print_diagnostics(path: &Path, checked: &Checked) {
    if !checked.diagnostics.is_empty() {
        eprintln!("{}", checked.render());
    }
    if checked.consistency_skipped {
        eprintln!(
            "note: {}: budget, duration and Annex A checks run once the errors above are fixed\n",
            path.display()
        );
    }
}

/// `pbf-report build`: check each source, then render its PDFs into
/// `out/<project>/<version>/<project>-<version>.<lang>.pdf`.
pub fn build(args: &BuildArgs) -> Result<Status> {
    let (sources, missing) = find_sources(&args.paths);
    for problem in &missing {
        eprintln!("error: {problem}");
    }
    let mut status = if missing.is_empty() {
        Status::Success
    } else {
        Status::Invalid
    };
    let mut built = 0;
    for path in &sources {
        match build_one(path, args) {
            Ok(()) => built += 1,
            Err(s) => status = worse(status, s),
        }
    }
    eprintln!(
        "built {built} of {} source{}",
        sources.len(),
        plural(sources.len())
    );
    Ok(status)
}

fn worse(a: Status, b: Status) -> Status {
    if b as u8 > a as u8 { b } else { a }
}

fn build_one(path: &Path, args: &BuildArgs) -> std::result::Result<(), Status> {
    let checked = check::check_file(path);
    print_diagnostics(path, &checked);
    let Some(report) = checked.renderable(args.draft) else {
        return Err(Status::Invalid);
    };
    let version = version_of(path).ok_or_else(|| {
        eprintln!(
            "error: {}: the file name names the report version and may hold only lower-case \
             letters, digits and dashes (e.g. 2019-11-12-final.yaml)",
            path.display()
        );
        Status::Invalid
    })?;
    let options = document::Options { draft: args.draft };
    let folder = args.out.join(&report.project_id).join(&version);
    let mut outputs = Vec::new();
    for lang in &report.languages {
        let catalog = Catalog::load(lang).map_err(|e| {
            eprintln!("error: {e}");
            Status::Invalid
        })?;
        let rendered =
            pdf::render(report, path, &version, &catalog, options).map_err(|errors| {
                print_standalone(&errors);
                Status::Internal
            })?;
        print_standalone(&rendered.warnings);
        let name = format!("{}-{version}.{lang}.pdf", report.project_id);
        outputs.push((folder.join(name), rendered.bytes));
        let workbook = annex_a::render(report, &catalog).map_err(|e| {
            eprintln!(
                "error: {}: cannot write the Annex A workbook: {e}",
                path.display()
            );
            Status::Internal
        })?;
        outputs.push((folder.join(format!("annex-a.{lang}.xlsx")), workbook));
        if let Some(dir) = &args.emit_typst {
            let base = dir.join(&report.project_id).join(&version).join(lang);
            for (file, bytes) in pdf::emitted_files(report, &version, &catalog, options) {
                outputs.push((base.join(file), bytes));
            }
        }
    }
    for (file, bytes) in &outputs {
        archive::write_atomic(file, bytes).map_err(|e| {
            eprintln!("error: cannot write {}: {e}", file.display());
            Status::Internal
        })?;
        if file.extension().is_some_and(|e| e == "pdf" || e == "xlsx") {
            eprintln!("wrote {}", file.display());
        }
    }
    Ok(())
}

/// The report version, from the source's file name: `2019-11-12-final.yaml` → `2019-11-12-final`.
pub fn version_of(path: &Path) -> Option<String> {
    let stem = path.file_stem()?.to_str()?;
    model::is_valid_project_id(stem).then(|| stem.to_string())
}

/// Diagnostics about files other than a report source (the template), with their lines.
fn print_standalone(diagnostics: &[Diagnostic]) {
    for d in diagnostics {
        let embedded = d
            .file
            .to_str()
            .and_then(|f| f.strip_prefix("templates/"))
            .and_then(crate::templates::file);
        let text = embedded.and_then(|b| std::str::from_utf8(b).ok());
        eprintln!("{}", d.render(text));
    }
}

/// The report sources named by `paths` (folders are searched for `.yaml` files, sorted), and a
/// message for each path that does not exist.
pub fn find_sources(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<String>) {
    let default = [PathBuf::from("data")];
    let paths = if paths.is_empty() {
        &default[..]
    } else {
        paths
    };
    let (mut sources, mut missing) = (Vec::new(), Vec::new());
    for path in paths {
        if path.is_dir() {
            collect_yaml(path, &mut sources);
        } else if path.exists() {
            sources.push(path.clone());
        } else {
            missing.push(format!("{}: no such file or folder", path.display()));
        }
    }
    (sources, missing)
}

fn collect_yaml(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            collect_yaml(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
}

/// `pbf-report schema`.
pub fn schema() -> Result<Status> {
    let text = serde_json::to_string_pretty(&model::schema()).map_err(|e| e.to_string())?;
    println!("{text}");
    Ok(Status::Success)
}

/// `pbf-report new`: a skeleton source from `templates/new-report.yaml.j2`.
pub fn new(args: &NewArgs) -> Result<Status> {
    if !model::is_valid_project_id(&args.project_id) {
        eprintln!(
            "error: \"{}\" cannot name a project: use lower-case letters, digits and dashes",
            args.project_id
        );
        return Ok(Status::Invalid);
    }
    let catalog = match Catalog::load(&args.lang) {
        Ok(c) => c,
        Err(e) => {
            eprintln!(
                "error: {e}; the catalogs are {}",
                crate::i18n::languages().join(", ")
            );
            return Ok(Status::Invalid);
        }
    };
    let path = args
        .output
        .clone()
        .unwrap_or_else(|| Path::new("data").join(&args.project_id).join("draft.yaml"));
    if path.exists() {
        eprintln!(
            "error: {} exists already; it was left as it is",
            path.display()
        );
        return Ok(Status::Invalid);
    }
    let text = skeleton(&catalog, &args.project_id, &path)?;
    archive::write_atomic(&path, text.as_bytes())
        .map_err(|e| format!("{}: {e}", path.display()))?;
    eprintln!("wrote {}", path.display());
    Ok(Status::Success)
}

fn skeleton(catalog: &Catalog, project_id: &str, path: &Path) -> Result<String> {
    let template =
        crate::templates::file("new-report.yaml.j2").ok_or("the skeleton template is missing")?;
    let template = std::str::from_utf8(template).map_err(|e| e.to_string())?;
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
                text = format!(
                    "{text} {}",
                    q.render("limit", minijinja::context! { n => limit })
                );
            }
            format!("# {text}")
        },
    );
    env.render_str(
        template,
        minijinja::context! {
            project_id => project_id,
            lang => &catalog.lang,
            path => path.display().to_string(),
        },
    )
    .map_err(|e| format!("cannot render the skeleton: {e}"))
}
