//! `pbf-report build --watch`: build again whenever a source, or a file of the workspace's
//! templates and catalogs, changes, until stopped. Nothing a
//! build meets stops the loop — an invalid source, a half-written file, a full disk, a template
//! that runs over its budget: each is reported and the watch goes on. Each build runs in a
//! process of its own, so that the budget's watchdog ends that build, not the watch. A change is
//! built once it has settled (the same bytes at two polls in a row), so an editor's write in
//! several steps is built once, whole.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::cli::BuildArgs;
use crate::error::Status;
use crate::terminal;

/// How often the sources are looked at.
const POLL: Duration = Duration::from_millis(250);

/// Builds, then watches until stopped; returns the status of the last build.
pub fn run(args: &BuildArgs) -> Status {
    let stop = stop_at_end_of_input();
    // Taken before the first build, so that a change made while it runs is built after it.
    let mut built = fingerprint(&args.paths);
    let mut status = build_apart();
    crate::say!("watching for changes; Ctrl-C stops");
    let mut last = built.clone();
    while !stop.load(Ordering::Relaxed) {
        std::thread::sleep(POLL);
        let now = fingerprint(&args.paths);
        let settled = now == last;
        last = now;
        if settled && last != built {
            crate::say!("changed: {}; building again", changes(&built, &last));
            status = build_apart();
            built = last.clone();
        }
    }
    status
}

/// Builds as the command line asks, without `--watch`, in a process of its own that reads the
/// templates afresh; its status.
fn build_apart() -> Status {
    let args = std::env::args_os().skip(1).filter(|a| a != "--watch");
    let run = std::env::current_exe().and_then(|program| {
        std::process::Command::new(program)
            .args(args)
            .stdin(std::process::Stdio::null())
            .status()
    });
    match run.map(|s| s.code()) {
        Ok(Some(0)) => Status::Success,
        Ok(Some(1)) => Status::Invalid,
        Ok(Some(2)) => Status::Usage,
        Ok(_) => Status::Internal,
        Err(e) => {
            crate::say!("error: the build could not be started: {e}");
            Status::Internal
        }
    }
}

/// Standard input that is not a terminal (a pipe from a script or a test) ends the watch when
/// it closes; on a terminal only Ctrl-C does.
fn stop_at_end_of_input() -> Arc<AtomicBool> {
    let stop = Arc::new(AtomicBool::new(false));
    if !std::io::stdin().is_terminal() {
        let flag = stop.clone();
        std::thread::spawn(move || {
            let _ = std::io::copy(&mut std::io::stdin().lock(), &mut std::io::sink());
            flag.store(true, Ordering::Relaxed);
        });
    }
    stop
}

/// What the sources and the templates folder hold now: each path and the hash of its bytes
/// (empty when unreadable).
fn fingerprint(paths: &[PathBuf]) -> BTreeMap<PathBuf, String> {
    let (mut files, _) = crate::discover::find(paths);
    if let Some(folder) = crate::templates::folder() {
        files_under(&folder, &mut files);
    }
    files
        .into_iter()
        .map(|p| {
            let hash = crate::fsio::read_file(&p)
                .map(|b| crate::hash::sha256(&b))
                .unwrap_or_default();
            (p, hash)
        })
        .collect()
}

fn files_under(dir: &std::path::Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        match entry.file_type() {
            Ok(t) if t.is_dir() => files_under(&entry.path(), out),
            Ok(t) if t.is_file() => out.push(entry.path()),
            _ => {}
        }
    }
}

/// The files that differ between two fingerprints, for the line that says why a build runs.
fn changes(before: &BTreeMap<PathBuf, String>, now: &BTreeMap<PathBuf, String>) -> String {
    let changed = now
        .iter()
        .filter(|(path, hash)| before.get(*path) != Some(hash))
        .map(|(path, _)| terminal::path(path));
    let removed = before
        .keys()
        .filter(|path| !now.contains_key(*path))
        .map(|path| format!("{} (removed)", terminal::path(path)));
    changed.chain(removed).collect::<Vec<_>>().join(", ")
}
