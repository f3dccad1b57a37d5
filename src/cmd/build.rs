//! `pbf-report build`: check every source, then render each that is valid into
//! `out/<project>/<version>/`, in parallel across cores. A source that fails stops no other.
//! With `--watch`, build again whenever a source changes, until stopped.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

use super::{plural, print_source_diagnostics, print_standalone};
use crate::cli::BuildArgs;
use crate::diagnostic::Diagnostic;
use crate::error::{Result, Status};
use crate::pipeline::{self, BuildOutcome, Failure};
use crate::terminal;

type BuildResult = std::result::Result<BuildOutcome, Failure>;

pub fn run(args: &BuildArgs) -> Result<Status> {
    // What is written under the sources or the templates is read back as sources or templates
    // by every later run.
    let read = [Some(PathBuf::from("data")), crate::templates::folder()];
    for (flag, dir) in [
        ("--out", Some(&args.out)),
        ("--emit-typst", args.emit_typst.as_ref()),
    ] {
        let Some(dir) = dir else { continue };
        if let Some(inputs) = read
            .iter()
            .flatten()
            .find(|r| resolved(dir).starts_with(resolved(r)))
        {
            return Err(crate::error::Error::usage(format!(
                "{flag} {} is inside {}, whose files are read as inputs: choose a folder of its own",
                terminal::path(dir),
                terminal::path(inputs)
            )));
        }
    }
    if let Some(dir) = &args.emit_typst
        && resolved(dir).starts_with(resolved(&args.out))
    {
        // A version folder holds only what its build wrote: typst files there would stop
        // every later build and fail `verify`.
        return Err(crate::error::Error::usage(format!(
            "--emit-typst {} is inside the output folder {}: choose a folder of its own, e.g. typst/",
            terminal::path(dir),
            terminal::path(&args.out)
        )));
    }
    match args.watch {
        true => Ok(super::watch::run(args)),
        false => Ok(build_once(args)),
    }
}

/// `path` made absolute, its links resolved as far as it exists, to compare two folders.
fn resolved(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_owned());
                existing = parent;
            }
            _ => return absolute,
        }
    }
    let mut out = existing
        .canonicalize()
        .unwrap_or_else(|_| existing.to_path_buf());
    out.extend(rest.iter().rev());
    out
}

/// Builds every source named once, printing what happened; returns the worst status.
pub(super) fn build_once(args: &BuildArgs) -> Status {
    let (sources, missing) = crate::discover::find(&args.paths);
    if args.spelling {
        super::check::spell(&sources, args.dictionaries.as_deref());
    }
    let mut status = Status::Success;
    for problem in &missing {
        crate::say!("error: {problem}");
        status = status.worst(problem.status());
    }
    let results = build_all(&sources, args);
    let (mut built, mut fresh, mut kept) = (0, 0, 0);
    for (path, result) in sources.iter().zip(&results) {
        status = status.worst(report_outcome(path, result, args));
        match result {
            Ok(BuildOutcome::Built(..)) => built += 1,
            Ok(BuildOutcome::UpToDate(_)) => fresh += 1,
            Ok(BuildOutcome::Kept(_)) => kept += 1,
            _ => {}
        }
    }
    if let Some(dir) = &args.emit_typst {
        for (path, result) in sources.iter().zip(&results) {
            if result.is_ok() {
                emit_typst(path, dir, args.draft, &mut status);
            }
        }
    }
    if sources.len() > 1 && !args.quiet {
        crate::say!("{}", summary(&sources, &results));
    }
    let fresh = match (fresh, kept) {
        (0, 0) => String::new(),
        (n, 0) => format!(", {n} up to date"),
        (0, k) => format!(", {k} kept as archived"),
        (n, k) => format!(", {n} up to date, {k} kept as archived"),
    };
    // Quiet, a count is news only when some source did not build.
    if !args.quiet || status != Status::Success {
        crate::say!(
            "built {built} of {} source{}{fresh}",
            sources.len(),
            plural(sources.len())
        );
    }
    status
}

fn emit_typst(path: &Path, dir: &Path, draft: bool, status: &mut Status) {
    match pipeline::prepare_file(path, draft).and_then(|job| job.emit(path, dir)) {
        Ok(()) => {}
        Err(failure) => {
            *status = status.worst(failure.status());
            print_failure(path, &failure);
        }
    }
}

/// Builds every source: all are read, checked and planned first, so that two sources that
/// would write one version folder are both refused before anything is written; then the rest
/// render and write in parallel on rayon's pool, which typst's own parallel work shares, with a progress line on a terminal.
fn build_all(sources: &[PathBuf], args: &BuildArgs) -> Vec<BuildResult> {
    use std::io::IsTerminal;
    let jobs: Vec<_> = sources
        .par_iter()
        .map(|path| {
            let job = pipeline::prepare_file(path, args.draft)?;
            let (report, version) = (&job.report, &job.manifest.version);
            match pipeline::supersedes_problem(&report.envelope, version, path, &args.out) {
                Some(problem) => Err(Failure::Invalid(vec![problem])),
                None => Ok(job),
            }
        })
        .collect();
    let jobs = refuse_collisions(sources, jobs, &args.out);
    let progress = sources.len() > 1 && !args.quiet && std::io::stdout().is_terminal();
    let finished = AtomicUsize::new(0);
    let results = jobs
        .par_iter()
        .zip(sources)
        .map(|(job, path)| {
            let result = match job {
                Ok(job) => pipeline::write_job(job, path, &args.out),
                Err(failure) => Err(failure.clone()),
            };
            let n = finished.fetch_add(1, Ordering::Relaxed) + 1;
            if progress {
                crate::say_raw!("\r[{n}/{}]\x1b[K", sources.len());
            }
            result
        })
        .collect();
    if progress {
        crate::say_raw!("\r\x1b[K");
    }
    results
}

