//! The commands behind the command line, each a short function over the pipeline stages.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::archive::{self, Failure, Outcome};
use crate::check::{self, Checked};
use crate::cli::{BuildArgs, CatalogArgs, CheckArgs, ExtractArgs, FolderArgs, NewArgs};
use crate::diagnostic::Diagnostic;
use crate::i18n::Catalog;
use crate::model;

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

/// `pbf-report build`: check every source, then render each that is valid into
/// `out/<project>/<version>/`, in parallel across cores. A source that fails stops no other.
/// With `--watch`, build again whenever a source changes, until stopped.
pub fn build(args: &BuildArgs) -> Result<Status> {
    let status = build_once(args)?;
    if !args.watch {
        return Ok(status);
    }
    eprintln!("watching for changes; Ctrl-C stops");
    let mut seen = fingerprint(&args.paths);
    loop {
        std::thread::sleep(std::time::Duration::from_millis(400));
        let now = fingerprint(&args.paths);
        if now != seen {
            seen = now;
            build_once(args)?;
        }
    }
}

/// What the sources hold now: their paths and the hashes of their bytes.
fn fingerprint(paths: &[PathBuf]) -> Vec<(PathBuf, String)> {
    let (sources, _) = find_sources(paths);
    sources
        .into_iter()
        .map(|p| {
            let hash = std::fs::read(&p)
                .map(|b| archive::sha256(&b))
                .unwrap_or_default();
            (p, hash)
        })
        .collect()
}

fn build_once(args: &BuildArgs) -> Result<Status> {
    let (sources, missing) = find_sources(&args.paths);
    for problem in &missing {
        eprintln!("error: {problem}");
    }
    let results = build_all(&sources, args);
    let mut status = if missing.is_empty() {
        Status::Success
    } else {
        Status::Invalid
    };
    let (mut built, mut fresh) = (0, 0);
    for (path, result) in sources.iter().zip(&results) {
        status = worse(status, report_outcome(path, result, args));
        match result {
            Ok(Outcome::Built(..)) => built += 1,
            Ok(Outcome::UpToDate) => fresh += 1,
            _ => {}
        }
    }
    if let Some(dir) = &args.emit_typst {
        emit_typst(&sources, &results, dir, args.draft)?;
    }
    if sources.len() > 1 && !args.quiet {
        eprintln!("{}", summary(&sources, &results));
    }
    let fresh = if fresh > 0 {
        format!(", {fresh} up to date")
    } else {
        String::new()
    };
    eprintln!(
        "built {built} of {} source{}{fresh}",
        sources.len(),
        plural(sources.len())
    );
    Ok(status)
}

type BuildResult = std::result::Result<Outcome, Failure>;

/// Builds every source on as many threads as there are cores, with a progress line on a terminal.
fn build_all(sources: &[PathBuf], args: &BuildArgs) -> Vec<BuildResult> {
    use std::io::IsTerminal;
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<BuildResult>>> =
        Mutex::new((0..sources.len()).map(|_| None).collect());
    let progress = sources.len() > 1 && !args.quiet && std::io::stdout().is_terminal();
    let jobs = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(sources.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(path) = sources.get(i) else { break };
                    let result = archive::build_source(path, &args.out, args.draft);
                    results.lock().expect("no thread panics holding it")[i] = Some(result);
                    let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                    if progress {
                        eprint!("\r[{n}/{}] {}\x1b[K", sources.len(), path.display());
                    }
                }
            });
        }
    });
    if progress {
        eprint!("\r\x1b[K");
    }
    let results = results.into_inner().expect("threads joined");
    results
        .into_iter()
        .map(|r| r.expect("every source built"))
        .collect()
}

fn worse(a: Status, b: Status) -> Status {
    if b as u8 > a as u8 { b } else { a }
}

/// Prints what happened to one source and returns its exit status.
fn report_outcome(path: &Path, result: &BuildResult, args: &BuildArgs) -> Status {
    match result {
        Ok(Outcome::Built(files, diagnostics)) => {
            print_source_diagnostics(path, diagnostics, args.quiet);
            if args.verbose {
                for file in files {
                    eprintln!("wrote {file}");
                }
            }
            if !args.quiet {
                eprintln!("built {} ({} files)", path.display(), files.len());
            }
            Status::Success
        }
        Ok(Outcome::UpToDate) => {
            if !args.quiet && !args.watch {
                eprintln!("up to date: {} (nothing rendered)", path.display());
            }
            Status::Success
        }
        Ok(Outcome::Refused(changes)) => {
            eprintln!(
                "error: {}: its version is archived, and this build would change it:",
                path.display()
            );
            for change in changes {
                eprintln!("   - {change}");
            }
            let stem = path
                .file_stem()
                .map(|s| s.to_string_lossy())
                .unwrap_or_default();
            eprintln!(
                "   = an archived version is never rebuilt; to submit a new revision, copy the source \
                 to a new version name (e.g. {stem}-r2.yaml) and build that"
            );
            Status::Invalid
        }
        Err(Failure::Invalid(diagnostics)) => {
            print_source_diagnostics(path, diagnostics, false);
            Status::Invalid
        }
        Err(Failure::Internal(diagnostics)) => {
            print_standalone(diagnostics);
            Status::Internal
        }
    }
}

