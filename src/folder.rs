//! A version folder on disk changes as a whole or not at all. A build takes the folder's lock
//! (`out/<project>/.<version>.lock`), writes every file into a staging folder beside it, then
//! swaps it in with two renames: the old folder aside, the staging folder in its place. A crash
//! at any point leaves the old folder or the new one; the next writer, holding the lock, finishes
//! or undoes a swap that was cut short and removes what the dead one left.

use std::fs::File;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::fsio;

/// The lock on one version folder, held while it is read for a decision and written.
pub struct Lock {
    _file: File,
}

/// Takes the lock of `folder`, waiting for another process or thread that holds it.
pub fn lock(folder: &Path) -> Result<Lock> {
    let (parent, name) = split(folder);
    std::fs::create_dir_all(&parent).map_err(|e| Error::write(&parent, e))?;
    let path = parent.join(format!(".{name}.lock"));
    let file = open_lock_file(&path)?;
    file.lock().map_err(|e| Error::write(&path, e))?;
    recover(folder)?;
    Ok(Lock { _file: file })
}

/// Waits for a build of `folder` that is writing it, and holds it still while it is read (a
/// shared lock on its lock file, when there is one). Reading makes nothing: a folder with no
/// lock file, or one that cannot be opened, is read as it is.
pub fn read_lock(folder: &Path) -> Option<File> {
    let (parent, name) = split(folder);
    let path = parent.join(format!(".{name}.lock"));
    let mut options = File::options();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let file = options.open(path).ok()?;
    file.metadata().ok().filter(|m| m.is_file())?;
    file.lock_shared().ok()?;
    Some(file)
}

/// Opens (or makes) the lock file itself: never through a link, which would make whoever
/// builds create a file where the link points, and never waiting on a FIFO put in its place.
fn open_lock_file(path: &Path) -> Result<File> {
    let mut options = File::options();
    options.create(true).truncate(false).write(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let not_a_file = |found: &str| {
        Error::wrong_kind(
            path,
            "the version folder's lock, a regular file",
            found.to_string(),
        )
    };
    let file = options.open(path).map_err(|e| match e.raw_os_error() {
        #[cfg(unix)]
        Some(libc::ELOOP) => not_a_file("a link"),
        #[cfg(unix)]
        Some(libc::ENXIO) => not_a_file("a FIFO (named pipe)"),
        _ => Error::write(path, e),
    })?;
    match file.metadata() {
        Ok(meta) if meta.is_file() => Ok(file),
        Ok(_) => Err(not_a_file("not a regular file")),
        Err(e) => Err(Error::write(path, e)),
    }
}

fn split(folder: &Path) -> (PathBuf, String) {
    let parent = folder.parent().unwrap_or(Path::new(".")).to_path_buf();
    let name = folder
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    (parent, name)
}

fn staging_of(folder: &Path) -> PathBuf {
    let (parent, name) = split(folder);
    parent.join(format!(".{name}.staging"))
}

fn aside_of(folder: &Path) -> PathBuf {
    let (parent, name) = split(folder);
    parent.join(format!(".{name}.old"))
}

/// Under the lock: puts back a folder set aside by a swap that was cut short, and removes
/// staging folders and set-aside copies that no writer owns any more.
fn recover(folder: &Path) -> Result<()> {
    let aside = aside_of(folder);
    let aside_meta = aside.symlink_metadata();
    if aside_meta.as_ref().is_ok_and(|m| !m.is_dir()) {
        // A link or a file under the name a swap sets a folder aside with: not one it set.
        remove(&aside)?;
    } else if aside_meta.is_ok() {
        use crate::archive::is_archived;
        if !folder.exists() {
            // Cut short between the two renames: the old folder goes back.
            std::fs::rename(&aside, folder).map_err(|e| Error::write(folder, e))?;
        } else if !is_archived(&aside) {
            // The new folder was swapped in; only removing the old one was left to do.
            remove(&aside)?;
        } else if !is_archived(folder) {
            // An archived folder is never replaced: what took its place goes, and it comes back.
            remove(folder)?;
            std::fs::rename(&aside, folder).map_err(|e| Error::write(folder, e))?;
        }
    }
    let staging = staging_of(folder);
    if staging.symlink_metadata().is_ok() {
        remove(&staging)?;
    }
    Ok(())
}

/// Removes a folder, or a file or link standing where one was expected.
fn remove(path: &Path) -> Result<()> {
    let is_dir = std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir());
    let removed = match is_dir {
        true => std::fs::remove_dir_all(path),
        false => std::fs::remove_file(path),
    };
    removed.map_err(|e| Error::write(path, e))
}

