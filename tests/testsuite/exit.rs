//! The README's exit-status table, command by command: a missing path, a wrong kind of file and
//! a good input. Every refusal is one sentence that names the path, with no system error number.

use std::path::Path;

use crate::common::{EXAMPLE, Run, built_example, root};

/// Where the copy of the example's version folder stands, named as its version.
const VERSION: &str = "pbf-irf-217/2019-11-12-final";

/// Runs `pbf-report ARGS` and checks its status; a failure must name `names` and never show a
/// raw system error.
fn expect(args: &[&str], status: i32, names: &str) -> String {
    // `run` itself fails on an internal error.
    let mut run = Run::new(args).status(status).stderr_lacks("os error");
    if status != 0 {
        run = run.stderr_has(names);
    }
    run.run().stderr
}

/// A folder with a text file, a text file named `.pdf`, a PDF not made by pbf-report, a folder
/// with no manifest, and a copy of the example's version folder.
struct Files {
    dir: tempfile::TempDir,
}

impl Files {
    fn new() -> Files {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        std::fs::write(p.join("notes.txt"), "some notes\n").unwrap();
        std::fs::write(p.join("notes.pdf"), "some notes, not a PDF\n").unwrap();
        crate::common::tool("qpdf", &["--empty", p.join("empty.pdf").to_str().unwrap()]);
        std::fs::create_dir(p.join("no-manifest")).unwrap();
        std::fs::create_dir_all(p.join(VERSION)).unwrap();
        for (name, bytes) in crate::common::files(built_example()) {
            std::fs::write(p.join(VERSION).join(name), bytes).unwrap();
        }
        Files { dir }
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).to_str().unwrap().to_string()
    }
}

#[test]
fn check_and_build() {
    let f = Files::new();
    let out = f.path("out");
    expect(
        &["check", "no-such.yaml"],
        1,
        "no-such.yaml: no such file or folder",
    );
    expect(&["check", &f.path("notes.pdf")], 1, "notes.pdf");
    expect(&["check", EXAMPLE], 0, "");
    expect(&["build", "--out", &out, "no-such.yaml"], 1, "no-such.yaml");
    expect(
        &["build", "--out", &out, &f.path("notes.pdf")],
        1,
        "notes.pdf",
    );
    expect(&["build", "--out", &out, EXAMPLE], 0, "");
}

#[test]
fn verify_and_archive() {
    let f = Files::new();
    for command in ["verify", "archive"] {
        expect(
            &[command, "out/no-such/version"],
            1,
            "out/no-such/version: no such file or folder",
        );
        expect(&[command, &f.path("notes.txt")], 1, "not a folder");
        expect(
            &[command, &f.path("no-manifest")],
            1,
            "a folder without manifest.json",
        );
    }
    expect(
        &["verify", &f.path("notes.pdf")],
        1,
        "notes.pdf is not a PDF",
    );
    expect(
        &["verify", &f.path("empty.pdf")],
        1,
        "empty.pdf is a PDF that carries no attached files",
    );
    expect(&["verify", &f.path(VERSION)], 0, "");
    expect(&["archive", &f.path(VERSION)], 0, "");
}

#[test]
fn extract() {
    let f = Files::new();
    let out = f.path("extracted");
    expect(
        &["extract", "no-such.pdf"],
        1,
        "no-such.pdf: no such file or folder",
    );
    expect(
        &["extract", &f.path("notes.txt")],
        1,
        "notes.txt is not a PDF",
    );
    expect(&["extract", &f.path("empty.pdf")], 1, "empty.pdf");
    expect(&["extract", &f.path(VERSION)], 1, "is a folder, not a file");
    let pdf = f.path(&format!("{VERSION}/pbf-irf-217-2019-11-12-final.fr.pdf"));
    expect(&["extract", &pdf, "--out", &out], 0, "");
    assert!(Path::new(&out).join("2019-11-12-final.yaml").is_file());
}

#[test]
fn catalogs() {
    let f = Files::new();
    for command in ["check", "status"] {
        expect(
            &["i18n", command, "--dir", "no-such-dir"],
            1,
            "no-such-dir: no such file or folder",
        );
        expect(
            &["i18n", command, "--dir", &f.path("notes.txt")],
            1,
            "notes.txt is a file",
        );
        expect(
            &["i18n", command, "--dir", &f.path("no-manifest")],
            1,
            "a folder without catalogs",
        );
        let good = root().join("templates/i18n");
        expect(&["i18n", command, "--dir", good.to_str().unwrap()], 0, "");
    }
}

#[test]
fn new_and_schema() {
    let f = Files::new();
    let taken = f.path("notes.txt");
    expect(
        &[
            "new",
            "pbf-irf-300",
            "--version",
            "v1",
            "--lang",
            "en",
            "-o",
            &taken,
        ],
        1,
        "notes.txt exists already",
    );
    expect(
        &["new", "PBF-IRF-300", "--version", "v1", "--lang", "en"],
        2,
        "cannot name a project",
    );
    expect(
        &["new", "pbf-irf-300", "--version", "v1", "--lang", "xx"],
        2,
        "the catalogs are en, fr",
    );
    let fresh = f.path("new/report.yaml");
    expect(
        &[
            "new",
            "pbf-irf-300",
            "--version",
            "v1",
            "--lang",
            "en",
            "-o",
            &fresh,
        ],
        0,
        "",
    );
    expect(&["schema", "extra"], 2, "extra");
    expect(&["schema"], 0, "");
}

