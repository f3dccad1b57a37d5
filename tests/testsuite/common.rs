//! A small builder for running the real `pbf-report` binary in tests.

use std::path::{Path, PathBuf};
use std::process::Command;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// One run of the binary, declared: the arguments, the files it finds, and what it must do.
/// `run` checks every expectation and, on a mismatch, prints the whole run.
pub struct Run {
    command: Command,
    args: Vec<String>,
    /// A temporary working folder holding the files given with `file`, once one is.
    dir: Option<tempfile::TempDir>,
    status: Option<i32>,
    stdout: Vec<Expect>,
    stderr: Vec<Expect>,
}

enum Expect {
    Is(String),
    Has(String),
    Lacks(String),
}

impl Expect {
    fn holds(&self, text: &str) -> bool {
        match self {
            Expect::Is(expected) => text == expected,
            Expect::Has(part) => text.contains(part.as_str()),
            Expect::Lacks(part) => !text.contains(part.as_str()),
        }
    }

    fn describe(&self, stream: &str) -> String {
        match self {
            Expect::Is(expected) => format!("{stream} to be exactly:\n{expected}"),
            Expect::Has(part) => format!("{stream} to hold: {part:?}"),
            Expect::Lacks(part) => format!("{stream} not to hold: {part:?}"),
        }
    }
}

pub struct Output {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
    /// The working folder of a run given files, removed with the output.
    _dir: Option<tempfile::TempDir>,
}