/// Replaces `folder` with exactly `files` (name → bytes), under `lock`: all of them or none.
pub fn replace(folder: &Path, files: &[(&str, &[u8])], _lock: &Lock) -> Result<()> {
    if folder.symlink_metadata().is_ok_and(|m| !m.is_dir()) {
        let taken = std::io::Error::from(std::io::ErrorKind::AlreadyExists);
        return Err(Error::write(folder, taken));
    }
    // The caller decided under the lock that the folder is not archived; this holds it to that.
    if crate::archive::is_archived(folder) {
        let archived = "an archived version folder, which no build replaces";
        return Err(Error::wrong_kind(
            folder,
            "a version folder that is not archived",
            archived,
        ));
    }
    let theirs = not_ours(folder);
    if !theirs.is_empty() {
        let found = format!(
            "holding what no build of it wrote: {}; move it out of the version folder (a \
             reviewed Word copy can go back into its source with `pbf-report import`), then build \
             again",
            theirs.join(", ")
        );
        return Err(Error::wrong_kind(
            folder,
            "a version folder that holds only what its builds wrote",
            found,
        ));
    }
    let staging = staging_of(folder);
    std::fs::create_dir_all(&staging).map_err(|e| Error::write(&staging, e))?;
    let written = files
        .iter()
        .try_for_each(|(name, bytes)| fsio::write_atomic(&staging.join(name), bytes));
    if let Err(e) = written {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(e);
    }
    sync_dir(&staging);
    let aside = aside_of(folder);
    let had_old = folder.exists();
    if had_old {
        std::fs::rename(folder, &aside).map_err(|e| Error::write(folder, e))?;
    }
    if let Err(e) = std::fs::rename(&staging, folder) {
        if had_old {
            let _ = std::fs::rename(&aside, folder);
        }
        return Err(Error::write(folder, e));
    }
    sync_dir(folder.parent().unwrap_or(Path::new(".")));
    if had_old {
        remove(&aside)?;
    }
    Ok(())
}

/// What stands in `folder` that no build wrote: files its manifest does not list (a reviewed
/// copy saved beside the PDF), and listed ones changed since (a Word copy edited in place). A
/// build that replaced the folder would lose them.
fn not_ours(folder: &Path) -> Vec<String> {
    use crate::manifest::{MANIFEST, Manifest};
    if !folder.is_dir() {
        return Vec::new();
    }
    let manifest = Manifest::read(folder).ok();
    let listed = manifest
        .iter()
        .flat_map(|m| m.outputs.iter().chain([&m.source]));
    let listed: Vec<&crate::manifest::FileEntry> = listed.collect();
    let mut theirs = Vec::new();
    for name in crate::archive::file_names(folder) {
        let path = folder.join(&name);
        let shown = crate::terminal::path(Path::new(&name));
        let is_file = path.symlink_metadata().is_ok_and(|m| m.is_file());
        match listed.iter().find(|e| e.name == name) {
            _ if name == MANIFEST && is_file => {}
            Some(entry) if is_file => {
                let now = fsio::read_file(&path).map(|b| crate::hash::sha256(&b));
                if now.ok().as_deref() != Some(entry.sha256.as_str()) {
                    theirs.push(format!("{shown} (changed since it was built)"));
                }
            }
            _ => theirs.push(shown),
        }
    }
    theirs
}

/// Makes a folder's entries durable (best effort: not every file system allows it).
fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}
