//! A small builder for running the real `pbf-report` binary in tests.

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

    pub fn env(mut self, key: &str, value: &str) -> Run {
        self.command.env(key, value);
        self
    }

    pub fn env_remove(mut self, key: &str) -> Run {
        self.command.env_remove(key);
        self
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

/// Runs a tool of the machine and returns its standard output; fails the test if it is missing.
pub fn tool(program: &str, args: &[&str]) -> String {
    let out = Command::new(program).args(args).output().unwrap_or_else(|_| {
        let package = match program {
            "pdftotext" | "pdfinfo" | "pdffonts" | "pdftoppm" => "poppler-utils",
            "soffice" => "libreoffice-calc-nogui and libreoffice-writer-nogui",
            other => other,
        };
        panic!("{program} is missing: install the Debian package {package} (scripts/test does it as root)")
    });
    assert!(
        out.status.success(),
        "{program} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The text of a PDF as `pdftotext` reads it, in the order it was written (`-raw`), so that the
/// two columns of a table do not interleave.
pub fn pdf_text(path: &Path) -> String {
    tool(
        "pdftotext",
        &["-raw", "-enc", "UTF-8", path.to_str().unwrap(), "-"],
    )
}

/// The text of a PDF without its page footers, so that a text running over a page break reads
/// on without them.
pub fn pdf_body(path: &Path) -> String {
    let is_footer = |line: &str| {
        let words: Vec<&str> = line.split_whitespace().collect();
        words.len() >= 4
            && words[0] == "PBF"
            && matches!(words[words.len() - 2], "of" | "sur")
            && words[words.len() - 4] == "Page"
    };
    pdf_text(path)
        .lines()
        .filter(|l| !is_footer(l))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The footer of every page of a PDF, as `pdftotext -layout` reads it: each page's last line,
/// its runs of spaces made one.
pub fn footers(path: &Path) -> Vec<String> {
    let text = tool(
        "pdftotext",
        &["-layout", "-enc", "UTF-8", path.to_str().unwrap(), "-"],
    );
    let pages = text.split('\u{c}').filter(|page| !page.trim().is_empty());
    pages
        .map(|page| {
            let last = page.lines().rev().find(|l| !l.trim().is_empty()).unwrap();
            last.split_whitespace().collect::<Vec<_>>().join(" ")
        })
        .collect()
}

/// Text for containment tests: compatibility-normalised, without any whitespace (line breaks
/// and typographic spaces differ between a source and a PDF), invisible characters, or list
/// bullets the PDF draws; all double quotes alike.
pub fn squash(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let invisible = pbf_report::check::limits::is_invisible;
    text.nfkc()
        .filter(|c| !c.is_whitespace() && *c != '•' && !invisible(*c))
        .map(|c| {
            if matches!(c, '«' | '»' | '“' | '”') {
                '"'
            } else {
                c
            }
        })
        .collect()
}

/// The files of a folder with their bytes, sorted by name.
pub fn files(folder: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(folder)
        .unwrap()
        .flatten()
        .map(|e| {
            (
                e.file_name().into_string().unwrap(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

pub const EXAMPLE: &str = "data/pbf-irf-217/2019-11-12-final.yaml";

/// The shipped example, built once per test binary: its version folder.
pub fn built_example() -> &'static Path {
    static OUT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    OUT.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap().keep();
        let out = Run::new(&["build", "--out", dir.to_str().unwrap(), EXAMPLE]).output();
        assert_eq!(out.status, 0, "{}", out.stderr);
        dir.join("pbf-irf-217/2019-11-12-final")
    })
}

/// `pbf-report ARGS` from `dir`, stopped after a minute: a run that would wait on a FIFO or read
/// a device without end fails the test instead of hanging it.
pub fn run_bounded(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let out = std::process::Command::new("timeout")
        .arg("60")
        .arg(env!("CARGO_BIN_EXE_pbf-report"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_ne!(out.status.code(), Some(124), "timed out: {stderr}");
    (out.status.code(), stderr)
}