impl Run {
    /// `pbf-report ARGS…`, run from the repository root (or, once given files, from a
    /// temporary folder holding them).
    pub fn new(args: &[&str]) -> Run {
        let mut command = Command::new(env!("CARGO_BIN_EXE_pbf-report"));
        command
            .args(args)
            .current_dir(root())
            .env_remove("RUST_BACKTRACE")
            .env_remove("PBF_REPORT_LANG");
        Run {
            command,
            args: args.iter().map(|a| a.to_string()).collect(),
            dir: None,
            status: None,
            stdout: Vec::new(),
            stderr: Vec::new(),
        }
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

    /// Writes `contents` at `path` in the run's own temporary folder, which becomes its
    /// working folder.
    pub fn file(mut self, path: &str, contents: impl AsRef<[u8]>) -> Run {
        let dir = self.dir.get_or_insert_with(|| tempfile::tempdir().unwrap());
        let at = dir.path().join(path);
        std::fs::create_dir_all(at.parent().unwrap()).unwrap();
        std::fs::write(&at, contents).unwrap();
        let folder = dir.path().to_path_buf();
        self.command.current_dir(folder);
        self
    }

    /// The exit status the run must end with.
    pub fn status(mut self, status: i32) -> Run {
        self.status = Some(status);
        self
    }

    pub fn stdout_is(mut self, text: &str) -> Run {
        self.stdout.push(Expect::Is(text.to_string()));
        self
    }

    pub fn stdout_has(mut self, part: &str) -> Run {
        self.stdout.push(Expect::Has(part.to_string()));
        self
    }

    pub fn stdout_lacks(mut self, part: &str) -> Run {
        self.stdout.push(Expect::Lacks(part.to_string()));
        self
    }

    pub fn stderr_is(mut self, text: &str) -> Run {
        self.stderr.push(Expect::Is(text.to_string()));
        self
    }

    pub fn stderr_has(mut self, part: &str) -> Run {
        self.stderr.push(Expect::Has(part.to_string()));
        self
    }

    pub fn stderr_lacks(mut self, part: &str) -> Run {
        self.stderr.push(Expect::Lacks(part.to_string()));
        self
    }

    /// Runs the binary and checks every expectation; a mismatch fails the test with the
    /// command, its status and both streams whole.
    #[track_caller]
    pub fn run(mut self) -> Output {
        let status = self.status.take();
        let stdout = std::mem::take(&mut self.stdout);
        let stderr = std::mem::take(&mut self.stderr);
        let args = self.args.join(" ");
        let out = self.output();
        let mut wrong: Vec<String> = Vec::new();
        if let Some(expected) = status.filter(|s| *s != out.status) {
            wrong.push(format!(
                "expected exit status {expected}, got {}",
                out.status
            ));
        }
        for (stream, expects, text) in [
            ("stdout", &stdout, &out.stdout),
            ("stderr", &stderr, &out.stderr),
        ] {
            for expect in expects.iter().filter(|e| !e.holds(text)) {
                wrong.push(format!("expected {}", expect.describe(stream)));
            }
        }
        if out.stderr.contains("panicked") || out.stderr.contains("internal error") {
            wrong.push("the program panicked".to_string());
        }
        assert!(
            wrong.is_empty(),
            "pbf-report {args}\n{}\n--- exit status {}\n--- stdout:\n{}--- stderr:\n{}---",
            wrong.join("\n"),
            out.status,
            out.stdout,
            out.stderr
        );
        out
    }

    /// Runs the binary and returns what came out, checking nothing.
    pub fn output(mut self) -> Output {
        let out = self.command.output().expect("the binary runs");
        Output {
            status: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            _dir: self.dir.take(),
        }
    }
}

/// A test source made of a base and a patch (`tests/*/NAME.diff`): a unified diff, as `diff -u`
/// writes it, against the base its `---` line names. Hunks are found by their context (the
/// numbers of their `@@` lines only choose between equal places), so a change to the base moves
/// every case with it. The lines before `---` describe the case; `line-ends: crlf` or `cr`
/// among them gives the source those line ends, `encoding: utf-16le` that encoding.
pub fn patched(diff_path: &Path) -> Vec<u8> {
    let diff = std::fs::read(diff_path).unwrap();
    let lines: Vec<&[u8]> = diff.split_inclusive(|b| *b == b'\n').collect();
    let text = |l: &[u8]| String::from_utf8_lossy(l).trim_end().to_string();
    let header = lines
        .iter()
        .position(|l| l.starts_with(b"--- "))
        .unwrap_or_else(|| panic!("{}: no `---` line naming the base", diff_path.display()));
    let base_name = text(&lines[header][4..]);
    let base_name = base_name.split('\t').next().unwrap();
    let base = std::fs::read(root().join(base_name))
        .unwrap_or_else(|e| panic!("{}: base {base_name}: {e}", diff_path.display()));
    let mut source: Vec<&[u8]> = base.split_inclusive(|b| *b == b'\n').collect();
    let mut rest = &lines[header + 2..];
    let mut from = 0;
    while let Some(hunk_at) = rest.first() {
        assert!(
            hunk_at.starts_with(b"@@"),
            "{}: a hunk must start with @@",
            diff_path.display()
        );
        let hint: usize = text(hunk_at)
            .split(['-', ','])
            .nth(1)
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or(1);
        let end = rest[1..]
            .iter()
            .position(|l| l.starts_with(b"@@"))
            .map_or(rest.len(), |n| n + 1);
        let (mut old, mut new) = (Vec::new(), Vec::new());
        for line in &rest[1..end] {
            match line.first() {
                Some(b' ') => {
                    old.push(&line[1..]);
                    new.push(&line[1..]);
                }
                Some(b'-') => old.push(&line[1..]),
                Some(b'+') => new.push(&line[1..]),
                // "\ No newline at end of file": the line before it ends without one.
                Some(b'\\') => {}
                _ => panic!("{}: not a diff line: {:?}", diff_path.display(), text(line)),
            }
        }
        let places: Vec<usize> = (from..=source.len().saturating_sub(old.len()))
            .filter(|&i| source[i..].starts_with(&old))
            .collect();
        let at = *places
            .iter()
            .min_by_key(|&&i| (i + 1).abs_diff(hint))
            .unwrap_or_else(|| {
                panic!(
                    "{}: hunk {:?} does not apply to {base_name}",
                    diff_path.display(),
                    text(hunk_at)
                )
            });
        source.splice(at..at + old.len(), new.iter().copied());
        from = at + new.len();
        rest = &rest[end..];
    }
    let mut bytes = source.concat();
    // A last line the diff marks as having no newline.
    if diff.ends_with(b"\\ No newline at end of file\n") && bytes.ends_with(b"\n") {
        bytes.pop();
    }
    let description = String::from_utf8_lossy(&diff[..lines[..header].concat().len()]).into_owned();
    match description
        .lines()
        .find_map(|l| l.strip_prefix("line-ends: "))
    {
        Some("crlf") => bytes = line_ends(&bytes, b"\r\n"),
        Some("cr") => bytes = line_ends(&bytes, b"\r"),
        Some(other) => panic!("{}: unknown line ends {other}", diff_path.display()),
        None => {}
    }
    if description.lines().any(|l| l == "encoding: utf-16le") {
        let text = String::from_utf8(bytes).expect("a UTF-8 source to encode");
        bytes = [0xff, 0xfe]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
    }
    bytes
}

fn line_ends(bytes: &[u8], end: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() * 2);
    for &b in bytes {
        match b {
            b'\n' => out.extend_from_slice(end),
            b => out.push(b),
        }
    }
    out
}

