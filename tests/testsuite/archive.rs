//! Building many sources, archiving versions and proving them later: the real binary on real
//! files in temporary folders.

use std::path::{Path, PathBuf};

use crate::common::{Run, files, root};

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

fn run(dir: &Path, args: &[&str]) -> crate::common::Output {
    Run::new(args).cwd(dir).output()
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
    let out = run(dir.path(), &["build", "--quiet"]);
    assert_eq!(out.status, 1);
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
    let first = run(dir.path(), &["build"]);
    assert_eq!(first.status, 0, "{}", first.stderr);
    assert!(
        first
            .stderr
            .contains("built data/pbf-irf-217/2019-11-12-final.yaml (6 files)"),
        "{}",
        first.stderr
    );
    let before = files(&dir.path().join(FOLDER));
    let second = run(dir.path(), &["build"]);
    assert_eq!(second.status, 0);
    assert_eq!(
        second.stderr,
        "up to date: data/pbf-irf-217/2019-11-12-final.yaml (nothing rendered)\nbuilt 0 of 1 source, 1 up to date\n"
    );
    assert_eq!(files(&dir.path().join(FOLDER)), before);
    // Quiet, a build that went well says nothing at all.
    let quiet = run(dir.path(), &["build", "--quiet", "--out", "quiet"]);
    assert_eq!(
        (quiet.status, quiet.stdout.as_str(), quiet.stderr.as_str()),
        (0, "", "")
    );
    assert_eq!(
        files(&dir.path().join("quiet/pbf-irf-217/2019-11-12-final")),
        before
    );
    // A fresh build elsewhere gives the same bytes.
    let other = run(dir.path(), &["build", "--out", "again"]);
    assert_eq!(other.status, 0);
    assert_eq!(
        files(&dir.path().join("again/pbf-irf-217/2019-11-12-final")),
        before
    );
}

#[test]
fn the_manifest_names_every_input_and_output() {
    let (dir, source) = workspace();
    assert_eq!(run(dir.path(), &["build"]).status, 0);
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
    assert_eq!(run(dir.path(), &["build"]).status, 0);
    let archived = run(dir.path(), &["archive", FOLDER]);
    assert_eq!(archived.status, 0, "{}", archived.stderr);
    assert!(
        archived
            .stderr
            .ends_with("archived out/pbf-irf-217/2019-11-12-final: no later build may change it\n")
    );
    let before = files(&dir.path().join(FOLDER));

    // Identical inputs: left alone.
    let same = run(dir.path(), &["build"]);
    assert_eq!(same.status, 0);
    assert!(same.stderr.contains("up to date"));

    // One character of the source changed: refused, nothing written.
    let text =
        std::fs::read_to_string(&source)
            .unwrap()
            .replacen("country: Mali", "country: Malo", 1);
    std::fs::write(&source, text).unwrap();
    let changed = run(dir.path(), &["build"]);
    assert_eq!(changed.status, 1);
    assert!(
        changed.stderr.starts_with(
            "error: data/pbf-irf-217/2019-11-12-final.yaml: its version is archived, and this build would change it:\n   - the source 2019-11-12-final.yaml changed\n"
        ),
        "{}",
        changed.stderr
    );
    assert!(
        changed
            .stderr
            .contains("copy the source to a new version name (e.g. 2019-11-12-final-r2.yaml)")
    );
    assert_eq!(files(&dir.path().join(FOLDER)), before);
}

/// An archived version made from this very source stays as archived when only what it is made
/// with changed (a catalog edit, a draft build): the build says so and succeeds, and a new
/// version beside it builds. The folder keeps every byte and still verifies.
#[test]
fn an_archived_version_is_kept_when_only_its_templates_changed() {
    let (dir, source) = workspace();
    assert_eq!(run(dir.path(), &["build"]).status, 0);
    assert_eq!(run(dir.path(), &["archive", FOLDER]).status, 0);
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

    let out = run(dir.path(), &["build"]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains(
            "kept as archived: data/pbf-irf-217/2019-11-12-final.yaml (this build would make it \
             with other inputs)\n   - catalog files changed: i18n/fr.yaml\n"
        ),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("  kept (archived)    data/pbf-irf-217/2019-11-12-final.yaml\n")
    );
    assert!(
        out.stderr
            .contains("built data/pbf-irf-217/2019-11-12-final-r2.yaml")
    );
    assert!(
        out.stderr
            .ends_with("built 1 of 2 sources, 1 kept as archived\n"),
        "{}",
        out.stderr
    );
    let r2 = dir.path().join("out/pbf-irf-217/2019-11-12-final-r2");
    assert!(r2.join("manifest.json").is_file());

    let draft = run(dir.path(), &["build", "--draft", EXAMPLE]);
    assert_eq!(draft.status, 0, "{}", draft.stderr);
    assert!(
        draft.stderr.contains("   - draft was false, is now true\n"),
        "{}",
        draft.stderr
    );
    assert_eq!(files(&dir.path().join(FOLDER)), before);
    let verified = run(dir.path(), &["verify", FOLDER]);
    assert_eq!(verified.status, 0, "{}", verified.stderr);
}

