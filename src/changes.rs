//! What `build --watch` and `preview` wait on: a change to what a source, or a file of the
//! workspace's templates and catalogs, holds. The operating system says when a file was written
//! (inotify, FSEvents, ReadDirectoryChanges, through `notify`); the bytes then say whether it
//! changed, so that a save of the same text, or a file only read, starts nothing. Where the
//! system cannot watch (too many watches, a network file system), the files are looked at every
//! `POLL` instead.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::Duration;

use notify::{EventKind, RecursiveMode, Watcher};

use crate::terminal;

/// How long the files must be quiet before they are read: an editor's save in several steps
/// (write a copy, rename it over) is read once, whole.
const SETTLE: Duration = Duration::from_millis(15);

/// How often the files are looked at when the system cannot watch them, and how often a wait
/// looks at its stop flag.
const POLL: Duration = Duration::from_millis(250);

/// Each file's path and the hash of its bytes (empty when unreadable).
type Fingerprint = BTreeMap<PathBuf, String>;

/// The sources and templates of one run, watched.
pub struct Changes {
    paths: Vec<PathBuf>,
    /// Whether the workspace's word lists (`spelling*.txt`) count too.
    word_lists: bool,
    seen: Fingerprint,
    events: Receiver<()>,
    /// `None` when the system cannot watch: the files are then polled.
    watcher: Option<notify::RecommendedWatcher>,
    /// The folders watched now.
    watching: Vec<(PathBuf, RecursiveMode)>,
}

impl Changes {
    /// Starts watching `paths` (the sources, files or folders) and the templates folder; what
    /// they hold now is what later changes are measured from.
    pub fn watch(paths: &[PathBuf]) -> Changes {
        Changes::watch_with(paths, false)
    }

    /// As `watch`, and with `word_lists`, the workspace's word lists too.
    pub fn watch_with(paths: &[PathBuf], word_lists: bool) -> Changes {
        let (sender, events) = channel();
        let watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
            if event.is_ok_and(|e| writes(&e.kind)) {
                let _ = sender.send(());
            }
        })
        .ok();
        let mut changes = Changes {
            paths: paths.to_vec(),
            word_lists,
            seen: fingerprint(paths, word_lists),
            events,
            watcher,
            watching: Vec::new(),
        };
        changes.rewatch();
        changes
    }

    /// Watches the folders there are to watch now: a templates folder made since is watched
    /// from now on, and one removed is forgotten, to be watched again if it comes back. Where a
    /// folder cannot be watched, every file is polled from then on.
    fn rewatch(&mut self) {
        let Some(watcher) = self.watcher.as_mut() else {
            return;
        };
        self.watching.retain(|(dir, _)| dir.is_dir());
        let mut dirs = watched(&self.paths);
        if self.word_lists {
            dirs.push((PathBuf::from("."), RecursiveMode::NonRecursive));
        }
        for (dir, mode) in dirs {
            if self.watching.iter().any(|(d, m)| *d == dir && *m == mode) {
                continue;
            }
            match watcher.watch(&dir, mode) {
                Ok(()) => self.watching.push((dir, mode)),
                Err(_) => {
                    self.watcher = None;
                    return;
                }
            }
        }
    }

    /// Waits until what the files hold differs from what was last seen, and says which changed;
    /// `None` once `stop` is set.
    pub fn next(&mut self, stop: &AtomicBool) -> Option<String> {
        let mut last = self.seen.clone();
        while !stop.load(Ordering::Relaxed) {
            let polled = self.watcher.is_none();
            match self.events.recv_timeout(POLL) {
                Ok(()) => {
                    self.settle();
                    self.rewatch();
                }
                Err(RecvTimeoutError::Timeout) if polled => {}
                Err(RecvTimeoutError::Timeout) => continue,
                Err(RecvTimeoutError::Disconnected) => std::thread::sleep(POLL),
            }
            let now = fingerprint(&self.paths, self.word_lists);
            // Polled, a file is read once it is the same at two looks, so never half written.
            let settled = !polled || now == last;
            last = now;
            if settled && last != self.seen {
                let said = described(&self.seen, &last);
                self.seen = last;
                return Some(said);
            }
        }
        None
    }

    /// Takes every event until none has come for `SETTLE`.
    fn settle(&self) {
        while self.events.recv_timeout(SETTLE).is_ok() {}
    }
}

/// Whether an event may have changed a file: not one that only read it.
fn writes(kind: &EventKind) -> bool {
    !matches!(kind, EventKind::Access(notify::event::AccessKind::Open(_)))
        && !matches!(
            kind,
            EventKind::Access(notify::event::AccessKind::Close(
                notify::event::AccessMode::Read
            ))
        )
        && !matches!(kind, EventKind::Access(notify::event::AccessKind::Read))
}

/// The folders to watch: a folder given, whole; for a file, the folder it is in (an editor
/// that saves by renaming a copy over it replaces the file a watch would hold); the templates
/// folder, whole, when there is one.
fn watched(paths: &[PathBuf]) -> Vec<(PathBuf, RecursiveMode)> {
    let default = [PathBuf::from("data")];
    let paths = if paths.is_empty() {
        &default[..]
    } else {
        paths
    };
    let mut dirs: Vec<(PathBuf, RecursiveMode)> = Vec::new();
    for path in paths {
        match path.is_dir() {
            true => dirs.push((path.clone(), RecursiveMode::Recursive)),
            false => dirs.push((folder_of(path), RecursiveMode::NonRecursive)),
        }
        // A source that is a link changes where the file it names is.
        if path.is_symlink()
            && let Ok(target) = std::fs::canonicalize(path)
            && !target.is_dir()
        {
            dirs.push((folder_of(&target), RecursiveMode::NonRecursive));
        }
    }
    // A templates folder not there yet is watched for in the folder that would hold it.
    if let Some(folder) = crate::templates::folder() {
        dirs.push(match folder.is_dir() {
            true => (folder, RecursiveMode::Recursive),
            false => (folder_of(&folder), RecursiveMode::NonRecursive),
        });
    }
    dirs.retain(|(dir, _)| dir.is_dir());
    dirs
}

fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// What the sources and the templates folder (and the word lists) hold now.
fn fingerprint(paths: &[PathBuf], word_lists: bool) -> Fingerprint {
    let (mut files, _) = crate::discover::find(paths);
    if let Some(folder) = crate::templates::folder() {
        files_under(&folder, &mut files);
    }
    if word_lists {
        let entries = std::fs::read_dir(".").into_iter().flatten().flatten();
        files.extend(entries.map(|e| e.path()).filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            name.starts_with("spelling") && name.ends_with(".txt")
        }));
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

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
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
fn described(before: &Fingerprint, now: &Fingerprint) -> String {
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
