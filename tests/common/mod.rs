//! A small builder for running the real `pbf-report` binary in tests.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// One run of the binary: arguments, working folder, and what came out.
pub struct Run {
    command: Command,
}

pub struct Output {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// `pbf-report ARGS…`, run from the repository root.
    pub fn new(args: &[&str]) -> Run {
        let mut command = Command::new(env!("CARGO_BIN_EXE_pbf-report"));
        command
            .args(args)
            .current_dir(root())
            .env_remove("RUST_BACKTRACE");
        Run { command }
    }

    pub fn cwd(mut self, dir: &Path) -> Run {
        self.command.current_dir(dir);
        self
    }

    pub fn output(mut self) -> Output {
        let out = self.command.output().expect("the binary runs");
        Output {
            status: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

/// Compares `actual` with the golden file at `path`; with `PBF_BLESS=1` rewrites the file instead.
pub fn assert_golden(path: &Path, actual: &str) {
    if std::env::var_os("PBF_BLESS").is_some() {
        std::fs::write(path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(path).unwrap_or_else(|_| {
        panic!(
            "{} is missing; run with PBF_BLESS=1 to create it",
            path.display()
        )
    });
    assert_eq!(actual, expected, "output differs from {}", path.display());
}
