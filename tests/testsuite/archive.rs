//! Building many sources, archiving versions and proving them later: the real binary on real
//! files in temporary folders.

use std::path::{Path, PathBuf};

use crate::common::{Run, files, root, run_bounded};

const EXAMPLE: &str = "data/pbf-irf-217/2019-11-12-final.yaml";
pub const FOLDER: &str = "out/pbf-irf-217/2019-11-12-final";

/// A work folder holding a copy of the example under data/.
pub fn workspace() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join(EXAMPLE);
    std::fs::create_dir_all(source.parent().unwrap()).unwrap();
    std::fs::copy(root().join(EXAMPLE), &source).unwrap();
    (dir, source)
}

/// A built and archived copy of the example.
pub fn archived() -> (tempfile::TempDir, PathBuf) {
    let (dir, source) = workspace();
    Run::new(&["build"]).cwd(dir.path()).status(0).run();
    Run::new(&["archive", FOLDER, "--by", "A. Archivist"])
        .cwd(dir.path())
        .status(0)
        .run();
    (dir, source)
}

#[test]
fn a_quiet_build_that_fails_says_why_and_how_many_built() {
    let (dir, source) = workspace();
    let text = std::fs::read_to_string(&source).unwrap();
    std::fs::write(
        &source,
        text.replacen("country: Mali", "country: Mali: Mopti", 1),
    )
    .unwrap();
    let out = Run::new(&["build", "--quiet"])
        .cwd(dir.path())
        .status(1)
        .run();
    assert!(out.stderr.starts_with("error: "), "{}", out.stderr);
    assert!(
        out.stderr.ends_with("built 0 of 1 source\n"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_second_build_with_the_same_inputs_renders_nothing() {
    let (dir, _) = workspace();
    Run::new(&["build"])
        .cwd(dir.path())
        .status(0)
        .stderr_has("built data/pbf-irf-217/2019-11-12-final.yaml (6 files)")
        .run();
    let before = files(&dir.path().join(FOLDER));
    Run::new(&["build"])
        .cwd(dir.path())
        .status(0)
        .stderr_is(
            "up to date: data/pbf-irf-217/2019-11-12-final.yaml (nothing rendered)\nbuilt 0 of 1 source, 1 up to date\n",
        )
        .run();
    assert_eq!(files(&dir.path().join(FOLDER)), before);
    // Quiet, a build that went well says nothing at all.
    Run::new(&["build", "--quiet", "--out", "quiet"])
        .cwd(dir.path())
        .status(0)
        .stdout_is("")
        .stderr_is("")
        .run();
    assert_eq!(
        files(&dir.path().join("quiet/pbf-irf-217/2019-11-12-final")),
        before
    );
    // A fresh build elsewhere gives the same bytes.
    Run::new(&["build", "--out", "again"])
        .cwd(dir.path())
        .status(0)
        .run();
    assert_eq!(
        files(&dir.path().join("again/pbf-irf-217/2019-11-12-final")),
        before
    );
}

#[test]
fn the_manifest_names_every_input_and_output() {
    let (dir, source) = workspace();
    Run::new(&["build"]).cwd(dir.path()).status(0).run();
    let manifest: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.path().join(FOLDER).join("manifest.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(manifest["project"], "pbf-irf-217");
    assert_eq!(manifest["version"], "2019-11-12-final");
    assert_eq!(manifest["timestamp"], "2019-11-12T00:00:00Z");
    assert_eq!(manifest["languages"], serde_json::json!(["fr", "en"]));
    assert_eq!(manifest["typst"], "0.15.1");
    assert_eq!(
        manifest["source"]["sha256"],
        pbf_report::hash::sha256(&std::fs::read(&source).unwrap())
    );
    assert!(manifest["templates"]["pbf-2019/report.typ"].is_string());
    assert!(manifest["catalogs"]["i18n/fr.yaml"].is_string());
    assert!(manifest["fonts"]["fonts/Carlito-Regular.ttf"].is_string());
    let outputs = manifest["outputs"].as_array().unwrap();
    assert_eq!(outputs.len(), 4);
    for output in outputs {
        let bytes = std::fs::read(
            dir.path()
                .join(FOLDER)
                .join(output["name"].as_str().unwrap()),
        )
        .unwrap();
        assert_eq!(output["sha256"], pbf_report::hash::sha256(&bytes));
        assert_eq!(output["size"], bytes.len());
    }
}

#[test]
fn an_archived_version_is_never_overwritten() {
    let (dir, source) = workspace();
    Run::new(&["build"]).cwd(dir.path()).status(0).run();
    let archived = Run::new(&["archive", FOLDER])
        .cwd(dir.path())
        .status(0)
        .run();
    assert!(
        archived
            .stderr
            .ends_with("archived out/pbf-irf-217/2019-11-12-final: no later build may change it\n")
    );
    let before = files(&dir.path().join(FOLDER));

    // Identical inputs: left alone.
    Run::new(&["build"])
        .cwd(dir.path())
        .status(0)
        .stderr_has("up to date")
        .run();

    // One character of the source changed: refused, nothing written.
    let text =
        std::fs::read_to_string(&source)
            .unwrap()
            .replacen("country: Mali", "country: Malo", 1);
    std::fs::write(&source, text).unwrap();
    let changed = Run::new(&["build"])
        .cwd(dir.path())
        .status(1)
        .stderr_has("copy the source to a new version name (e.g. 2019-11-12-final-r2.yaml)")
        .run();
    assert!(
        changed.stderr.starts_with(
            "error: data/pbf-irf-217/2019-11-12-final.yaml: its version is archived, and this build would change it:\n   - the source 2019-11-12-final.yaml changed\n"
        ),
        "{}",
        changed.stderr
    );
    assert_eq!(files(&dir.path().join(FOLDER)), before);
}

/// An archived version made from this very source stays as archived when only what it is made
/// with changed (a catalog edit, a draft build): the build says so and succeeds, and a new
/// version beside it builds. The folder keeps every byte and still verifies.
#[test]
fn an_archived_version_is_kept_when_only_its_templates_changed() {
    let (dir, source) = archived();
    let before = files(&dir.path().join(FOLDER));

    let catalog = dir.path().join("templates/i18n/fr.yaml");
    std::fs::create_dir_all(catalog.parent().unwrap()).unwrap();
    let text = std::fs::read_to_string(root().join("templates/i18n/fr.yaml")).unwrap();
    let edited = text.replacen(
        "doc.title: \"RAPPORT DE PROGRES DE PROJET PBF\"",
        "doc.title: \"RAPPORT DE PROGRÈS DE PROJET PBF\"",
        1,
    );
    assert_ne!(edited, text);
    std::fs::write(&catalog, edited).unwrap();
    let next = source.with_file_name("2019-11-12-final-r2.yaml");
    std::fs::copy(&source, &next).unwrap();

    let out = Run::new(&["build"])
        .cwd(dir.path())
        .status(0)
        .stderr_has(
            "kept as archived: data/pbf-irf-217/2019-11-12-final.yaml (this build would make it \
             with other inputs)\n   - catalog files changed: i18n/fr.yaml\n",
        )
        .stderr_has("  kept (archived)    data/pbf-irf-217/2019-11-12-final.yaml\n")
        .stderr_has("built data/pbf-irf-217/2019-11-12-final-r2.yaml")
        .run();
    assert!(
        out.stderr
            .ends_with("built 1 of 2 sources, 1 kept as archived\n"),
        "{}",
        out.stderr
    );
    let r2 = dir.path().join("out/pbf-irf-217/2019-11-12-final-r2");
    assert!(r2.join("manifest.json").is_file());

    Run::new(&["build", "--draft", EXAMPLE])
        .cwd(dir.path())
        .status(0)
        .stderr_has("   - draft was false, is now true\n")
        .run();
    assert_eq!(files(&dir.path().join(FOLDER)), before);
    Run::new(&["verify", FOLDER])
        .cwd(dir.path())
        .status(0)
        .run();
}

#[test]
fn verify_passes_on_a_good_folder_and_names_a_changed_file() {
    let (dir, _) = workspace();
    Run::new(&["build"]).cwd(dir.path()).status(0).run();
    let good = Run::new(&["verify", FOLDER])
        .cwd(dir.path())
        .status(0)
        .run();
    assert_eq!(
        good.stderr.lines().filter(|l| l.starts_with("ok ")).count(),
        5
    );

    let workbook = dir.path().join(FOLDER).join("annex-a.fr.xlsx");
    let mut bytes = std::fs::read(&workbook).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 1;
    std::fs::write(&workbook, bytes).unwrap();
    let bad = Run::new(&["verify", FOLDER])
        .cwd(dir.path())
        .status(1)
        .stderr_has("DIFFERS  annex-a.fr.xlsx: its bytes differ from the manifest")
        .run();
    assert_eq!(
        bad.stderr
            .lines()
            .filter(|l| l.starts_with("DIFFERS"))
            .count(),
        1
    );
    // A folder that does not verify cannot be archived.
    Run::new(&["archive", FOLDER])
        .cwd(dir.path())
        .status(1)
        .run();
    assert!(!dir.path().join(FOLDER).join("ARCHIVED.json").exists());
}

#[test]
fn the_pdf_carries_its_source_and_verifies_alone() {
    let (dir, source) = workspace();
    Run::new(&["build"]).cwd(dir.path()).status(0).run();
    let pdf = dir
        .path()
        .join(FOLDER)
        .join("pbf-irf-217-2019-11-12-final.fr.pdf");
    let out = dir.path().join("extracted");
    std::fs::create_dir(&out).unwrap();
    let extract = || {
        Run::new(&[
            "extract",
            pdf.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .cwd(dir.path())
    };
    extract().status(0).run();
    assert_eq!(
        std::fs::read(out.join("2019-11-12-final.yaml")).unwrap(),
        std::fs::read(&source).unwrap()
    );
    assert_eq!(
        std::fs::read(out.join("annex-a.fr.xlsx")).unwrap(),
        std::fs::read(dir.path().join(FOLDER).join("annex-a.fr.xlsx")).unwrap()
    );
    // Extracting again never overwrites.
    extract().status(1).run();

    // The PDF alone, away from its folder and source.
    let alone = dir.path().join("alone.pdf");
    std::fs::copy(&pdf, &alone).unwrap();
    std::fs::remove_dir_all(dir.path().join("out")).unwrap();
    std::fs::remove_file(&source).unwrap();
    Run::new(&["verify", alone.to_str().unwrap()])
        .cwd(dir.path())
        .status(0)
        .run();

    let qpdf = crate::common::tool("qpdf", &["--list-attachments", alone.to_str().unwrap()]);
    assert!(
        qpdf.contains("2019-11-12-final.yaml") && qpdf.contains("annex-a.fr.xlsx"),
        "{qpdf}"
    );
}

#[test]
fn a_failing_source_stops_no_other_and_keeps_its_old_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data/pbf-irf-999");
    std::fs::create_dir_all(&data).unwrap();
    let minimal = std::fs::read_to_string(root().join("tests/good/minimal.yaml")).unwrap();
    for version in ["2020-01-a", "2020-01-b", "2020-01-c", "2020-01-d"] {
        std::fs::write(data.join(format!("{version}.yaml")), &minimal).unwrap();
    }
    Run::new(&["build", "--quiet"])
        .cwd(dir.path())
        .status(0)
        .run();
    let old = files(&dir.path().join("out/pbf-irf-999/2020-01-b"));

    // b breaks; a, c and d change and build.
    for version in ["2020-01-a", "2020-01-c", "2020-01-d"] {
        std::fs::write(
            data.join(format!("{version}.yaml")),
            minimal.replace("Niger", "Tchad"),
        )
        .unwrap();
    }
    std::fs::write(
        data.join("2020-01-b.yaml"),
        minimal.replace("duration_months: 18", "duration_months: 24"),
    )
    .unwrap();
    let out = Run::new(&["build"])
        .cwd(dir.path())
        .status(1)
        .stderr_has(
            "error: cover.duration_months: 24 months is longer than an IRF project may last",
        )
        .stderr_has("summary:\n  built              data/pbf-irf-999/2020-01-a.yaml\n  invalid            data/pbf-irf-999/2020-01-b.yaml\n  built              data/pbf-irf-999/2020-01-c.yaml\n  built              data/pbf-irf-999/2020-01-d.yaml\n")
        .run();
    assert!(out.stderr.ends_with("built 3 of 4 sources\n"));
    assert_eq!(
        files(&dir.path().join("out/pbf-irf-999/2020-01-b")),
        old,
        "the failed source's outputs changed"
    );
}

#[test]
fn a_version_name_that_could_leave_out_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let minimal = std::fs::read_to_string(root().join("tests/good/minimal.yaml")).unwrap();
    let source = dir.path().join("Report Final.yaml");
    std::fs::write(&source, minimal).unwrap();
    Run::new(&["build", "Report Final.yaml"])
        .cwd(dir.path())
        .status(1)
        .stderr_has("the file name names the report version and may hold only lower-case letters")
        .run();
    assert!(!dir.path().join("out").exists());
}

#[test]
fn a_version_name_too_long_is_refused_with_a_name_that_fits() {
    let dir = tempfile::tempdir().unwrap();
    let minimal = std::fs::read_to_string(root().join("tests/good/minimal.yaml")).unwrap();
    let stem = format!("2019-11-12-final-{}", "revision-".repeat(6));
    let source = dir.path().join(format!("{stem}.yaml"));
    std::fs::write(&source, minimal).unwrap();
    let help = "help: rename it 2019-11-12-final-revision-revision-revision-revision-revision.yaml";
    Run::new(&["build", source.to_str().unwrap()])
        .cwd(dir.path())
        .status(1)
        .stderr_has("at most 64 of them")
        .stderr_has(help)
        .run();
    assert!(!dir.path().join("out").exists());
}

/// A build by someone who may not look inside an archived folder (its owner's, mode 700 in a
/// shared workspace) neither replaces it nor sets it aside; the owner's next build finds it
/// intact and archived. Runs where the tests run as root, building as `nobody`.
#[test]
fn a_build_that_cannot_look_inside_an_archived_folder_leaves_it() {
    use std::os::unix::fs::PermissionsExt;
    let is_root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0");
    let runuser = Path::new("/usr/sbin/runuser");
    if !is_root || !runuser.exists() {
        return;
    }
    let (dir, _) = archived();
    let ws = dir.path();
    let folder = ws.join(FOLDER);
    let before = files(&folder);
    // The workspace is shared: everyone may enter and write it, but not the archived folder.
    let program = ws.join("pbf-report");
    std::fs::copy(env!("CARGO_BIN_EXE_pbf-report"), &program).unwrap();
    let open = std::fs::Permissions::from_mode(0o777);
    for shared in ["", "data", "data/pbf-irf-217", "out", "out/pbf-irf-217"] {
        std::fs::set_permissions(ws.join(shared), open.clone()).unwrap();
    }
    let lock = ws.join("out/pbf-irf-217/.2019-11-12-final.lock");
    std::fs::set_permissions(&lock, std::fs::Permissions::from_mode(0o666)).unwrap();
    std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o700)).unwrap();
    let as_nobody = || {
        std::process::Command::new(runuser)
            .args(["-u", "nobody", "--"])
            .arg(&program)
            .arg("build")
            .current_dir(ws)
            .output()
            .unwrap()
    };

    let other = as_nobody();
    let stderr = String::from_utf8_lossy(&other.stderr);
    assert_eq!(other.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.starts_with("error: cannot read out/pbf-irf-217/2019-11-12-final"),
        "{stderr}"
    );
    assert!(!ws.join("out/pbf-irf-217/.2019-11-12-final.old").exists());
    assert_eq!(files(&folder), before);
    Run::new(&["build"])
        .cwd(ws)
        .status(0)
        .stderr_has("up to date")
        .run();
    assert_eq!(files(&folder), before);

    // The folder open to all, one of its files not: the build says it cannot read it.
    std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o755)).unwrap();
    let pdf = folder.join("pbf-irf-217-2019-11-12-final.fr.pdf");
    std::fs::set_permissions(&pdf, std::fs::Permissions::from_mode(0o600)).unwrap();
    let other = as_nobody();
    let stderr = String::from_utf8_lossy(&other.stderr);
    assert_eq!(other.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(
            "   - pbf-irf-217-2019-11-12-final.fr.pdf cannot be read: Permission denied\n"
        ),
        "{stderr}"
    );
    assert_eq!(files(&folder), before);
}

