//! The archive mark: `ARCHIVED.json` in a version folder says it is the submitted version. It is
//! the authority whatever state the rest of the folder is in: it records the manifest's hash and
//! every file's name and hash, when it was archived and by whom, and no build writes into a
//! folder that has one (even a damaged one).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::fsio;
use crate::hash::sha256;
use crate::manifest::{FileEntry, MANIFEST, Manifest};

pub const ARCHIVED: &str = "ARCHIVED.json";

/// What `ARCHIVED.json` holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Mark {
    /// When it was archived, UTC (the only wall-clock time pbf-report writes anywhere).
    pub archived_at: String,
    pub by: String,
    pub manifest_sha256: String,
    /// Every file of the folder but the mark itself, manifest included.
    pub files: Vec<FileEntry>,
}

/// Whether `folder` holds an archive mark, in any form (a file, or anything standing in its
/// place, which a build must not overwrite either); an error when the mark cannot be looked for,
/// as in a folder this user may not search.
pub fn look_for_mark(folder: &Path) -> std::io::Result<bool> {
    use std::io::ErrorKind::{InvalidFilename, NotADirectory, NotFound};
    match folder.join(ARCHIVED).symlink_metadata() {
        Ok(_) => Ok(true),
        // A name too long for the file system holds nothing, a mark least of all.
        Err(e) if matches!(e.kind(), NotFound | NotADirectory | InvalidFilename) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Whether `folder` may hold an archive mark: a mark that cannot be looked for counts as there,
/// so that nothing is written into, or replaces, a folder not proven unarchived.
pub fn is_archived(folder: &Path) -> bool {
    look_for_mark(folder).unwrap_or(true)
}

impl Mark {
    /// The files `manifest` names, source included, with other bytes than the mark records. In
    /// a folder that holds what its mark records, these are what a manifest rewritten and
    /// sealed again by hand claims falsely.
    pub fn unlike<'m>(&self, manifest: &'m Manifest) -> Vec<&'m str> {
        let recorded = |e: &&FileEntry| {
            self.files
                .iter()
                .any(|m| m.name == e.name && m.sha256 == e.sha256)
        };
        let entries = manifest.outputs.iter().chain([&manifest.source]);
        entries
            .filter(|e| !recorded(e))
            .map(|e| e.name.as_str())
            .collect()
    }
}

/// Whether `folder` holds a readable archive mark: what a revision may supersede.
pub fn is_soundly_archived(folder: &Path) -> bool {
    read(folder).is_ok_and(|mark| damage(folder, &mark).is_empty())
}

/// The archived version folder that `path` is, or lies inside, if any: nothing may be written
/// there.
pub fn archived_around(path: &Path) -> Option<PathBuf> {
    // Absolute, so that a run from inside an archived folder finds it too.
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let found = absolute.ancestors().find(|p| is_archived(p))?;
    // Said as given when it is the path itself or one of its named ancestors.
    let given = path
        .ancestors()
        .find(|p| std::path::absolute(p).ok().as_deref() == Some(found));
    Some(
        given
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(found)
            .to_path_buf(),
    )
}

/// The archive mark of `folder`.
pub fn read(folder: &Path) -> Result<Mark> {
    let path = folder.join(ARCHIVED);
    let bytes = fsio::read_file(&path)?;
    serde_json::from_slice(&bytes).map_err(|_| {
        Error::wrong_kind(
            &path,
            "an archive mark written by pbf-report",
            "a damaged archive mark",
        )
    })
}

/// How the files of an archived folder differ from its mark: missing, changed or added files,
/// each in a person's words; empty when the folder is as it was archived.
pub fn damage(folder: &Path, mark: &Mark) -> Vec<String> {
    let mut found = Vec::new();
    for entry in &mark.files {
        // Read as any file of a folder is, within its cap: a link to a device or a FIFO put in
        // a file's place is named, never read without end.
        match fsio::read_own(&folder.join(&entry.name)) {
            Err(Error::Missing { .. }) => found.push(format!("{} is missing", entry.name)),
            Err(Error::NotAFile { found: what, .. }) => {
                found.push(format!("{} is {what}, not a file", entry.name));
            }
            Err(e) => found.push(format!("{} cannot be read: {}", entry.name, e.reason())),
            Ok(bytes) if sha256(&bytes) != entry.sha256 => {
                found.push(format!("{} was changed", entry.name));
            }
            Ok(_) => {}
        }
    }
    for name in file_names(folder) {
        if name != ARCHIVED && !mark.files.iter().any(|e| e.name == name) {
            found.push(format!("{name} was added"));
        }
    }
    found
}

/// The names of the entries of `folder`, sorted.
pub fn file_names(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The manifest of `folder` if it may be archived: a version folder, not built as a draft.
pub fn can_archive(folder: &Path) -> Result<Manifest> {
    let manifest = Manifest::read(folder)?;
    if manifest.draft {
        let found = "a draft build (texts over their limit printed, marked)";
        let expected = "a version built without --draft";
        return Err(Error::wrong_kind(folder, expected, found));
    }
    Ok(manifest)
}

/// Marks `folder`, which the caller has verified, as submitted by `by`; `false` when it was
/// marked already. A draft is never a submitted version. Every file is made read-only.
pub fn mark(folder: &Path, by: &str) -> Result<bool> {
    let marked = look_for_mark(folder).map_err(|e| Error::read(&folder.join(ARCHIVED), e))?;
    if marked {
        // A run cut short between the mark and the last file made read-only is completed.
        make_read_only(folder);
        return Ok(false);
    }
    can_archive(folder)?;
    let manifest_bytes = fsio::read_own(&folder.join(MANIFEST))?;
    let mut files = Vec::new();
    for name in file_names(folder) {
        let bytes = fsio::read_own(&folder.join(&name))?;
        files.push(FileEntry::of(&name, &bytes));
    }
    let mark = Mark {
        archived_at: now_utc(),
        by: by.to_string(),
        manifest_sha256: sha256(&manifest_bytes),
        files,
    };
    let bytes = serde_json::to_vec_pretty(&mark).expect("serialises");
    fsio::write_atomic(&folder.join(ARCHIVED), &bytes)?;
    make_read_only(folder);
    Ok(true)
}

/// Makes every file of `folder` read-only; never through a link.
fn make_read_only(folder: &Path) {
    for name in file_names(folder) {
        let path = folder.join(name);
        if let Ok(meta) = std::fs::symlink_metadata(&path)
            && meta.is_file()
        {
            let mut permissions = meta.permissions();
            permissions.set_readonly(true);
            let _ = std::fs::set_permissions(&path, permissions);
        }
    }
}

/// The current time as `YYYY-MM-DDTHH:MM:SSZ`.
fn now_utc() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = crate::model::civil_date(days as i64);
    let (h, min, s) = (rest / 3600, rest % 3600 / 60, rest % 60);
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:{s:02}Z")
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_archive_time_is_a_utc_timestamp() {
        let now = super::now_utc();
        assert_eq!(now.len(), 20, "{now}");
        assert!(now.starts_with("20") && now.ends_with('Z'), "{now}");
    }
}
