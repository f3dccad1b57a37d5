//! Files on disk: reading an input that must be a regular file, and writing an output so that a
//! reader never sees half of it (a temporary file beside it, synced, then renamed over it).

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Most bytes read of any input: above the largest PDF pbf-report reads (64 MiB).
const MAX_READ: u64 = 64 << 20;

/// The bytes of the regular file at `path`, at most 64 MiB of them. A folder, FIFO, device or
/// socket is refused before it is opened, so that reading never blocks on a pipe.
pub fn read_file(path: &Path) -> Result<Vec<u8>> {
    read_within(path, MAX_READ)
}

/// The first `max` bytes and one more of the regular file at `path`: a caller that finds more
/// than `max` knows the file is too large without its whole being read into memory.
pub fn read_within(path: &Path, max: u64) -> Result<Vec<u8>> {
    use std::io::Read;
    let meta = std::fs::metadata(path).map_err(|e| Error::read(path, e))?;
    if !meta.is_file() {
        return Err(Error::NotAFile {
            path: path.into(),
            found: kind_of(&meta),
        });
    }
    let file = std::fs::File::open(path).map_err(|e| Error::read(path, e))?;
    let mut bytes = Vec::with_capacity(meta.len().min(max + 1) as usize);
    file.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::read(path, e))?;
    Ok(bytes)
}

/// The bytes of the file at `path` in a version folder, which holds only files its build wrote:
/// a link there is refused as not a file, never followed out of the folder.
pub fn read_own(path: &Path) -> Result<Vec<u8>> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => Err(Error::NotAFile {
            path: path.into(),
            found: "a link",
        }),
        _ => read_file(path),
    }
}

/// The bytes of the report source at `path`, read through its size limit.
pub fn read_source(path: &Path) -> Result<Vec<u8>> {
    read_within(path, crate::source::MAX_SOURCE_BYTES as u64)
}

/// What a path that is not a regular file is, in a few words.
fn kind_of(meta: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_block_device() || t.is_char_device() {
            return "a device";
        }
    }
    if meta.is_dir() {
        "a folder"
    } else {
        "not a regular file"
    }
}

/// Writes `bytes` to `path` atomically, creating the parent folders: a temporary file beside
/// it, synced, then renamed over it.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_with(path, bytes, |tmp, path| std::fs::rename(tmp, path))
}

/// Writes `bytes` to `path`, which must not exist (not even as a dangling link), as
/// `write_atomic` does; the file is put in place by a hard link, which fails if anything has
/// taken the name meanwhile, so a file created by someone else during the write is never
/// replaced. The error is then `AlreadyExists`.
pub fn write_new(path: &Path, bytes: &[u8]) -> Result<()> {
    write_with(path, bytes, |tmp, path| {
        std::fs::hard_link(tmp, path)?;
        std::fs::remove_file(tmp)
    })
}

/// Refuses `path` when it is in an archived version folder, or in a folder inside one (made
/// or to be made): an archived version is never changed, whichever command is pointed at it.
pub fn not_archived(path: &Path) -> Result<()> {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let marked = absolute
        .ancestors()
        .skip(1)
        .any(|dir| taken(&dir.join(crate::archive::ARCHIVED)));
    match marked {
        true => Err(Error::Usage {
            message: format!(
                "{} is in an archived version folder, which nothing changes; write it elsewhere",
                crate::terminal::path(path)
            ),
        }),
        false => Ok(()),
    }
}

/// Whether anything stands at `path`, a link to nothing included.
pub fn taken(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok()
}

/// Removes from `dir` the temporary files of `name` (`.<name>.<pid>.tmp`) that a run of
/// pbf-report killed while writing it left behind: those whose process is gone. Another run's
/// file in progress stays, and so does any file of another name, whatever it looks like.
pub fn clear_leftovers(dir: &Path, name: &str) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let found = entry.file_name();
        if let Some(pid) = leftover_pid(&found.to_string_lossy(), name)
            && !alive(pid)
        {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// The process that writes `name` through the temporary file `found` (`.<name>.<pid>.tmp`).
fn leftover_pid(found: &str, name: &str) -> Option<u32> {
    let inner = found.strip_prefix('.')?.strip_suffix(".tmp")?;
    let pid = inner.strip_prefix(name)?.strip_prefix('.')?;
    pid.bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| pid.parse().ok())?
}