/// An archived folder found set aside beside a folder that took its place (a replacement cut
/// short) comes back; the replacement goes.
#[test]
fn an_archived_folder_found_set_aside_is_put_back() {
    let (dir, _) = archived();
    let ws = dir.path();
    let folder = ws.join(FOLDER);
    let before = files(&folder);
    let aside = ws.join("out/pbf-irf-217/.2019-11-12-final.old");
    std::fs::rename(&folder, &aside).unwrap();
    std::fs::create_dir(&folder).unwrap();
    for (name, bytes) in before.iter().filter(|(n, _)| n != "ARCHIVED.json") {
        std::fs::write(folder.join(name), bytes).unwrap();
    }

    Run::new(&["build"])
        .cwd(ws)
        .status(0)
        .stderr_has("up to date")
        .run();
    assert!(!aside.exists());
    assert_eq!(files(&folder), before);
}

/// A file added to an archived folder under a name made to rewrite the terminal (an escape
/// sequence, a carriage return, a line break and a false verdict) is named escaped, on the
/// line of its own verdict.
#[test]
fn verify_names_a_file_added_to_an_archived_folder_escaped() {
    let (dir, _) = archived();
    let name = "\u{1b}[2K\rok       all good\nok       forged.pdf";
    std::fs::write(dir.path().join(FOLDER).join(name), "x").unwrap();
    let out = Run::new(&["verify", FOLDER])
        .cwd(dir.path())
        .status(1)
        .stderr_lacks("\u{1b}")
        .stderr_lacks("\r")
        .run();
    assert!(
        !out.stderr.lines().any(|l| l.starts_with("ok       forged")),
        "{}",
        out.stderr
    );
    let shown = "\\u{1b}[2K\\u{d}ok       all good\\nok       forged.pdf";
    let differs = out
        .stderr
        .lines()
        .filter(|l| l.starts_with("DIFFERS") && l.contains(shown));
    assert_eq!(differs.count(), 2, "{}", out.stderr);
}

