//! When the machine fails — an output folder that cannot be written, a full disk, a read-only
//! disk, a build killed mid-way — the previous outputs stay as they were and a later build
//! succeeds. The disk tests mount a small tmpfs, which needs root (CI runs as root); set
//! PBF_SKIP_MOUNT_TESTS=1 to skip them elsewhere.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::common::{Run, files, root};

const EXAMPLE: &str = "data/pbf-irf-217/2019-11-12-final.yaml";
const VERSION: &str = "out/pbf-irf-217/2019-11-12-final";

fn workspace(dir: &Path) -> PathBuf {
    let source = dir.join(EXAMPLE);
    std::fs::create_dir_all(source.parent().unwrap()).unwrap();
    std::fs::copy(root().join(EXAMPLE), &source).unwrap();
    source
}

fn change(source: &Path) {
    let text = std::fs::read_to_string(source).unwrap().replacen(
        "country: Mali",
        "country: Mali (Mopti)",
        1,
    );
    std::fs::write(source, text).unwrap();
}

/// A tmpfs of `size` at `dir`, unmounted when dropped.
struct Mount(PathBuf);

impl Mount {
    fn new(dir: &Path, options: &str) -> Option<Mount> {
        std::fs::create_dir_all(dir).unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", options, "tmpfs", dir.to_str().unwrap()])
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            assert!(
                std::env::var_os("PBF_SKIP_MOUNT_TESTS").is_some(),
                "cannot mount a tmpfs (needs root); set PBF_SKIP_MOUNT_TESTS=1 to skip"
            );
            return None;
        }
        Some(Mount(dir.to_path_buf()))
    }

    fn remount(&self, options: &str) {
        let status = Command::new("mount")
            .args([
                "-o",
                &format!("remount,{options}"),
                self.0.to_str().unwrap(),
            ])
            .status()
            .unwrap();
        assert!(status.success());
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn an_output_folder_that_cannot_be_created_is_an_error_that_names_it() {
    let dir = tempfile::tempdir().unwrap();
    workspace(dir.path());
    std::fs::write(dir.path().join("out"), "a file where the folder should be").unwrap();
    let out = Run::new(&["build"]).cwd(dir.path()).status(3).run();
    assert!(
        out.stderr
            .starts_with("error: cannot write out/pbf-irf-217: Not a directory"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_full_disk_leaves_the_previous_outputs_intact() {
    let dir = tempfile::tempdir().unwrap();
    let source = workspace(dir.path());
    let Some(_mount) = Mount::new(&dir.path().join("out"), "size=2m") else {
        return;
    };
    Run::new(&["build"]).cwd(dir.path()).status(0).run();
    let before = files(&dir.path().join(VERSION));

    // Fill the disk but for 64 KiB, change the source, build: it cannot fit.
    let free = fs_free(&dir.path().join("out"));
    std::fs::write(
        dir.path().join("out/filler"),
        vec![0u8; free.saturating_sub(64 * 1024) as usize],
    )
    .unwrap();
    change(&source);
    Run::new(&["build"])
        .cwd(dir.path())
        .status(3)
        .stderr_has("No space left on device")
        .run();
    assert_eq!(
        files(&dir.path().join(VERSION)),
        before,
        "the previous outputs changed"
    );

    std::fs::remove_file(dir.path().join("out/filler")).unwrap();
    Run::new(&["build"]).cwd(dir.path()).status(0).run();
    Run::new(&["verify", VERSION])
        .cwd(dir.path())
        .status(0)
        .run();
}

#[test]
fn a_read_only_disk_leaves_the_previous_outputs_intact() {
    let dir = tempfile::tempdir().unwrap();
    let source = workspace(dir.path());
    let Some(mount) = Mount::new(&dir.path().join("out"), "size=4m") else {
        return;
    };
    Run::new(&["build"]).cwd(dir.path()).status(0).run();
    let before = files(&dir.path().join(VERSION));
    mount.remount("ro");
    change(&source);
    Run::new(&["build"])
        .cwd(dir.path())
        .status(3)
        .stderr_has("Read-only file system")
        .run();
    assert_eq!(files(&dir.path().join(VERSION)), before);
    mount.remount("rw");
    Run::new(&["build"]).cwd(dir.path()).status(0).run();
}

fn fs_free(path: &Path) -> u64 {
    let out = crate::common::tool("df", &["--output=avail", "-B1", path.to_str().unwrap()]);
    out.lines().nth(1).unwrap().trim().parse().unwrap()
}

#[test]
fn a_build_killed_mid_way_loses_nothing_and_the_next_build_is_green() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join(EXAMPLE)).unwrap();
    let sources: Vec<PathBuf> = (0..12)
        .map(|i| {
            let path = dir.path().join(format!("data/p{i}/2019-11-12-final.yaml"));
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(
                &path,
                text.replace("project_id: pbf-irf-217", &format!("project_id: p{i}")),
            )
            .unwrap();
            path
        })
        .collect();
    Run::new(&["build", "--quiet"])
        .cwd(dir.path())
        .status(0)
        .run();
    let old: Vec<_> = (0..12)
        .map(|i| files(&dir.path().join(format!("out/p{i}/2019-11-12-final"))))
        .collect();

    // What the changed sources make, built elsewhere.
    sources.iter().for_each(|s| change(s));
    Run::new(&["build", "--quiet", "--out", "expected"])
        .cwd(dir.path())
        .status(0)
        .run();

    let manifest = |i: usize| {
        std::fs::read(
            dir.path()
                .join(format!("out/p{i}/2019-11-12-final/manifest.json")),
        )
        .ok()
    };
    let old_manifests: Vec<_> = (0..12).map(manifest).collect();
    let mut child = Command::new(env!("CARGO_BIN_EXE_pbf-report"))
        .args(["build", "--quiet"])
        .current_dir(dir.path())
        .spawn()
        .unwrap();
    // Killed as soon as a first source is written (its manifest comes last): the others are
    // being rendered or written then, whatever the speed of the machine.
    let started = std::time::Instant::now();
    while (0..12).all(|i| manifest(i) == old_manifests[i]) && started.elapsed().as_secs() < 60 {
        std::thread::sleep(Duration::from_millis(1));
    }
    Command::new("kill")
        .args(["-KILL", &child.id().to_string()])
        .status()
        .unwrap();
    let _ = child.wait();

    // Every file is whole: the old one or the new one, never a mixture or a fragment.
    let mut changed = 0;
    for (i, old) in old.iter().enumerate() {
        let folder = dir.path().join(format!("out/p{i}/2019-11-12-final"));
        let new = files(&dir.path().join(format!("expected/p{i}/2019-11-12-final")));
        for (name, bytes) in files(&folder) {
            if name.ends_with(".tmp") {
                continue; // a temporary file the kill left; never read, removed by the next build
            }
            let was = old.iter().find(|(n, _)| *n == name).map(|(_, b)| b);
            let will = new.iter().find(|(n, _)| *n == name).map(|(_, b)| b);
            assert!(
                Some(&bytes) == was || Some(&bytes) == will,
                "p{i}/{name} is neither the old nor the new file"
            );
            changed += usize::from(Some(&bytes) != was);
        }
    }
    assert!(
        changed < 12 * 6,
        "the build finished before it was killed; kill it sooner"
    );

    Run::new(&["build"]).cwd(dir.path()).status(0).run();
    for i in 0..12 {
        let folder = format!("out/p{i}/2019-11-12-final");
        assert_eq!(
            files(&dir.path().join(&folder)),
            files(&dir.path().join(format!("expected/p{i}/2019-11-12-final"))),
            "p{i}"
        );
        Run::new(&["verify", &folder])
            .cwd(dir.path())
            .status(0)
            .run();
    }
}