fn print_source_diagnostics(path: &Path, diagnostics: &[Diagnostic], quiet: bool) {
    let shown: Vec<Diagnostic> = diagnostics
        .iter()
        .filter(|d| (!quiet || d.is_error()) && d.file == path)
        .cloned()
        .collect();
    if !shown.is_empty() {
        let source = std::fs::read(path)
            .ok()
            .and_then(|b| crate::source::text_of(path, &b));
        eprintln!(
            "{}",
            check::render_all(&shown, source.as_ref().map(|s| s.text.as_str()))
        );
    }
    let elsewhere: Vec<Diagnostic> = diagnostics
        .iter()
        .filter(|d| (!quiet || d.is_error()) && d.file != path)
        .cloned()
        .collect();
    print_standalone(&elsewhere);
}

/// One line per source: what happened to it.
fn summary(sources: &[PathBuf], results: &[BuildResult]) -> String {
    let mut lines = vec!["summary:".to_string()];
    for (path, result) in sources.iter().zip(results) {
        let what = match result {
            Ok(Outcome::Built(..)) => "built",
            Ok(Outcome::UpToDate) => "up to date",
            Ok(Outcome::Refused(_)) => "refused (archived)",
            Err(Failure::Invalid(_)) => "invalid",
            Err(Failure::Internal(_)) => "failed",
        };
        lines.push(format!("  {what:<18} {}", path.display()));
    }
    lines.join("\n")
}

/// `--emit-typst`: the template, data, attached files and fonts of each PDF of the sources that
/// built, under `DIR/<project>/<version>/<lang>/`.
fn emit_typst(sources: &[PathBuf], results: &[BuildResult], dir: &Path, draft: bool) -> Result<()> {
    for (path, result) in sources.iter().zip(results) {
        if result.is_ok() {
            archive::emit(path, dir, draft).map_err(|e| format!("{}: {e}", path.display()))?;
        }
    }
    Ok(())
}

/// `pbf-report archive`: marks a verified version folder as submitted.
pub fn archive_folder(args: &FolderArgs) -> Result<Status> {
    if verify_and_print(&args.path)? != Status::Success {
        eprintln!(
            "error: {} does not verify; it was not archived",
            args.path.display()
        );
        return Ok(Status::Invalid);
    }
    match archive::archive(&args.path)? {
        true => eprintln!(
            "archived {}: no later build may change it",
            args.path.display()
        ),
        false => eprintln!("{} was archived already", args.path.display()),
    }
    Ok(Status::Success)
}

/// `pbf-report verify`: a version folder, or a PDF on its own.
pub fn verify(args: &FolderArgs) -> Result<Status> {
    verify_and_print(&args.path)
}

fn verify_and_print(path: &Path) -> Result<Status> {
    let verdicts = if path.extension().is_some_and(|e| e == "pdf") {
        archive::verify_pdf(path)?
    } else {
        archive::verify_folder(path)?
    };
    let mut status = Status::Success;
    for v in &verdicts {
        match &v.problem {
            None => eprintln!("ok       {}", v.name),
            Some(problem) => {
                eprintln!("DIFFERS  {}: {problem}", v.name);
                status = Status::Invalid;
            }
        }
    }
    Ok(status)
}

/// `pbf-report extract`: writes the files a PDF carries (its source, its workbook), never over an
/// existing file.
pub fn extract(args: &ExtractArgs) -> Result<Status> {
    let bytes = std::fs::read(&args.pdf).map_err(|e| format!("{}: {e}", args.pdf.display()))?;
    let files =
        archive::attachments_of(&bytes).map_err(|e| format!("{}: {e}", args.pdf.display()))?;
    for (name, _) in &files {
        if name.contains(['/', '\\']) || name.starts_with('.') {
            return Err(format!(
                "{}: an attached file has an unsafe name: {name}",
                args.pdf.display()
            ));
        }
        let target = args.out.join(name);
        if target.exists() {
            eprintln!(
                "error: {} exists already; nothing was extracted",
                target.display()
            );
            return Ok(Status::Invalid);
        }
    }
    for (name, data) in &files {
        let target = args.out.join(name);
        archive::write_atomic(&target, data).map_err(|e| format!("{}: {e}", target.display()))?;
        eprintln!("wrote {}", target.display());
    }
    Ok(Status::Success)
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

/// `pbf-report i18n check`: every problem of every catalog, with file, line and key.
pub fn i18n_check(args: &CatalogArgs) -> Result<Status> {
    let (problems, _) = crate::i18n::check_dir(&args.dir)?;
    for problem in &problems {
        let text = std::fs::read_to_string(&problem.file).ok();
        eprintln!("{}", problem.render(text.as_deref()));
    }
    let files = crate::i18n::read_dir(&args.dir)?.len();
    eprintln!(
        "checked {files} catalog{}: {} problem{}",
        plural(files),
        problems.len(),
        plural(problems.len())
    );
    Ok(if problems.is_empty() {
        Status::Success
    } else {
        Status::Invalid
    })
}

/// `pbf-report i18n status`: how complete each language is.
pub fn i18n_status(args: &CatalogArgs) -> Result<Status> {
    let (_, statuses) = crate::i18n::check_dir(&args.dir)?;
    println!(
        "{:<10} {:>10} {:>8} {:>6} {:>6}",
        "language", "translated", "missing", "stale", "extra"
    );
    for (lang, s) in &statuses {
        let reference = if lang == crate::i18n::REFERENCE {
            " (reference)"
        } else {
            ""
        };
        println!(
            "{:<10} {:>10} {:>8} {:>6} {:>6}{reference}",
            lang, s.translated, s.missing, s.stale, s.extra
        );
    }
    Ok(Status::Success)
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