/// A changed source is refused even when the archived manifest was rewritten to name it and
/// the mark sealed again to match: the folder's copy of the source gives it away.
#[test]
fn a_manifest_resealed_by_hand_does_not_let_a_changed_source_through() {
    use pbf_report::hash::sha256;
    use std::os::unix::fs::PermissionsExt;
    let (dir, source) = archived();
    let folder = dir.path().join(FOLDER);
    let before = files(&folder);

    let text = std::fs::read_to_string(&source).unwrap();
    std::fs::write(&source, text.replacen("country: Mali", "country: Malo", 1)).unwrap();
    let writable = |path: &Path| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o644)).unwrap();
    };
    let manifest_path = folder.join("manifest.json");
    writable(&manifest_path);
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&manifest_path).unwrap()).unwrap();
    manifest["source"]["sha256"] = sha256(&std::fs::read(&source).unwrap()).into();
    let manifest_bytes = serde_json::to_vec_pretty(&manifest).unwrap();
    std::fs::write(&manifest_path, &manifest_bytes).unwrap();
    let mark_path = folder.join("ARCHIVED.json");
    writable(&mark_path);
    let mut mark: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&mark_path).unwrap()).unwrap();
    mark["manifest_sha256"] = sha256(&manifest_bytes).into();
    for entry in mark["files"].as_array_mut().unwrap() {
        if entry["name"] == "manifest.json" {
            entry["sha256"] = sha256(&manifest_bytes).into();
        }
    }
    std::fs::write(&mark_path, serde_json::to_vec_pretty(&mark).unwrap()).unwrap();
    let forged = files(&folder);
    assert_ne!(forged, before);

    Run::new(&["build"])
        .cwd(dir.path())
        .status(1)
        .stderr_has("   - 2019-11-12-final.yaml is not the file its manifest names\n")
        .run();
    assert_eq!(files(&folder), forged);
}