/// The test sources of a corpus folder (`tests/bad`, …), each as its name (without `.yaml` or
/// `.diff`) and its bytes: whole sources as they are, patches applied to their base.
pub fn corpus(folder: &str) -> Vec<(String, Vec<u8>)> {
    let mut cases: Vec<(String, Vec<u8>)> = std::fs::read_dir(root().join(folder))
        .unwrap()
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().into_string().unwrap();
            if let Some(stem) = name.strip_suffix(".yaml") {
                Some((stem.to_string(), std::fs::read(e.path()).unwrap()))
            } else {
                let stem = name.strip_suffix(".diff")?;
                Some((stem.to_string(), patched(&e.path())))
            }
        })
        .collect();
    cases.sort();
    cases
}

/// The three corpora (`tests/good`, `tests/bad`, `tests/hostile`) written out whole, once per
/// test binary, under the same relative paths: run from this folder, a source is named in
/// messages as the golden files name it.
pub fn corpora() -> &'static Path {
    static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap().keep();
        for folder in ["tests/good", "tests/bad", "tests/hostile"] {
            std::fs::create_dir_all(dir.join(folder)).unwrap();
            for (name, bytes) in corpus(folder) {
                std::fs::write(dir.join(folder).join(format!("{name}.yaml")), bytes).unwrap();
            }
        }
        dir
    })
}

/// The names of a corpus's sources, sorted.
pub fn corpus_names(folder: &str) -> Vec<String> {
    corpus(folder).into_iter().map(|(name, _)| name).collect()
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

/// LibreOffice headless with `args`, in a profile of its own made for this one call: runs never
/// share one, so none waits on another's lock or reads another's settings. `recalc` says whether
/// a workbook's formulas are recalculated on load (`Some(true)`), never (`Some(false)`), or as
/// LibreOffice does by default.
pub fn soffice(args: &[&str], recalc: Option<bool>) -> String {
    let profile = tempfile::tempdir().unwrap();
    if let Some(recalc) = recalc {
        let mode = if recalc { 0 } else { 1 };
        let xcu = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>{mode}</value></prop></item>
</oor:items>"#
        );
        std::fs::create_dir_all(profile.path().join("user")).unwrap();
        std::fs::write(profile.path().join("user/registrymodifications.xcu"), xcu).unwrap();
    }
    let url = format!("-env:UserInstallation=file://{}", profile.path().display());
    let mut all = vec![url.as_str(), "--headless", "--norestore"];
    all.extend(args);
    tool("soffice", &all)
}

/// The text of a PDF as `pdftotext` reads it, in the order it was written (`-raw`), so that the
/// two columns of a table do not interleave.
/// The names of the files a PDF carries, as qpdf lists them.
pub fn attached_names(path: &Path) -> Vec<String> {
    let listed = tool("qpdf", &["--list-attachments", path.to_str().unwrap()]);
    listed
        .lines()
        .filter_map(|l| l.split_once(" -> ").map(|(name, _)| name.to_string()))
        .collect()
}

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

/// The answers of a valid source as the checker reads them: texts once or per language.
pub fn answers_of(path: &Path, text: &[u8]) -> serde_json::Value {
    pbf_report::check::check_bytes(path, text)
        .report
        .expect("a valid source")
        .tree
}

/// The text at a dotted `path` of `answers` in `lang`, when there is one.
pub fn text_at(answers: &serde_json::Value, path: &str, lang: &str) -> Option<String> {
    let node = path
        .split('.')
        .try_fold(answers, |node, key| node.get(key))?;
    match node {
        serde_json::Value::String(text) => Some(text.clone()),
        serde_json::Value::Object(texts) => texts.get(lang)?.as_str().map(String::from),
        other => Some(other.to_string()),
    }
}

/// Writes into `dir`'s templates a copy of the built-in layout that loops before it draws;
/// its path, and the built-in layout's text to mend it with.
pub fn looping_layout(dir: &Path) -> (PathBuf, Vec<u8>) {
    let layout = dir.join("templates/pbf-2019/report.typ");
    std::fs::create_dir_all(layout.parent().unwrap()).unwrap();
    let builtin = pbf_report::templates::Templates::builtin();
    let text = builtin.file("pbf-2019/report.typ").unwrap().to_vec();
    let looping = [
        b"#for i in range(100000) { for j in range(100000) { } }\n",
        &text[..],
    ];
    std::fs::write(&layout, looping.concat()).unwrap();
    (layout, text)
}
