//! The tool's own errors: everything that is not a positioned diagnostic about a report source
//! (those are `diagnostic::Diagnostic`). Each variant knows its exit status, and prints one
//! sentence that names the path and says what to do. The exit-status table of docs/reference.md
//! is the contract these statuses keep.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Exit status, as documented in docs/reference.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    Success = 0,
    /// A source, or another input the command was given, is missing or invalid.
    Invalid = 1,
    /// The command line cannot be used as given.
    Usage = 2,
    /// The tool itself failed: a template, a bug, or the machine (disk full, unwritable folder).
    Internal = 3,
}

impl Status {
    /// The worse of two statuses, so that one failure among many sources decides the exit.
    pub fn worst(self, other: Status) -> Status {
        self.max(other)
    }
}

impl From<Status> for ExitCode {
    fn from(status: Status) -> ExitCode {
        ExitCode::from(status as u8)
    }
}

#[derive(Debug, Clone)]
pub enum Error {
    /// An input named on the command line (or by a manifest) does not exist.
    Missing { path: PathBuf },
    /// An input exists but is a folder, FIFO, device or socket where a file is expected.
    NotAFile { path: PathBuf, found: &'static str },
    /// An input that cannot be read for another reason.
    Read {
        path: PathBuf,
        source: std::sync::Arc<io::Error>,
    },
    /// An input that is a file, but not the kind the command works on.
    WrongKind {
        path: PathBuf,
        /// What the command takes, e.g. "a PDF built by pbf-report".
        expected: &'static str,
        /// What the file is instead, in a few words.
        found: String,
    },
    /// An output that cannot be written.
    Write {
        path: PathBuf,
        source: std::sync::Arc<io::Error>,
    },
    /// A template, catalog or the workbook writer failed: the tool's fault, not the source's.
    Template { message: String },
    /// Arguments that cannot be used as given.
    Usage { message: String },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn status(&self) -> Status {
        match self {
            Error::Missing { .. } | Error::NotAFile { .. } | Error::WrongKind { .. } => {
                Status::Invalid
            }
            // An input that cannot be read (no permission, a symlink loop, a path through a
            // file) is the input's problem, like a missing one.
            Error::Read { .. } => Status::Invalid,
            Error::Write { .. } | Error::Template { .. } => Status::Internal,
            Error::Usage { .. } => Status::Usage,
        }
    }

    /// Why a file could not be read or written, without its path: the system's words, or what
    /// stood in its place.
    pub fn reason(&self) -> String {
        match self {
            Error::Read { source, .. } | Error::Write { source, .. } => io_reason(source),
            Error::Missing { .. } => "no such file".into(),
            Error::NotAFile { found, .. } => format!("it is {found}"),
            other => other.to_string(),
        }
    }

    /// The error of reading `path`: a missing file is told apart from one that cannot be read.
    pub fn read(path: &Path, source: io::Error) -> Error {
        match source.kind() {
            io::ErrorKind::NotFound => Error::Missing { path: path.into() },
            io::ErrorKind::IsADirectory => Error::NotAFile {
                path: path.into(),
                found: "a folder",
            },
            _ => Error::Read {
                path: path.into(),
                source: source.into(),
            },
        }
    }

    pub fn write(path: &Path, source: io::Error) -> Error {
        Error::Write {
            path: path.into(),
            source: source.into(),
        }
    }

    pub fn wrong_kind(path: &Path, expected: &'static str, found: impl Into<String>) -> Error {
        Error::WrongKind {
            path: path.into(),
            expected,
            found: found.into(),
        }
    }

    pub fn usage(message: impl Into<String>) -> Error {
        Error::Usage {
            message: message.into(),
        }
    }

    pub fn template(message: impl Into<String>) -> Error {
        Error::Template {
            message: message.into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Missing { path } => write!(
                f,
                "{}: no such file or folder; check the path",
                crate::terminal::path(path)
            ),
            Error::NotAFile { path, found } => write!(
                f,
                "{} is {found}, not a file; name a file",
                crate::terminal::path(path)
            ),
            Error::Read { path, source } => write!(
                f,
                "cannot read {}: {}",
                crate::terminal::path(path),
                io_reason(source)
            ),
            Error::WrongKind {
                path,
                expected,
                found,
            } => write!(
                f,
                "{} is {found}; this command takes {expected}",
                crate::terminal::path(path)
            ),
            Error::Write { path, source } => write!(
                f,
                "cannot write {}: {}; {}",
                crate::terminal::path(path),
                io_reason(source),
                write_advice(source)
            ),
            Error::Template { message } => write!(f, "{message}"),
            Error::Usage { message } => write!(f, "{message}"),
        }
    }
}

impl std::error::Error for Error {}

/// What to do about a write that failed, from what the system said.
fn write_advice(e: &io::Error) -> &'static str {
    match e.kind() {
        io::ErrorKind::NotADirectory | io::ErrorKind::AlreadyExists => {
            "a file stands where a folder is needed: move it or choose another output folder"
        }
        io::ErrorKind::StorageFull => "free some space on that disk and run the command again",
        io::ErrorKind::ReadOnlyFilesystem => "that disk is read-only: choose another output folder",
        io::ErrorKind::PermissionDenied => {
            "check the folder's permissions, or choose another output folder"
        }
        _ => "check that its folder is writable and the disk has room",
    }
}

/// What went wrong with a file, in the system's words without its error number
/// ("No space left on device", not "No space left on device (os error 28)").
pub fn io_reason(e: &io::Error) -> String {
    let text = e.to_string();
    match text.find(" (os error ") {
        Some(cut) => text[..cut].to_string(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_error_number_reaches_a_person() {
        let e = Error::read(Path::new("x.yaml"), io::Error::from_raw_os_error(13));
        assert_eq!(e.to_string(), "cannot read x.yaml: Permission denied");
        assert_eq!(e.status(), Status::Invalid);
        let e = Error::read(Path::new("x.yaml"), io::Error::from_raw_os_error(2));
        assert_eq!(
            e.to_string(),
            "x.yaml: no such file or folder; check the path"
        );
        let e = Error::write(Path::new("out/x"), io::Error::from_raw_os_error(28));
        assert!(
            e.to_string()
                .starts_with("cannot write out/x: No space left on device;")
        );
        assert_eq!(e.status(), Status::Internal);
    }

    #[test]
    fn the_worst_status_wins() {
        assert_eq!(Status::Success.worst(Status::Invalid), Status::Invalid);
        assert_eq!(Status::Internal.worst(Status::Invalid), Status::Internal);
    }
}