/// A manifest rewritten to say other languages or another date than its source gives is named
/// by `verify`, whatever the archive mark says.
#[test]
fn verify_names_a_manifest_that_says_what_its_source_does_not() {
    let (dir, _) = workspace();
    Run::new(&["build"]).cwd(dir.path()).status(0).run();
    let manifest_path = dir.path().join(FOLDER).join("manifest.json");
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&manifest_path).unwrap()).unwrap();
    manifest["languages"] = serde_json::json!(["en"]);
    manifest["timestamp"] = "2020-01-01T00:00:00Z".into();
    std::fs::write(
        &manifest_path,
        serde_json::to_vec_pretty(&manifest).unwrap(),
    )
    .unwrap();
    Run::new(&["verify", FOLDER])
        .cwd(dir.path())
        .status(1)
        .stderr_has(
            "DIFFERS  manifest.json: it records languages en where the source gives fr, en; \
             timestamp 2020-01-01T00:00:00Z where the source gives 2019-11-12T00:00:00Z\n",
        )
        .run();
}

/// A FIFO in place of a file of a version folder, archived or not, is named by `build` and
/// `verify`, never waited on; the lock file and the set-aside name cannot be links.
#[test]
fn files_of_a_version_folder_that_are_not_files_are_named_not_read() {
    let (dir, _) = archived();
    let ws = dir.path();
    let folder = ws.join(FOLDER);
    let pdf = folder.join("pbf-irf-217-2019-11-12-final.fr.pdf");
    std::fs::remove_file(&pdf).unwrap();
    crate::common::tool("mkfifo", &[pdf.to_str().unwrap()]);
    let (status, stderr) = run_bounded(ws, &["build"]);
    assert_eq!(status, Some(1), "{stderr}");
    assert!(
        stderr.contains(
            "   - pbf-irf-217-2019-11-12-final.fr.pdf is a FIFO (named pipe), not a file\n"
        ),
        "{stderr}"
    );
    let (status, stderr) = run_bounded(ws, &["verify", FOLDER]);
    assert_eq!(status, Some(1), "{stderr}");

    // A file named to forge a line of the build's list is shown on one line.
    std::fs::write(folder.join("a\nok       b"), "x").unwrap();
    let (_, stderr) = run_bounded(ws, &["build"]);
    assert!(
        stderr.contains("   - a\\nok       b was added\n"),
        "{stderr}"
    );
}

