//! `pbf-report preview`: serves the report's pages and what `check` says of them at a local
//! address until stopped (`crate::preview`); with `--worker`, renders them for the server.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use crate::check;
use crate::cli::LiveArgs;
use crate::diagnostic::{Diagnostic, Kind};
use crate::error::{Error, Result, Status};
use crate::pipeline::{Failure, Job};
use crate::preview::{Counted, Said, Snapshot};

pub fn run(args: &LiveArgs) -> Result<Status> {
    let source = source(args.source.as_deref())?;
    if args.worker {
        return Ok(work(&source, args));
    }
    // The worker renders the source announced, whatever appears beside it later.
    let mut worker: Vec<std::ffi::OsString> = Vec::new();
    if let Some(dir) = crate::templates::given_folder() {
        worker.extend(["--templates".into(), dir.into_os_string()]);
    }
    worker.extend(["preview".into(), "--worker".into()]);
    if let Some(lang) = &args.lang {
        worker.extend(["--lang".into(), lang.into()]);
    }
    if args.spelling {
        worker.push("--spelling".into());
    }
    if let Some(dir) = &args.dictionaries {
        worker.extend(["--dictionaries".into(), dir.clone().into_os_string()]);
    }
    // After `--`, a source whose name starts with a dash is read as a name.
    worker.extend(["--".into(), source.clone().into_os_string()]);
    let options = crate::preview::Options {
        source,
        lang: args.lang.clone(),
        port: args.port.unwrap_or(0),
        worker,
        spelling: args.spelling,
    };
    crate::preview::serve(&options, super::watch::stop_flag())?;
    crate::say!("stopped");
    Ok(Status::Success)
}

/// The source to preview: the one named, or the only one under data/.
fn source(named: Option<&Path>) -> Result<PathBuf> {
    let paths: Vec<PathBuf> = named.into_iter().map(Path::to_path_buf).collect();
    let (mut sources, mut missing) = crate::discover::find(&paths);
    if !missing.is_empty() {
        return Err(missing.remove(0));
    }
    match sources.len() {
        1 => Ok(sources.remove(0)),
        0 => Err(Error::usage(
            "there is no report source to preview: name one",
        )),
        n => {
            let shown: Vec<String> = sources
                .iter()
                .take(5)
                .map(|p| crate::terminal::path(p).to_string())
                .collect();
            let more = if n > 5 { ", …" } else { "" };
            Err(Error::usage(format!(
                "{n} report sources ({}{more}): name the one to preview",
                shown.join(", ")
            )))
        }
    }
}

/// Renders the source each time a line comes on standard input (the hashes of the pages the
/// server has, as JSON), and prints each snapshot as one line of JSON, until the input ends. The
/// templates are read afresh each time.
fn work(source: &Path, args: &LiveArgs) -> Status {
    let mut out = std::io::stdout().lock();
    // The dictionaries are read once (the French one takes about 50 ms); the word lists and
    // catalogs at each rendering, since either may have been edited.
    let mut spelling = args
        .spelling
        .then(|| super::check::Spelling::new(args.dictionaries.as_deref()));
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        let known: BTreeSet<String> = serde_json::from_str(&line).unwrap_or_default();
        let snapshot = match crate::templates::reload() {
            Ok(()) => snapshot(source, args, &known, spelling.as_mut()),
            Err(e) => Snapshot::failed(source, e.to_string()),
        };
        let mut json = serde_json::to_vec(&snapshot).expect("serialises");
        json.push(b'\n');
        if out.write_all(&json).and_then(|_| out.flush()).is_err() {
            return Status::Internal;
        }
    }
    Status::Success
}

/// One rendering of `path`: every diagnostic `check` gives (and `--spelling`'s), the counts,
/// and the pages, drawn as a draft when only texts over their limit stop the build.
fn snapshot(
    path: &Path,
    args: &LiveArgs,
    known: &BTreeSet<String>,
    spelling: Option<&mut super::check::Spelling>,
) -> Snapshot {
    let bytes = match crate::fsio::read_source(path) {
        Ok(bytes) => bytes,
        Err(e) => return Snapshot::failed(path, e.to_string()),
    };
    let templates = crate::templates::current();
    let mut checked = check::check_with(path, &bytes, &templates);
    let mut notes = Vec::new();
    if let Some(spelling) = spelling {
        spelling.forget_words();
        spelling.check(path, &mut checked);
        notes = spelling.notes();
    }
    let version = match crate::pipeline::version_of(path) {
        Ok(version) => version,
        Err(failure) => {
            checked.diagnostics.extend(said_of(path, failure));
            "preview".to_string()
        }
    };
    checked.add_period_warnings(path);
    checked.diagnostics.extend(
        notes
            .into_iter()
            .map(|note| Diagnostic::warning(path, note)),
    );
    let counts = checked
        .counts
        .iter()
        .filter(|c| c.form)
        .map(|c| Counted {
            field: c.field.clone(),
            lang: c.lang.clone(),
            count: c.count,
            limit: c.most,
        })
        .collect();
    let languages = checked
        .report
        .as_ref()
        .map(|r| r.envelope.languages.clone())
        .unwrap_or_default();
    if let Some(lang) = args.lang.as_ref().filter(|l| !languages.contains(l))
        && !languages.is_empty()
    {
        let said = format!(
            "--lang {lang}: the report is not written in `{lang}`, but in {}",
            languages.join(", ")
        );
        checked.diagnostics.push(Diagnostic::warning(path, said));
    }
    // As `build --draft` draws them: texts over their limit framed, with their count.
    let draft = checked
        .diagnostics
        .iter()
        .any(|d| d.is_error() && d.kind == Kind::Limit);
    let mut diagnostics = checked.diagnostics.clone();
    let mut pages = BTreeMap::new();
    if let Ok((report, warnings)) = checked.into_renderable(draft) {
        let job = Job::new(path, bytes, report, warnings, &version, draft, templates);
        match job.pages(path, known) {
            Ok((laid, said)) => {
                pages = laid.into_iter().collect();
                diagnostics.extend(said);
            }
            Err(failure) => diagnostics.extend(said_of(path, failure)),
        }
    }
    Snapshot {
        languages,
        pages,
        draft,
        diagnostics: diagnostics.iter().map(Said::from).collect(),
        counts,
    }
}

fn said_of(path: &Path, failure: Failure) -> Vec<Diagnostic> {
    match failure {
        Failure::Invalid(d) | Failure::Template(d) => d,
        Failure::Io(e) => vec![Diagnostic::error(path, e.to_string())],
    }
}
