//! What the README promises an archivist, tried as an attacker and a careless colleague would:
//! a version folder changes as a whole, two sources never share one, an archived version is never
//! written whatever state its folder is in, and `verify` is not fooled.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::archive::{FOLDER, workspace};
use crate::common::{Run, files};

fn run(dir: &Path, args: &[&str]) -> crate::common::Output {
    Run::new(args).cwd(dir).output()
}

/// A built and archived copy of the example.
fn archived() -> (tempfile::TempDir, PathBuf) {
    let (dir, source) = workspace();
    assert_eq!(run(dir.path(), &["build"]).status, 0);
    let out = run(dir.path(), &["archive", FOLDER, "--by", "A. Archivist"]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    (dir, source)
}

fn folder(dir: &Path) -> PathBuf {
    dir.join(FOLDER)
}

/// Makes a read-only archived file writable again, as a careless colleague would.
fn writable(path: &Path) {
    let mut p = std::fs::metadata(path).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    p.set_readonly(false);
    std::fs::set_permissions(path, p).unwrap();
}

#[test]
fn the_archive_mark_records_every_file_who_and_when() {
    let (dir, _) = archived();
    let mark: serde_json::Value =
        serde_json::from_slice(&std::fs::read(folder(dir.path()).join("ARCHIVED.json")).unwrap())
            .unwrap();
    assert_eq!(mark["by"], "A. Archivist");
    assert!(mark["archived_at"].as_str().unwrap().ends_with('Z'));
    let names: Vec<&str> = mark["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"manifest.json") && names.contains(&"annex-a.fr.xlsx"),
        "{names:?}"
    );
    let pdf = folder(dir.path()).join("pbf-irf-217-2019-11-12-final.fr.pdf");
    assert!(std::fs::metadata(pdf).unwrap().permissions().readonly());
}

#[test]
fn an_archived_folder_without_its_manifest_is_never_rebuilt() {
    let (dir, source) = archived();
    let manifest = folder(dir.path()).join("manifest.json");
    writable(&manifest);
    std::fs::remove_file(&manifest).unwrap();
    let text = std::fs::read_to_string(&source).unwrap();
    std::fs::write(&source, text.replacen("country: Mali", "country: Niger", 1)).unwrap();
    let before = files(&folder(dir.path()));
    let out = run(dir.path(), &["build"]);
    assert_eq!(out.status, 1, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("its folder no longer holds what was archived"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("   - manifest.json is missing"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("`pbf-report verify`"), "{}", out.stderr);
    assert_eq!(files(&folder(dir.path())), before);
}

#[test]
fn anything_in_place_of_the_archive_mark_still_stops_a_build() {
    let (dir, source) = archived();
    let mark = folder(dir.path()).join("ARCHIVED.json");
    writable(&mark);
    std::fs::remove_file(&mark).unwrap();
    std::fs::create_dir(&mark).unwrap();
    let text = std::fs::read_to_string(&source).unwrap();
    std::fs::write(&source, text.replacen("country: Mali", "country: Niger", 1)).unwrap();
    let out = run(dir.path(), &["build"]);
    assert_eq!(out.status, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("ARCHIVED.json is a folder"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_damaged_archived_folder_is_named_by_build_and_verify() {
    let (dir, _) = archived();
    let xlsx = folder(dir.path()).join("annex-a.fr.xlsx");
    writable(&xlsx);
    std::fs::write(&xlsx, b"not a workbook").unwrap();
    std::fs::write(folder(dir.path()).join("extra.txt"), b"added").unwrap();
    let out = run(dir.path(), &["build"]);
    assert_eq!(out.status, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("   - annex-a.fr.xlsx was changed"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("   - extra.txt was added"),
        "{}",
        out.stderr
    );
    let verify = run(dir.path(), &["verify", FOLDER]);
    assert_eq!(verify.status, 1);
    assert!(
        verify
            .stderr
            .contains("DIFFERS  extra.txt: this file is not listed in the manifest"),
        "{}",
        verify.stderr
    );
    assert!(
        verify
            .stderr
            .contains("annex-a.fr.xlsx was changed since it was archived"),
        "{}",
        verify.stderr
    );
}

#[test]
fn verify_is_not_fooled_by_an_edited_manifest() {
    let (dir, _) = workspace();
    assert_eq!(run(dir.path(), &["build"]).status, 0);
    let f = folder(dir.path());
    // A PDF replaced by another file, and its entry taken out of the manifest.
    std::fs::write(
        f.join("pbf-irf-217-2019-11-12-final.fr.pdf"),
        b"%PDF-1.7 forged",
    )
    .unwrap();
    let manifest = std::fs::read_to_string(f.join("manifest.json")).unwrap();
    let mut value: serde_json::Value = serde_json::from_str(&manifest).unwrap();
    value["outputs"].as_array_mut().unwrap().remove(0);
    std::fs::write(
        f.join("manifest.json"),
        serde_json::to_vec_pretty(&value).unwrap(),
    )
    .unwrap();
    let verify = run(dir.path(), &["verify", FOLDER]);
    assert_eq!(verify.status, 1, "{}", verify.stderr);
    assert!(
        verify.stderr.contains(
            "DIFFERS  pbf-irf-217-2019-11-12-final.fr.pdf: this file is not listed in the manifest"
        ),
        "{}",
        verify.stderr
    );
    // A manifest that names a file outside its folder.
    value["source"]["name"] = "../../../etc/passwd".into();
    std::fs::write(
        f.join("manifest.json"),
        serde_json::to_vec_pretty(&value).unwrap(),
    )
    .unwrap();
    let verify = run(dir.path(), &["verify", FOLDER]);
    assert_eq!(verify.status, 1, "{}", verify.stderr);
    assert!(
        verify
            .stderr
            .contains("names \"../../../etc/passwd\", not a file name of its folder"),
        "{}",
        verify.stderr
    );
    assert!(!verify.stderr.contains("root:"), "{}", verify.stderr);
}

#[test]
fn a_draft_is_never_archived() {
    let (dir, _) = workspace();
    assert_eq!(run(dir.path(), &["build", "--draft"]).status, 0);
    let out = run(dir.path(), &["archive", FOLDER]);
    assert_eq!(out.status, 1, "{}", out.stderr);
    assert!(out.stderr.contains("is a draft build"), "{}", out.stderr);
    assert!(!folder(dir.path()).join("ARCHIVED.json").exists());
}

#[test]
fn two_sources_for_one_folder_are_both_refused_before_anything_is_written() {
    let (dir, source) = workspace();
    let other = dir.path().join("data/copy/2019-11-12-final.yaml");
    std::fs::create_dir_all(other.parent().unwrap()).unwrap();
    let text = std::fs::read_to_string(&source).unwrap();
    std::fs::write(&other, text.replacen("country: Mali", "country: Niger", 1)).unwrap();
    let out = run(dir.path(), &["build"]);
    assert_eq!(out.status, 1, "{}", out.stderr);
    let one = "error: this source and data/pbf-irf-217/2019-11-12-final.yaml would both write out/pbf-irf-217/2019-11-12-final";
    let two = "error: this source and data/copy/2019-11-12-final.yaml would both write out/pbf-irf-217/2019-11-12-final";
    assert!(
        out.stderr.contains(one) && out.stderr.contains(two),
        "{}",
        out.stderr
    );
    assert!(
        !dir.path()
            .join("out/pbf-irf-217")
            .join("2019-11-12-final")
            .exists()
    );
}

/// The bytes of a version folder built from `text`, for comparing.
fn built(text: &str) -> Vec<(String, Vec<u8>)> {
    let (dir, source) = workspace();
    std::fs::write(&source, text).unwrap();
    assert_eq!(run(dir.path(), &["build"]).status, 0);
    files(&folder(dir.path()))
}

#[test]
fn a_build_killed_at_any_point_leaves_the_old_folder_or_the_new_one() {
    let (dir, source) = workspace();
    let old_text = std::fs::read_to_string(&source).unwrap();
    let new_text = old_text.replacen("country: Mali", "country: Mali (révisé)", 1);
    let (old, new) = (built(&old_text), built(&new_text));
    assert_eq!(run(dir.path(), &["build"]).status, 0);
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    for i in 0..50 {
        let text = if i % 2 == 0 { &new_text } else { &old_text };
        std::fs::write(&source, text).unwrap();
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        let delay = std::time::Duration::from_millis((seed >> 33) % 900);
        let mut child = Command::new(env!("CARGO_BIN_EXE_pbf-report"))
            .arg("build")
            .current_dir(dir.path())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        let _ = child.kill();
        let _ = child.wait();
        // Either whole folder, or (killed between the two renames) the old one set aside.
        let f = folder(dir.path());
        let state = match f.exists() {
            true => files(&f),
            false => files(&f.parent().unwrap().join(".2019-11-12-final.old")),
        };
        assert!(
            state == old || state == new,
            "kill {i} after {delay:?} left a mixed folder"
        );
    }
    let out = run(dir.path(), &["build"]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    let verify = run(dir.path(), &["verify", FOLDER]);
    assert_eq!(verify.status, 0, "{}", verify.stderr);
    let leftovers: Vec<String> = std::fs::read_dir(dir.path().join("out/pbf-irf-217"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("staging") || n.ends_with(".old"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn two_builds_of_one_workspace_at_once_both_succeed() {
    let (dir, _) = workspace();
    for i in 0..20 {
        let _ = std::fs::remove_dir_all(dir.path().join("out"));
        let spawn = || {
            Command::new(env!("CARGO_BIN_EXE_pbf-report"))
                .arg("build")
                .current_dir(dir.path())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (a, b) = (spawn(), spawn());
        for child in [a, b] {
            let out = child.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "round {i}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
    let verify = run(dir.path(), &["verify", FOLDER]);
    assert_eq!(verify.status, 0, "{}", verify.stderr);
}