/// The lock file is never opened through a link (the build would create the file it points
/// to), and a link under the set-aside name is not taken for a folder set aside.
#[test]
fn the_lock_and_the_set_aside_name_are_never_followed() {
    let (dir, _) = workspace();
    let ws = dir.path();
    Run::new(&["build"]).cwd(ws).status(0).run();
    let lock = ws.join("out/pbf-irf-217/.2019-11-12-final.lock");
    std::fs::remove_file(&lock).unwrap();
    let target = ws.join("elsewhere/created");
    std::fs::create_dir_all(target.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(&target, &lock).unwrap();
    std::fs::write(
        ws.join(EXAMPLE),
        std::fs::read_to_string(ws.join(EXAMPLE)).unwrap() + "\n",
    )
    .unwrap();
    let (status, stderr) = run_bounded(ws, &["build"]);
    assert_eq!(status, Some(1), "{stderr}");
    assert!(
        stderr.contains(".2019-11-12-final.lock is a link"),
        "{stderr}"
    );
    assert!(!target.exists());
    std::fs::remove_file(&lock).unwrap();

    let (other, _) = archived();
    let aside = ws.join("out/pbf-irf-217/.2019-11-12-final.old");
    std::os::unix::fs::symlink(other.path().join(FOLDER), &aside).unwrap();
    let (status, stderr) = run_bounded(ws, &["build"]);
    assert_eq!(status, Some(0), "{stderr}");
    let folder = ws.join(FOLDER).symlink_metadata().unwrap();
    assert!(folder.is_dir() && !folder.file_type().is_symlink());
    assert!(aside.symlink_metadata().is_err());
    assert!(other.path().join(FOLDER).join("ARCHIVED.json").exists());
}

/// A file a user saved in a version folder (a reviewed Word copy beside the PDF), or a Word
/// copy reviewed in place, is never lost to the next build: the build refuses, naming it, and
/// the folder stays as it was until it is moved out.
#[test]
fn a_build_keeps_what_it_did_not_write() {
    let (dir, source) = workspace();
    let ws = dir.path();
    let text = std::fs::read_to_string(&source).unwrap();
    let with_copy = text.replacen(
        "template: pbf-2019\n",
        "template: pbf-2019\nword_copy: true\n",
        1,
    );
    std::fs::write(&source, &with_copy).unwrap();
    Run::new(&["build"]).cwd(ws).status(0).run();
    let folder = ws.join(FOLDER);
    std::fs::write(folder.join("reviewed.docx"), "the reviewers' edits").unwrap();
    let kept = files(&folder);
    std::fs::write(&source, format!("{with_copy}\n")).unwrap();
    let out = Run::new(&["build"]).cwd(ws).status(1).run();
    assert!(
        out.stderr
            .contains("holding what no build of it wrote: reviewed.docx;"),
        "{}",
        out.stderr
    );
    assert_eq!(files(&folder), kept);

    std::fs::rename(folder.join("reviewed.docx"), ws.join("reviewed.docx")).unwrap();
    let copy = folder.join("pbf-irf-217-2019-11-12-final.fr.docx");
    let mut edited = std::fs::read(&copy).unwrap();
    edited.push(b' ');
    std::fs::write(&copy, &edited).unwrap();
    let out = Run::new(&["build"]).cwd(ws).status(1).run();
    assert!(
        out.stderr
            .contains("pbf-irf-217-2019-11-12-final.fr.docx (changed since it was built)"),
        "{}",
        out.stderr
    );
    assert_eq!(std::fs::read(&copy).unwrap(), edited);

    std::fs::remove_file(&copy).unwrap();
    Run::new(&["build"]).cwd(ws).status(0).run();
    assert!(copy.is_file());
}

/// No command writes into an archived folder, whichever route it is pointed there by: the
/// files a PDF carries, a source imported from it, a translator's preview.
#[test]
fn nothing_writes_into_an_archived_folder_by_any_route() {
    let (dir, _) = archived();
    let folder = dir.path().join(FOLDER);
    let before = files(&folder);
    let pdf = format!("{FOLDER}/pbf-irf-217-2019-11-12-final.fr.pdf");
    let inside = format!("{FOLDER}/sub/deeper");
    let routes: [&[&str]; 4] = [
        &["extract", &pdf, "--out", FOLDER],
        &["extract", &pdf, "--out", &inside],
        &["import", &pdf, "-o", &format!("{FOLDER}/again.yaml")],
        &["i18n", "preview", "fr", "--out", FOLDER],
    ];
    for args in routes {
        let out = Run::new(args).cwd(dir.path()).run();
        assert_eq!(out.status, 2, "{args:?}: {}", out.stderr);
        assert!(
            out.stderr
                .contains("is in an archived version folder, which nothing changes"),
            "{args:?}: {}",
            out.stderr
        );
        assert_eq!(files(&folder), before, "{args:?}");
    }
    // Run from inside it, nothing is made there either.
    let new = ["new", "x-1", "--version", "v1", "--lang", "fr"];
    Run::new(&new).cwd(&folder).status(2).run();
    Run::new(&["build", "2019-11-12-final.yaml"])
        .cwd(&folder)
        .status(1)
        .run();
    assert_eq!(files(&folder), before);
    Run::new(&["verify", FOLDER])
        .cwd(dir.path())
        .status(0)
        .run();
}

/// An archive cut short is completed by the next one: the temporary file a killed run left
/// beside the mark is removed, and files left writable between the mark and the end are made
/// read-only again.
#[test]
fn an_archive_cut_short_is_completed_the_next_time() {
    let (dir, _) = workspace();
    Run::new(&["build"]).cwd(dir.path()).status(0).run();
    let folder = dir.path().join(FOLDER);
    // No process has this number: the run that wrote it is gone.
    let leftover = folder.join(".ARCHIVED.json.2147483000.tmp");
    std::fs::write(&leftover, "{\"archived_at\":").unwrap();
    Run::new(&["archive", FOLDER])
        .cwd(dir.path())
        .status(0)
        .run();
    assert!(!leftover.exists());
    assert!(
        !crate::common::files(&folder)
            .iter()
            .any(|(n, _)| n.ends_with(".tmp"))
    );

    let pdf = folder.join("pbf-irf-217-2019-11-12-final.fr.pdf");
    let mut permissions = std::fs::metadata(&pdf).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    permissions.set_readonly(false);
    std::fs::set_permissions(&pdf, permissions).unwrap();
    Run::new(&["archive", FOLDER])
        .cwd(dir.path())
        .status(0)
        .stderr_has("was archived already")
        .run();
    assert!(std::fs::metadata(&pdf).unwrap().permissions().readonly());
}

/// What a killed `new` or `import` left beside the sources goes with the next write there; a
/// file of the same shape that a running process writes stays.
#[test]
fn a_killed_writers_temporary_files_go_with_the_next_write() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("data/pbf-irf-300");
    std::fs::create_dir_all(&project).unwrap();
    let dead = project.join(".2020-06-30-semi-annual.yaml.2147483000.tmp");
    std::fs::write(&dead, "template: pbf-2019\n").unwrap();
    let args = [
        "new",
        "pbf-irf-300",
        "--version",
        "2020-06-30-semi-annual",
        "--lang",
        "fr",
    ];
    Run::new(&args).cwd(dir.path()).status(0).run();
    assert!(!dead.exists());
    assert!(project.join("2020-06-30-semi-annual.yaml").exists());
}