#[cfg(unix)]
#[test]
fn a_fifo_is_refused_at_once() {
    let f = Files::new();
    let fifo = f.path("pipe.yaml");
    crate::common::tool("mkfifo", &[&fifo]);
    let stderr = expect(&["check", &fifo], 1, "is a FIFO (named pipe), not a file");
    assert!(stderr.contains("pipe.yaml"), "{stderr}");
    expect(&["build", "--out", &f.path("out"), &fifo], 1, "is a FIFO");
}

#[test]
fn archive_takes_only_a_version_folder() {
    let f = Files::new();
    let pdf = f.path(&format!("{VERSION}/pbf-irf-217-2019-11-12-final.fr.pdf"));
    let stderr = expect(&["archive", &pdf], 1, "is not a folder");
    assert!(
        !stderr.contains("ok "),
        "verified before refusing: {stderr}"
    );
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_loop_is_an_input_error() {
    let f = Files::new();
    std::os::unix::fs::symlink(f.path("loop.pdf"), f.path("loop.pdf")).unwrap();
    expect(&["verify", &f.path("loop.pdf")], 1, "loop.pdf");
    expect(&["extract", &f.path("loop.pdf")], 1, "loop.pdf");
}

#[test]
fn a_folder_without_sources_is_said_so() {
    let f = Files::new();
    let empty = f.path("no-manifest");
    expect(
        &["check", &empty],
        1,
        "is a folder with no report source (.yaml) in it",
    );
    expect(
        &["build", "--out", &f.path("out"), &empty],
        1,
        "no report source",
    );
}

#[test]
fn a_source_named_twice_builds_once() {
    let f = Files::new();
    let out = f.path("out");
    let stderr = expect(&["build", "--out", &out, EXAMPLE, EXAMPLE, "data"], 0, "");
    assert!(stderr.ends_with("built 1 of 1 source\n"), "{stderr}");
}

#[test]
fn a_full_standard_output_is_an_error_not_a_panic() {
    let full = std::fs::File::create("/dev/full").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_pbf-report"))
        .arg("schema")
        .stdout(full)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.starts_with("error: cannot write standard output: No space left on device;"),
        "{stderr}"
    );
}

/// A reader that stops reading (`| head`) before anything is written: every listing ends well,
/// and says nothing of it. The reading end is closed before the program writes, every time.
#[test]
fn a_reader_that_stops_reading_is_not_an_error() {
    for args in [
        &["check", "--counts", EXAMPLE][..],
        &["schema"],
        &["i18n", "status"],
    ] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_pbf-report"))
            .args(args)
            .current_dir(root())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(!stderr.contains("error:"), "{args:?}: {stderr}");
    }
    // Nor is one that stops reading the messages (`2>&1 | head -3`).
    let bad = tempfile::tempdir().unwrap();
    let source = bad.path().join(EXAMPLE);
    std::fs::create_dir_all(source.parent().unwrap()).unwrap();
    let text = std::fs::read_to_string(root().join(EXAMPLE)).unwrap();
    std::fs::write(
        &source,
        text.replacen("duration_months: 18", "duration_months: dix-huit", 1),
    )
    .unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_pbf-report"))
        .arg("check")
        .current_dir(bad.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stderr.take());
    assert_eq!(
        child.wait().unwrap().code(),
        Some(1),
        "the source's own status"
    );
    // A full output is still an error, with the reason.
    let full = std::fs::File::create("/dev/full").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_pbf-report"))
        .args(["check", "--counts", EXAMPLE])
        .current_dir(root())
        .stdout(full)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("cannot write standard output"), "{stderr}");
}

#[test]
fn a_file_where_the_output_folder_should_be_is_explained() {
    let f = Files::new();
    let pdf = f.path(&format!("{VERSION}/pbf-irf-217-2019-11-12-final.fr.pdf"));
    let out = f.path("notes.txt");
    let stderr = expect(&["extract", &pdf, "--out", &out], 3, "notes.txt");
    assert!(
        stderr.contains("a file stands where a folder is needed"),
        "{stderr}"
    );
}

#[test]
fn a_full_standard_error_is_an_internal_error_not_an_abort() {
    for args in [
        &["check", EXAMPLE][..],
        &["check", "no-such.yaml"],
        &["i18n", "check"],
    ] {
        let full = std::fs::File::create("/dev/full").unwrap();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_pbf-report"))
            .args(args)
            .current_dir(root())
            .stderr(full)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(3), "{args:?}");
    }
}

#[test]
fn a_huge_source_is_refused_without_being_read() {
    let f = Files::new();
    let huge = f.path("huge.yaml");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(1 << 30)
        .unwrap();
    let stderr = expect(&["check", &huge], 1, "larger than 1024 KiB");
    assert!(stderr.contains("huge.yaml"), "{stderr}");
}