#[test]
fn verify_passes_on_a_good_folder_and_names_a_changed_file() {
    let (dir, _) = workspace();
    assert_eq!(run(dir.path(), &["build"]).status, 0);
    let good = run(dir.path(), &["verify", FOLDER]);
    assert_eq!(good.status, 0, "{}", good.stderr);
    assert_eq!(
        good.stderr.lines().filter(|l| l.starts_with("ok ")).count(),
        5
    );

    let workbook = dir.path().join(FOLDER).join("annex-a.fr.xlsx");
    let mut bytes = std::fs::read(&workbook).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 1;
    std::fs::write(&workbook, bytes).unwrap();
    let bad = run(dir.path(), &["verify", FOLDER]);
    assert_eq!(bad.status, 1);
    assert!(
        bad.stderr
            .contains("DIFFERS  annex-a.fr.xlsx: its bytes differ from the manifest"),
        "{}",
        bad.stderr
    );
    assert_eq!(
        bad.stderr
            .lines()
            .filter(|l| l.starts_with("DIFFERS"))
            .count(),
        1
    );
    // A folder that does not verify cannot be archived.
    let refused = run(dir.path(), &["archive", FOLDER]);
    assert_eq!(refused.status, 1);
    assert!(!dir.path().join(FOLDER).join("ARCHIVED.json").exists());
}

#[test]
fn the_pdf_carries_its_source_and_verifies_alone() {
    let (dir, source) = workspace();
    assert_eq!(run(dir.path(), &["build"]).status, 0);
    let pdf = dir
        .path()
        .join(FOLDER)
        .join("pbf-irf-217-2019-11-12-final.fr.pdf");
    let out = dir.path().join("extracted");
    std::fs::create_dir(&out).unwrap();
    let extracted = run(
        dir.path(),
        &[
            "extract",
            pdf.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(extracted.status, 0, "{}", extracted.stderr);
    assert_eq!(
        std::fs::read(out.join("2019-11-12-final.yaml")).unwrap(),
        std::fs::read(&source).unwrap()
    );
    assert_eq!(
        std::fs::read(out.join("annex-a.fr.xlsx")).unwrap(),
        std::fs::read(dir.path().join(FOLDER).join("annex-a.fr.xlsx")).unwrap()
    );
    // Extracting again never overwrites.
    let again = run(
        dir.path(),
        &[
            "extract",
            pdf.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(again.status, 1);

    // The PDF alone, away from its folder and source.
    let alone = dir.path().join("alone.pdf");
    std::fs::copy(&pdf, &alone).unwrap();
    std::fs::remove_dir_all(dir.path().join("out")).unwrap();
    std::fs::remove_file(&source).unwrap();
    let verified = run(dir.path(), &["verify", alone.to_str().unwrap()]);
    assert_eq!(verified.status, 0, "{}", verified.stderr);

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
    assert_eq!(run(dir.path(), &["build", "--quiet"]).status, 0);
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
    let out = run(dir.path(), &["build"]);
    assert_eq!(out.status, 1, "{}", out.stderr);
    assert!(out.stderr.contains(
        "error: cover.duration_months: 24 months is longer than an IRF project may last"
    ));
    assert!(out.stderr.contains("summary:\n  built              data/pbf-irf-999/2020-01-a.yaml\n  invalid            data/pbf-irf-999/2020-01-b.yaml\n  built              data/pbf-irf-999/2020-01-c.yaml\n  built              data/pbf-irf-999/2020-01-d.yaml\n"), "{}", out.stderr);
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
    let out = run(dir.path(), &["build", "Report Final.yaml"]);
    assert_eq!(out.status, 1);
    assert!(
        out.stderr.contains(
            "the file name names the report version and may hold only lower-case letters"
        ),
        "{}",
        out.stderr
    );
    assert!(!dir.path().join("out").exists());
}

#[test]
fn a_version_name_too_long_is_refused_with_a_name_that_fits() {
    let dir = tempfile::tempdir().unwrap();
    let minimal = std::fs::read_to_string(root().join("tests/good/minimal.yaml")).unwrap();
    let stem = format!("2019-11-12-final-{}", "revision-".repeat(6));
    let source = dir.path().join(format!("{stem}.yaml"));
    std::fs::write(&source, minimal).unwrap();
    let out = run(dir.path(), &["build", source.to_str().unwrap()]);
    assert_eq!(out.status, 1);
    assert!(out.stderr.contains("at most 64 of them"), "{}", out.stderr);
    let help = "help: rename it 2019-11-12-final-revision-revision-revision-revision-revision.yaml";
    assert!(out.stderr.contains(help), "{}", out.stderr);
    assert!(!dir.path().join("out").exists());
}