/// A version folder holds files, never links: a workbook replaced by a link to a copy elsewhere
/// is named by `verify` and refused by `archive`, which changes nothing outside the folder; in
/// an archived folder, `build` names it too.
#[test]
fn a_link_in_a_version_folder_is_named_and_never_followed() {
    let (dir, _) = workspace();
    Run::new(&["build"]).cwd(dir.path()).status(0).run();
    let folder = dir.path().join(FOLDER);
    let workbook = folder.join("annex-a.fr.xlsx");
    let outside = dir.path().join("copy.xlsx");
    std::fs::copy(&workbook, &outside).unwrap();
    std::fs::remove_file(&workbook).unwrap();
    std::os::unix::fs::symlink(&outside, &workbook).unwrap();
    Run::new(&["verify", FOLDER])
        .cwd(dir.path())
        .status(1)
        .stderr_has("annex-a.fr.xlsx: it is a link, not a file")
        .run();
    Run::new(&["archive", FOLDER])
        .cwd(dir.path())
        .status(1)
        .run();
    assert!(
        !std::fs::metadata(&outside)
            .unwrap()
            .permissions()
            .readonly()
    );

    let (dir, _) = archived();
    let folder = dir.path().join(FOLDER);
    let workbook = folder.join("annex-a.fr.xlsx");
    let outside = dir.path().join("copy.xlsx");
    std::fs::copy(&workbook, &outside).unwrap();
    std::fs::remove_file(&workbook).unwrap();
    std::os::unix::fs::symlink(&outside, &workbook).unwrap();
    let out = Run::new(&["build"]).cwd(dir.path()).status(1).run();
    assert!(
        out.stderr.contains("annex-a.fr.xlsx is a link"),
        "{}",
        out.stderr
    );
}

