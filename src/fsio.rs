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
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| Error::write(dir, e))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    let tmp: PathBuf = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
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
