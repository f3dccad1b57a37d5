//! `build --watch`, driven the way a person uses it: edit, break, fix, write in two steps. Every
//! step waits on what the program prints, never on a fixed sleep, so the tests do not race the
//! program's polling however loaded the machine is.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use crate::archive::{FOLDER, workspace};

/// Only a guard against a hung program: each step normally takes well under a second.
const HANG: Duration = Duration::from_secs(300);
const SOURCE: &str = "data/pbf-irf-217/2019-11-12-final.yaml";

struct Watch {
    child: Child,
    lines: Receiver<String>,
    /// Everything printed so far, for failure messages.
    seen: Vec<String>,
}

impl Watch {
    fn start(dir: &Path) -> Watch {
        Watch::start_with(dir, &[])
    }

    fn start_with(dir: &Path, env: &[(&str, &str)]) -> Watch {
        let mut child = Command::new(env!("CARGO_BIN_EXE_pbf-report"))
            .args(["build", "--watch"])
            .envs(env.iter().copied())
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (send, lines) = channel();
        let stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = send.send(line);
            }
        });
        let mut watch = Watch {
            child,
            lines,
            seen: Vec::new(),
        };
        watch.wait_for("watching for changes");
        watch
    }

    /// Reads what the program prints until a line contains `text`; returns the lines read.
    fn wait_for(&mut self, text: &str) -> Vec<String> {
        let mut read = Vec::new();
        loop {
            let line = self.lines.recv_timeout(HANG).unwrap_or_else(|_| {
                panic!(
                    "no line with {text:?}; the watch printed:\n{}",
                    self.seen.join("\n")
                )
            });
            self.seen.push(line.clone());
            read.push(line.clone());
            if line.contains(text) {
                return read;
            }
        }
    }

    /// Waits for the source to be built again, after a line saying that `changed` changed.
    fn rebuilt_after(&mut self, changed: &str) {
        let lines = self.wait_for(&format!("built {SOURCE} (6 files)"));
        let said = format!("changed: {changed}; building again");
        assert!(lines.contains(&said), "{lines:?}");
    }

    /// Closes standard input, which ends the watch; returns its exit status.
    fn stop(mut self) -> i32 {
        drop(self.child.stdin.take());
        self.child.wait().unwrap().code().unwrap_or(-1)
    }
}

/// The example's text with one edit.
fn edited(from: &str, to: &str) -> String {
    let text = std::fs::read_to_string(crate::common::root().join(SOURCE)).unwrap();
    assert!(text.contains(from));
    text.replacen(from, to, 1)
}

fn french_pdf(dir: &Path) -> String {
    crate::common::pdf_text(&dir.join(FOLDER).join("pbf-irf-217-2019-11-12-final.fr.pdf"))
}

#[test]
fn an_edit_is_rebuilt_and_says_which_file_changed() {
    let (dir, source) = workspace();
    let mut watch = Watch::start(dir.path());
    std::fs::write(
        &source,
        edited("country: Mali", "country: République du Mali"),
    )
    .unwrap();
    let lines = watch.wait_for(&format!("built {SOURCE} (6 files)"));
    assert!(
        lines
            .iter()
            .any(|l| l == &format!("changed: {SOURCE}; building again")),
        "{lines:?}"
    );
    assert_eq!(watch.stop(), 0);
    assert!(french_pdf(dir.path()).contains("République du Mali"));
}

#[test]
fn an_invalid_source_is_reported_and_the_watch_goes_on() {
    let (dir, source) = workspace();
    let good = std::fs::read(&source).unwrap();
    let mut watch = Watch::start(dir.path());
    std::fs::write(&source, edited("country: Mali", "country: [Mali")).unwrap();
    let lines = watch.wait_for("built 0 of 1 source");
    assert!(
        lines.iter().any(|l| l
            == "error: cover.country: the `[` that opens the value of `country` is not closed"),
        "{lines:?}"
    );
    std::fs::write(&source, edited("country: Mali", "country: Mali (fixed)")).unwrap();
    watch.wait_for(&format!("built {SOURCE} (6 files)"));
    std::fs::write(&source, &good).unwrap();
    watch.wait_for(&format!("built {SOURCE} (6 files)"));
    assert_eq!(watch.stop(), 0);
    let verify = crate::common::Run::new(&["verify", FOLDER])
        .cwd(dir.path())
        .output();
    assert_eq!(verify.status, 0, "{}", verify.stderr);
}