/// A manifest edited by hand (its date) is not taken for the build's own: the next build makes
/// the folder again, and it verifies.
#[test]
fn a_manifest_edited_by_hand_is_built_again_not_called_up_to_date() {
    let (dir, _) = workspace();
    Run::new(&["build"]).cwd(dir.path()).status(0).run();
    let manifest = dir.path().join(FOLDER).join("manifest.json");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let edited = text.replacen("\"timestamp\": \"2019", "\"timestamp\": \"2018", 1);
    assert_ne!(edited, text);
    std::fs::write(&manifest, edited).unwrap();
    let out = Run::new(&["build"]).cwd(dir.path()).status(0).run();
    assert!(!out.stderr.contains("up to date"), "{}", out.stderr);
    assert_eq!(std::fs::read_to_string(&manifest).unwrap(), text);
    Run::new(&["verify", FOLDER])
        .cwd(dir.path())
        .status(0)
        .run();

    // Records no build wrote: a catalog its PDFs were not made with, an output listed twice, a
    // size that is not the file's. verify names each, and build makes the folder again.
    let mut edited: serde_json::Value = serde_json::from_str(&text).unwrap();
    edited["catalogs"]["../../etc/passwd"] = "00".into();
    let first = edited["outputs"][0].clone();
    edited["outputs"].as_array_mut().unwrap().push(first);
    let size = edited["outputs"][1]["size"].as_u64().unwrap();
    edited["outputs"][1]["size"] = (size + 1).into();
    std::fs::write(&manifest, serde_json::to_string_pretty(&edited).unwrap()).unwrap();
    let out = Run::new(&["verify", FOLDER])
        .cwd(dir.path())
        .status(1)
        .run();
    for said in [
        "catalog files its outputs were not made with (../../etc/passwd)",
        "twice",
        "where the manifest records",
    ] {
        assert!(out.stderr.contains(said), "{said}: {}", out.stderr);
    }
    let out = Run::new(&["build"]).cwd(dir.path()).status(0).run();
    assert!(!out.stderr.contains("up to date"), "{}", out.stderr);
    assert_eq!(std::fs::read_to_string(&manifest).unwrap(), text);
}