/// Two sources that would write the same version folder: both are refused, each naming the
/// other, since building them would lose one report.
fn refuse_collisions(
    sources: &[PathBuf],
    mut jobs: Vec<Result<pipeline::Job, Failure>>,
    out: &Path,
) -> Vec<Result<pipeline::Job, Failure>> {
    let mut by_folder: std::collections::BTreeMap<PathBuf, Vec<usize>> = Default::default();
    for (i, job) in jobs.iter().enumerate() {
        if let Ok(job) = job {
            by_folder
                .entry(pipeline::folder_of(job, out))
                .or_default()
                .push(i);
        }
    }
    for (folder, indices) in by_folder.into_iter().filter(|(_, v)| v.len() > 1) {
        for &i in &indices {
            let others: Vec<String> = indices
                .iter()
                .filter(|&&j| j != i)
                .map(|&j| terminal::path(&sources[j]))
                .collect();
            let message = format!(
                "this source and {} would both write {}; give one of them another project id \
                 or file name",
                others.join(", "),
                terminal::path(&folder)
            );
            let d = crate::diagnostic::Diagnostic::error(&sources[i], message);
            jobs[i] = Err(Failure::Invalid(vec![d]));
        }
    }
    jobs
}

/// Prints what happened to one source and returns its exit status.
fn report_outcome(path: &Path, result: &BuildResult, args: &BuildArgs) -> Status {
    let shown = terminal::path(path);
    let print_warnings = |diagnostics: &[Diagnostic]| {
        let shown: Vec<_> = diagnostics
            .iter()
            .filter(|d| !args.quiet || d.is_error())
            .cloned()
            .collect();
        print_source_diagnostics(path, &shown);
    };
    match result {
        Ok(BuildOutcome::Built(files, diagnostics)) => {
            print_warnings(diagnostics);
            if args.verbose {
                for file in files {
                    crate::say!("wrote {file}");
                }
            }
            if !args.quiet {
                let draft = if args.draft { ", a draft" } else { "" };
                crate::say!("built {shown} ({} files{draft})", files.len());
            }
            Status::Success
        }
        Ok(BuildOutcome::UpToDate(warnings)) => {
            // A watch says nothing of a source it did not build again.
            if !args.watch {
                print_warnings(warnings);
            }
            if !args.quiet && !args.watch {
                crate::say!("up to date: {shown} (nothing rendered)");
            }
            Status::Success
        }
        Ok(BuildOutcome::Damaged(damage)) => {
            crate::say!(
                "error: {shown}: its version is archived, and its folder no longer holds what was archived:"
            );
            print_list(damage);
            crate::say!(
                "   = nothing was written; `pbf-report verify` on the folder lists every difference, \
                 and `pbf-report extract` on a PDF of the version gives back the source and \
                 workbook it carries"
            );
            Status::Invalid
        }
        Ok(BuildOutcome::Kept(changes)) => {
            if !args.quiet {
                crate::say!(
                    "kept as archived: {shown} (this build would make it with other inputs)"
                );
                print_list(changes);
                crate::say!(
                    "   = an archived version is never rebuilt; `pbf-report verify` checks it \
                     with the template and catalogs its PDFs carry"
                );
            }
            Status::Success
        }
        Ok(BuildOutcome::Refused(changes)) => {
            crate::say!("error: {shown}: its version is archived, and this build would change it:");
            print_list(changes);
            let stem = path
                .file_stem()
                .map(|s| s.to_string_lossy())
                .unwrap_or_default();
            crate::say!(
                "   = an archived version is never rebuilt; to submit a new revision, copy the source \
                 to a new version name (e.g. {}-r2.yaml) and build that",
                terminal::line(&stem)
            );
            Status::Invalid
        }
        Err(failure) => {
            print_failure(path, failure);
            failure.status()
        }
    }
}

/// The items under an outcome's line, one a line: names in them are escaped, line breaks too.
fn print_list(items: &[String]) {
    for item in items {
        crate::say!("   - {}", terminal::line(item));
    }
}

fn print_failure(path: &Path, failure: &Failure) {
    match failure {
        Failure::Invalid(diagnostics) => print_source_diagnostics(path, diagnostics),
        Failure::Template(diagnostics) => print_standalone(diagnostics),
        Failure::Io(e) => crate::say!("error: {e}"),
    }
}

/// One line per source: what happened to it.
fn summary(sources: &[PathBuf], results: &[BuildResult]) -> String {
    let mut lines = vec!["summary:".to_string()];
    for (path, result) in sources.iter().zip(results) {
        let what = match result {
            Ok(BuildOutcome::Built(..)) => "built",
            Ok(BuildOutcome::UpToDate(_)) => "up to date",
            Ok(BuildOutcome::Kept(_)) => "kept (archived)",
            Ok(BuildOutcome::Refused(_)) => "refused (archived)",
            Ok(BuildOutcome::Damaged(_)) => "archived, damaged",
            Err(f) if f.status() == Status::Invalid => "invalid",
            Err(_) => "failed",
        };
        lines.push(format!("  {what:<18} {}", terminal::path(path)));
    }
    lines.join("\n")
}
