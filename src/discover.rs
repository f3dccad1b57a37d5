//! Finding report sources: the files named on the command line, and every `.yaml`/`.yml` file
//! (in any case) under the folders named (`data/` when none is), but for hidden folders, version
//! folders written by `build` and the templates. A file reached twice (named
//! twice, or through a symbolic link) is one source; a folder that cannot be read, or that holds
//! no source at all, is an error rather than a silent "0 sources".

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::error::Error;

/// The report sources named by `paths`, folders searched and sorted, and an error for each path
/// that does not exist, cannot be read or holds no source.
pub fn find(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<Error>) {
    let default = [PathBuf::from("data")];
    let paths = if paths.is_empty() {
        &default[..]
    } else {
        paths
    };
    let mut found = Found {
        templates: crate::templates::folder().and_then(|t| std::fs::canonicalize(t).ok()),
        workspace: std::env::current_dir().and_then(std::fs::canonicalize).ok(),
        ..Found::default()
    };
    for path in paths {
        // The workspace's own `data/` is searched like any folder in it: not through a link out.
        if paths == default
            && let Some(e) = found.link_out(
                path,
                "a folder of sources within the workspace (name a folder elsewhere on the command line)",
            )
        {
            found.errors.push(e);
            continue;
        }
        if path.is_dir() {
            let errors = found.errors.len();
            if found.folder(path, false) == 0 && found.errors.len() == errors {
                let none = "a folder with no report source (.yaml) in it";
                let expected = "report sources or folders that hold them";
                found.errors.push(Error::wrong_kind(path, expected, none));
            }
        } else if path.exists() {
            found.source(path);
        } else {
            found.errors.push(Error::Missing { path: path.clone() });
        }
    }
    (found.sources, found.errors)
}

#[derive(Default)]
struct Found {
    sources: Vec<PathBuf>,
    errors: Vec<Error>,
    /// Real paths of the files and folders seen, so that none is taken twice.
    seen: HashSet<PathBuf>,
    /// The real path of this run's templates folder, whose catalogs are YAML too.
    templates: Option<PathBuf>,
    /// The real path of the workspace: a search follows no link out of it.
    workspace: Option<PathBuf>,
}

impl Found {
    /// Takes the source at `path` unless it was taken already.
    fn source(&mut self, path: &Path) {
        let real = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        if self.seen.insert(real) {
            self.sources.push(path.to_path_buf());
        }
    }

    /// The error for `path` when it is a link out of the workspace: `expected` is what a search
    /// reads instead (a source, a folder of them).
    fn link_out(&self, path: &Path, expected: &'static str) -> Option<Error> {
        let workspace = self.workspace.as_deref()?;
        let is_link = path
            .symlink_metadata()
            .is_ok_and(|m| m.file_type().is_symlink());
        let real = std::fs::canonicalize(path).ok()?;
        (is_link && !real.starts_with(workspace)).then(|| {
            Error::wrong_kind(
                path,
                expected,
                format!(
                    "a link to {}, outside the workspace",
                    crate::terminal::path(&real)
                ),
            )
        })
    }

    /// Whether a search enters the folder `dir` (its real path `real`) found in another: not a
    /// hidden one, not a version folder that `build` wrote (the copy of its source there is not
    /// another source), not the templates.
    fn searched(&self, dir: &Path, real: &Path) -> bool {
        let hidden = dir
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        let templates = self.templates.as_deref() == Some(real);
        !hidden && !templates && !dir.join(crate::manifest::MANIFEST).is_file()
    }

    /// Takes the sources under `dir`; returns how many source files it holds, counting those
    /// taken already.
    fn folder(&mut self, dir: &Path, nested: bool) -> usize {
        let real = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
        if nested && !self.searched(dir, &real) {
            return 0;
        }
        if !self.seen.insert(real) {
            return 1; // a folder reached again: its sources are taken already
        }
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) => {
                self.errors.push(Error::read(dir, e));
                return 0;
            }
        };
        let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        paths.sort();
        let mut count = 0;
        for path in paths {
            // A link found in a search that leads out of the workspace (to a key, to
            // /etc/passwd) is never read: its text would be quoted in messages and carried in PDFs.
            if let Some(e) = self.link_out(
                &path,
                "a source within the workspace (name a file elsewhere on the command line)",
            ) {
                self.errors.push(e);
                continue;
            }
            if path.is_dir() {
                count += self.folder(&path, true);
            } else if is_source_name(&path) && !is_aside(&path) {
                self.source(&path);
                count += 1;
            }
        }
        count
    }
}

/// A hidden file: an editor's lock (`.#2019-11-12-final.yaml`, a link to nowhere) or swap file
/// beside a source, never a source of its own.
fn is_aside(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with('.'))
}

/// `.yaml` or `.yml`, in any case.
pub fn is_source_name(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"))
}