/// `verify` of a folder waits for a build that holds its lock (one swapping a new folder in),
/// so it never reads the old manifest beside the new outputs.
#[test]
fn verify_waits_for_a_build_writing_the_folder() {
    let (dir, _) = workspace();
    Run::new(&["build"]).cwd(dir.path()).status(0).run();
    let lock = std::fs::File::options()
        .write(true)
        .open(dir.path().join("out/pbf-irf-217/.2019-11-12-final.lock"))
        .unwrap();
    lock.lock().unwrap();
    let release = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(1500));
        drop(lock);
    });
    let started = std::time::Instant::now();
    Run::new(&["verify", FOLDER])
        .cwd(dir.path())
        .status(0)
        .run();
    assert!(
        started.elapsed().as_millis() >= 1400,
        "{:?}",
        started.elapsed()
    );
    release.join().unwrap();
}

/// An output folder whose name is too long for the file system is said to be so, not taken
/// for an archived folder.
#[test]
fn an_output_name_too_long_is_not_called_archived() {
    let (dir, _) = workspace();
    let long = "o".repeat(300);
    let out = Run::new(&["build", "--out", &long])
        .cwd(dir.path())
        .status(3)
        .run();
    assert!(out.stderr.contains("cannot write"), "{}", out.stderr);
    assert!(!out.stderr.contains("archived"), "{}", out.stderr);
}