/// Whether the process `pid` still runs (or may: one of another user's counts as running).
fn alive(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    #[cfg(unix)]
    {
        let Ok(pid) = libc::pid_t::try_from(pid) else {
            return true;
        };
        // Signal 0 only asks whether the process exists.
        let found = unsafe { libc::kill(pid, 0) } == 0;
        found || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
    }
    #[cfg(not(unix))]
    true
}

/// Writes `bytes` over the file at `path` as `write_atomic` does, the new file taking the
/// permissions of the one it replaces.
pub fn rewrite(path: &Path, bytes: &[u8]) -> Result<()> {
    let permissions = std::fs::metadata(path)
        .map_err(|e| Error::read(path, e))?
        .permissions();
    write_with(path, bytes, |tmp, path| {
        std::fs::set_permissions(tmp, permissions)?;
        std::fs::rename(tmp, path)
    })
}

fn write_with(
    path: &Path,
    bytes: &[u8],
    place: impl FnOnce(&Path, &Path) -> std::io::Result<()>,
) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    if name != crate::archive::ARCHIVED {
        not_archived(path)?;
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::write(dir, e))?;
    clear_leftovers(dir, &name);
    let tmp: PathBuf = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        // Whatever stands at the temporary name (a stale file, a planted link) is removed, not
        // followed: the file is then created anew, and only if nobody made it meanwhile.
        let _ = std::fs::remove_file(&tmp);
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        place(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(|e| Error::write(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_file_never_replaces_one_nor_follows_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "precious").unwrap();
        // A link planted at the temporary name is not written through.
        let out = dir.path().join("out.yaml");
        let tmp = dir
            .path()
            .join(format!(".out.yaml.{}.tmp", std::process::id()));
        std::os::unix::fs::symlink(&victim, &tmp).unwrap();
        write_new(&out, b"new").unwrap();
        assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
        assert_eq!(std::fs::read(&out).unwrap(), b"new");
        // A file, or a link to nothing, at the name stays as it is.
        assert!(write_new(&out, b"again").is_err());
        assert_eq!(std::fs::read(&out).unwrap(), b"new");
        let dangling = dir.path().join("dangling");
        std::os::unix::fs::symlink(dir.path().join("nothing"), &dangling).unwrap();
        assert!(taken(&dangling));
        assert!(write_new(&dangling, b"x").is_err());
        assert!(!dir.path().join("nothing").exists());
    }

    #[test]
    fn a_killed_writers_leftovers_go_and_a_running_ones_stay() {
        let dir = tempfile::tempdir().unwrap();
        // No process has a number this high on Linux (at most 2^22).
        let dead = dir.path().join(".out.yaml.2147483000.tmp");
        let running = dir
            .path()
            .join(format!(".out.yaml.{}.tmp", std::process::id()));
        let other = dir.path().join(".notes.2147483000.tmp");
        let theirs = dir.path().join(".out.yaml.tmp");
        for path in [&dead, &running, &other, &theirs] {
            std::fs::write(path, "x").unwrap();
        }
        write_atomic(&dir.path().join("out.yaml"), b"new").unwrap();
        assert!(!dead.exists());
        assert!(other.exists() && theirs.exists());
        assert_eq!(leftover_pid(".a.b.c.12.tmp", "a.b.c"), Some(12));
        assert_eq!(leftover_pid(".a.b.c.12.tmp", "a.b"), None);
        assert_eq!(leftover_pid(".a.tmp", "a"), None);
        assert_eq!(leftover_pid(".a.12x.tmp", "a"), None);
    }

    #[test]
    fn a_folder_is_not_read_as_a_file() {
        let dir = std::env::temp_dir();
        let e = read_file(&dir).unwrap_err();
        assert!(
            matches!(
                e,
                Error::NotAFile {
                    found: "a folder",
                    ..
                }
            ),
            "{e}"
        );
    }
}