#[test]
fn a_source_written_in_two_halves_ends_built() {
    let (dir, source) = workspace();
    let full = edited("country: Mali", "country: Mali, en deux temps");
    let middle = full[..full.len() / 2].rfind('\n').unwrap() + 1;
    let (first, second) = full.split_at(middle);
    let mut watch = Watch::start(dir.path());
    std::fs::write(&source, first).unwrap();
    // The half alone settles, is built, and is refused: reported, and the watch goes on.
    watch.wait_for("built 0 of 1 source");
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&source)
        .unwrap();
    std::io::Write::write_all(&mut file, second.as_bytes()).unwrap();
    drop(file);
    watch.wait_for(&format!("built {SOURCE} (6 files)"));
    assert_eq!(watch.stop(), 0);
    assert!(french_pdf(dir.path()).contains("Mali, en deux temps"));
}

#[test]
fn the_watch_ends_with_the_status_of_its_last_build() {
    let (dir, source) = workspace();
    let mut watch = Watch::start(dir.path());
    std::fs::write(&source, "project_id: [\n").unwrap();
    watch.wait_for("built 0 of 1 source");
    assert_eq!(watch.stop(), 1);
}

#[test]
fn a_catalog_edit_is_rebuilt() {
    let (dir, _) = workspace();
    let i18n = dir.path().join("templates/i18n");
    std::fs::create_dir_all(&i18n).unwrap();
    for lang in ["en", "fr"] {
        let from = crate::common::root().join(format!("templates/i18n/{lang}.yaml"));
        std::fs::copy(from, i18n.join(format!("{lang}.yaml"))).unwrap();
    }
    let mut watch = Watch::start(dir.path());
    let fr = i18n.join("fr.yaml");
    let text = std::fs::read_to_string(&fr).unwrap();
    std::fs::write(
        &fr,
        text.replacen(
            "cover.country: \"PAYS:\"",
            "cover.country: \"PAYS CONCERNÉ:\"",
            1,
        ),
    )
    .unwrap();
    watch.rebuilt_after("templates/i18n/fr.yaml");
    // A broken catalog is reported, and the watch goes on.
    std::fs::write(&fr, "cover.country: [\n").unwrap();
    watch.wait_for("built 0 of 1 source");
    std::fs::write(
        &fr,
        text.replacen("cover.country: \"PAYS:\"", "cover.country: \"ÉTAT:\"", 1),
    )
    .unwrap();
    watch.wait_for(&format!("built {SOURCE} (6 files)"));
    assert_eq!(watch.stop(), 0);
    assert!(crate::common::squash(&french_pdf(dir.path())).contains("ÉTAT:Mali"));
}

/// A workspace `templates/` made while the watch runs is laid over the built-in copy from the
/// next build on, as it would be for a build started then; removed, the built-in copy is back.
#[test]
fn a_templates_folder_made_during_the_watch_is_used() {
    let (dir, _) = workspace();
    let mut watch = Watch::start(dir.path());
    let i18n = dir.path().join("templates/i18n");
    std::fs::create_dir_all(&i18n).unwrap();
    let text =
        std::fs::read_to_string(crate::common::root().join("templates/i18n/fr.yaml")).unwrap();
    let edited = text.replacen("cover.country: \"PAYS:\"", "cover.country: \"ÉTAT:\"", 1);
    assert_ne!(edited, text);
    std::fs::write(i18n.join("fr.yaml"), edited).unwrap();
    watch.rebuilt_after("templates/i18n/fr.yaml");
    assert!(crate::common::squash(&french_pdf(dir.path())).contains("ÉTAT:Mali"));
    std::fs::remove_dir_all(dir.path().join("templates")).unwrap();
    watch.wait_for(&format!("built {SOURCE} (6 files)"));
    assert_eq!(watch.stop(), 0);
    assert!(crate::common::squash(&french_pdf(dir.path())).contains("PAYS:Mali"));
}

/// A workspace template that loops is stopped within its budget, said, and the watch goes on:
/// the template mended, the next build succeeds.
#[test]
fn a_template_over_its_budget_ends_its_build_and_not_the_watch() {
    let (dir, _) = workspace();
    let mut watch = Watch::start_with(dir.path(), &[("PBF_REPORT_TIME_LIMIT", "2")]);
    let (layout, text) = crate::common::looping_layout(dir.path());
    watch.wait_for("the template ran for more than 2 s, and was stopped");
    // Mended, and so unlike the built-in layout: the version is built again with it.
    std::fs::write(&layout, [b"// mended\n", &text[..]].concat()).unwrap();
    watch.rebuilt_after("templates/pbf-2019/report.typ");
    assert_eq!(watch.stop(), 0);
}
